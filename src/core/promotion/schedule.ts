// When a Promotion runs: a scheduled Promotion runs at its cron times (in its
// time zone), counted from its last run or resume; one without a schedule
// runs at every evaluation. Pure: time is passed in.
import type { Promotion } from '../../api/promotion.js';
import { findCondition } from '../../kube/conditions.js';
import { nextRun } from '../schedule.js';

/** Reason of the Ready condition of a suspended promotion. */
export const SUSPENDED_REASON = 'Suspended';

/**
 * Whether the last status the controller wrote says the promotion was not
 * active: suspended (Ready=True, reason Suspended) or not ready (Ready=False).
 * Evaluating it now is then a resume.
 */
export function wasInactive(promotion: Promotion): boolean {
  const ready = findCondition(promotion.status?.conditions, 'Ready');
  return ready !== undefined && (ready.status !== 'True' || ready.reason === SUSPENDED_REASON);
}

/**
 * When the schedule's next run is due: the first scheduled time after the
 * last run, the last resume or creation, whichever is latest. Time spent
 * suspended or not ready thus accumulates no runs, while scheduled times
 * missed while the operator was down make the next evaluation a run (once).
 */
export function dueRun(promotion: Promotion, now: Date): { due: boolean; next?: Date } {
  const { schedule, timeZone } = promotion.spec;
  if (!schedule) return { due: true };
  const { lastRunTime, lastResumeTime } = promotion.status ?? {};
  const starts = [lastRunTime, lastResumeTime, promotion.metadata.creationTimestamp]
    .filter((t): t is string => t !== undefined)
    .map((t) => Date.parse(t));
  const since = starts.length > 0 ? new Date(Math.max(...starts)) : now;
  const next = nextRun(schedule, timeZone ?? 'UTC', since);
  if (next <= now) return { due: true, next: nextRun(schedule, timeZone ?? 'UTC', now) };
  return { due: false, next };
}
