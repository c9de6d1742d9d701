// History entries derived from the transition between an Application's
// previous and new status, so a crash and a repeated reconcile cannot record
// a change twice. Each entry gets a stable id (a hash of what it records) that
// the audit log and Events carry, so consumers can drop the duplicates that
// at-least-once sending may produce.
import { createHash } from 'node:crypto';
import type {
  ApplicationEnvironmentStatus,
  ApplicationTargetStatus,
  HistoryEntry,
} from '../../api/application.js';
import type { Versions } from '../versions.js';
import { writeKind } from '../field-managers.js';

export type NewEntry = Omit<HistoryEntry, 'id'>;

/** A stable id: the same change of the same object at the same time always gets the same id. */
export function historyId(uid: string | undefined, e: NewEntry): string {
  return createHash('sha256')
    .update([uid ?? '', e.time, e.type, e.environment, e.target ?? '', e.from ?? '', e.to ?? ''].join('\n'))
    .digest('hex')
    .slice(0, 20);
}

/**
 * When an environment or target entry appears (again), an entry equal in
 * type and version to the newest one of its type for the same place is not
 * recorded twice: re-creating an object with the same content adds nothing.
 */
export function repeatsHistory(
  history: readonly HistoryEntry[] | undefined,
  v: Versions,
  e: NewEntry,
): boolean {
  const newest = history?.find(
    (h) => h.type === e.type && h.environment === e.environment && h.target === e.target,
  );
  return newest !== undefined && v.same(newest.to, e.to);
}

export function environmentHistory(h: {
  env: string;
  versions: Versions;
  before: ApplicationEnvironmentStatus | undefined;
  entry: ApplicationEnvironmentStatus;
  manager: string | undefined;
  /** The request's actor (entry.setBy) is not one the API server authenticated. */
  actorUnverified?: boolean;
  forcedThroughFreeze: boolean | undefined;
  forcedBy: string | undefined;
  now: Date;
  /** The approver a Promotion named with its write (approval gates). */
  approvedBy?: string;
  /** The reason given to `depot rollback`. */
  rollbackReason?: string;
}): NewEntry[] {
  const { env, versions: v, before, entry, manager, forcedThroughFreeze, now } = h;
  const time = now.toISOString();
  const out: NewEntry[] = [];
  const actor = entry.setBy ?? 'unknown';
  const unverified = h.actorUnverified ? { actorUnverified: true } : {};
  if (entry.requested !== undefined && !v.same(entry.requested, before?.requested)) {
    const type = writeKind(manager);
    const was = before?.requested ? ` (was ${before.requested})` : '';
    const message =
      type === 'RolledBack'
        ? `${env} rolled back ${before?.requested ? `from ${before.requested} ` : ''}to ${entry.requested}${h.rollbackReason ? `: ${h.rollbackReason}` : ''}`
        : `${env} requested ${entry.requested}${was}${type === 'Promoted' && h.approvedBy ? `, approved by ${h.approvedBy}` : ''}`;
    out.push({
      time,
      type,
      environment: env,
      ...(before?.requested !== undefined ? { from: before.requested } : {}),
      to: entry.requested,
      actor,
      ...unverified,
      message,
    });
  }
  const wasBlocked = before?.blocked ?? null;
  const isBlocked = entry.blocked ?? null;
  if (
    isBlocked &&
    (!wasBlocked || wasBlocked.reason !== isBlocked.reason || !v.same(entry.requested, before?.requested))
  ) {
    out.push({
      time,
      type: 'Blocked',
      environment: env,
      ...(entry.desired !== undefined ? { from: entry.desired } : {}),
      ...(entry.requested !== undefined ? { to: entry.requested } : {}),
      actor: 'depot',
      message: isBlocked.message,
    });
  }
  const desiredMoved = entry.desired !== undefined && !v.same(entry.desired, before?.desired);
  if (desiredMoved && forcedThroughFreeze) {
    out.push({
      time,
      type: 'Forced',
      environment: env,
      ...(before?.desired !== undefined ? { from: before.desired } : {}),
      to: entry.desired,
      // The force annotation's writer is a field manager: never authenticated.
      ...(h.forcedBy !== undefined ? { actor: h.forcedBy, actorUnverified: true } : { actor, ...unverified }),
      message: `${entry.desired} forced into ${env} during a freeze`,
    });
  } else if (desiredMoved && wasBlocked) {
    out.push({
      time,
      type: 'Unblocked',
      environment: env,
      ...(before?.desired !== undefined ? { from: before.desired } : {}),
      to: entry.desired,
      actor: 'depot',
      message: `${entry.desired} is no longer blocked (${wasBlocked.reason}) and is now desired in ${env}`,
    });
  }
  return out;
}

/** A Delivered entry for each target whose desired version was just delivered. */
export function deliveredHistory(
  v: Versions,
  targets: readonly ApplicationTargetStatus[],
  previous: ReadonlyMap<string, ApplicationTargetStatus>,
  now: Date,
): NewEntry[] {
  return targets.flatMap((t): NewEntry[] => {
    if (t.delivery?.state !== 'Delivered' || t.desired === undefined) return [];
    const before = previous.get(t.name);
    if (before?.delivery?.state === 'Delivered' && v.same(before.desired, t.desired)) return [];
    return [
      {
        time: now.toISOString(),
        type: 'Delivered',
        environment: t.environment!,
        target: t.name,
        ...(before?.desired !== undefined && !v.same(before.desired, t.desired)
          ? { from: before.desired }
          : {}),
        to: t.desired,
        actor: 'depot',
        message: `${t.desired} delivered to ${t.name}${t.delivery.message ? ` (${t.delivery.message})` : ''}`,
      },
    ];
  });
}

/**
 * A Deployed entry for each target whose reported deployment (deployed +
 * deployedAt, written by a reporter) is not in the history yet. The entry's
 * time is the report's, which makes the check idempotent.
 */
export function deployedHistory(
  v: Versions,
  targets: readonly ApplicationTargetStatus[],
  history: readonly HistoryEntry[] | undefined,
  /** Integrations that read the deployed version back, by target (else a reporter wrote it). */
  actors: ReadonlyMap<string, string> = new Map(),
): NewEntry[] {
  const out: NewEntry[] = [];
  const oldest = history?.length ? history[history.length - 1]!.time : undefined;
  for (const t of targets) {
    if (!t.deployed || !t.deployedAt) continue;
    const at = new Date(t.deployedAt).toISOString();
    if (oldest && at < new Date(oldest).toISOString()) continue; // older than what history still holds
    const recorded = history?.some(
      (h) =>
        h.type === 'Deployed' &&
        h.target === t.name &&
        v.same(h.to, t.deployed) &&
        new Date(h.time).toISOString() === at,
    );
    if (recorded) continue;
    const previous = history?.find((h) => h.type === 'Deployed' && h.target === t.name);
    out.push({
      time: at,
      type: 'Deployed',
      environment: t.environment!,
      target: t.name,
      ...(previous?.to ? { from: previous.to } : {}),
      to: t.deployed,
      actor: actors.get(t.name) ?? 'reporter',
      message: actors.has(t.name)
        ? `${actors.get(t.name)} reports ${t.deployed} deployed on ${t.name}`
        : `${t.name} reports ${t.deployed} deployed`,
    });
  }
  return out;
}
