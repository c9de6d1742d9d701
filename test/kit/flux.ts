// Flux objects as the tests create them (the upstream CRDs are installed by
// the global setup from ../shared/fixtures/crds/flux): their resources,
// including the Receiver Depot never patches, and a builder.
import type { KubeObject, ObjectMeta, ResourceType } from '../../src/kube/resource.js';
import { fluxResource, type FluxKind } from '../../src/integrations/flux/kinds.js';
import { target } from './objects.js';

/** The resource of a Flux kind at its served version. */
function resource(kind: FluxKind, apiVersion: string): ResourceType {
  const r = fluxResource(apiVersion, kind);
  if ('error' in r) throw new Error(r.error);
  return r;
}

export const GitRepositories = resource('GitRepository', 'source.toolkit.fluxcd.io/v1');
export const OCIRepositories = resource('OCIRepository', 'source.toolkit.fluxcd.io/v1');
export const HelmReleases = resource('HelmRelease', 'helm.toolkit.fluxcd.io/v2');
export const Kustomizations = resource('Kustomization', 'kustomize.toolkit.fluxcd.io/v1');
export const Receivers: ResourceType = {
  group: 'notification.toolkit.fluxcd.io',
  version: 'v1',
  plural: 'receivers',
  kind: 'Receiver',
  namespaced: true,
};

/** An object of a Flux resource; `metadata` names its namespace, annotations, labels. */
export const fluxObject = (
  r: ResourceType,
  name: string,
  spec: object,
  metadata: Omit<ObjectMeta, 'name'> = {},
): KubeObject => ({
  apiVersion: `${r.group}/${r.version}`,
  kind: r.kind,
  metadata: { name, ...metadata },
  spec,
});

/** Where a `patch` Target writes: a Flux object's field (name and namespace may be templates). */
export interface FluxPatch {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  field: string;
}

/** A Target delivering by patching a field of a Flux object. */
export const fluxPatchTarget = (name: string, environment: string, patch: FluxPatch) =>
  target(name, environment, { delivery: { flux: { patch } } });

/** A Target delivering by a generic-hmac Receiver call to `url`, token in Secret `secret` (key `token`). */
export const receiverTarget = (name: string, environment: string, url: string, secret: string) =>
  target(name, environment, {
    delivery: {
      flux: { receiver: { url, type: 'generic-hmac', secretRef: { name: secret, key: 'token' } } },
    },
  });
