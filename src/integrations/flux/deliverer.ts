// The Flux integration as a Deliverer: the Target's `patch` (patch-writer.ts),
// then its `receiver` call (receiver-client.ts); either failing fails the
// attempt. The observer reads the patched object from the cache: a revert, the
// deployed version (deployed.ts; with `appliedBy`, once that Kustomization has
// applied it) and Flux's own Ready=False, only from objects that consent to
// the Target and its field (else nothing is read: it reports the refusal).
// A Receiver carries no version back.
import type {
  Deliverer,
  DeliveryIO,
  DeliveryObservation,
  DeliveryOutcome,
  DeliveryRequest,
  DeliverySettings,
} from '../../core/delivery.js';
import { templateValues } from '../../core/delivery.js';
import {
  authorizesTarget,
  consentOf,
  missingOrUnauthorizedMessage,
} from '../../core/delivery-authorization.js';
import { deliveryNameProblems } from '../../core/delivery-names.js';
import { deployedVersion, fluxFailure, type Applier } from './deployed.js';
import { KUSTOMIZATIONS } from './kinds.js';
import { fluxConsentField, valueAt } from './patch.js';
import { patchTarget, type PatchTarget } from './patch-target.js';
import { writeFluxPatch } from './patch-writer.js';
import { callReceiver } from './receiver-client.js';

const targetRef = (request: DeliveryRequest) => ({
  namespace: request.target.metadata.namespace ?? request.application.metadata.namespace ?? '',
  name: request.target.metadata.name,
});

function patchOf(request: DeliveryRequest): PatchTarget | { error: string } | undefined {
  const patch = request.delivery.flux?.patch;
  if (!patch) return undefined;
  const bad = deliveryNameProblems(
    request.application,
    request.target,
    request.environment,
    request.delivery,
  );
  if (bad.length > 0) return { error: bad.join('; ') };
  return patchTarget(patch, templateValues(request.application, request.environment, request.target));
}

export function fluxDeliverer(
  io: DeliveryIO,
  settings: DeliverySettings,
  now: () => Date = () => new Date(),
): Deliverer {
  return {
    kind: 'flux',

    objectOf(request) {
      const t = patchOf(request);
      if (!t || 'error' in t) return undefined;
      return { resource: t.resource, namespace: t.namespace, name: t.name };
    },

    alsoReads(request) {
      const t = patchOf(request);
      if (!t || 'error' in t || !t.appliedBy) return [];
      return [{ resource: KUSTOMIZATIONS, ...t.appliedBy }];
    },

    observe(request): DeliveryObservation {
      const t = patchOf(request);
      if (!t || 'error' in t) return {};
      const read = io.read(t.resource, t.namespace, t.name);
      if (!read.synced) return {};
      const target = targetRef(request);
      if (settings.checkAuthorization) {
        const consent = consentOf(read.object, t.object, target, fluxConsentField(t.resource.kind, t.field));
        if (!consent.allowed) return { refused: consent.message };
      }
      if (!read.object) return {};
      const inPlace = valueAt(read.object, t.path) === request.version;
      let applier: Applier | undefined;
      if (t.appliedBy) {
        const ks = io.read(KUSTOMIZATIONS, t.appliedBy.namespace, t.appliedBy.name);
        if (!ks.synced) return { inPlace };
        // Depot reads only the Kustomization's status, and only with its owner's consent too.
        if (
          settings.checkAuthorization &&
          !(ks.object && authorizesTarget(ks.object, target.namespace, target.name))
        ) {
          const what = `Kustomization ${t.appliedBy.namespace}/${t.appliedBy.name} (spec.delivery.flux.patch.appliedBy)`;
          const failure = inPlace
            ? (fluxFailure(t.resource.kind, read.object) ?? missingOrUnauthorizedMessage(what, target))
            : undefined;
          return { inPlace, ...(failure ? { failure } : {}) };
        }
        applier = { ...t.appliedBy, object: ks.object };
      }
      const deployed = deployedVersion(t.resource.kind, t.path, read.object, applier);
      // Flux's failure matters only while the object holds the version Depot asked for.
      const failure = inPlace ? fluxFailure(t.resource.kind, read.object, applier) : undefined;
      return {
        inPlace,
        ...(deployed.version !== undefined ? { deployed: deployed.version } : {}),
        ...(failure ? { failure } : {}),
      };
    },

    async deliver(request, signal): Promise<DeliveryOutcome> {
      const flux = request.delivery.flux;
      const target = targetRef(request);
      const named = `Target ${target.namespace}/${target.name}`;
      if (!flux) return { state: 'Failed', message: `${named} has no flux delivery` };
      const done: DeliveryOutcome[] = [];
      const t = patchOf(request);
      if (t) {
        if ('error' in t) return { state: 'Failed', message: `${named}: ${t.error}` };
        const r = await writeFluxPatch(io, t, request.version, {
          target,
          checkAuthorization: settings.checkAuthorization,
          now: now(),
        });
        if (r.state !== 'Delivered') return r;
        done.push(r);
      }
      if (flux.receiver) {
        const payload = {
          application: request.application.metadata.name,
          environment: request.environment,
          target: target.name,
          version: request.version,
        };
        const r = await callReceiver(
          io,
          flux.receiver,
          payload,
          target,
          { allow: settings.receiverUrlAllow, timeoutMs: settings.httpTimeoutMs },
          signal,
        );
        if (r.state === 'Failed')
          return { state: 'Failed', message: r.message, ...(r.waitForChange ? { waitForChange: true } : {}) };
        done.push({ ...r, wrote: true });
      }
      const found = done.find((d) => d.found !== undefined)?.found;
      return {
        state: 'Delivered',
        message: done.map((d) => d.message).join('; '),
        wrote: done.some((d) => d.wrote),
        ...(found !== undefined ? { found } : {}),
      };
    },
  };
}
