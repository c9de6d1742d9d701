// Parsed ranges and versions, memoized: the same few ranges and versions are
// checked many times per evaluation, and parsing dominates the cost. Bounded
// (cleared when full) so a long-lived operator does not grow with every
// version it ever saw.
import semver from 'semver';
import { normalize } from '../versions.js';

const LIMIT = 10_000;

function memo<T>(compute: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    const hit = cache.get(key);
    if (hit !== undefined || cache.has(key)) return hit as T;
    if (cache.size >= LIMIT) cache.clear();
    const value = compute(key);
    cache.set(key, value);
    return value;
  };
}

const tryRange = (range: string, includePrerelease: boolean): semver.Range | null => {
  try {
    return new semver.Range(range, { includePrerelease });
  } catch {
    return null;
  }
};

/** A requirement range (npm's prerelease rule), or null when it does not parse. */
export const requirementRange = memo((r) => tryRange(r, false));
/** A `when` range (prereleases inside it included), or null when it does not parse. */
export const whenRange = memo((r) => tryRange(r, true));
/** A semantic version (a leading v tolerated), or null; for requirement ranges. */
export const parsedVersion = memo((v) => semver.parse(normalize(v)));
/** The same, parsed with the options of `when` ranges (semver re-parses a version whose options differ). */
export const parsedVersionForWhen = memo((v) => {
  try {
    return new semver.SemVer(normalize(v), { includePrerelease: true });
  } catch {
    return null;
  }
});
