// Flux objects as the tests create them (the upstream CRDs are installed by
// the global setup from ../shared/fixtures/crds/flux): their resources,
// including the Receiver Depot never patches, and a builder.
import type { KubeObject, ObjectMeta, ResourceType } from '../../src/kube/resource.js';
import { fluxResource, type FluxKind } from '../../src/integrations/flux/kinds.js';
import type { KubeClient } from '../../src/kube/client.js';
import { eventually } from './eventually.js';
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

/** A Secret holding a Receiver's token under key `token`. */
export const tokenSecret = (name: string, namespace: string, token: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace },
  data: { token: Buffer.from(token).toString('base64') },
});

/** Waits until notification-controller has made Receiver `name` Ready: its webhook path. */
export function receiverWebhookPath(client: KubeClient, ns: string, name: string): Promise<string> {
  return eventually('the Receiver to be Ready with a webhook path', async () => {
    const r = (await client.get(Receivers, ns, name)) as KubeObject & {
      status?: { webhookPath?: string; conditions?: { type: string; status: string }[] };
    };
    const ready = r?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    return ready && r.status?.webhookPath;
  });
}

/** Ready=True as a Flux controller writes it (for `generation`, when given). */
export const fluxReady = (generation?: number, message = 'ok', at = new Date().toISOString()) => [
  {
    type: 'Ready',
    status: 'True',
    reason: 'Succeeded',
    message,
    ...(generation === undefined ? {} : { observedGeneration: generation }),
    lastTransitionTime: at,
  },
];

/** The artifact source-controller reports for `revision` (`<ref>@sha1:…`), stored as `<file>.tar.gz`. */
export const fluxArtifact = (
  file: string,
  revision: string,
  digest = '0',
  at = new Date().toISOString(),
) => ({
  digest: `sha256:${digest.repeat(64)}`,
  lastUpdateTime: at,
  path: `${file}.tar.gz`,
  revision,
  url: `http://source-controller/${file}.tar.gz`,
});

/** Writes a Flux object's status as its controller does (status subresource): the object written. */
export async function writeFluxStatus(
  client: KubeClient,
  r: ResourceType,
  ns: string,
  name: string,
  status: object,
): Promise<KubeObject> {
  const obj = await client.get(r, ns, name);
  if (!obj) throw new Error(`${r.kind} ${ns}/${name} does not exist`);
  return client.replace(r, { ...obj, status }, { subresource: 'status' });
}

/** A generic-hmac Receiver (token in Secret `secret`) that makes GitRepository `repository` reconcile. */
export const gitReceiver = (
  name: string,
  namespace: string,
  secret: string,
  repository: string,
): KubeObject => ({
  apiVersion: 'notification.toolkit.fluxcd.io/v1',
  kind: 'Receiver',
  metadata: { name, namespace },
  spec: {
    type: 'generic-hmac',
    secretRef: { name: secret },
    resources: [{ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', name: repository }],
  },
});

/** A GitRepository at `ref` (nothing fetches it: no source-controller runs here). */
export const gitRepository = (
  name: string,
  ref: object,
  metadata: Omit<ObjectMeta, 'name'> = {},
  url = `https://git.example/${name}.git`,
) => fluxObject(GitRepositories, name, { interval: '1m', url, ref }, metadata);
