// Reads YAML manifests and applies them with server-side apply: how `make
// demo`, the test setup and `depot local` install CRDs and samples.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  ApiextensionsV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { setTimeout as sleep } from 'node:timers/promises';
import { apiErrorMessage as errorMessage } from '../kube/errors.js';

/** Every object in the YAML files at the given paths (directories are walked in name order). */
export function loadManifests(...paths: string[]): KubernetesObject[] {
  const objects: KubernetesObject[] = [];
  for (const path of paths) {
    if (statSync(path).isDirectory()) {
      const entries = readdirSync(path).sort();
      objects.push(...loadManifests(...entries.map((e) => join(path, e)).filter(isManifestOrDir)));
      continue;
    }
    for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors[0]!.message}`);
      const obj = doc.toJS() as KubernetesObject | null;
      if (obj && typeof obj === 'object') objects.push(obj);
    }
  }
  return objects;
}

function isManifestOrDir(path: string): boolean {
  return statSync(path).isDirectory() || /\.ya?ml$/.test(path);
}

/** Server-side applies each object (CRDs first, so custom objects can follow). */
export async function applyManifests(
  kc: KubeConfig,
  objects: KubernetesObject[],
  opts: { fieldManager: string; namespace?: string },
): Promise<void> {
  // Objects without a namespace land in the context's namespace (as with kubectl).
  const client = KubernetesObjectApi.makeApiClient(opts.namespace ? withNamespace(kc, opts.namespace) : kc);
  const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition');
  const rest = objects.filter((o) => o.kind !== 'CustomResourceDefinition');
  const custom = kc.makeApiClient(CustomObjectsApi);
  for (const crd of crds) await applyCrd(custom, crd, opts.fieldManager);
  await waitForCrds(
    kc,
    crds.map((c) => c.metadata!.name!),
  );
  for (const obj of rest) await applyOne(client, obj, opts.fieldManager);
}

/** A copy of the kubeconfig whose current context uses the given namespace. */
export function withNamespace(kc: KubeConfig, namespace: string): KubeConfig {
  const copy = new KubeConfig();
  copy.loadFromString(kc.exportConfig());
  const current = copy.getCurrentContext();
  copy.contexts = copy.contexts.map((c) => (c.name === current ? { ...c, namespace } : c));
  return copy;
}

/**
 * CRDs go through the untyped CustomObjectsApi: client-node's typed
 * serializer (used by KubernetesObjectApi) silently drops the
 * `x-kubernetes-*` keys of a schema written as YAML.
 */
async function applyCrd(api: CustomObjectsApi, crd: KubernetesObject, fieldManager: string): Promise<void> {
  try {
    await api.patchClusterCustomObject(
      {
        group: 'apiextensions.k8s.io',
        version: 'v1',
        plural: 'customresourcedefinitions',
        name: crd.metadata!.name!,
        body: crd,
        fieldManager,
        force: true,
      },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
  } catch (err) {
    throw new Error(`applying CustomResourceDefinition/${crd.metadata?.name}: ${errorMessage(err)}`);
  }
}

async function applyOne(
  client: KubernetesObjectApi,
  obj: KubernetesObject,
  fieldManager: string,
): Promise<void> {
  // A CRD that just became Established can be missing from discovery for a
  // moment (client-node looks the kind up there first): retry that briefly.
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await client.patch(obj, undefined, undefined, fieldManager, true, PatchStrategy.ServerSideApply);
      return;
    } catch (err) {
      const message = errorMessage(err);
      if (message.includes('Failed to fetch resource metadata') && Date.now() < deadline) {
        await sleep(200);
        continue;
      }
      const id = `${obj.kind}/${obj.metadata?.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata?.name}`;
      throw new Error(`applying ${id}: ${message}`);
    }
  }
}

/** Waits until every named CRD reports Established, so its kind can be used. */
export async function waitForCrds(kc: KubeConfig, names: string[], timeoutMs = 30_000): Promise<void> {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  const deadline = Date.now() + timeoutMs;
  for (const name of names) {
    for (;;) {
      const crd = await api.readCustomResourceDefinition({ name });
      if (crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline)
        throw new Error(`CRD ${name} was not Established within ${timeoutMs / 1000}s`);
      await sleep(100);
    }
  }
}
