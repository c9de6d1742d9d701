// The I/O part of Argo CD delivery: read the Application from the cache,
// check the owner's opt-in, write the version with a read-modify-write merge
// patch guarded by resourceVersion (Argo CD's lists are atomic, so they are
// sent whole). Nothing is written when the field holds the version or the
// cache is not synced. The observer reads the deployed version from status.
import { createHash } from 'node:crypto';
import type {
  Deliverer,
  DeliveryIO,
  DeliveryObservation,
  DeliveryOutcome,
  DeliveryRequest,
  DeliverySettings,
} from '../../core/delivery.js';
import { authorizesTarget, unauthorizedMessage } from '../../core/delivery-authorization.js';
import { apiErrorMessage, isNotFound } from '../../kube/errors.js';
import type { KubeObject } from '../../kube/resource.js';
import {
  argocdPlace,
  argocdProblem,
  deployedVersion,
  describeApplication,
  fieldPath,
  fieldWriters,
  locateSource,
  readField,
  writeField,
  type ArgocdPlace,
} from './change.js';
import { ArgoApplications } from './resource.js';

/** Refuses a write; its message names the object and the field. */
class Refused extends Error {}

export function argocdDeliverer(io: DeliveryIO, settings: DeliverySettings): Deliverer {
  const authorized = (obj: KubeObject, request: DeliveryRequest) =>
    !settings.checkAuthorization ||
    authorizesTarget(obj, request.target.metadata.namespace ?? '', request.target.metadata.name);

  /** The source and current value of the field, or why there is none. */
  function locate(obj: KubeObject, place: ArgocdPlace) {
    const located = locateSource(obj.spec, place.source, 'spec');
    if ('error' in located) throw new Refused(`${describeApplication(place)} ${located.error}`);
    return { ...located, current: readField(located.source, place.field) };
  }

  return {
    kind: 'argocd',

    objectOf(request) {
      const place = argocdPlace(request);
      return { resource: ArgoApplications, namespace: place.namespace, name: place.name };
    },

    observe(request): DeliveryObservation {
      const place = argocdPlace(request);
      const read = io.read(ArgoApplications, place.namespace, place.name);
      if (!read.synced || !read.object) return {};
      const located = locateSource(read.object.spec, place.source, 'spec');
      const deployed = deployedVersion(read.object, place);
      const current = 'error' in located ? undefined : readField(located.source, place.field);
      const inPlace = current === request.version;
      // Argo CD's error about what Depot wrote (not about what was there before).
      const problem = inPlace ? argocdProblem(read.object) : undefined;
      // Not metadata.generation: without a status subresource every status write bumps it.
      const spec = createHash('sha256')
        .update(JSON.stringify(read.object.spec ?? {}))
        .digest('hex');
      return {
        ...('error' in located ? {} : { inPlace }),
        ...(current !== undefined ? { current } : {}),
        ...(deployed !== undefined ? { deployed } : {}),
        ...(problem !== undefined ? { failure: problem } : {}),
        spec,
      };
    },

    async fieldWriters(request) {
      const place = argocdPlace(request);
      const live = await io.get(ArgoApplications, place.namespace, place.name);
      return live ? fieldWriters(live, place) : [];
    },

    contestRemedy:
      "If an ApplicationSet generates this Application, list the field in the ApplicationSet's spec.ignoreApplicationDifferences (docs/delivery-argocd.md).",

    async deliver(request): Promise<DeliveryOutcome> {
      const place = argocdPlace(request);
      const what = describeApplication(place);
      const read = io.read(ArgoApplications, place.namespace, place.name);
      if (!read.synced)
        return {
          state: 'Pending',
          message: `waiting for the cache of Argo CD Applications in namespace ${place.namespace} (is the Argo CD Application CRD installed, and may Depot list applications.argoproj.io there?)`,
        };
      if (!read.object)
        return {
          state: 'Failed',
          waitForChange: true,
          message: `${what} not found (named by the applicationNamespace and applicationName of Target ${request.target.metadata.name}'s delivery.argocd)`,
        };
      try {
        const check = (obj: KubeObject) => {
          if (!authorized(obj, request))
            throw new Refused(
              unauthorizedMessage(
                what,
                obj,
                request.target.metadata.namespace ?? '',
                request.target.metadata.name,
              ),
            );
          return locate(obj, place);
        };
        const before = check(read.object);
        const where = `${what} ${before.path}.${fieldPath(place.field)}`;
        if (before.current === request.version)
          return { state: 'Delivered', message: `${where} is ${request.version}`, wrote: false };
        let found: string | undefined;
        const result = await io.update(ArgoApplications, read.object, (draft) => {
          // Runs again on a fresh copy after a 409: check and locate anew.
          const fresh = check(draft);
          found = fresh.current;
          writeField(fresh.source, place.field, request.version);
        });
        return {
          state: 'Delivered',
          message: `${where} set to ${request.version}`,
          wrote: result.written,
          ...(found !== undefined ? { found } : {}),
        };
      } catch (err) {
        if (err instanceof Refused) return { state: 'Failed', message: err.message, waitForChange: true };
        if (isNotFound(err))
          return {
            state: 'Failed',
            message: `${what} not found (deleted while writing)`,
            waitForChange: true,
          };
        return {
          state: 'Failed',
          message: `${what}: write of ${fieldPath(place.field)} failed: ${apiErrorMessage(err)}`,
        };
      }
    },
  };
}
