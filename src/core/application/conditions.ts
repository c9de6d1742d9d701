// An Application's conditions: Ready (references resolve, input is usable),
// Compatible (no request is held back by a rule) and Delivered (every target
// has its desired version).
import type { ApplicationEnvironmentStatus, ApplicationTargetStatus } from '../../api/application.js';
import type { ConditionInput } from '../../kube/conditions.js';
import type { ConditionProblem } from '../../api/field-problem.js';
import { ConditionType, Reason } from '../../api/conditions.js';

/** Blocks that only a person can clear (a bad version, a broken freeze): the application is not ready. */
const NOT_READY_BLOCKS = new Set(['InvalidVersion', 'InvalidFreeze']);
/** Blocks that are not about compatibility. */
const OTHER_BLOCKS = new Set([...NOT_READY_BLOCKS, 'Frozen', 'EnvironmentNotFound', 'Rejected']);

export function applicationConditions(
  problems: readonly ConditionProblem[],
  environments: readonly ApplicationEnvironmentStatus[],
  targets: readonly ApplicationTargetStatus[],
  broken: readonly string[] = [],
): ConditionInput[] {
  return [ready(problems, environments, targets), compatible(environments, broken), delivered(targets)];
}

function ready(
  problems: readonly ConditionProblem[],
  environments: readonly ApplicationEnvironmentStatus[],
  targets: readonly ApplicationTargetStatus[],
): ConditionInput {
  const reasons = [
    ...problems.map((p) => ({ reason: p.reason, message: `${p.path}: ${p.message}` })),
    ...environments
      .filter((e) => e.blocked && NOT_READY_BLOCKS.has(e.blocked.reason))
      .map((e) => ({ reason: e.blocked!.reason, message: e.blocked!.message })),
  ];
  if (reasons.length > 0)
    return {
      type: ConditionType.Ready,
      status: 'False',
      reason: reasons[0]!.reason,
      message: reasons.map((r) => r.message).join('; '),
    };
  return {
    type: ConditionType.Ready,
    status: 'True',
    reason: Reason.Resolved,
    message: `${environments.length} environments, ${targets.length} targets`,
  };
}

/**
 * False while a request is held back by a rule, or while a desired version
 * breaks one of this application's rules (the rule is newer than the
 * version, or the version was delivered before it); True only when both
 * were checked against the environment's combination.
 */
function compatible(
  environments: readonly ApplicationEnvironmentStatus[],
  broken: readonly string[],
): ConditionInput {
  const incompatible = environments.filter((e) => e.blocked && !OTHER_BLOCKS.has(e.blocked.reason));
  if (incompatible.length > 0)
    return {
      type: ConditionType.Compatible,
      status: 'False',
      reason: incompatible[0]!.blocked!.reason,
      message: [...incompatible.map((e) => `${e.name}: ${e.blocked!.message}`), ...broken].join('; '),
    };
  if (broken.length > 0)
    return {
      type: ConditionType.Compatible,
      status: 'False',
      reason: Reason.RulesBroken,
      message: broken.join('; '),
    };
  return {
    type: ConditionType.Compatible,
    status: 'True',
    reason: Reason.RequirementsMet,
    message:
      'no request is held back by a compatibility rule, and the desired versions satisfy the rules of this application',
  };
}

function delivered(targets: readonly ApplicationTargetStatus[]): ConditionInput {
  const undelivered = targets.filter((t) => t.desired !== undefined && t.delivery?.state !== 'Delivered');
  if (undelivered.length === 0)
    return {
      type: ConditionType.Delivered,
      status: 'True',
      reason: Reason.Delivered,
      message: `desired versions delivered to ${targets.length} targets`,
    };
  const failed = undelivered.some((t) => t.delivery?.state === 'Failed');
  const contested = undelivered.some((t) => t.delivery?.state === 'Contested');
  return {
    type: ConditionType.Delivered,
    status: 'False',
    reason: failed ? 'DeliveryFailed' : contested ? 'DeliveryContested' : 'DeliveryPending',
    message: undelivered
      .map((t) => `${t.name}: ${t.delivery?.state ?? 'Pending'} ${t.delivery?.message ?? ''}`.trim())
      .join('; '),
  };
}
