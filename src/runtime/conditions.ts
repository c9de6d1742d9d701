// Conditions as the Kubernetes API conventions define them: a list keyed by
// type; lastTransitionTime changes only when status does, so recomputing the
// same condition on every reconcile writes nothing.
import { kubeTime } from './kube-time.js';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export type ConditionInput = Omit<Condition, 'lastTransitionTime'>;

export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** The list with `next` set (replacing the same type), keeping the transition time if status is unchanged. */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  next: ConditionInput,
  now: number | Date,
): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  const old = i >= 0 ? list[i] : undefined;
  const lastTransitionTime =
    old && old.status === next.status && old.lastTransitionTime ? old.lastTransitionTime : kubeTime(now);
  const condition: Condition = { ...next, lastTransitionTime };
  if (condition.observedGeneration === undefined) delete condition.observedGeneration;
  if (i >= 0) list[i] = condition;
  else list.push(condition);
  return list;
}
