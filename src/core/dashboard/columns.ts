// The matrix's columns for one namespace: the environments of its
// EnvironmentSets in their promotion order (sets by name, each set's order
// kept, an environment listed once), then environments no set names.
import type { Environment } from '../../api/environment.js';
import type { EnvironmentSet } from '../../api/environment-set.js';

export function environmentColumns(
  sets: readonly EnvironmentSet[],
  environments: readonly Environment[],
): string[] {
  const columns: string[] = [];
  const seen = new Set<string>();
  const add = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    columns.push(name);
  };
  for (const s of [...sets].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)))
    for (const e of s.spec.environments) add(e);
  for (const e of environments.map((x) => x.metadata.name).sort()) add(e);
  return columns;
}
