// The server side of bench/http-api.bench.ts, in its own process so the load
// generator does not share its event loop: the operator's ApiServer on
// in-memory caches with N Applications (3 environments × 2 targets), a bearer
// token through the real review cache (10 s), one application changing every
// second (so some polls see a new ETag). Prints the port.
import { Applications, Environments, EnvironmentSets, Targets } from '../src/api/resources.js';
import type { KubeObject } from '../src/kube/resource.js';
import { KubeAccessReviewer } from '../src/server/access-review.js';
import { ApiServer } from '../src/server/api-server.js';
import { MemoryCluster } from '../src/runtime/testing/memory-cluster.js';
import { memoryDeps } from '../src/runtime/testing/memory-deps.js';

const ns = 'bench';
const apps = Number(process.argv[2] ?? 1000);
const envs = ['dev', 'staging', 'prod'];
const targets = envs.flatMap((e) => [`${e}-1`, `${e}-2`]);
const obj = (kind: string, name: string, spec: object, status?: object): KubeObject => ({
  apiVersion: 'depot.sh/v1alpha1',
  kind,
  metadata: { name, namespace: ns },
  spec,
  ...(status ? { status } : {}),
});
const status = (v: string) => ({
  environments: envs.map((e) => ({ name: e, requested: v, desired: v, setBy: 'ci' })),
  targets: targets.map((t) => ({
    name: t,
    environment: t.split('-')[0],
    desired: v,
    deployed: v,
    delivery: { state: 'Delivered' },
  })),
});

const cluster = new MemoryCluster();
cluster.add(Environments, ...envs.map((e) => obj('Environment', e, {})));
cluster.add(EnvironmentSets, obj('EnvironmentSet', 'default', { environments: envs }));
cluster.add(
  Targets,
  ...targets.map((t) => obj('Target', t, { environment: t.split('-')[0], delivery: { agent: {} } })),
);
cluster.add(
  Applications,
  ...Array.from({ length: apps }, (_, i) =>
    obj(
      'Application',
      `app-${i}`,
      { environmentSets: ['default'], versionScheme: 'semver' },
      status('1.0.0'),
    ),
  ),
);
const deps = memoryDeps(cluster);
// TokenReview and SubjectAccessReview answered at once: the benchmark measures the server and its review cache.
const reviewApi = {
  create: async <T extends KubeObject>(_: unknown, body: KubeObject) =>
    (body.kind === 'TokenReview'
      ? {
          status: {
            authenticated: true,
            user: { username: 'system:serviceaccount:bench:agent' },
            audiences: ['depot'],
          },
        }
      : { status: { allowed: true } }) as unknown as T,
};
const server = new ApiServer(deps, {
  address: '127.0.0.1:0',
  reviewer: new KubeAccessReviewer(reviewApi),
});
void server.start(new AbortController().signal);
let n = 0;
setInterval(() => {
  n++;
  void cluster.api.patch(
    Applications,
    ns,
    `app-${n % apps}`,
    { status: status(`1.0.${n}`) },
    {
      type: 'merge',
      subresource: 'status',
    },
  );
}, 1000);
const { port } = await server.address;
process.stdout.write(`${port}\n`);
