// When a freshly computed status is "the same" as the cached one, so nothing
// is written: key order, undefined and null members (a merge patch never
// stores a null), empty versus absent, the order of keyed lists such as
// conditions, and sub-second differences of timestamps (metav1.Time keeps
// whole seconds) never justify a write.
import { deepEqual, isPlainObject, type JsonObject } from '../kube/json.js';

export interface StatusEqualityOptions {
  /** Lists compared as sets keyed by a field: { targets: 'name' }. `conditions: 'type'` is always on. */
  keyedLists?: Record<string, string>;
}

const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function statusEqual(a: unknown, b: unknown, opts: StatusEqualityOptions = {}): boolean {
  const keyed = { conditions: 'type', ...opts.keyedLists };
  return deepEqual(normalize(a, keyed, undefined), normalize(b, keyed, undefined));
}

function normalize(value: unknown, keyed: Record<string, string>, field: string | undefined): unknown {
  if (typeof value === 'string' && rfc3339.test(value)) {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? value : `time:${Math.floor(ms / 1000)}`;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    const items = value.map((v) => normalize(v, keyed, undefined));
    const key = field ? keyed[field] : undefined;
    if (key && items.every((i) => isPlainObject(i) && typeof i[key] === 'string')) {
      (items as JsonObject[]).sort((x, y) => String(x[key]).localeCompare(String(y[key])));
    }
    return items;
  }
  if (isPlainObject(value)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) {
      const n = normalize(v, keyed, k);
      if (n !== undefined && n !== null) out[k] = n;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return value;
}
