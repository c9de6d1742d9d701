// Measures one Application reconcile as the operator runs it (read the
// namespace from the informer caches, plan, compare, no write when nothing
// changed), on in-memory informers: 1,000 Applications and 50 Targets in a
// namespace. Run: npx tsx bench/reconcile.bench.ts
import { performance } from 'node:perf_hooks';
import { Applications, Environments, EnvironmentSets, Targets } from '../src/api/resources.js';
import { applicationController } from '../src/controllers/application.js';
import type { KubeObject } from '../src/kube/resource.js';
import { createLogger } from '../src/runtime/log.js';
import { MemoryCluster } from '../src/runtime/testing/memory-cluster.js';
import { memoryDeps } from '../src/runtime/testing/memory-deps.js';

const ns = 'bench';
const APPS = 1000;
const TARGETS = 50;
const envs = ['dev', 'staging', 'prod'];
const obj = (kind: string, name: string, spec: object): KubeObject => ({
  apiVersion: 'depot.sh/v1alpha1',
  kind,
  metadata: { name, namespace: ns, uid: `uid-${name}` },
  spec,
});

const cluster = new MemoryCluster();
cluster.add(Environments, ...envs.map((e) => obj('Environment', e, {})));
cluster.add(EnvironmentSets, obj('EnvironmentSet', 'default', { environments: envs }));
cluster.add(
  Targets,
  ...Array.from({ length: TARGETS }, (_, i) =>
    obj('Target', `t-${i}`, { environment: envs[i % envs.length] }),
  ),
);
cluster.add(
  Applications,
  ...Array.from({ length: APPS }, (_, i) =>
    obj('Application', `app-${i}`, {
      environmentSets: ['default'],
      versionScheme: 'semver',
      versions: { dev: '1.2.0', staging: '1.1.0', prod: '1.0.0' },
    }),
  ),
);
const controller = applicationController(memoryDeps(cluster), {
  historyLimit: 100,
  audit: { record: () => {} },
});
const ctx = { log: createLogger({ level: 'silent' }), signal: new AbortController().signal };
const reconcile = (i: number) =>
  controller.reconciler.reconcile({ namespace: ns, name: `app-${i % APPS}` }, ctx);

for (let i = 0; i < APPS; i++) await reconcile(i); // converge: every status written once
const writes = cluster.writes.length;
for (let i = 0; i < 200; i++) await reconcile(i); // warm-up
const runs = 2000;
const start = performance.now();
for (let i = 0; i < runs; i++) await reconcile(i * 7);
const perMs = (performance.now() - start) / runs;
if (cluster.writes.length !== writes) throw new Error('a converged reconcile wrote something');
process.stdout.write(
  `Application reconcile, converged (${APPS} Applications, ${TARGETS} Targets in the namespace): ${perMs.toFixed(2)} ms per reconcile (${runs} reconciles, no writes)\n`,
);
