// Proves the local control plane is a real API server: CEL admission, optimistic
// concurrency (409 on a stale resourceVersion) and watches.
import {
  ApiextensionsV1Api,
  CustomObjectsApi,
  VersionApi,
  PatchStrategy,
  setHeaderOptions,
  Watch,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { waitForCrds } from '../../src/local/manifests.js';
import { apiErrorMessage as errorMessage } from '../../src/kube/errors.js';
import { freshNamespace, testKubeConfig } from '../controlplane/env.js';

const kc = testKubeConfig();
const group = 'probe.depot.sh';

const crd: V1CustomResourceDefinition = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `widgets.${group}` },
  spec: {
    group,
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: { min: { type: 'integer' }, max: { type: 'integer' } },
                x_kubernetes_validations: [
                  { rule: 'self.min <= self.max', message: 'min must not exceed max' },
                ],
              },
            },
          },
        },
      },
    ],
  },
};

let ns: string;
const objects = kc.makeApiClient(CustomObjectsApi);
const widget = (name: string, min: number, max: number) => ({
  apiVersion: `${group}/v1`,
  kind: 'Widget',
  metadata: { name },
  spec: { min, max },
});

beforeAll(async () => {
  await kc.makeApiClient(ApiextensionsV1Api).createCustomResourceDefinition({ body: crd });
  await waitForCrds(kc, [crd.metadata!.name!]);
  ns = await freshNamespace(kc);
});

test('the server reports Kubernetes 1.36', async () => {
  const info = await kc.makeApiClient(VersionApi).getCode();
  expect(info.gitVersion).toMatch(/^v1\.36\.\d+$/);
  expect(`${info.major}.${info.minor}`).toBe('1.36');
});

test('a CEL validation rule rejects an invalid object with its message', async () => {
  const create = objects.createNamespacedCustomObject({
    group,
    version: 'v1',
    namespace: ns,
    plural: 'widgets',
    body: widget('bad', 5, 1),
  });
  await expect(create).rejects.toMatchObject({ code: 422 });
  const message = await create.catch((err: unknown) => errorMessage(err));
  expect(message).toContain('min must not exceed max');
});

test('an update with a stale resourceVersion gets 409 Conflict', async () => {
  const created = (await objects.createNamespacedCustomObject({
    group,
    version: 'v1',
    namespace: ns,
    plural: 'widgets',
    body: widget('w1', 1, 2),
  })) as { metadata: { resourceVersion: string } };
  const stale = created.metadata.resourceVersion;
  await objects.replaceNamespacedCustomObject({
    group,
    version: 'v1',
    namespace: ns,
    plural: 'widgets',
    name: 'w1',
    body: { ...widget('w1', 1, 3), metadata: { name: 'w1', resourceVersion: stale } },
  });
  const again = objects.replaceNamespacedCustomObject({
    group,
    version: 'v1',
    namespace: ns,
    plural: 'widgets',
    name: 'w1',
    body: { ...widget('w1', 1, 4), metadata: { name: 'w1', resourceVersion: stale } },
  });
  await expect(again).rejects.toMatchObject({ code: 409 });
});

test('a watch delivers ADDED and MODIFIED events', async () => {
  const seen: string[] = [];
  let resolveModified!: () => void;
  const modified = new Promise<void>((resolve) => (resolveModified = resolve));
  const req = await new Watch(kc).watch(
    `/apis/${group}/v1/namespaces/${ns}/widgets`,
    { fieldSelector: 'metadata.name=w2' },
    (type: string, obj: { spec: { max: number } }) => {
      seen.push(`${type}:${obj.spec.max}`);
      if (type === 'MODIFIED') resolveModified();
    },
    () => undefined,
  );
  try {
    await objects.createNamespacedCustomObject({
      group,
      version: 'v1',
      namespace: ns,
      plural: 'widgets',
      body: widget('w2', 1, 2),
    });
    await objects.patchNamespacedCustomObject(
      { group, version: 'v1', namespace: ns, plural: 'widgets', name: 'w2', body: { spec: { max: 9 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await modified;
  } finally {
    req.abort();
  }
  expect(seen).toEqual(['ADDED:2', 'MODIFIED:9']);
}, 20_000);
