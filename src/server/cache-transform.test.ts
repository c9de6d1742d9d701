// Informers keep each Application as Applications.cacheTransform leaves it
// (managedFields trimmed to the writers Depot names, kubectl's last-applied
// copy dropped); the HTTP API serves from those caches, so every read answer
// must be the same as for the object the API server holds.
import { Applications, EnvironmentSets, Environments, Targets } from '../api/resources.js';
import { app, env, set, target } from '../core/testing/builders.js';
import { LAST_APPLIED_ANNOTATION } from '../kube/cache-transforms.js';
import type { KubeObject } from '../kube/resource.js';
import { createLogger } from '../runtime/log.js';
import { MemoryCluster } from '../runtime/testing/memory-cluster.js';
import { memoryDeps } from '../runtime/testing/memory-deps.js';
import type { AccessReviewer } from './access-review.js';
import { ApiServer } from './api-server.js';

const reviewer: AccessReviewer = {
  authenticate: async () => ({ username: 'viewer' }),
  authorize: async () => ({ allowed: true }),
};

/** An Application as the API server returns it: written by kubectl apply, CI and the operator. */
function stored(): KubeObject {
  const a = app(
    'core',
    { versions: { dev: '1.1.0', prod: '1.0.0' } },
    {
      status: {
        observedGeneration: 1,
        environments: [
          { name: 'dev', requested: '1.1.0', desired: '1.1.0' },
          { name: 'prod', requested: '1.0.0', desired: '1.0.0' },
        ],
        targets: [
          { name: 'dev-1', environment: 'dev', desired: '1.1.0', deployed: '1.1.0' },
          { name: 'prod-1', environment: 'prod', desired: '1.0.0', deployed: '1.0.0' },
        ],
        history: [
          {
            id: 'h2',
            time: '2026-12-07T10:01:00Z',
            type: 'Requested',
            environment: 'dev',
            from: '1.0.0',
            to: '1.1.0',
            actor: 'ci-bot',
          },
          {
            id: 'h1',
            time: '2026-12-07T10:00:00Z',
            type: 'Requested',
            environment: 'prod',
            to: '1.0.0',
            actor: 'alice',
          },
        ],
      },
    },
  ) as KubeObject;
  a.metadata = {
    ...a.metadata,
    labels: { team: 'core' },
    annotations: {
      [LAST_APPLIED_ANNOTATION]: JSON.stringify({ spec: a.spec }),
      'example.com/owner': 'core-team',
    },
    managedFields: [
      {
        manager: 'kubectl-client-side-apply',
        operation: 'Update',
        apiVersion: 'depot.sh/v1alpha1',
        time: '2026-12-07T10:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:annotations': { '.': {}, [`f:${LAST_APPLIED_ANNOTATION}`]: {} } },
          'f:spec': { 'f:versionScheme': {}, 'f:environmentSets': {} },
        },
      },
      {
        manager: 'ci-bot',
        operation: 'Apply',
        apiVersion: 'depot.sh/v1alpha1',
        time: '2026-12-07T10:01:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:spec': { 'f:versions': { 'f:dev': {} } } },
      },
      {
        manager: 'depot-operator',
        operation: 'Update',
        subresource: 'status',
        apiVersion: 'depot.sh/v1alpha1',
        time: '2026-12-07T10:01:01Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:status': { 'f:environments': {}, 'f:targets': {}, 'f:history': {} } },
      },
    ],
  };
  return a;
}

async function answers(application: KubeObject): Promise<string[]> {
  const cluster = new MemoryCluster();
  cluster.add(Environments, env('dev'), env('prod'));
  cluster.add(EnvironmentSets, set('default', ['dev', 'prod']));
  cluster.add(Targets, target('dev-1', 'dev'), target('prod-1', 'prod', { agent: {} }));
  cluster.add(Applications, application);
  const deps = memoryDeps(cluster);
  deps.log = createLogger({ level: 'silent' });
  const server = new ApiServer(deps, { address: '127.0.0.1:0', reviewer });
  const stop = new AbortController();
  void server.start(stop.signal);
  try {
    const { port } = await server.address;
    const paths = [
      '/applications',
      '/applications/core',
      '/applications/core/history',
      '/environments/dev/versions',
      '/targets/prod-1/versions',
    ];
    return await Promise.all(
      paths.map(async (path) => {
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/namespaces/ns${path}`, {
          headers: { Authorization: 'Bearer t' },
        });
        return `${path} ${res.status} ${res.headers.get('etag')} ${await res.text()}`;
      }),
    );
  } finally {
    stop.abort();
  }
}

test("the cache transform drops what no reader uses and keeps the writers' fields Depot names", () => {
  const kept = Applications.cacheTransform!(stored());
  expect(kept.metadata?.annotations).toEqual({ 'example.com/owner': 'core-team' });
  expect((kept.metadata?.managedFields as { manager: string }[]).map((e) => e.manager)).toEqual([
    'kubectl-client-side-apply',
    'ci-bot',
  ]);
  expect(kept.metadata?.labels).toEqual({ team: 'core' });
  expect(kept.spec).toEqual(stored().spec);
  expect(kept.status).toEqual(stored().status);
});

test('the HTTP API answers the same, byte for byte and ETag for ETag, from a transformed cache', async () => {
  const whole = await answers(stored());
  const transformed = await answers(Applications.cacheTransform!(stored()));
  expect(whole.every((a) => / 200 /.test(a))).toBe(true);
  expect(transformed).toEqual(whole);
});
