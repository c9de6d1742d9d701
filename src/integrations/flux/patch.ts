// The change a Flux `patch` delivery makes, without I/O: the version into one
// field of the object (a dotted path under spec) and a reconcile request in
// the `reconcile.fluxcd.io/requestedAt` annotation, as one JSON merge patch
// guarded by the resourceVersion that was read. Nothing else of the object
// is in the patch, so nothing else changes. The owner's consent covers the
// kind's version fields, others only by name (core/delivery-authorization.ts).
import type { ConsentField } from '../../core/delivery-authorization.js';
import type { KubeObject } from '../../kube/resource.js';
import type { FluxKind } from './kinds.js';

/** Flux controllers reconcile an object again when this annotation changes (fluxcd/pkg apis/meta). */
export const RECONCILE_REQUESTED_AT_ANNOTATION = 'reconcile.fluxcd.io/requestedAt';

export type FieldPath = readonly string[];

/**
 * The fields depot.sh/authorized-targets alone lets a Target write, per kind:
 * where Flux takes a version. Anything else (HelmRelease values, Kustomization
 * spec.postBuild.substitute.<key>, a source's URL) needs depot.sh/authorized-fields.
 */
export const FLUX_VERSION_FIELDS: Readonly<Record<FluxKind, readonly string[]>> = {
  GitRepository: ['spec.ref.tag', 'spec.ref.semver', 'spec.ref.commit', 'spec.ref.name'],
  OCIRepository: ['spec.ref.tag', 'spec.ref.semver', 'spec.ref.digest'],
  HelmRelease: ['spec.chart.spec.version'],
  Kustomization: [],
};

/** The field as the owner names it in depot.sh/authorized-fields: the path as the Target writes it, rendered. */
export const fluxConsentField = (kind: FluxKind, field: string): ConsentField => ({
  name: field,
  versionFields: FLUX_VERSION_FIELDS[kind],
});

/** `spec.chart.spec.version` → ['spec', 'chart', 'spec', 'version'], or an error message. */
export function parseFieldPath(field: string): FieldPath | { error: string } {
  const segments = field.split('.');
  if (segments[0] !== 'spec' || segments.length < 2)
    return { error: `field ${field} must be a path under spec, such as spec.chart.spec.version` };
  if (segments.some((s) => s === ''))
    return { error: `field ${field} has an empty segment (two dots in a row or a dot at an end)` };
  return segments;
}

/** The value at the path, undefined when a segment is missing or not an object. */
export function valueAt(obj: unknown, path: FieldPath): unknown {
  let node: unknown = obj;
  for (const segment of path) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

/**
 * The first segment of the path that holds something other than an object
 * (a string where the path goes on), so the write would replace it: such a
 * path does not exist in the object.
 */
export function blockedSegment(obj: unknown, path: FieldPath): string | undefined {
  let node: unknown = obj;
  for (let i = 0; i < path.length - 1; i++) {
    node = (node as Record<string, unknown>)[path[i]!];
    if (node === undefined || node === null) return undefined;
    if (typeof node !== 'object' || Array.isArray(node)) return path.slice(0, i + 1).join('.');
  }
  return undefined;
}

/** Whether the object already holds the version at the path: then nothing is written. */
export const inPlace = (obj: KubeObject, path: FieldPath, version: string): boolean =>
  valueAt(obj, path) === version;

/**
 * The merge patch that sets the version at the path and requests a reconcile
 * at `requestedAt`; `resourceVersion` makes the API server refuse it (409)
 * when the object changed since it was read (its annotation included).
 */
export function versionPatch(
  path: FieldPath,
  version: string,
  requestedAt: string,
  resourceVersion: string | undefined,
): Record<string, unknown> {
  let value: unknown = version;
  for (const segment of [...path].reverse()) value = { [segment]: value };
  const patch = value as Record<string, unknown>;
  patch.metadata = {
    annotations: { [RECONCILE_REQUESTED_AT_ANNOTATION]: requestedAt },
    ...(resourceVersion ? { resourceVersion } : {}),
  };
  return patch;
}
