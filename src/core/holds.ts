// Holds: a person (or kubectl, or a GitOps commit) who puts an older version
// into a Promotion's `to` is not undone; the Promotion holds that application
// (that version and older are not promoted again) until a newer version is
// eligible, `to` is moved past it by hand, or `depot release APP ENV`. Pure:
// reads the Application (spec, managedFields, status, history) and the Promotion.
import { releaseAnnotation } from '../api/annotations.js';
import type { Application, HistoryEntry } from '../api/application.js';
import type { Promotion, PromotionHold } from '../api/promotion.js';
import { requestActor } from './actors.js';
import {
  actorOf,
  annotationWriter,
  promotionManager,
  versionWrite,
  writeKind,
  type ManagedFieldsEntry,
} from './field-managers.js';
import { versionsFor, type Versions } from './versions.js';

/** Entries that record a new requested version. */
const REQUEST_TYPES: ReadonlySet<HistoryEntry['type']> = new Set(['Requested', 'Promoted', 'RolledBack']);

/** Whether `from → to` is a rollback: an older version (semver), or a `depot rollback` (any scheme). */
function isRollback(v: Versions, from: string, to: string, rolledBack: boolean): boolean {
  if (v.same(from, to)) return false;
  return rolledBack || v.older(to, from);
}

/**
 * A rollback in `env` by someone other than `promotion`, seen on the
 * Application: a write not yet recorded in status (spec.versions differs from
 * status.environments[].requested), else the newest request in the history.
 */
export function rollbackSeen(
  app: Application,
  promotion: string,
  env: string,
  now: Date,
): PromotionHold | undefined {
  const v = versionsFor(app);
  const name = app.metadata.name;
  const requested = app.spec.versions?.[env];
  const recorded = app.status?.environments?.find((e) => e.name === env)?.requested;
  if (requested !== undefined && recorded !== undefined && !v.same(requested, recorded)) {
    const write = versionWrite(app.metadata.managedFields as ManagedFieldsEntry[] | undefined, env);
    const own = write?.manager === promotionManager(promotion, env);
    if (!own && isRollback(v, recorded, requested, writeKind(write?.manager) === 'RolledBack'))
      return {
        application: name,
        version: recorded,
        rolledBackTo: requested,
        // The admission stamp when it records this write, else the field manager's name.
        by: requestActor(app, env, actorOf(write?.manager), { verified: false })!.actor,
        since: new Date(write?.time || now.getTime()).toISOString(),
      };
    // A newer write not yet in the history: the history's newest request is no longer current.
    return undefined;
  }
  const newest = app.status?.history?.find((h) => h.environment === env && REQUEST_TYPES.has(h.type));
  if (
    newest?.from === undefined ||
    newest.to === undefined ||
    newest.actor === `promotion ${promotion}` ||
    !isRollback(v, newest.from, newest.to, newest.type === 'RolledBack')
  )
    return undefined;
  return {
    application: name,
    version: newest.from,
    rolledBackTo: newest.to,
    by: newest.actor ?? 'unknown',
    since: newest.time,
  };
}

/**
 * A rollback so quick that the Application's status never recorded the
 * version this Promotion wrote: its last run promoted `version` (the status
 * is written only after every write succeeded), and someone else has since
 * put an older one into `to`.
 */
function undoneSinceLastRun(app: Application, promotion: Promotion, now: Date): PromotionHold | undefined {
  const v = versionsFor(app);
  const env = promotion.spec.to;
  const last = promotion.status?.results?.find((r) => r.application === app.metadata.name);
  const current = app.spec.versions?.[env];
  if (last?.outcome !== 'Promoted' || last.version === undefined || current === undefined) return undefined;
  if (!v.older(current, last.version)) return undefined;
  const write = versionWrite(app.metadata.managedFields as ManagedFieldsEntry[] | undefined, env);
  if (!write || write.manager === promotionManager(promotion.metadata.name, env)) return undefined;
  return {
    application: app.metadata.name,
    version: last.version,
    rolledBackTo: current,
    by: requestActor(app, env, actorOf(write.manager), { verified: false })!.actor,
    since: new Date(write.time || now.getTime()).toISOString(),
  };
}

/** Whether a hold on `hold.version` keeps `candidate` from being promoted. */
export function holdCovers(v: Versions, hold: PromotionHold, candidate: string): boolean {
  if (!v.ordered) return v.same(candidate, hold.version);
  return !v.newer(candidate, hold.version);
}

/**
 * The hold of `promotion` on `app` now: the one in its status or a rollback
 * seen now (the one covering more wins), unless it was released or `to`
 * already requests a newer version than the one rolled back from.
 */
export function currentHold(app: Application, promotion: Promotion, now: Date): PromotionHold | undefined {
  const v = versionsFor(app);
  const env = promotion.spec.to;
  const name = app.metadata.name;
  const carried = promotion.status?.holds?.find((h) => h.application === name);
  const seen =
    rollbackSeen(app, promotion.metadata.name, env, now) ?? undoneSinceLastRun(app, promotion, now);
  let hold = carried;
  if (seen && (!hold || (!holdCovers(v, hold, seen.version) && v.newer(seen.version, hold.version))))
    hold = seen;
  if (!hold) return undefined;
  if (isReleased(app, v, env, hold)) return undefined;
  // Moved on by hand: a newer version (semver), or another one (opaque).
  const current = app.spec.versions?.[env];
  if (current === undefined) return hold;
  const movedOn = v.ordered
    ? v.newer(current, hold.version)
    : !v.same(current, hold.version) && !v.same(current, hold.rolledBackTo);
  return movedOn ? undefined : hold;
}

/**
 * Whether `depot release` ended the hold: the release annotation names its
 * version (or, semver, a newer one) and was written after the rollback (to
 * the second, the precision of managedFields), so an old release does not
 * end a later rollback from the same version.
 */
function isReleased(app: Application, v: Versions, env: string, hold: PromotionHold): boolean {
  const key = releaseAnnotation(env);
  const released = app.metadata.annotations?.[key];
  if (released === undefined) return false;
  const covers = v.same(released, hold.version) || v.newer(released, hold.version);
  if (!covers) return false;
  const written = annotationWriter(app.metadata.managedFields as ManagedFieldsEntry[] | undefined, key);
  if (!written?.time) return true;
  return written.time >= Math.floor(Date.parse(hold.since) / 1000) * 1000;
}

/** The Held reason: who, when, and how to release. */
export function heldReason(hold: PromotionHold, env: string): string {
  return `held: ${hold.by} rolled ${env} back from ${hold.version}${hold.rolledBackTo ? ` to ${hold.rolledBackTo}` : ''} at ${hold.since}; ${hold.version} and older are not promoted again until a newer version is eligible (release: depot release ${hold.application} ${env})`;
}
