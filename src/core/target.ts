// A Target's status: the delivery method in use, and Ready when its
// Environment exists. Pure: the time is passed in.
import type { Target, TargetStatus } from '../api/target.js';
import { setConditions, type ConditionInput } from '../kube/conditions.js';
import { deliveryKind } from './delivery.js';

export interface TargetInput {
  target: Target;
  /** Names of the namespace's Environments. */
  environments: ReadonlySet<string>;
  now: Date;
}

export function planTarget({ target, environments, now }: TargetInput): TargetStatus {
  const env = target.spec.environment;
  const ready: ConditionInput = environments.has(env)
    ? { type: 'Ready', status: 'True', reason: 'Ready', message: `delivers to environment ${env}` }
    : {
        type: 'Ready',
        status: 'False',
        reason: 'EnvironmentNotFound',
        message: `spec.environment: Environment "${env}" does not exist in namespace ${target.metadata.namespace}`,
      };
  const generation = target.metadata.generation;
  return {
    ...target.status,
    observedGeneration: generation,
    deliveryKind: deliveryKind(target),
    conditions: setConditions(target.status?.conditions, [ready], generation, now),
  };
}
