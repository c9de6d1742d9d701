// Reads YAML manifests and applies them with server-side apply: how `make
// demo`, the test setup and `depot local` install CRDs and samples. CRDs go
// through the one JSON client (src/kube/client.ts); other kinds through
// client-node's KubernetesObjectApi, which finds their resource by discovery.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeClient } from '../kube/client.js';
import { realClock } from '../kube/clock.js';
import { apiErrorMessage as errorMessage } from '../kube/errors.js';
import type { KubeObject, ResourceType } from '../kube/resource.js';
import { ApiTransport } from '../kube/transport.js';

const CustomResourceDefinitions: ResourceType = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  plural: 'customresourcedefinitions',
  kind: 'CustomResourceDefinition',
  namespaced: false,
};

/** The one JSON client on `kc`, closed after `fn`. */
export async function withJsonClient<T>(kc: KubeConfig, fn: (client: KubeClient) => Promise<T>): Promise<T> {
  const transport = new ApiTransport({ kubeConfig: kc, clock: realClock });
  try {
    return await fn(new KubeClient(transport));
  } finally {
    await transport.pool.close();
  }
}

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
  if (crds.length > 0)
    await withJsonClient(kc, async (json) => {
      for (const crd of crds) await applyCrd(json, crd, opts.fieldManager);
      await waitForEstablished(
        json,
        crds.map((c) => c.metadata!.name!),
      );
    });
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
 * CRDs go through the JSON client: client-node's typed serializer (used by
 * KubernetesObjectApi) silently drops the `x-kubernetes-*` keys of a schema
 * written as YAML.
 */
async function applyCrd(client: KubeClient, crd: KubernetesObject, fieldManager: string): Promise<void> {
  try {
    await client.patch(CustomResourceDefinitions, '', crd.metadata!.name!, crd, {
      type: 'apply',
      fieldManager,
      force: true,
    });
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
  // moment (client-node looks the kind up there first), and a
  // MutatingAdmissionPolicy answers 503 until the API server's type converter
  // knows the new kind (it polls OpenAPI every 5 s): retry those briefly.
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await client.patch(obj, undefined, undefined, fieldManager, true, PatchStrategy.ServerSideApply);
      return;
    } catch (err) {
      const message = errorMessage(err);
      const notYet =
        message.includes('Failed to fetch resource metadata') ||
        message.includes('There can be a delay between when CustomResourceDefinitions are created');
      if (notYet && Date.now() < deadline) {
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
  await withJsonClient(kc, (client) => waitForEstablished(client, names, timeoutMs));
}

type Crd = KubeObject & { status?: { conditions?: { type: string; status: string }[] } };

async function waitForEstablished(client: KubeClient, names: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const name of names) {
    for (;;) {
      const crd = await client.get<Crd>(CustomResourceDefinitions, '', name);
      if (crd?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline)
        throw new Error(`CRD ${name} was not Established within ${timeoutMs / 1000}s`);
      await sleep(100);
    }
  }
}
