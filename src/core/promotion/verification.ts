// Verification after delivery (spec.verify): once a version this Promotion
// wrote into `to` is reported deployed on every target of `to`, its gates are
// asked for a window; a failed answer (or no deployment within deployTimeout)
// fails it, and onFailure says what follows (roll `to` back to the version it
// replaced, hold, or record only). The state lives in status.verifications
// and the Application (managedFields, history), so a restarted operator
// resumes where it was. Pure: time and the kept gate answers are passed in.
import type { Application } from '../../api/application.js';
import type {
  Promotion,
  PromotionGateResult,
  PromotionHold,
  PromotionVerification,
} from '../../api/promotion.js';
import { formatDuration, parseDuration } from '../../kube/duration.js';
import {
  promotionManager,
  VERIFICATION_MANAGER,
  versionWrite,
  type ManagedFieldsEntry,
} from '../field-managers.js';
import { planRollback } from '../release-control.js';
import { rejection } from '../rejections.js';
import { versionsFor, type Versions } from '../versions.js';
import { gateResults, type GateAnswers } from './gate-answers.js';

/** Field manager of a verification's rollback (a merge patch, so it never drops another environment). */
export { VERIFICATION_MANAGER };

export const DEFAULT_DEPLOY_TIMEOUT_MS = 30 * 60_000;

/** The actor of a verification's rollback and rejection, and of its history entries. */
export const verificationActor = (promotion: string): string => `promotion/${promotion}`;

/** What a failed verification does now. */
export interface VerificationFailure {
  application: string;
  version: string;
  /** onFailure rollback, with a version to go back to and `to` still requesting the failed one. */
  rollbackTo?: string;
  /** spec.verify.reject, and the version is not rejected yet. */
  reject: boolean;
  /** The hold to record (onFailure hold, or a rollback with nothing to roll back to). */
  hold?: PromotionHold;
  /** Why, for the rollback's reason, the rejection and the Event. */
  reason: string;
}

export interface VerificationStep {
  /** The record to keep in status.verifications (undefined: none for this application). */
  record?: PromotionVerification;
  /** The phase changed (an Event). */
  changed: boolean;
  /** Ask the verification gates for this version in the window that started then. */
  ask?: { application: string; version: string; window: string };
  /** A failure to act on before the record is stored. */
  failure?: VerificationFailure;
  /** When to look again (the end of the window, the deploy timeout). */
  wakeAt?: Date;
}

export interface VerificationInput {
  promotion: Promotion;
  app: Application;
  now: Date;
  /** The kept answers of spec.verify.gates in the window that started at `window` (ISO). */
  answers?: (window: string) => GateAnswers | undefined;
}

const TERMINAL = new Set<PromotionVerification['phase']>(['Verified', 'Failed', 'MovedOn']);
export const isTerminal = (r: PromotionVerification): boolean => TERMINAL.has(r.phase);

/** History types after which `to` requested their `to`. */
const REQUEST_TYPES = new Set(['Requested', 'Promoted', 'RolledBack', 'Forced']);

/**
 * The version `version` replaced in `env`: the `from` of the newest request of
 * it in the history, else what the status still records as requested (the
 * history has not caught up), else the previous desired version.
 */
export function replacedVersion(app: Application, env: string, version: string): string | undefined {
  const v = versionsFor(app);
  const usable = (x: string | undefined): x is string =>
    x !== undefined && !v.same(x, version) && rejection(app, x) === undefined;
  const entry = app.status?.history?.find(
    (h) => h.environment === env && REQUEST_TYPES.has(h.type) && v.same(h.to, version),
  );
  if (usable(entry?.from)) return entry.from;
  const recorded = app.status?.environments?.find((e) => e.name === env)?.requested;
  if (usable(recorded)) return recorded;
  const plan = planRollback(app, env);
  return plan.ok && usable(plan.to) ? plan.to : undefined;
}

/** One application's verification now: the record, what to ask, what to do. */
export function planVerification({ promotion, app, now, answers }: VerificationInput): VerificationStep {
  const verify = promotion.spec.verify;
  const application = app.metadata.name;
  const prev = promotion.status?.verifications?.find((r) => r.application === application);
  if (!verify) return { changed: false };
  const name = promotion.metadata.name;
  const to = promotion.spec.to;
  const v = versionsFor(app);
  const current = app.spec.versions?.[to];
  const write = versionWrite(app.metadata.managedFields as ManagedFieldsEntry[] | undefined, to);
  const at = (ms: number) => new Date(ms).toISOString();

  // Versions written before the Promotion had spec.verify are not verified (no surprise rollback).
  const since = Math.floor(Date.parse(promotion.status?.verifySince ?? now.toISOString()) / 1000) * 1000;
  let rec = prev;
  if (
    write?.manager === promotionManager(name, to) &&
    current !== undefined &&
    write.time >= since &&
    startsAgain(v, prev, current, write.time)
  ) {
    const replaced = replacedVersion(app, to, current);
    rec = {
      application,
      version: current,
      ...(replaced !== undefined ? { replaced } : {}),
      phase: 'Deploying',
      promotedAt: at(write.time || now.getTime()),
    };
  }
  if (!rec) return { changed: false };
  const changed = (next: PromotionVerification, more: Partial<VerificationStep> = {}): VerificationStep => ({
    record: next,
    changed: next.phase !== prev?.phase || next.version !== prev?.version,
    ...more,
  });
  if (isTerminal(rec)) return { record: rec, changed: rec !== prev };

  const finished = { finishedAt: now.toISOString() };
  // `to` no longer requests the version: our own rollback (its record was lost), or someone moved on.
  if (current === undefined || !v.same(current, rec.version)) {
    if (write?.manager === VERIFICATION_MANAGER)
      return changed({
        ...rec,
        ...finished,
        phase: 'Failed',
        action: 'RolledBack',
        message: `${to} was rolled back from ${rec.version} to ${current ?? 'nothing'} by this verification`,
      });
    return changed({
      ...rec,
      ...finished,
      phase: 'MovedOn',
      message: `${to} was moved from ${rec.version} to ${current ?? 'nothing'} before the verification ended: nothing was done`,
    });
  }

  if (rec.phase === 'Deploying') {
    const targets = (app.status?.targets ?? []).filter((t) => t.environment === to);
    const missing = targets.filter((t) => !v.same(t.deployed, rec.version));
    if (targets.length > 0 && missing.length === 0)
      return verifying({ ...rec, phase: 'Verifying', startedAt: now.toISOString() }, true);
    const timeoutMs = verify.deployTimeout ? parseDuration(verify.deployTimeout) : DEFAULT_DEPLOY_TIMEOUT_MS;
    const deadline = Date.parse(rec.promotedAt) + timeoutMs;
    if (now.getTime() < deadline) return { record: rec, changed: rec !== prev, wakeAt: new Date(deadline) };
    const where =
      targets.length === 0
        ? `${to} has no Target to report it`
        : `not reported on ${missing.map((t) => `${t.name} (reports ${t.deployed ?? 'nothing'})`).join(', ')}`;
    return failed(
      rec,
      `${rec.version} was not reported deployed in ${to} within deployTimeout ${formatDuration(timeoutMs)}: ${where}`,
    );
  }
  return verifying(rec, rec !== prev);

  function verifying(r: PromotionVerification, isNew: boolean): VerificationStep {
    const window = r.startedAt!;
    const results = gateResults(verify!.gates, answers?.(window), application, r.version);
    const answered = results.filter((g) => g.time !== undefined);
    const withGates = { ...r, ...(answered.length > 0 ? { gates: results } : {}) };
    const fail = results.find((g) => g.result === 'Failed');
    if (fail) return failed(withGates, `verification gate ${fail.name} failed: ${fail.message ?? ''}`);
    const end = Date.parse(window) + parseDuration(verify!.for);
    const ask = { application, version: r.version, window };
    if (now.getTime() >= end && results.every((g) => g.result === 'Passed'))
      return changed({
        ...withGates,
        ...finished,
        phase: 'Verified',
        message: `every verification gate passed for ${formatDuration(parseDuration(verify!.for))} in ${to}`,
      });
    const pending = results.find((g: PromotionGateResult) => g.result === 'Pending');
    const next: PromotionVerification = {
      ...withGates,
      message:
        now.getTime() >= end && pending
          ? `window over; waiting for gate ${pending.name}: ${pending.message ?? ''}`
          : `verifying in ${to} until ${at(end)}`,
    };
    return {
      record: next,
      changed: isNew,
      ask,
      ...(now.getTime() < end ? { wakeAt: new Date(end) } : {}),
    };
  }

  function failed(r: PromotionVerification, reason: string): VerificationStep {
    const onFailure = verify!.onFailure ?? 'rollback';
    const rollbackTo =
      onFailure === 'rollback' ? (r.replaced ?? replacedVersion(app, to, r.version)) : undefined;
    const reject = verify!.reject === true && onFailure !== 'none' && rejection(app, r.version) === undefined;
    const hold: PromotionHold | undefined =
      onFailure === 'hold' || (onFailure === 'rollback' && rollbackTo === undefined)
        ? { application, version: r.version, by: verificationActor(name), since: now.toISOString() }
        : undefined;
    const action = rollbackTo !== undefined ? 'RolledBack' : hold ? 'Held' : 'None';
    const done =
      action === 'RolledBack'
        ? `; ${to} rolled back to ${rollbackTo}`
        : onFailure === 'rollback'
          ? `; nothing to roll back to in ${to}, held instead`
          : action === 'Held'
            ? '; held'
            : '';
    return changed(
      {
        ...r,
        ...finished,
        phase: 'Failed',
        action,
        ...(verify!.reject === true && onFailure !== 'none' ? { rejected: true } : {}),
        message: `${reason}${done}`,
      },
      {
        failure: {
          application,
          version: r.version,
          ...(rollbackTo !== undefined ? { rollbackTo } : {}),
          reject,
          ...(hold ? { hold } : {}),
          reason,
        },
      },
    );
  }
}

/**
 * Whether this Promotion's write of `current` starts a new verification: a
 * version other than the one recorded, or the same one written again after
 * its verification ended (released and promoted again).
 */
function startsAgain(
  v: Versions,
  prev: PromotionVerification | undefined,
  current: string,
  writtenAt: number,
): boolean {
  if (!prev || !v.same(prev.version, current)) return true;
  if (!isTerminal(prev)) return false;
  // managedFields times have whole seconds.
  return writtenAt > Math.floor(Date.parse(prev.finishedAt ?? prev.promotedAt) / 1000) * 1000;
}

/** Verifications first in progress or failed, each group by name, at most `limit`. */
export function reportedVerifications(
  records: readonly PromotionVerification[],
  limit: number,
): PromotionVerification[] {
  const rank = (r: PromotionVerification) => (r.phase === 'Verified' || r.phase === 'MovedOn' ? 1 : 0);
  return [...records]
    .sort((a, b) => rank(a) - rank(b) || a.application.localeCompare(b.application))
    .slice(0, limit);
}

/** Counts of verifications by state, for the CLI and the API. */
export function verificationCounts(records: readonly PromotionVerification[] | undefined): {
  verifying: number;
  verified: number;
  failed: number;
} {
  const list = records ?? [];
  return {
    verifying: list.filter((r) => r.phase === 'Deploying' || r.phase === 'Verifying').length,
    verified: list.filter((r) => r.phase === 'Verified').length,
    failed: list.filter((r) => r.phase === 'Failed').length,
  };
}
