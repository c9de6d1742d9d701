// Conditions per Kubernetes API conventions: lastTransitionTime moves only
// when the status changes, so an unchanged reconcile writes nothing.

/** metav1.Condition (the API's schema for it is api/conditions.ts). */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  /** RFC 3339, whole seconds. */
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export interface ConditionInput {
  type: string;
  status: Condition['status'];
  reason: string;
  message: string;
}

/** Returns the list with `input` set (observedGeneration stamped), keeping the others. */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  input: ConditionInput,
  generation: number | undefined,
  now: Date,
): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === input.type);
  const prev = i >= 0 ? list[i] : undefined;
  const next: Condition = {
    type: input.type,
    status: input.status,
    reason: input.reason,
    message: input.message.slice(0, 32_768),
    // metav1.Time has second precision.
    lastTransitionTime:
      prev && prev.status === input.status
        ? prev.lastTransitionTime
        : now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
  };
  if (i >= 0) list[i] = next;
  else list.push(next);
  return list;
}

/** Sets several conditions at once, in order. */
export function setConditions(
  conditions: readonly Condition[] | undefined,
  inputs: ConditionInput[],
  generation: number | undefined,
  now: Date,
): Condition[] {
  return inputs.reduce<Condition[]>(
    (acc, c) => setCondition(acc, c, generation, now),
    [...(conditions ?? [])],
  );
}

export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}
