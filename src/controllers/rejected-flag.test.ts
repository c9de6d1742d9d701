// The Application controller flags an environment that runs a rejected
// version: the Rejected condition, one Warning Event, and the metric.
import type { Application } from '../api/application.js';
import { Applications, Environments, EnvironmentSets } from '../api/resources.js';
import type { KubeObject } from '../kube/resource.js';
import { createLogger } from '../runtime/log.js';
import { MemoryCluster } from '../runtime/testing/memory-cluster.js';
import { memoryDeps } from '../runtime/testing/memory-deps.js';
import { applicationController } from './application.js';
import { stored } from '../core/testing/builders.js';

const ns = 'team';
const obj = stored;

test('a rejected version still desired is flagged once, and the flag clears when it is rolled back', async () => {
  const cluster = new MemoryCluster();
  cluster.add(Environments, obj('Environment', 'prod', {}));
  cluster.add(EnvironmentSets, obj('EnvironmentSet', 'default', { environments: ['prod'] }));
  cluster.add(
    Applications,
    obj('Application', 'core', {
      environmentSets: ['default'],
      versionScheme: 'semver',
      versions: { prod: '1.3.0' },
    }),
  );
  const deps = memoryDeps(cluster);
  const controller = applicationController(deps, { historyLimit: 100, audit: { record: () => undefined } });
  const run = () =>
    controller.reconciler.reconcile(
      { namespace: ns, name: 'core' },
      { log: createLogger({ level: 'silent' }), signal: new AbortController().signal },
    );
  const metric = async () =>
    (await deps.metrics.registry.getSingleMetric('depot_rejected_versions_running')!.get()).values;
  const setSpec = (spec: object, generation: number) => {
    const before = cluster.get<KubeObject>(Applications, ns, 'core')!;
    cluster.add(Applications, {
      ...before,
      spec: { ...(before.spec as object), ...spec },
      metadata: { ...before.metadata, generation },
    });
  };

  await run();
  expect(await metric()).toEqual([]);
  setSpec({ rejectedVersions: [{ version: '1.3.0', reason: 'corrupts uploads' }] }, 2);
  await run();
  const app = cluster.get<Application & KubeObject>(Applications, ns, 'core')!;
  expect(app.status!.environments![0]!.desired).toBe('1.3.0');
  expect(app.status!.conditions!.find((c) => c.type === 'Rejected')).toMatchObject({
    status: 'True',
    reason: 'RejectedVersionRunning',
  });
  expect(await metric()).toEqual([{ value: 1, labels: { namespace: ns, application: 'core' } }]);
  await run();
  expect(
    cluster.events.filter((e) => e.reason === 'RejectedVersionRunning' && e.type === 'Warning'),
  ).toHaveLength(1);

  setSpec({ versions: { prod: '1.2.0' } }, 3);
  await run();
  expect(await metric()).toEqual([]);
  expect(
    cluster
      .get<Application & KubeObject>(Applications, ns, 'core')!
      .status!.conditions!.find((c) => c.type === 'Rejected')!.status,
  ).toBe('False');
});
