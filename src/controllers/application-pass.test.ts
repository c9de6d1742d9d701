// The Application reconcile as one pass, on in-memory informers: the two
// pure steps run once each per pass, a fast delivery lands in the same
// status write without a second reconcile, a 409 re-queues without planning
// again, and the status is the one planApplication (the unit-tested
// function) computes.
import type { Application } from '../api/application.js';
import type { EnvironmentSet } from '../api/environment-set.js';
import type { Environment } from '../api/environment.js';
import { Applications, Environments, EnvironmentSets, Targets } from '../api/resources.js';
import type { Target } from '../api/target.js';
import { planApplication } from '../core/application/plan.js';
import type { Deliverer, DeliveryOutcome, DeliveryRequest } from '../core/delivery.js';
import type { KubeObject } from '../kube/resource.js';
import { createLogger } from '../runtime/log.js';
import type { ControllerSpec } from '../runtime/reconciler.js';
import { MemoryCluster } from '../runtime/testing/memory-cluster.js';
import { memoryDeps } from '../runtime/testing/memory-deps.js';
import { applicationController, applicationSteps, type ApplicationSteps } from './application.js';
import { deliveryMetrics } from './delivery/metrics.js';
import { DeliveryTracker } from './delivery/tracker.js';
import { WatchedObjects } from './delivery/watched-objects.js';

const ns = 'team';
const obj = (kind: string, name: string, spec: object): KubeObject => ({
  apiVersion: 'depot.sh/v1alpha1',
  kind,
  metadata: { name, namespace: ns, uid: `uid-${name}`, generation: 1 },
  spec,
});

const run = (spec: ControllerSpec, name: string) =>
  spec.reconciler.reconcile(
    { namespace: ns, name },
    { log: createLogger({ level: 'silent' }), signal: new AbortController().signal },
  );

/** An integration that answers at once, after running `during` (what happens while it is in flight). */
class Instant implements Deliverer {
  kind = 'argocd' as const;
  calls: string[] = [];
  during: () => void = () => undefined;
  deliver(r: DeliveryRequest): Promise<DeliveryOutcome> {
    this.calls.push(`${r.target.metadata.name}@${r.version}`);
    this.during();
    return Promise.resolve({ state: 'Delivered', message: 'set', wrote: true });
  }
}

function setup(delivery: 'none' | 'argocd') {
  const cluster = new MemoryCluster();
  cluster.add(Environments, obj('Environment', 'dev', {}), obj('Environment', 'prod', {}));
  cluster.add(EnvironmentSets, obj('EnvironmentSet', 'default', { environments: ['dev', 'prod'] }));
  cluster.add(
    Targets,
    obj('Target', 'dev-1', { environment: 'dev', delivery: { [delivery]: {} } }),
    obj('Target', 'prod-eu', { environment: 'prod' }),
  );
  cluster.add(
    Applications,
    obj('Application', 'core', {
      environmentSets: ['default'],
      versionScheme: 'semver',
      versions: { dev: '1.0.0' },
    }),
  );
  const deps = memoryDeps(cluster);
  const integration = new Instant();
  const tracker = new DeliveryTracker(
    new Map([['argocd', integration]]),
    new WatchedObjects(cluster),
    { clock: deps.clock, log: deps.log, metrics: deliveryMetrics(deps.metrics) },
    { retry: { baseMs: 1000, maxMs: 8000 }, concurrency: 4, inlineWaitMs: 5_000 },
  );
  const requeued: string[] = [];
  tracker.subscribe((req) => requeued.push(req.name));
  const calls = { planVersions: 0, composeStatus: 0 };
  const counted: ApplicationSteps = {
    planVersions: (input) => (calls.planVersions++, applicationSteps.planVersions(input)),
    composeStatus: (input, plan, facts) => (
      calls.composeStatus++,
      applicationSteps.composeStatus(input, plan, facts)
    ),
  };
  const controller = applicationController(
    deps,
    { historyLimit: 100, audit: { record: () => undefined } },
    tracker,
    counted,
  );
  const app = () => cluster.get<Application & KubeObject>(Applications, ns, 'core')!;
  return { cluster, deps, integration, requeued, calls, controller, app };
}

test('one pass plans once and composes once; a fast delivery lands in the same write with no second reconcile', async () => {
  const { cluster, integration, requeued, calls, controller, app } = setup('argocd');
  await run(controller, 'core');
  expect(calls).toEqual({ planVersions: 1, composeStatus: 1 });
  expect(integration.calls).toEqual(['dev-1@1.0.0']);
  expect(cluster.writes.map((w) => `${w.verb} ${w.resource}/${w.subresource ?? ''}`)).toEqual([
    'patch applications/status',
  ]);
  expect(app().status!.targets!.find((t) => t.name === 'dev-1')!.delivery).toMatchObject({
    state: 'Delivered',
    attempts: 1,
  });
  expect(app().status!.history!.map((h) => h.type)).toEqual(['Delivered', 'Requested']);
  // The attempt was recorded by the pass that waited for it: nothing re-queues the application.
  await new Promise((resolve) => setImmediate(resolve));
  expect(requeued).toEqual([]);

  await run(controller, 'core');
  expect(calls).toEqual({ planVersions: 2, composeStatus: 2 });
  expect(cluster.writes).toHaveLength(1);
});

test('a 409 re-queues the pass: nothing is planned again, nothing stale is written, the next pass writes', async () => {
  const { cluster, integration, calls, controller, app } = setup('argocd');
  // While the delivery is in flight, someone sets a new dev version.
  integration.during = () => {
    integration.during = () => undefined;
    const before = app();
    cluster.add(Applications, {
      ...before,
      spec: { ...before.spec, versions: { dev: '1.1.0' } },
      metadata: { ...before.metadata, generation: 2 },
    } as KubeObject);
  };
  const result = await run(controller, 'core');
  expect(result).toEqual({ requeueAfterMs: expect.any(Number) });
  expect(calls).toEqual({ planVersions: 1, composeStatus: 1 });
  expect(app().status).toBeUndefined();

  await run(controller, 'core');
  expect(calls).toEqual({ planVersions: 2, composeStatus: 2 });
  expect(integration.calls).toEqual(['dev-1@1.0.0', 'dev-1@1.1.0']);
  expect(app().status!.environments!.find((e) => e.name === 'dev')!.desired).toBe('1.1.0');
  expect(app().status!.targets!.find((t) => t.name === 'dev-1')!.delivery).toMatchObject({
    state: 'Delivered',
  });
});

test('the status a pass writes is the one planApplication computes from the same objects', async () => {
  const { cluster, deps, controller, app } = setup('none');
  const now = new Date(deps.clock.now());
  const before = app() as Application;
  await run(controller, 'core');
  const expected = planApplication({
    app: before,
    environments: new Map(
      cluster
        .informer<Environment & KubeObject>(Environments)
        .list(ns)
        .map((e) => [e.metadata.name, e]),
    ),
    sets: new Map(
      cluster
        .informer<EnvironmentSet & KubeObject>(EnvironmentSets)
        .list(ns)
        .map((s) => [s.metadata.name, s]),
    ),
    targets: cluster.informer<Target & KubeObject>(Targets).list(ns),
    now,
    historyLimit: 100,
  });
  expect(app().status).toEqual(expected.status);
});
