// Rejected versions in an Application's status: spec.rejectedVersions as last
// seen with who rejected each (so a removal can be told from "never there"),
// the Rejected / Unrejected history entries of the difference, and the
// Rejected condition that flags environments still running a rejected
// version (Depot never downgrades by itself: someone rolls them back).
import type { Application, ApplicationEnvironmentStatus, ApplicationStatus } from '../../api/application.js';
import type { ConditionInput } from '../../kube/conditions.js';
import { rejectedBy, rejectedMessage, rejection, unrejectedBy } from '../rejections.js';
import { versionsFor } from '../versions.js';
import { actorFields, rejectionVerified, type ActorSource } from '../actors.js';
import type { NewEntry } from './history.js';
import { ConditionType, Reason } from '../../api/conditions.js';

export type RecordedRejections = NonNullable<ApplicationStatus['rejectedVersions']>;

export interface RunningRejected {
  environment: string;
  version: string;
  message: string;
}

export interface RejectionState {
  recorded: RecordedRejections;
  entries: NewEntry[];
  running: RunningRejected[];
  condition: ConditionInput;
}

export const REJECTED_CONDITION = ConditionType.Rejected;

export function rejectionState(
  app: Application,
  environments: readonly ApplicationEnvironmentStatus[],
  now: Date,
  source: ActorSource = { verified: false },
): RejectionState {
  const v = versionsFor(app);
  const time = now.toISOString();
  const before = app.status?.rejectedVersions ?? [];
  // Named fields only: status has no rejectedBy (it is `by`).
  const spec = app.spec.rejectedVersions ?? [];
  const recorded: RecordedRejections = spec.map((r) => ({
    version: r.version,
    reason: r.reason,
    by: rejectedBy(app, r),
  }));
  const entries: NewEntry[] = [];
  recorded.forEach((r, i) => {
    if (!before.some((b) => v.same(b.version, r.version)))
      entries.push({
        time,
        type: 'Rejected',
        to: r.version,
        ...actorFields({ actor: r.by, ...(rejectionVerified(spec[i]!, source) ? {} : { unverified: true }) }),
        message: `${r.version} rejected by ${r.by}: ${r.reason}`,
      });
  });
  for (const b of before)
    if (!recorded.some((r) => v.same(r.version, b.version))) {
      const by = unrejectedBy(app, b.version);
      entries.push({
        time,
        type: 'Unrejected',
        to: b.version,
        // Who removed a rejection is never stamped: the unreject annotation's field manager.
        ...actorFields({ actor: by, unverified: true }),
        message: `${b.version} no longer rejected (removed by ${by}; was rejected by ${b.by}: ${b.reason})`,
      });
    }
  const running = environments.flatMap((e): RunningRejected[] => {
    const r = e.desired === undefined ? undefined : rejection(app, e.desired);
    return r
      ? [
          {
            environment: e.name,
            version: e.desired!,
            message: `${e.name} runs ${e.desired}, ${rejectedMessage(app, r)}`,
          },
        ]
      : [];
  });
  const condition: ConditionInput =
    running.length > 0
      ? {
          type: REJECTED_CONDITION,
          status: 'True',
          reason: Reason.RejectedVersionRunning,
          message: `${running.map((r) => r.message).join('; ')}; Depot does not downgrade by itself: roll back on purpose (depot rollback ${app.metadata.name} ${running[0]!.environment})`,
        }
      : {
          type: REJECTED_CONDITION,
          status: 'False',
          reason: Reason.NoRejectedVersionRunning,
          message: 'no environment runs a rejected version',
        };
  return { recorded, entries, running, condition };
}
