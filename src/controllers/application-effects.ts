// What follows an Application's status write, as one list decided from the pass's results
// (effectsAfterWrite, pure) and run in order by the controller: Reapplied entries
// acknowledged, blocked-request and rejected-version metrics, the Warning for a rejected
// version running, new history entries sent (Event, audit line), spent force annotations removed,
// the trimming of the status to its byte budget reported.
import type { Application, ApplicationEnvironmentStatus, HistoryEntry } from '../api/application.js';
import type { SpentForce } from '../core/application/force.js';
import type { ApplicationPlan } from '../core/application/plan.js';
import type { StatusTrim } from '../core/status-budget.js';
import { REJECTED_CONDITION } from '../core/application/rejected.js';
import { findCondition } from '../kube/conditions.js';
import type { DeliveryRecord } from './delivery/tracker.js';

export type Effect =
  /** The record's Reapplied entries are in the status: the tracker forgets them. */
  | { kind: 'acknowledgeReapplied'; record: DeliveryRecord }
  /** The depot_blocked_requests gauge counts this application's blocked requests. */
  | { kind: 'recordBlocked'; environments: readonly ApplicationEnvironmentStatus[] }
  /** depot_rejected_versions_running; a Warning Event when the Rejected condition turned True or says something new. */
  | { kind: 'flagRejected'; environments: number; warning?: string }
  /** New history entries, newest first: an Event and an audit line each; the written history for the audit sink. */
  | { kind: 'sendHistory'; entries: readonly HistoryEntry[]; history: readonly HistoryEntry[] }
  /** A spent force annotation to remove. */
  | { kind: 'releaseForce'; force: SpentForce }
  /** The written status was cut to its byte budget: metrics, and a Warning for unsent entries dropped. */
  | { kind: 'reportTrim'; trim: StatusTrim }
  /** The count limit dropped entries the audit sink had not taken: metric and Warning. */
  | { kind: 'reportDroppedBeforeSink'; entries: readonly HistoryEntry[] };

/** The effects of a pass whose status is stored now (`written`: it changed). */
export function effectsAfterWrite(
  before: Application,
  composed: ApplicationPlan,
  record: DeliveryRecord,
  written: boolean,
): Effect[] {
  const was = findCondition(before.status?.conditions, REJECTED_CONDITION);
  const now = findCondition(composed.status.conditions, REJECTED_CONDITION);
  const warn = now?.status === 'True' && (was?.status !== 'True' || was.message !== now.message);
  return [
    { kind: 'acknowledgeReapplied', record },
    { kind: 'recordBlocked', environments: composed.status.environments ?? [] },
    {
      kind: 'flagRejected',
      environments: composed.rejectedRunning.length,
      ...(warn ? { warning: now.message ?? '' } : {}),
    },
    ...(written && composed.added.length > 0
      ? [
          {
            kind: 'sendHistory' as const,
            entries: composed.added,
            history: composed.status.history ?? [],
          },
        ]
      : []),
    ...composed.spentForces.map((force) => ({ kind: 'releaseForce' as const, force })),
    ...(written && composed.trim ? [{ kind: 'reportTrim' as const, trim: composed.trim }] : []),
    ...(written && composed.droppedBeforeSink
      ? [{ kind: 'reportDroppedBeforeSink' as const, entries: composed.droppedBeforeSink }]
      : []),
  ];
}
