// Which environments and targets an Application has: its EnvironmentSets (in
// their order) merged by name with its direct environments, and each
// environment's Targets found by Target.spec.environment — so a new Target
// reaches every application with no edit.
import type { Application } from '../../api/application.js';
import type { Environment } from '../../api/environment.js';
import type { EnvironmentSet } from '../../api/environment-set.js';
import type { Target } from '../../api/target.js';
import type { ConditionProblem } from '../../api/field-problem.js';
import { Reason } from '../../api/conditions.js';

/**
 * Objects that exist in the cache but do not parse (a hand edit, a schema a
 * newer Depot tightened), by name, with the parse error. They are not
 * absent: what an Application recorded for them is kept until they parse
 * again or are really deleted.
 */
export interface UnreadableObjects {
  environments?: ReadonlyMap<string, string>;
  sets?: ReadonlyMap<string, string>;
  targets?: ReadonlyMap<string, string>;
}

export interface ResolvedEnvironments {
  /** Environment names in promotion order: set order first, then direct entries. */
  names: string[];
  problems: ConditionProblem[];
  /** A referenced EnvironmentSet cannot be read: the names may be incomplete. */
  incomplete: boolean;
}

const unreadableMessage = (kind: string, name: string, error: string) =>
  `${kind} "${name}" cannot be read (${error}); what this application recorded for it is kept until it is fixed`;

export function resolveEnvironments(
  app: Application,
  sets: ReadonlyMap<string, EnvironmentSet>,
  environments: ReadonlyMap<string, Environment>,
  unreadable: UnreadableObjects = {},
): ResolvedEnvironments {
  const names: string[] = [];
  const problems: ConditionProblem[] = [];
  let incomplete = false;
  const add = (name: string) => {
    if (!names.includes(name)) names.push(name);
  };
  (app.spec.environmentSets ?? []).forEach((setName, i) => {
    const set = sets.get(setName);
    const error = unreadable.sets?.get(setName);
    if (!set && error !== undefined) {
      incomplete = true;
      problems.push({
        path: `spec.environmentSets[${i}]`,
        reason: Reason.InvalidEnvironmentSet,
        message: unreadableMessage('EnvironmentSet', setName, error),
      });
      return;
    }
    if (!set) {
      problems.push({
        path: `spec.environmentSets[${i}]`,
        reason: Reason.EnvironmentSetNotFound,
        message: `EnvironmentSet "${setName}" does not exist in this namespace`,
      });
      return;
    }
    set.spec.environments.forEach(add);
  });
  (app.spec.environments ?? []).forEach((e) => add(e.name));

  names.forEach((name) => {
    if (environments.has(name)) return;
    const direct = (app.spec.environments ?? []).findIndex((e) => e.name === name);
    const path = direct >= 0 ? `spec.environments[${direct}].name` : 'spec.environmentSets';
    const error = unreadable.environments?.get(name);
    problems.push(
      error !== undefined
        ? { path, reason: Reason.InvalidEnvironment, message: unreadableMessage('Environment', name, error) }
        : {
            path,
            reason: Reason.EnvironmentNotFound,
            message: `Environment "${name}" does not exist in this namespace`,
          },
    );
  });
  for (const env of Object.keys(app.spec.versions ?? {})) {
    // With an unreadable set, the key may name one of its environments.
    if (!names.includes(env) && !incomplete) {
      problems.push({
        path: `spec.versions.${env}`,
        reason: Reason.UnknownEnvironment,
        message: `"${env}" is not one of this application's environments (${names.join(', ') || 'none'})`,
      });
    }
  }
  return { names, problems, incomplete };
}

/** Targets per environment name, sorted by name. */
export function targetsByEnvironment(targets: readonly Target[]): Map<string, Target[]> {
  const out = new Map<string, Target[]>();
  for (const t of [...targets].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))) {
    const list = out.get(t.spec.environment) ?? [];
    list.push(t);
    out.set(t.spec.environment, list);
  }
  return out;
}
