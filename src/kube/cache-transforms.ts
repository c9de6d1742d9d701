// Cache transforms every informer of a kind may share (ResourceType.cacheTransform),
// as controller-runtime's cache.Options.DefaultTransform: what no reader uses
// is not kept for every cached object. Each replaces fields of the object or
// of its metadata and never modifies a nested value in place.
import type { KubeObject } from './resource.js';

/** `kubectl apply`'s copy of the whole applied object: as big as the spec again, and Depot never reads it. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

type Transform = <T extends KubeObject>(obj: T) => T;

/** Drops annotation `key` (the object keeps its other annotations, in a new map). */
export function dropAnnotation(key: string): Transform {
  return (obj) => {
    const annotations = obj.metadata?.annotations;
    if (!annotations || !(key in annotations)) return obj;
    const rest = { ...annotations };
    delete rest[key];
    obj.metadata!.annotations = rest;
    if (Object.keys(rest).length === 0) delete obj.metadata!.annotations;
    return obj;
  };
}

export const dropLastApplied = dropAnnotation(LAST_APPLIED_ANNOTATION);

/** The transforms applied in order. */
export function composeTransforms(...transforms: Transform[]): Transform {
  return (obj) => transforms.reduce((o, t) => t(o), obj);
}
