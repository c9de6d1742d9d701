// Parse once per object version (the idea of client-go's transform
// functions): an informer replaces a cached object with a new one on every
// change, so a WeakMap keyed by the cached object keeps exactly one parsed
// form per resourceVersion, and forgets it when the object is replaced.
// A reconcile that reads the whole namespace parses only what changed.
import type { KubeObject } from '../kube/resource.js';

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
