// Version schemes: `semver` (ordered; a leading v tolerated) and `opaque`
// (equality only). Step classification drives Promotion.spec.allow.
import semver from 'semver';

export type VersionScheme = 'semver' | 'opaque';
export type Step = 'major' | 'minor' | 'patch' | 'prerelease' | 'same' | 'downgrade' | 'unordered';

export function normalize(version: string): string {
  return version.startsWith('v') ? version.slice(1) : version;
}

export function isValidVersion(scheme: VersionScheme, version: string): boolean {
  return scheme === 'opaque' ? version.length > 0 : semver.valid(normalize(version)) !== null;
}

export function sameVersion(scheme: VersionScheme, a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (scheme === 'opaque') return a === b;
  const [na, nb] = [semver.valid(normalize(a)), semver.valid(normalize(b))];
  return na !== null && nb !== null ? semver.eq(na, nb) : a === b;
}

/** What kind of step `from → to` is; `unordered` for opaque versions or no `from`. */
export function classifyStep(scheme: VersionScheme, from: string | undefined, to: string): Step {
  if (from === undefined) return 'unordered';
  if (scheme === 'opaque') return from === to ? 'same' : 'unordered';
  const [a, b] = [semver.valid(normalize(from)), semver.valid(normalize(to))];
  if (!a || !b) return 'unordered';
  const cmp = semver.compare(a, b);
  if (cmp === 0) return 'same';
  if (cmp > 0) return 'downgrade';
  const diff = semver.diff(a, b);
  if (diff === 'major' || diff === 'premajor') return 'major';
  if (diff === 'minor' || diff === 'preminor') return 'minor';
  if (diff === 'patch' || diff === 'prepatch') return 'patch';
  return 'prerelease';
}

/** Whether a step may be promoted automatically under `allow` (patch/minor/major; prereleases count as patch). */
export function stepAllowed(step: Step, allow: readonly string[] | undefined): boolean {
  if (step === 'same') return true;
  if (step === 'downgrade') return false;
  if (!allow || allow.length === 0 || step === 'unordered') return true;
  return allow.includes(step === 'prerelease' ? 'patch' : step);
}

/** Sorts versions ascending (semver order; opaque keeps the given order). */
export function sortVersions(scheme: VersionScheme, versions: string[]): string[] {
  if (scheme === 'opaque') return [...versions];
  return [...versions].sort((a, b) => semver.compare(normalize(a), normalize(b)));
}
