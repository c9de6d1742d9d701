// Structural equality and RFC 7386 JSON merge-patch generation for plain
// JSON values (what comes out of the API server and goes back into it).
// `undefined` members count as absent, as in JSON.
export type JsonObject = { [key: string]: unknown };

export function isPlainObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => deepEqual(v, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/**
 * The merge patch that turns `from` into `to`, or undefined when they are
 * equal. Members missing from `to` become null (delete); arrays are replaced
 * whole, as merge patch has no way to edit them.
 */
export function createMergePatch(from: unknown, to: unknown): JsonObject | undefined {
  if (!isPlainObject(from) || !isPlainObject(to))
    throw new Error('a merge patch is made between two objects');
  const patch = diffObjects(from, to);
  return Object.keys(patch).length > 0 ? patch : undefined;
}

function diffObjects(from: JsonObject, to: JsonObject): JsonObject {
  const patch: JsonObject = {};
  for (const [key, value] of Object.entries(to)) {
    if (value === undefined) continue;
    const old = from[key];
    if (old === undefined) patch[key] = value;
    else if (isPlainObject(old) && isPlainObject(value)) {
      const sub = diffObjects(old, value);
      if (Object.keys(sub).length > 0) patch[key] = sub;
    } else if (!deepEqual(old, value)) patch[key] = value;
  }
  for (const [key, value] of Object.entries(from)) {
    if (value !== undefined && to[key] === undefined) patch[key] = null;
  }
  return patch;
}

/** True when every member of `part` has the same value in `whole` (arrays compared whole). */
export function isSubset(part: unknown, whole: unknown): boolean {
  if (isPlainObject(part) && isPlainObject(whole)) {
    return Object.entries(part).every(([k, v]) => v === undefined || isSubset(v, whole[k]));
  }
  return deepEqual(part, whole);
}
