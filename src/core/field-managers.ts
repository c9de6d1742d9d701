// Who wrote a requested version. Every writer uses server-side apply with its
// own field manager, so `metadata.managedFields` names the writer of
// `spec.versions.<env>`; the naming scheme below makes it an audit actor.
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  time?: string | Date;
  fieldsV1?: unknown;
}

// Server-side apply removes the fields a manager applied before and omits
// now, so a person's manager is per environment: applying dev must not drop
// the prod that the same person set earlier. Environment names are DNS
// labels (no dots), which keeps the names parseable.
export const PROMOTION_MANAGER_PREFIX = 'depot-promotion.';
export const MANUAL_PROMOTE_MANAGER_PREFIX = 'depot-promote.';
export const SET_VERSION_MANAGER_PREFIX = 'depot-cli.';
/** `depot rollback`: depot-rollback.<env>.<user>. */
export const ROLLBACK_MANAGER_PREFIX = 'depot-rollback.';

/**
 * Field manager of a Promotion's automatic writes into one environment. Per
 * environment too: if spec.to is edited, applying the new environment must
 * not remove the version the Promotion wrote into the old one.
 */
export function promotionManager(promotion: string, env: string): string {
  return `${PROMOTION_MANAGER_PREFIX}${promotion}.${env}`.slice(0, 128);
}

/** Field manager of a person's or CI's write of one environment (`depot set-version`, `depot promote`). */
export function userManager(
  prefix:
    typeof SET_VERSION_MANAGER_PREFIX | typeof MANUAL_PROMOTE_MANAGER_PREFIX | typeof ROLLBACK_MANAGER_PREFIX,
  env: string,
  user: string,
): string {
  // Field managers are at most 128 characters; keep the readable part.
  return `${prefix}${env}.${user}`.slice(0, 128);
}

/** A Promotion's rollback after a failed verification (spec.verify); its actor is stamped. */
export const VERIFICATION_MANAGER = 'depot-verification';

export type WriteKind = 'Promoted' | 'Requested' | 'RolledBack';

/** Whether a write by this manager is a promotion (automatic or manual), a rollback or a request. */
export function writeKind(manager: string | undefined): WriteKind {
  if (manager?.startsWith(ROLLBACK_MANAGER_PREFIX) || manager === VERIFICATION_MANAGER) return 'RolledBack';
  return manager?.startsWith(PROMOTION_MANAGER_PREFIX) || manager?.startsWith(MANUAL_PROMOTE_MANAGER_PREFIX)
    ? 'Promoted'
    : 'Requested';
}

/** A readable actor for the audit trail: `promotion staging-to-prod`, `alice`, or the raw manager. */
export function actorOf(manager: string | undefined): string {
  if (!manager) return 'unknown';
  if (manager.startsWith(PROMOTION_MANAGER_PREFIX)) {
    // depot-promotion.<promotion>.<env>; names are DNS labels, so the first dot ends the name.
    return `promotion ${manager.slice(PROMOTION_MANAGER_PREFIX.length).split('.')[0]}`;
  }
  for (const prefix of [MANUAL_PROMOTE_MANAGER_PREFIX, SET_VERSION_MANAGER_PREFIX, ROLLBACK_MANAGER_PREFIX]) {
    if (!manager.startsWith(prefix)) continue;
    const rest = manager.slice(prefix.length);
    const dot = rest.indexOf('.');
    return dot >= 0 ? rest.slice(dot + 1) : rest;
  }
  return manager;
}

/**
 * The field manager that last wrote `spec.versions.<env>` (the newest entry
 * owning it: after a same-value apply two managers may share a field).
 */
export function versionWriter(
  managedFields: readonly ManagedFieldsEntry[] | undefined,
  env: string,
): string | undefined {
  return versionWrite(managedFields, env)?.manager;
}

/** The manager that last wrote `spec.versions.<env>` and when (its managedFields time). */
export function versionWrite(
  managedFields: readonly ManagedFieldsEntry[] | undefined,
  env: string,
): { manager: string; time: number } | undefined {
  let best: { manager: string; time: number } | undefined;
  for (const entry of managedFields ?? []) {
    const spec = (entry.fieldsV1 as Record<string, Record<string, Record<string, unknown>>> | undefined)?.[
      'f:spec'
    ];
    const versions = spec?.['f:versions'];
    if (!versions || !(`f:${env}` in versions) || !entry.manager) continue;
    const time = entry.time ? new Date(entry.time).getTime() : 0;
    if (!best || time >= best.time) best = { manager: entry.manager, time };
  }
  return best;
}

/**
 * The manager that last wrote the list-map entry of `field` (e.g.
 * ['f:spec', 'f:rejectedVersions']) whose keys equal `keys`, and when.
 */
export function listEntryWriter(
  managedFields: readonly ManagedFieldsEntry[] | undefined,
  field: readonly string[],
  keys: Record<string, string>,
): { manager: string; time: number } | undefined {
  let best: { manager: string; time: number } | undefined;
  for (const entry of managedFields ?? []) {
    let set: unknown = entry.fieldsV1;
    for (const k of field) set = (set as Record<string, unknown> | undefined)?.[k];
    if (!set || typeof set !== 'object' || !entry.manager) continue;
    const owns = Object.keys(set).some((k) => {
      if (!k.startsWith('k:')) return false;
      try {
        const parsed = JSON.parse(k.slice(2)) as Record<string, unknown>;
        return Object.entries(keys).every(([name, value]) => parsed[name] === value);
      } catch {
        return false;
      }
    });
    if (!owns) continue;
    const time = entry.time ? new Date(entry.time).getTime() : 0;
    if (!best || time >= best.time) best = { manager: entry.manager, time };
  }
  return best;
}

/** The manager that last wrote the annotation `key`, and when. */
export function annotationWriter(
  managedFields: readonly ManagedFieldsEntry[] | undefined,
  key: string,
): { manager: string; time: number } | undefined {
  let best: { manager: string; time: number } | undefined;
  for (const entry of managedFields ?? []) {
    const fields = entry.fieldsV1 as Record<string, Record<string, Record<string, unknown>>> | undefined;
    if (!entry.manager || !fields?.['f:metadata']?.['f:annotations']?.[`f:${key}`]) continue;
    const time = entry.time ? new Date(entry.time).getTime() : 0;
    if (!best || time >= best.time) best = { manager: entry.manager, time };
  }
  return best;
}
