// A parsed object that shares every part equal to the cached object it came
// from. zod's output is a deep copy, so a cache and its parsed forms would
// hold every object twice; both are read-only, so equal parts (a whole status,
// lists, strings) can be the input's own. Only what the schema changed
// (defaults, dropped fields) stays a copy.

type Json = unknown;

/**
 * Returns `parsed` with every subtree that deep-equals the matching subtree of
 * `source` replaced by the source's; `source` itself when the two are equal.
 * `parsed` must be freshly made (it is modified in place); neither may be
 * modified afterwards.
 */
export function shareEqualParts<T>(parsed: T, source: Json): T {
  return share(parsed, source) as T;
}

function share(parsed: Json, source: Json): Json {
  if (parsed === source) return source;
  if (!isContainer(parsed) || !isContainer(source)) return parsed;
  if (Array.isArray(parsed)) {
    if (!Array.isArray(source)) return parsed;
    let equal = parsed.length === source.length;
    for (let i = 0; i < parsed.length; i++) {
      const shared = share(parsed[i], source[i]);
      parsed[i] = shared;
      if (shared !== source[i]) equal = false;
    }
    return equal ? source : parsed;
  }
  if (Array.isArray(source)) return parsed;
  const into = parsed as Record<string, Json>;
  const from = source as Record<string, Json>;
  const keys = Object.keys(into);
  let equal = keys.length === Object.keys(from).length;
  for (const key of keys) {
    const shared = Object.prototype.hasOwnProperty.call(from, key) ? share(into[key], from[key]) : into[key];
    into[key] = shared;
    if (shared !== from[key]) equal = false;
  }
  return equal ? source : parsed;
}

function isContainer(value: Json): value is object {
  return typeof value === 'object' && value !== null;
}
