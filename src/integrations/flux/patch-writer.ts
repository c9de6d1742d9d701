// The I/O of a Flux `patch` delivery: read the object, check the owner's
// opt-in, and write the version with the reconcile request (patch.ts) only
// when the field does not already hold it. The write is a merge patch guarded
// by the resourceVersion read (a changed object, its annotation included, is
// read again) with strict field validation (a field the kind's schema does
// not have is refused, not silently dropped).
import { apiErrorMessage, isConflict, statusCodeOf } from '../../kube/errors.js';
import type { KubeApi } from '../../kube/client.js';
import type { KubeObject } from '../../kube/resource.js';
import { isAuthorized, unauthorizedMessage, type TargetRef } from '../authorization.js';
import { blockedSegment, inPlace, versionPatch } from './patch.js';
import type { PatchTarget } from './patch-target.js';

/** Field manager of Depot's writes into Flux objects. */
export const FLUX_FIELD_MANAGER = 'depot-operator.flux';

export type PatchResult =
  | { state: 'Delivered'; message: string; /** false: the field already held the version. */ wrote: boolean }
  | { state: 'Failed'; message: string };

export interface PatchOptions {
  target: TargetRef;
  /** false only for single-tenant clusters (an operator flag). */
  checkAuthorization: boolean;
  now: Date;
}

const CONFLICT_RETRIES = 3;

export async function writeFluxPatch(
  api: KubeApi,
  t: PatchTarget,
  version: string,
  opts: PatchOptions,
): Promise<PatchResult> {
  for (let attempt = 1; ; attempt++) {
    let obj: KubeObject | undefined;
    try {
      obj = await api.get(t.resource, t.namespace, t.name);
    } catch (err) {
      return { state: 'Failed', message: `reading ${t.object} failed: ${apiErrorMessage(err)}` };
    }
    if (!obj) return { state: 'Failed', message: `${t.object} not found (spec.delivery.flux.patch)` };
    if (opts.checkAuthorization && !isAuthorized(obj, opts.target))
      return { state: 'Failed', message: unauthorizedMessage(t.object, opts.target) };
    if (inPlace(obj, t.path, version))
      return { state: 'Delivered', message: `${t.field} of ${t.object} is ${version}`, wrote: false };
    const blocked = blockedSegment(obj, t.path);
    if (blocked)
      return {
        state: 'Failed',
        message: `field ${t.field} does not exist in ${t.object}: ${blocked} is not an object`,
      };
    const patch = versionPatch(t.path, version, opts.now.toISOString(), obj.metadata?.resourceVersion);
    try {
      await api.patch(t.resource, t.namespace, t.name, patch, {
        type: 'merge',
        fieldManager: FLUX_FIELD_MANAGER,
        fieldValidation: 'Strict',
      });
      return {
        state: 'Delivered',
        message: `wrote ${version} into ${t.field} of ${t.object} and requested its reconciliation`,
        wrote: true,
      };
    } catch (err) {
      if (isConflict(err) && attempt < CONFLICT_RETRIES) continue;
      const code = statusCodeOf(err);
      return {
        state: 'Failed',
        message: `writing ${t.field} of ${t.object} failed${code ? ` (HTTP ${code})` : ''}: ${apiErrorMessage(err)}`,
      };
    }
  }
}
