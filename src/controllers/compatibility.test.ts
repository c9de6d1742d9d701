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
import { CompatibilityViews } from './compatibility-views.js';
import { NamespaceSnapshot } from './namespace-snapshot.js';
import { stored } from '../core/testing/builders.js';

const ns = 'team';
const obj = stored;
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

test('two reconciles side by side never both keep a rule their sum breaks', async () => {
  const cluster = new MemoryCluster();
  cluster.add(Environments, obj('Environment', 'prod', {}));
  cluster.add(EnvironmentSets, obj('EnvironmentSet', 'default', { environments: ['prod'] }));
  // a 2.0.0 works only with b 1.x, and b 2.0.0 only with a 1.x.
  const pair = (name: string, other: string, prod: string) =>
    obj('Application', name, {
      environmentSets: ['default'],
      versionScheme: 'semver',
      versions: { prod },
      compatibility: [{ when: '>=2.0.0', requires: { application: other, versions: '1.x' } }],
    });
  cluster.add(Applications, pair('a', 'b', '1.0.0'), pair('b', 'a', '1.0.0'));
  const deps = memoryDeps(cluster);
  const controller = applicationController(deps, { historyLimit: 100, audit: { record: () => undefined } });
  await run(controller, 'a');
  await run(controller, 'b');
  const update = (o: KubeObject) => {
    const before = cluster.get<KubeObject>(Applications, ns, o.metadata!.name!)!;
    cluster.add(Applications, {
      ...before,
      spec: o.spec,
      metadata: { ...before.metadata, generation: 2 },
    } as KubeObject);
  };
  update(pair('a', 'b', '2.0.0'));
  const first = run(controller, 'a'); // decides a 2.0.0; its write is in flight
  update(pair('b', 'a', '2.0.0'));
  const second = run(controller, 'b');
  await Promise.all([first, second]);
  const env = (name: string) =>
    cluster.get<Application & KubeObject>(Applications, ns, name)!.status!.environments![0]!;
  // Whichever decided first, the two never both move: one is desired, the other blocked by it.
  const desired = [env('a').desired, env('b').desired].sort();
  expect(desired).toEqual(['1.0.0', '2.0.0']);
  const held = env('a').desired === '1.0.0' ? env('a') : env('b');
  expect(held.blocked).toMatchObject({ reason: 'RequirementNotMet' });
});

test('a decision in flight counts in the next view, and not once its write failed', () => {
  const cluster = new MemoryCluster();
  cluster.add(Environments, obj('Environment', 'prod', {}));
  cluster.add(EnvironmentSets, obj('EnvironmentSet', 'default', { environments: ['prod'] }));
  const withStatus = (o: KubeObject, desired: string) =>
    ({ ...o, status: { environments: [{ name: 'prod', desired, blocked: null }] } }) as KubeObject;
  cluster.add(Applications, withStatus(core('1.11.3'), '1.11.3'), withStatus(dash('1.9.4'), '1.9.4'));
  const deps = memoryDeps(cluster);
  const views = new CompatibilityViews(deps);
  const now = new Date('2026-11-20T12:00:00Z');
  const parsedApp = (name: string) =>
    new NamespaceSnapshot(deps.informers, ns).applications().find((a) => a.metadata.name === name)!;
  // core 1.12.0 is decided (say, forced through by an older view); its write has not landed.
  const reservation = views.reserve(ns, 'core', new Map([['prod', '1.12.0']]));
  const d = cluster.get<KubeObject>(Applications, ns, 'dash')!;
  cluster.add(Applications, {
    ...d,
    spec: dash('2.0.0').spec,
    metadata: { ...d.metadata, generation: 2 },
  } as KubeObject);
  const dashNow = parsedApp('dash');
  const view = views.view(new NamespaceSnapshot(deps.informers, ns), now, dashNow);
  expect(view.verdict(dashNow, 'prod', '2.0.0')).toEqual({ kind: 'deliver' });
  // Its write fails: the view that counted it is dropped, and dash waits for core again.
  reservation.release(false);
  const later = views.view(new NamespaceSnapshot(deps.informers, ns), now, dashNow);
  expect(later.verdict(dashNow, 'prod', '2.0.0')).toMatchObject({ kind: 'blocked' });
});

test('in a burst, a request the last view did not see moves by itself when it fits, else a new view decides', async () => {
  const cluster = new MemoryCluster();
  cluster.add(Environments, obj('Environment', 'prod', {}));
  cluster.add(EnvironmentSets, obj('EnvironmentSet', 'default', { environments: ['prod'] }));
  const withStatus = (o: KubeObject, desired: string) =>
    ({ ...o, status: { environments: [{ name: 'prod', desired, blocked: null }] } }) as KubeObject;
  cluster.add(Applications, withStatus(core('1.11.3'), '1.11.3'), withStatus(dash('1.9.4'), '1.9.4'));
  const deps = memoryDeps(cluster);
  const views = new CompatibilityViews(deps);
  const now = new Date('2026-11-20T12:00:00Z');
  const parsedApp = (name: string) =>
    new NamespaceSnapshot(deps.informers, ns).applications().find((a) => a.metadata.name === name)!;
  const request = (o: KubeObject) => {
    const before = cluster.get<KubeObject>(Applications, ns, o.metadata!.name!)!;
    cluster.add(Applications, { ...before, spec: o.spec } as KubeObject);
  };
  const evaluations = async () =>
    (await metric(deps, 'depot_compatibility_evaluation_seconds')).find((v) =>
      (v as { metricName?: string }).metricName?.endsWith('_count'),
    )?.value ?? 0;

  views.view(new NamespaceSnapshot(deps.informers, ns), now, parsedApp('core'));
  expect(await evaluations()).toBe(1);
  // core 1.11.4 fits dash 1.9.4: decided on the last view.
  request(core('1.11.4'));
  const fits = views.view(new NamespaceSnapshot(deps.informers, ns), now, parsedApp('core'));
  expect(fits.verdict(parsedApp('core'), 'prod', '1.11.4')).toEqual({ kind: 'deliver' });
  expect(await evaluations()).toBe(1);
  // core 1.12.0 does not: a new view decides, and names the rule of dash.
  request(core('1.12.0'));
  const breaks = views.view(new NamespaceSnapshot(deps.informers, ns), now, parsedApp('core'));
  expect(breaks.verdict(parsedApp('core'), 'prod', '1.12.0')).toMatchObject({
    kind: 'blocked',
    blocked: {
      message: 'core 1.12.0 breaks a rule of dash in prod: dash 1.9.4 requires core >=1.9.0 <1.12.0',
    },
  });
  expect(await evaluations()).toBe(2);
});

test("a view's rule problems follow the applications added, changed and deleted since the last catalog", async () => {
  const cluster = new MemoryCluster();
  cluster.add(Environments, obj('Environment', 'prod', {}));
  cluster.add(EnvironmentSets, obj('EnvironmentSet', 'default', { environments: ['prod'] }));
  cluster.add(Applications, dash('1.9.4'));
  const deps = memoryDeps(cluster);
  const views = new CompatibilityViews(deps);
  const now = new Date('2026-11-20T12:00:00Z');
  const snapshot = () => new NamespaceSnapshot(deps.informers, ns);
  const dashApp = () => snapshot().application('dash')!;
  const reasons = () =>
    views
      .view(snapshot(), now, dashApp())
      .problems(dashApp().metadata.name)
      .map((p) => p.reason);
  expect(reasons()).toEqual(['UnknownApplication', 'UnknownApplication']);
  // core appears: dash's rules can be met.
  cluster.add(Applications, core('1.11.3'));
  expect(reasons()).toEqual([]);
  // core turns opaque: dash's ranges on it are refused.
  const c = cluster.get<KubeObject>(Applications, ns, 'core')!;
  cluster.add(Applications, {
    ...c,
    spec: { ...(c.spec as object), versionScheme: 'opaque' },
  } as KubeObject);
  expect(reasons()).toEqual(['InvalidCompatibilityRule', 'InvalidCompatibilityRule']);
  // core is deleted: unknown again.
  await cluster.api.delete(Applications, ns, 'core');
  expect(reasons()).toEqual(['UnknownApplication', 'UnknownApplication']);
});
