// The versions Depot has seen of an application (requested, promoted or
// deployed), so that compatibility questions can be answered about versions
// no environment runs any more. One entry per version (its first sighting),
// newest first, bounded: the oldest versions fall off.
import semver from 'semver';
import type {
  ApplicationEnvironmentStatus,
  ApplicationTargetStatus,
  HistoryEntry,
  KnownVersion,
} from '../../api/application.js';
import { MAX_KNOWN_VERSIONS } from '../../api/application.js';
import { normalize, type Versions } from '../versions.js';

export function knownVersions(k: {
  versions: Versions;
  previous: readonly KnownVersion[] | undefined;
  /** History entries added now, oldest first. */
  added: readonly Omit<HistoryEntry, 'id'>[];
  environments: readonly ApplicationEnvironmentStatus[];
  targets: readonly ApplicationTargetStatus[];
  now: Date;
  limit?: number;
}): KnownVersion[] {
  const { versions: v } = k;
  const out = [...(k.previous ?? [])];
  const add = (entry: KnownVersion) => {
    if (!out.some((e) => v.same(e.version, entry.version))) out.push(entry);
  };
  for (const h of k.added) {
    if (h.to === undefined || h.environment === undefined) continue;
    if (h.type === 'Requested' || h.type === 'Promoted' || h.type === 'Deployed')
      add({
        version: h.to,
        firstSeen: h.time,
        via: h.type,
        environment: h.environment,
        ...(h.target ? { target: h.target } : {}),
      });
  }
  // What the status already shows (recorded before Depot kept this list).
  const time = k.now.toISOString();
  for (const e of k.environments)
    if (e.requested !== undefined)
      add({ version: e.requested, firstSeen: time, via: 'Requested', environment: e.name });
  for (const t of k.targets)
    if (t.deployed !== undefined && t.environment !== undefined)
      add({
        version: t.deployed,
        firstSeen: t.deployedAt ?? time,
        via: 'Deployed',
        environment: t.environment,
        target: t.name,
      });
  return newestFirst(v, out).slice(0, k.limit ?? MAX_KNOWN_VERSIONS);
}

/** Semver: descending version order (invalid ones last); opaque: most recently first seen first. */
export function newestFirst<T extends { version: string; firstSeen?: string }>(v: Versions, list: T[]): T[] {
  if (!v.ordered) return [...list].sort((a, b) => (b.firstSeen ?? '').localeCompare(a.firstSeen ?? ''));
  return [...list].sort((a, b) => {
    const [x, y] = [semver.valid(normalize(a.version)), semver.valid(normalize(b.version))];
    if (x && y) return semver.rcompare(x, y) || a.version.localeCompare(b.version);
    return x ? -1 : y ? 1 : a.version.localeCompare(b.version);
  });
}
