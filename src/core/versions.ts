// Version schemes: `semver` (ordered; a leading v tolerated) and `opaque`
// (equality only). One `Versions` value per scheme answers every question
// about versions (same, newer, step, …), so no caller threads the scheme or
// repeats its default.
import semver from 'semver';

export type VersionScheme = 'semver' | 'opaque';
export type Step = 'major' | 'minor' | 'patch' | 'same' | 'downgrade' | 'unordered';

/** What Depot knows about the versions of one scheme. */
export interface Versions {
  readonly scheme: VersionScheme;
  /** Whether versions have an order (semver); opaque versions are only equal or not. */
  readonly ordered: boolean;
  /** Whether `version` is a version of this scheme. */
  valid(version: string): boolean;
  /**
   * Whether two versions name the same artifact: the one equality used
   * everywhere (requests, promotions, deployed reports). A leading `v` aside,
   * the strings must match; build metadata counts (`1.2.3+b1` and `1.2.3+b2`
   * are different builds), although semver ordering ignores it.
   */
  same(a: string | undefined, b: string | undefined): boolean;
  /**
   * What kind of step `from → to` is, for Promotion.spec.allow: the highest
   * of major, minor and patch that differs; versions with the same
   * major.minor.patch (prereleases, builds) differ by a patch. `downgrade`
   * when `to` sorts before `from`; `unordered` for opaque versions or no `from`.
   */
  step(from: string | undefined, to: string): Step;
  /** Whether `version` is newer than `than`; never for opaque versions. */
  newer(version: string, than: string): boolean;
  /** Whether `version` is older than `than`; never for opaque versions. */
  older(version: string, than: string): boolean;
  /** Ascending (semver order; opaque keeps the given order). */
  sort(versions: readonly string[]): string[];
}

export function normalize(version: string): string {
  return version.startsWith('v') ? version.slice(1) : version;
}

const semverVersions: Versions = {
  scheme: 'semver',
  ordered: true,
  valid: (version) => semver.valid(normalize(version)) !== null,
  same: (a, b) => (a === undefined || b === undefined ? a === b : normalize(a) === normalize(b)),
  step(from, to) {
    if (from === undefined) return 'unordered';
    if (this.same(from, to)) return 'same';
    const [a, b] = [semver.parse(normalize(from)), semver.parse(normalize(to))];
    if (!a || !b) return 'unordered';
    if (semver.compare(a, b) > 0) return 'downgrade';
    if (a.major !== b.major) return 'major';
    if (a.minor !== b.minor) return 'minor';
    return 'patch';
  },
  newer(version, than) {
    const step = this.step(than, version);
    return step === 'major' || step === 'minor' || step === 'patch';
  },
  older(version, than) {
    return this.step(than, version) === 'downgrade';
  },
  sort: (versions) => [...versions].sort((a, b) => semver.compare(normalize(a), normalize(b))),
};

const opaqueVersions: Versions = {
  scheme: 'opaque',
  ordered: false,
  valid: (version) => version.length > 0,
  same: (a, b) => a === b,
  step: (from, to) => (from === undefined ? 'unordered' : from === to ? 'same' : 'unordered'),
  newer: () => false,
  older: () => false,
  sort: (versions) => [...versions],
};

/** The versions of `scheme`. */
export function versionsOf(scheme: VersionScheme): Versions {
  return scheme === 'opaque' ? opaqueVersions : semverVersions;
}

/**
 * The versions of an application: its spec.versionScheme, semver when
 * unset (the schema's default, for objects read without it).
 */
export function versionsFor(app: { spec: { versionScheme?: VersionScheme } }): Versions {
  return versionsOf(app.spec.versionScheme ?? 'semver');
}

/** Whether a step may be promoted automatically under `allow` (patch/minor/major; default all). */
export function stepAllowed(step: Step, allow: readonly string[] | undefined): boolean {
  if (step === 'same') return true;
  if (step === 'downgrade') return false;
  if (!allow || allow.length === 0 || step === 'unordered') return true;
  return allow.includes(step);
}
