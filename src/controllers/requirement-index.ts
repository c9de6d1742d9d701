// Which Applications to re-evaluate when one changes: those with a rule on
// it (an index from spec.compatibility[].requires.application to the
// owners), and those its own rules require (when dash moves first, core's
// choice changes too). Not a requeue of the whole namespace.
import type { KubeObject, Request } from '../kube/resource.js';

interface WithRules {
  spec?: { compatibility?: unknown };
}

/** The applications an object's rules name, tolerating a malformed spec. */
export function requiredApplications(obj: KubeObject): string[] {
  const rules = (obj as WithRules).spec?.compatibility;
  if (!Array.isArray(rules)) return [];
  const names = rules.flatMap((r: unknown) => {
    const app = (r as { requires?: { application?: unknown } } | null)?.requires?.application;
    return typeof app === 'string' ? [app] : [];
  });
  return [...new Set(names)];
}

export class RequirementIndex {
  /** "ns/required" → owners. */
  private readonly owners = new Map<string, Set<string>>();
  /** "ns/owner" → the applications its rules name. */
  private readonly required = new Map<string, string[]>();

  /** Updates the index with an event and returns the applications to re-evaluate. */
  observe(obj: KubeObject, type: 'add' | 'update' | 'delete'): Request[] {
    const namespace = obj.metadata?.namespace ?? '';
    const name = obj.metadata?.name ?? '';
    const key = `${namespace}/${name}`;
    const before = this.required.get(key) ?? [];
    const now = type === 'delete' ? [] : requiredApplications(obj);
    for (const r of before) this.owners.get(`${namespace}/${r}`)?.delete(name);
    for (const r of now) {
      const k = `${namespace}/${r}`;
      (this.owners.get(k) ?? this.owners.set(k, new Set()).get(k)!).add(name);
    }
    if (now.length > 0) this.required.set(key, now);
    else this.required.delete(key);
    const related = new Set([...(this.owners.get(key) ?? []), ...before, ...now]);
    related.delete(name);
    return [...related].sort().map((n) => ({ namespace, name: n }));
  }

  /** Applications with a rule on `name`. */
  ownersOf(namespace: string, name: string): string[] {
    return [...(this.owners.get(`${namespace}/${name}`) ?? [])].sort();
  }
}
