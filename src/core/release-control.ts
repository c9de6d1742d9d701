// Release control, checked before anything is written: roll an environment back (to the
// previous desired version or a given one), reject or unreject a version, approve a waiting
// one. Each answers either the write to make or one line saying why not. Holds
// (core/holds.ts) and rejections (core/rejections.ts) are what these writes leave. Pure.
import type { Application } from '../api/application.js';
import type { Promotion, PromotionResult } from '../api/promotion.js';
import { APPROVAL_REQUIRED, requesterOf, tallyApprovals, type ApprovalTally } from './approvals.js';
import { coveredApplications } from './promotion/plan.js';
import { rejectedMessage, rejection } from './rejections.js';
import { versionsFor } from './versions.js';

export type Planned<T> = ({ ok: true } & T) | { ok: false; message: string };

/** History entries after which the environment's desired version was their `to` (unless blocked). */
const DESIRED_TYPES = new Set(['Requested', 'Promoted', 'RolledBack', 'Forced', 'Unblocked']);

/**
 * `depot rollback APP ENV [--to VERSION]`: from the version desired now to
 * `to`, or else to the previous desired version in the history (older than
 * the current one for semver, never a rejected one).
 */
export function planRollback(
  app: Application,
  env: string,
  to?: string,
): Planned<{ from: string; to: string }> {
  const name = app.metadata.name;
  const v = versionsFor(app);
  const status = app.status?.environments?.find((e) => e.name === env);
  if (!status) {
    const known = app.status?.environments?.map((e) => e.name).join(', ') || 'none yet';
    return { ok: false, message: `${env} is not an environment of ${name} (${known})` };
  }
  const from = status.desired ?? status.requested;
  if (from === undefined) return { ok: false, message: `no version of ${name} is desired in ${env} yet` };
  if (to !== undefined) {
    if (!v.valid(to)) return { ok: false, message: `--to: "${to}" is not a ${v.scheme} version` };
    if (v.same(to, from)) return { ok: false, message: `${env} already runs ${from}` };
    const rejected = rejection(app, to);
    if (rejected)
      return { ok: false, message: `${to} is ${rejectedMessage(app, rejected)}: depot unreject it first` };
    return { ok: true, from, to };
  }
  const usable = (version: string | undefined): version is string =>
    version !== undefined &&
    !v.same(version, from) &&
    rejection(app, version) === undefined &&
    (!v.ordered || v.older(version, from));
  for (const h of app.status?.history ?? []) {
    if (h.environment !== env || !DESIRED_TYPES.has(h.type)) continue;
    if (v.same(h.to, from) && usable(h.from)) return { ok: true, from, to: h.from };
    if (usable(h.to)) return { ok: true, from, to: h.to };
  }
  return {
    ok: false,
    message: `no earlier version of ${name} in the history of ${env} to roll back to (it runs ${from}): pass --to VERSION`,
  };
}

/** `depot reject APP VERSION --reason TEXT`: the version must be valid for the scheme and the reason given. */
export function planReject(app: Application, version: string, reason: string): Planned<object> {
  const v = versionsFor(app);
  if (!v.valid(version))
    return {
      ok: false,
      message: `"${version}" is not a ${v.scheme} version, so ${app.metadata.name} can never run it`,
    };
  if (reason.trim() === '') return { ok: false, message: '--reason must say why the version is rejected' };
  if (reason.length > 1024) return { ok: false, message: '--reason is longer than 1024 characters' };
  if ((app.spec.rejectedVersions?.length ?? 0) >= 64 && !rejection(app, version))
    return { ok: false, message: `${app.metadata.name} already has 64 rejected versions (the most kept)` };
  return { ok: true };
}

/** `depot unreject APP VERSION`: the index of its entry in spec.rejectedVersions. */
export function planUnreject(app: Application, version: string): Planned<{ index: number; version: string }> {
  const v = versionsFor(app);
  const index = (app.spec.rejectedVersions ?? []).findIndex((r) => v.same(r.version, version));
  if (index < 0)
    return {
      ok: false,
      message: `${version} of ${app.metadata.name} is not rejected (rejected: ${app.spec.rejectedVersions?.map((r) => r.version).join(', ') || 'none'})`,
    };
  return { ok: true, index, version: app.spec.rejectedVersions![index]!.version };
}

/** Results of a Promotion that wait for an approval. */
export function waitingForApproval(promotion: Promotion): PromotionResult[] {
  return (promotion.status?.results ?? []).filter(
    (r) => r.outcome === 'Waiting' && r.version !== undefined && r.reason?.startsWith(APPROVAL_REQUIRED),
  );
}

/**
 * `depot approve PROMOTION APP [VERSION]` by `approver`: the application must
 * be covered by the Promotion, which must have an approval gate, and the
 * version (default: the one waiting) must be exactly the one waiting for
 * approval. The identity that first requested the version is refused unless
 * the Promotion allows self-approval (the gate would not count it anyway).
 * The tally is the one after this approval.
 */
export function planApproval(
  promotion: Promotion,
  applications: readonly Application[],
  application: string,
  version: string | undefined,
  approver: string,
): Planned<{ version: string; tally: ApprovalTally }> {
  const name = promotion.metadata.name;
  if (promotion.spec.approval?.required !== true)
    return {
      ok: false,
      message: `Promotion ${name} has no approval gate (spec.approval.required is not true)`,
    };
  const app = coveredApplications(promotion, applications).find((a) => a.metadata.name === application);
  if (!app)
    return {
      ok: false,
      message: `Promotion ${name} (${promotion.spec.from} → ${promotion.spec.to}) does not cover ${application}`,
    };
  const waiting = waitingForApproval(promotion).find((r) => r.application === application);
  if (!waiting)
    return { ok: false, message: `no version of ${application} waits for approval in Promotion ${name}` };
  if (version !== undefined && version !== waiting.version)
    return {
      ok: false,
      message: `${application} ${version} is not waiting for approval in Promotion ${name} (${waiting.version} is)`,
    };
  const waits = waiting.version!;
  const requester = requesterOf(app, versionsFor(app), waits);
  if (approver === requester?.actor && promotion.spec.approval.allowSelfApproval !== true)
    return {
      ok: false,
      message: `${approver} first requested ${application} ${waits}, so their approval does not count in Promotion ${name} (spec.approval.allowSelfApproval is false): someone else must approve`,
    };
  const withThis: Promotion = {
    ...promotion,
    spec: {
      ...promotion.spec,
      approvals: [...(promotion.spec.approvals ?? []), { application, version: waits, approver }],
    },
  };
  return { ok: true, version: waits, tally: tallyApprovals(withThis, application, waits, requester) };
}
