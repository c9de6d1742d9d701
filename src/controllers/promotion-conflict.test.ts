// A Promotion never overwrites a write that happened after it read the
// Application: its write is conditional on the resourceVersion it planned
// from, and a conflict is planned again (in-memory cluster, which answers 409
// to a stale resourceVersion like the API server).
import type { Application } from '../api/application.js';
import type { Promotion } from '../api/promotion.js';
import { Applications, Environments, EnvironmentSets, Promotions } from '../api/resources.js';
import type { KubeObject } from '../kube/resource.js';
import { createLogger } from '../runtime/log.js';
import type { ControllerSpec } from '../runtime/reconciler.js';
import { MemoryCluster } from '../runtime/testing/memory-cluster.js';
import { memoryDeps } from '../runtime/testing/memory-deps.js';
import { applicationController } from './application.js';
import { promotionController } from './promotion.js';
import { stored } from '../core/testing/builders.js';

const ns = 'team';
const obj = stored;
const run = (spec: ControllerSpec, name: string) =>
  spec.reconciler.reconcile(
    { namespace: ns, name },
    { log: createLogger({ level: 'silent' }), signal: new AbortController().signal },
  );

test("a person's write between the Promotion's read and write is kept; the Promotion plans again", async () => {
  const cluster = new MemoryCluster();
  cluster.add(Environments, obj('Environment', 'staging', {}), obj('Environment', 'prod', {}));
  cluster.add(EnvironmentSets, obj('EnvironmentSet', 'default', { environments: ['staging', 'prod'] }));
  cluster.add(
    Applications,
    obj('Application', 'core', {
      environmentSets: ['default'],
      versionScheme: 'semver',
      versions: { staging: '1.2.0', prod: '1.1.0' },
    }),
  );
  cluster.add(
    Promotions,
    obj('Promotion', 'to-prod', { from: 'staging', to: 'prod', requireDeployed: false, suspend: false }),
  );
  const deps = memoryDeps(cluster);
  const opts = { historyLimit: 100, audit: { record: () => undefined } };
  await run(applicationController(deps, opts), 'core');
  const promotions = promotionController(deps, opts);

  // A person puts the hotfix 1.3.0 into prod just before the Promotion's write reaches the server.
  const patch = cluster.api.patch;
  let raced = false;
  cluster.api.patch = async (resource, namespace, name, body, o) => {
    if (resource === Applications && o.fieldManager?.startsWith('depot-promotion.') && !raced) {
      raced = true;
      const current = cluster.get<Application & KubeObject>(Applications, ns, 'core')!;
      cluster.add(Applications, {
        ...current,
        spec: { ...current.spec, versions: { staging: '1.2.0', prod: '1.3.0' } },
      });
    }
    return patch(resource, namespace, name, body, o);
  };
  const statusWrites = () =>
    cluster.writes.filter((w) => w.resource === 'promotions' && w.subresource === 'status').length;

  expect(await run(promotions, 'to-prod')).toEqual({ requeueAfterMs: 200 });
  expect(raced).toBe(true);
  expect(cluster.get<Application & KubeObject>(Applications, ns, 'core')!.spec.versions!.prod).toBe('1.3.0');
  expect(statusWrites()).toBe(0);

  // Planned again from what is there now: 1.2.0 is older than the person's 1.3.0.
  await run(promotions, 'to-prod');
  expect(cluster.get<Application & KubeObject>(Applications, ns, 'core')!.spec.versions!.prod).toBe('1.3.0');
  expect(cluster.get<Promotion & KubeObject>(Promotions, ns, 'to-prod')!.status!.results).toEqual([
    expect.objectContaining({ application: 'core', outcome: 'Blocked', version: '1.2.0' }),
  ]);
});

test('a rollback by a person holds the application: nothing written, status.holds, one Held Event', async () => {
  const cluster = new MemoryCluster();
  cluster.add(Environments, obj('Environment', 'staging', {}), obj('Environment', 'prod', {}));
  cluster.add(EnvironmentSets, obj('EnvironmentSet', 'default', { environments: ['staging', 'prod'] }));
  cluster.add(
    Applications,
    obj('Application', 'core', {
      environmentSets: ['default'],
      versionScheme: 'semver',
      versions: { staging: '1.2.0', prod: '1.1.0' },
    }),
  );
  cluster.add(
    Promotions,
    obj('Promotion', 'to-prod', { from: 'staging', to: 'prod', requireDeployed: false, suspend: false }),
  );
  const deps = memoryDeps(cluster);
  const opts = { historyLimit: 100, audit: { record: () => undefined } };
  const apps = applicationController(deps, opts);
  const promotions = promotionController(deps, opts);
  await run(apps, 'core');
  await run(promotions, 'to-prod');
  await run(apps, 'core');
  const prod = () => cluster.get<Application & KubeObject>(Applications, ns, 'core')!.spec.versions!.prod;
  expect(prod()).toBe('1.2.0');

  // A person puts 1.1.0 back (the in-memory cluster keeps no managedFields: the writer is unknown).
  const current = cluster.get<Application & KubeObject>(Applications, ns, 'core')!;
  cluster.add(Applications, {
    ...current,
    spec: { ...current.spec, versions: { staging: '1.2.0', prod: '1.1.0' } },
  });
  const writes = cluster.writes.length;
  await run(promotions, 'to-prod');
  await run(apps, 'core');
  await run(promotions, 'to-prod');
  expect(prod()).toBe('1.1.0');
  expect(cluster.writes.slice(writes).filter((w) => w.resource === 'applications' && !w.subresource)).toEqual(
    [],
  );
  const promotion = cluster.get<Promotion & KubeObject>(Promotions, ns, 'to-prod')!;
  expect(promotion.status!.holds).toEqual([
    expect.objectContaining({ application: 'core', version: '1.2.0', rolledBackTo: '1.1.0' }),
  ]);
  expect(promotion.status!.results![0]).toMatchObject({ outcome: 'Held', version: '1.2.0' });
  expect(cluster.events.filter((e) => e.reason === 'Held')).toHaveLength(1);
});
