// Rejected versions (spec.rejectedVersions): who rejected a version (from
// managedFields: `depot reject` applies each entry with a field manager
// naming the user; a GitOps tool or kubectl appears under its own manager),
// the message a blocked promotion or request shows, and the field managers
// of `depot reject` / `depot unreject`.
import { UNREJECT_ANNOTATION } from '../api/annotations.js';
import type { Application, RejectedVersion } from '../api/application.js';
import { listEntryWriter, type ManagedFieldsEntry } from './field-managers.js';
import { versionsFor } from './versions.js';

export const REJECT_MANAGER_PREFIX = 'depot-reject.';
export const UNREJECT_MANAGER_PREFIX = 'depot-unreject.';

/**
 * Field manager of one rejection: per version, so rejecting another version
 * with server-side apply does not remove this one (an apply drops what the
 * same manager applied before and omits now).
 */
export const rejectManager = (version: string, user: string): string =>
  `${REJECT_MANAGER_PREFIX}${version}.${user}`.slice(0, 128);

export const unrejectManager = (user: string): string => `${UNREJECT_MANAGER_PREFIX}${user}`.slice(0, 128);

/** The entry of spec.rejectedVersions naming `version` (in the scheme's equality), if any. */
export function rejection(app: Application, version: string): RejectedVersion | undefined {
  const v = versionsFor(app);
  return app.spec.rejectedVersions?.find((r) => v.same(r.version, version));
}

/**
 * Who rejected `entry`: its admission stamp (rejectedBy), else the user of
 * `depot reject`, else the field manager that wrote it.
 */
export function rejectedBy(app: Application, entry: RejectedVersion & { rejectedBy?: string }): string {
  if (entry.rejectedBy) return entry.rejectedBy;
  const writer = listEntryWriter(
    app.metadata.managedFields as ManagedFieldsEntry[] | undefined,
    ['f:spec', 'f:rejectedVersions'],
    { version: entry.version },
  );
  if (!writer) return 'unknown';
  const own = `${REJECT_MANAGER_PREFIX}${entry.version}.`;
  return writer.manager.startsWith(own) ? writer.manager.slice(own.length) : writer.manager;
}

/** Who removed the rejection of `version`: the user of `depot unreject`, when it was that. */
export function unrejectedBy(app: Application, version: string): string {
  if (!versionsFor(app).same(app.metadata.annotations?.[UNREJECT_ANNOTATION], version)) return 'unknown';
  let best: { manager: string; time: number } | undefined;
  for (const entry of (app.metadata.managedFields ?? []) as ManagedFieldsEntry[]) {
    const fields = entry.fieldsV1 as Record<string, Record<string, Record<string, unknown>>> | undefined;
    if (!entry.manager || !fields?.['f:metadata']?.['f:annotations']?.[`f:${UNREJECT_ANNOTATION}`]) continue;
    const time = entry.time ? new Date(entry.time).getTime() : 0;
    if (!best || time >= best.time) best = { manager: entry.manager, time };
  }
  if (!best) return 'unknown';
  return best.manager.startsWith(UNREJECT_MANAGER_PREFIX)
    ? best.manager.slice(UNREJECT_MANAGER_PREFIX.length)
    : best.manager;
}

/** `rejected by alice: corrupts uploads` */
export function rejectedMessage(app: Application, entry: RejectedVersion & { rejectedBy?: string }): string {
  return `rejected by ${rejectedBy(app, entry)}: ${entry.reason}`;
}
