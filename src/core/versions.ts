// Version schemes: `semver` (ordered; a leading v tolerated) and `opaque`
// (equality only). Step classification drives Promotion.spec.allow.
import semver from 'semver';

export type VersionScheme = 'semver' | 'opaque';
export type Step = 'major' | 'minor' | 'patch' | 'same' | 'downgrade' | 'unordered';

export function normalize(version: string): string {
  return version.startsWith('v') ? version.slice(1) : version;
}

export function isValidVersion(scheme: VersionScheme, version: string): boolean {
  return scheme === 'opaque' ? version.length > 0 : semver.valid(normalize(version)) !== null;
}

/**
 * Whether two versions name the same artifact: the one equality used
 * everywhere (requests, promotions, deployed reports). A leading `v` aside,
 * the strings must match; build metadata counts (`1.2.3+b1` and `1.2.3+b2`
 * are different builds), although semver ordering ignores it.
 */
export function sameVersion(scheme: VersionScheme, a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return scheme === 'opaque' ? a === b : normalize(a) === normalize(b);
}

/**
 * What kind of step `from → to` is, for Promotion.spec.allow: the highest of
 * major, minor and patch that differs; versions with the same
 * major.minor.patch (prereleases, builds) differ by a patch. `downgrade`
 * when `to` sorts before `from`; `unordered` for opaque versions or no `from`.
 */
export function classifyStep(scheme: VersionScheme, from: string | undefined, to: string): Step {
  if (from === undefined) return 'unordered';
  if (sameVersion(scheme, from, to)) return 'same';
  if (scheme === 'opaque') return 'unordered';
  const [a, b] = [semver.parse(normalize(from)), semver.parse(normalize(to))];
  if (!a || !b) return 'unordered';
  if (semver.compare(a, b) > 0) return 'downgrade';
  if (a.major !== b.major) return 'major';
  if (a.minor !== b.minor) return 'minor';
  return 'patch';
}

/** Whether a step may be promoted automatically under `allow` (patch/minor/major; default all). */
export function stepAllowed(step: Step, allow: readonly string[] | undefined): boolean {
  if (step === 'same') return true;
  if (step === 'downgrade') return false;
  if (!allow || allow.length === 0 || step === 'unordered') return true;
  return allow.includes(step);
}

/** Sorts versions ascending (semver order; opaque keeps the given order). */
export function sortVersions(scheme: VersionScheme, versions: string[]): string[] {
  if (scheme === 'opaque') return [...versions];
  return [...versions].sort((a, b) => semver.compare(normalize(a), normalize(b)));
}
