// The I/O of a Flux `patch` delivery: read the object from the cache, check
// the owner's consent for the Target and the field, and write the version (patch.ts) only when the field
// does not hold it, guarded by the resourceVersion read (409: retried on a
// fresh read). A field the kind's schema lacks is pruned by the API server;
// the returned object shows it and the delivery fails naming the field.
import type { CachedRead, DeliveryOutcome } from '../../core/delivery.js';
import { consentOf, withoutQuotedObject } from '../../core/delivery-authorization.js';
import { apiErrorMessage, isConflict, isNotFound, statusCodeOf } from '../../kube/errors.js';
import type { KubeObject, ResourceType } from '../../kube/resource.js';
import { blockedSegment, fluxConsentField, inPlace, valueAt, versionPatch } from './patch.js';
import type { PatchTarget } from './patch-target.js';

/** What the writer needs of the operator's DeliveryIO (core/delivery.ts). */
export interface PatchIO {
  read(resource: ResourceType, namespace: string, name: string): CachedRead | Promise<CachedRead>;
  patch(
    resource: ResourceType,
    namespace: string,
    name: string,
    body: unknown,
    type: 'merge',
  ): Promise<KubeObject>;
}

export interface PatchOptions {
  target: { namespace: string; name: string };
  /** false only for single-tenant clusters (--no-delivery-authorization). */
  checkAuthorization: boolean;
  now: Date;
}

export async function writeFluxPatch(
  io: PatchIO,
  t: PatchTarget,
  version: string,
  opts: PatchOptions,
): Promise<DeliveryOutcome> {
  const read = await io.read(t.resource, t.namespace, t.name);
  if (!read.synced)
    return {
      state: 'Pending',
      message: `waiting for the cache of ${t.resource.kind} objects in namespace ${t.namespace} (are the Flux CRDs installed, and may Depot list ${t.resource.plural}.${t.resource.group} there?)`,
    };
  const obj = read.object;
  // Failures only a change of the object can fix wait for it (waitForChange).
  // Refused before any request; a missing object gets the same message as a refusing one.
  if (opts.checkAuthorization) {
    const consent = consentOf(obj, t.object, opts.target, fluxConsentField(t.resource.kind, t.field));
    if (!consent.allowed) return { state: 'Failed', message: consent.message, waitForChange: true };
  }
  if (!obj)
    return {
      state: 'Failed',
      message: `${t.object} not found (spec.delivery.flux.patch)`,
      waitForChange: true,
    };
  const where = `${t.field} of ${t.object}`;
  if (inPlace(obj, t.path, version))
    return { state: 'Delivered', message: `${where} is ${version}`, wrote: false };
  const blocked = blockedSegment(obj, t.path);
  if (blocked)
    return {
      state: 'Failed',
      message: `field ${t.field} does not exist in ${t.object}: ${blocked} is not an object`,
      waitForChange: true,
    };
  const found = valueAt(obj, t.path);
  const patch = versionPatch(t.path, version, opts.now.toISOString(), obj.metadata?.resourceVersion);
  let written: KubeObject;
  try {
    written = await io.patch(t.resource, t.namespace, t.name, patch, 'merge');
  } catch (err) {
    if (isConflict(err))
      return { state: 'Pending', message: `${t.object} changed while ${t.field} was written: retrying` };
    if (isNotFound(err)) return { state: 'Failed', message: `${t.object} not found (deleted while writing)` };
    const code = statusCodeOf(err);
    return {
      state: 'Failed',
      message: `writing ${where} failed${code ? ` (HTTP ${code})` : ''}: ${withoutQuotedObject(apiErrorMessage(err))}`,
    };
  }
  if (valueAt(written, t.path) !== version)
    return {
      state: 'Failed',
      message: `field ${t.field} does not exist in the schema of ${t.resource.kind}: the API server dropped it from the write to ${t.object}`,
    };
  return {
    state: 'Delivered',
    message: `${where} set to ${version}; reconciliation requested`,
    wrote: true,
    ...(typeof found === 'string' ? { found } : {}),
  };
}
