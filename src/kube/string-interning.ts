// Cached objects repeat the same strings thousands of times: condition
// messages and reasons, timestamps of one bulk change, environment and target
// names, field managers. JSON.parse makes a new copy of every string longer
// than a few characters for every object and every watch event, so 10,000
// Applications held each such message 10,000 times. An informer transform
// that replaces each string by one shared instance keeps one copy.
import type { KubeObject } from './resource.js';

/** Longer strings are rarely repeated (and a page of text is worth its copy). */
const MAX_INTERNED_LENGTH = 256;
/** V8 already shares the strings JSON.parse makes of short values. */
const MIN_INTERNED_LENGTH = 8;
/** Keys whose values are unique per object: not worth a table entry. */
const UNIQUE_KEYS = new Set(['uid', 'resourceVersion', 'id']);

/** A table of shared strings, emptied when it holds `maxEntries` (what objects hold stays shared). */
export class StringTable {
  private readonly table = new Map<string, string>();

  constructor(private readonly maxEntries = 50_000) {}

  get size(): number {
    return this.table.size;
  }

  intern(s: string): string {
    if (s.length < MIN_INTERNED_LENGTH || s.length > MAX_INTERNED_LENGTH) return s;
    const shared = this.table.get(s);
    if (shared !== undefined) return shared;
    if (this.table.size >= this.maxEntries) this.table.clear();
    this.table.set(s, s);
    return s;
  }

  /** Replaces, in place, every string value under `value` (a freshly parsed JSON value) by its shared instance. */
  internAll(value: unknown): void {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const v: unknown = value[i];
        if (typeof v === 'string') value[i] = this.intern(v);
        else if (typeof v === 'object' && v !== null) this.internAll(v);
      }
    } else if (typeof value === 'object' && value !== null) {
      const obj = value as Record<string, unknown>;
      for (const key of Object.keys(obj)) {
        const v = obj[key];
        if (typeof v === 'string') {
          if (!UNIQUE_KEYS.has(key)) obj[key] = this.intern(v);
        } else if (typeof v === 'object' && v !== null) this.internAll(v);
      }
    }
  }
}

const shared = new StringTable();

/**
 * A cache transform sharing the strings of `spec`, `status` and the
 * metadata's labels, annotations and managedFields. It modifies nested values
 * in place, so it may only run on objects no one else holds yet: the
 * informer's lists and watch events (freshly parsed), not a writer's copy.
 */
export function internStrings<T extends KubeObject>(obj: T, table: StringTable = shared): T {
  table.internAll(obj.spec);
  table.internAll(obj.status);
  const meta = obj.metadata;
  if (meta) {
    table.internAll(meta.labels);
    table.internAll(meta.annotations);
    table.internAll(meta.managedFields);
  }
  return obj;
}
