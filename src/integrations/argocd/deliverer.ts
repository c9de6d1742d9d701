// The I/O part of Argo CD delivery: read the Application from the cache,
// check the owner's consent (Target and field), write the version with a read-modify-write merge
// patch guarded by resourceVersion (Argo CD's lists are atomic, so they are
// sent whole). Nothing is written when the field holds the version or the
// cache is not synced. The observer reads the deployed version from status,
// only with the same consent (else it reads nothing and reports the refusal).
import { createHash } from 'node:crypto';
import type {
  Deliverer,
  DeliveryIO,
  DeliveryObservation,
  DeliveryOutcome,
  DeliveryRequest,
  DeliverySettings,
} from '../../core/delivery.js';
import { consentOf, withoutQuotedObject, type Consent } from '../../core/delivery-authorization.js';
import { apiErrorMessage, isNotFound } from '../../kube/errors.js';
import type { KubeObject } from '../../kube/resource.js';
import {
  argocdConsentField,
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
  /** The owner's consent to the request's Target and field; always given without the check. */
  const consent = (obj: KubeObject | undefined, request: DeliveryRequest, place: ArgocdPlace): Consent =>
    settings.checkAuthorization
      ? consentOf(
          obj,
          describeApplication(place),
          { namespace: request.target.metadata.namespace ?? '', name: request.target.metadata.name },
          argocdConsentField(place.field),
        )
      : { allowed: true };

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
      if (!read.synced) return {};
      const allowed = consent(read.object, request, place);
      if (!allowed.allowed) return { refused: allowed.message };
      if (!read.object) return {};
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
      return live && consent(live, request, place).allowed ? fieldWriters(live, place) : [];
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
      // Refused before any request; a missing Application gets the same message as a refusing one.
      const allowed = consent(read.object, request, place);
      if (!allowed.allowed) return { state: 'Failed', waitForChange: true, message: allowed.message };
      if (!read.object)
        return {
          state: 'Failed',
          waitForChange: true,
          message: `${what} not found (named by the applicationNamespace and applicationName of Target ${request.target.metadata.name}'s delivery.argocd)`,
        };
      try {
        const check = (obj: KubeObject) => {
          const fresh = consent(obj, request, place);
          if (!fresh.allowed) throw new Refused(fresh.message);
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
          message: `${what}: write of ${fieldPath(place.field)} failed: ${withoutQuotedObject(apiErrorMessage(err))}`,
        };
      }
    },
  };
}
