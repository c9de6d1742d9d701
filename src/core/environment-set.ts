// An EnvironmentSet's status: Ready when every listed Environment exists.
// Pure: the time is passed in.
import type { EnvironmentSet, EnvironmentSetStatus } from '../api/environment-set.js';
import { setConditions, type ConditionInput } from '../kube/conditions.js';
import { ConditionType, Reason } from '../api/conditions.js';

export interface EnvironmentSetInput {
  set: EnvironmentSet;
  /** Names of the namespace's Environments. */
  environments: ReadonlySet<string>;
  now: Date;
}

export function planEnvironmentSet({ set, environments, now }: EnvironmentSetInput): EnvironmentSetStatus {
  const missing = set.spec.environments
    .map((name, i) => ({ name, i }))
    .filter(({ name }) => !environments.has(name));
  const ready: ConditionInput =
    missing.length === 0
      ? {
          type: ConditionType.Ready,
          status: 'True',
          reason: Reason.Ready,
          message: set.spec.environments.join(' → '),
        }
      : {
          type: ConditionType.Ready,
          status: 'False',
          reason: Reason.EnvironmentNotFound,
          message: missing
            .map(({ name, i }) => `spec.environments[${i}]: Environment "${name}" does not exist`)
            .join('; '),
        };
  const generation = set.metadata.generation;
  return {
    ...set.status,
    observedGeneration: generation,
    conditions: setConditions(set.status?.conditions, [ready], generation, now),
  };
}
