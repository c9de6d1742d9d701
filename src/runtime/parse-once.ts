// Parse once per object version (the idea of client-go's transform
// functions): an informer replaces a cached object with a new one on every
// change, so a WeakMap keyed by the cached object keeps exactly one parsed
// form per resourceVersion, and forgets it when the object is replaced.
// A reconcile that reads the whole namespace parses only what changed.
import type { KubeObject } from '../kube/resource.js';
import { shareEqualParts } from './structural-sharing.js';

/** `parse`, remembered per object. The result must be treated as read-only: it is shared. */
export function parseOnce<R>(parse: (obj: KubeObject) => R): (obj: KubeObject) => R {
  const memo = new WeakMap<KubeObject, R>();
  return (obj) => {
    if (memo.has(obj)) return memo.get(obj)!;
    const result = parse(obj);
    memo.set(obj, result);
    return result;
  };
}

/** Anything with zod's safeParse. */
export interface SafeParseable<R> {
  safeParse(input: unknown): R;
}

// One memo per schema for the whole process: every reader of a cached object
// (the object's own controller, a namespace snapshot) shares one parsed copy.
const memos = new WeakMap<object, (obj: KubeObject) => unknown>();

/** `schema.safeParse`, remembered per cached object and shared by every caller with the same schema. */
export function safeParseOnce<R>(schema: SafeParseable<R>): (obj: KubeObject) => R {
  let parse = memos.get(schema);
  if (!parse) memos.set(schema, (parse = parseOnce((obj) => sharingParse(schema, obj))));
  return parse as (obj: KubeObject) => R;
}

// The parsed form shares what equals the cached object (structural-sharing.ts),
// so caching both costs little more than the cache.
function sharingParse<R>(schema: SafeParseable<R>, obj: KubeObject): R {
  const result = schema.safeParse(obj);
  const parsed = result as { success?: boolean; data?: unknown };
  if (parsed.success === true) parsed.data = shareEqualParts(parsed.data, obj);
  return result;
}
