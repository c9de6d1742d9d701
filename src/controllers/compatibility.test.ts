// The Application controller's compatibility gating on in-memory informers:
// the namespace's choice, its metrics, and no write once converged.
import type { Application } from '../api/application.js';
import { Applications, Environments, EnvironmentSets } from '../api/resources.js';
import type { KubeObject } from '../kube/resource.js';
import { createLogger } from '../runtime/log.js';
import type { ControllerSpec } from '../runtime/reconciler.js';
import { MemoryCluster } from '../runtime/testing/memory-cluster.js';
import { memoryDeps } from '../runtime/testing/memory-deps.js';
import { applicationController } from './application.js';

const ns = 'team';
const obj = (kind: string, name: string, spec: object): KubeObject => ({
  apiVersion: 'depot.sh/v1alpha1',
  kind,
  metadata: { name, namespace: ns, uid: `uid-${name}`, generation: 1 },
  spec,
});
const dash = (prod: string) =>
  obj('Application', 'dash', {
    environmentSets: ['default'],
    versionScheme: 'semver',
    versions: { prod },
    compatibility: [
      { when: '>=2.0.0', requires: { application: 'core', versions: '>=1.12.0 <2.0.0' } },
      { when: '<2.0.0', requires: { application: 'core', versions: '>=1.9.0 <1.12.0' } },
    ],
  });
const core = (prod: string) =>
  obj('Application', 'core', { environmentSets: ['default'], versionScheme: 'semver', versions: { prod } });

const run = (spec: ControllerSpec, name: string) =>
  spec.reconciler.reconcile(
    { namespace: ns, name },
    { log: createLogger({ level: 'silent' }), signal: new AbortController().signal },
  );

async function metric(deps: ReturnType<typeof memoryDeps>, name: string) {
  return (await deps.metrics.registry.getSingleMetric(name)!.get()).values;
}

test('a request that breaks a rule is blocked and counted; it moves with its partner; converged writes nothing', async () => {
  const cluster = new MemoryCluster();
  cluster.add(Environments, obj('Environment', 'prod', {}));
  cluster.add(EnvironmentSets, obj('EnvironmentSet', 'default', { environments: ['prod'] }));
  cluster.add(Applications, core('1.11.3'), dash('1.9.4'));
  const deps = memoryDeps(cluster);
  const controller = applicationController(deps, { historyLimit: 100, audit: { record: () => undefined } });
  const status = (name: string) =>
    cluster.get<Application & KubeObject>(Applications, ns, name)!.status!.environments![0]!;
  // A spec update: the status stays, the generation grows.
  const bump = (o: KubeObject, gen: number) => {
    const before = cluster.get<KubeObject>(Applications, ns, o.metadata!.name!)!;
    return { ...before, spec: o.spec, metadata: { ...before.metadata, generation: gen } } as KubeObject;
  };

  await run(controller, 'core');
  await run(controller, 'dash');
  cluster.add(Applications, bump(dash('2.0.0'), 2));
  await run(controller, 'dash');
  expect(status('dash')).toMatchObject({
    desired: '1.9.4',
    blocked: {
      reason: 'RequirementNotMet',
      message: 'dash 2.0.0 requires core >=1.12.0 <2.0.0; prod runs core 1.11.3',
    },
  });
  expect(await metric(deps, 'depot_blocked_requests')).toEqual([
    expect.objectContaining({ labels: { reason: 'RequirementNotMet' }, value: 1 }),
  ]);
  expect(
    (await metric(deps, 'depot_compatibility_evaluation_seconds')).find((v) =>
      (v as { metricName?: string }).metricName?.endsWith('_count'),
    )?.value,
  ).toBeGreaterThan(0);

  // The other way round first: dash waits for core (requirement order), then both are desired.
  cluster.add(Applications, bump(core('1.12.0'), 2));
  const result = await run(controller, 'dash');
  expect(status('dash').desired).toBe('1.9.4');
  expect(result).toMatchObject({ requeueAfterMs: expect.any(Number) });
  await run(controller, 'core');
  await run(controller, 'dash');
  expect(status('core').desired).toBe('1.12.0');
  expect(status('dash')).toMatchObject({ desired: '2.0.0', blocked: null });
  expect((await metric(deps, 'depot_blocked_requests')).map((v) => v.value)).toEqual([0]);

  const writes = cluster.writes.length;
  await run(controller, 'core');
  await run(controller, 'dash');
  expect(cluster.writes).toHaveLength(writes);
});
