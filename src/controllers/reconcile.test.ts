// Reconcile-level tests: each controller's reconcile called directly on
// in-memory informers and a recording API (runtime/testing), as
// kubebuilder's controller tests do. Fast and without a cluster; the
// integration tests run the same controllers against a real API server.
import type { Application } from '../api/application.js';
import { Applications, Environments, EnvironmentSets, Promotions, Targets } from '../api/resources.js';
import type { AuditSink } from '../runtime/audit-log.js';
import { createLogger } from '../runtime/log.js';
import type { ControllerSpec } from '../runtime/reconciler.js';
import type { KubeObject } from '../kube/resource.js';
import { MemoryCluster } from '../runtime/testing/memory-cluster.js';
import { memoryDeps } from '../runtime/testing/memory-deps.js';
import { applicationController } from './application.js';
import { environmentSetController } from './environment-set.js';
import { environmentController } from './environment.js';
import { promotionController } from './promotion.js';
import { targetController } from './target.js';
import { stored } from '../core/testing/builders.js';

const ns = 'team';
const obj = stored;

function setup() {
  const cluster = new MemoryCluster();
  cluster.add(Environments, obj('Environment', 'dev', {}), obj('Environment', 'prod', {}));
  cluster.add(EnvironmentSets, obj('EnvironmentSet', 'default', { environments: ['dev', 'prod'] }));
  cluster.add(
    Targets,
    obj('Target', 'dev-1', { environment: 'dev' }),
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
  const audit: Record<string, unknown>[] = [];
  const sink: AuditSink = { record: (e) => audit.push(e) };
  return { cluster, deps, audit, sink };
}

const run = (spec: ControllerSpec, name: string) =>
  spec.reconciler.reconcile(
    { namespace: ns, name },
    { log: createLogger({ level: 'silent' }), signal: new AbortController().signal },
  );

describe('Application reconcile', () => {
  test('writes status once, sends its history, and a second reconcile writes nothing', async () => {
    const { cluster, deps, audit, sink } = setup();
    const controller = applicationController(deps, { historyLimit: 100, audit: sink });
    await run(controller, 'core');
    const app = cluster.get<Application & KubeObject>(Applications, ns, 'core')!;
    expect(app.status!.environments!.map((e) => [e.name, e.desired])).toEqual([
      ['dev', '1.0.0'],
      ['prod', undefined],
    ]);
    expect(cluster.writes.map((w) => `${w.verb} ${w.resource}/${w.subresource ?? ''}`)).toEqual([
      'patch applications/status',
    ]);
    expect(audit.map((a) => a.type)).toEqual(['Requested', 'Delivered']);
    expect(audit.every((a) => typeof a.id === 'string')).toBe(true);
    expect(cluster.events.map((e) => e.reason)).toEqual(['Requested', 'Delivered']);

    await run(controller, 'core');
    expect(cluster.writes).toHaveLength(1);
  });

  test('a spent force annotation is removed with its own field manager, conditionally on its value', async () => {
    const { cluster, deps, sink } = setup();
    const app = cluster.get<KubeObject>(Applications, ns, 'core')!;
    cluster.add(Applications, {
      ...app,
      metadata: { ...app.metadata, annotations: { 'force.depot.sh/dev': '1.0.0' } },
    });
    await run(applicationController(deps, { historyLimit: 100, audit: sink }), 'core');
    const removal = cluster.writes.find((w) => w.patchType === 'json')!;
    expect(removal).toMatchObject({ fieldManager: 'depot-operator.force', name: 'core' });
    expect(removal.body).toEqual([
      { op: 'test', path: '/metadata/annotations/force.depot.sh~1dev', value: '1.0.0' },
      { op: 'remove', path: '/metadata/annotations/force.depot.sh~1dev' },
    ]);
    expect(cluster.get<KubeObject>(Applications, ns, 'core')!.metadata!.annotations).toEqual({});
  });

  test('a status the API server refuses as too large is a terminal error with a condition naming the size, not a retry loop', async () => {
    const { cluster, deps, sink } = setup();
    const controller = applicationController(deps, { historyLimit: 100, audit: sink });
    const app = cluster.get<KubeObject>(Applications, ns, 'core')!;
    // Room for the object and a condition, not for its full status (etcd's limit, scaled down).
    cluster.maxObjectBytes = Buffer.byteLength(JSON.stringify(app)) + 1500;
    const refused = () => cluster.writes.filter((w) => w.subresource === 'status').length;
    await expect(run(controller, 'core')).rejects.toMatchObject({
      name: 'TerminalError',
      reason: 'TooLarge',
      message: expect.stringMatching(
        /refused the status of Application team\/core as too large \(the object would take about \d+ bytes/,
      ),
    });
    const condition = cluster
      .get<Application & KubeObject>(Applications, ns, 'core')!
      .status!.conditions!.find((c) => c.type === 'StatusTooLarge');
    expect(condition).toMatchObject({
      status: 'True',
      reason: 'RequestTooLarge',
      message: expect.stringContaining('etcdserver: request is too large'),
    });
    // Again: the status computed anew is refused once more (the condition changed the base), then never sent again.
    await expect(run(controller, 'core')).rejects.toMatchObject({ reason: 'TooLarge' });
    const sent = refused();
    await expect(run(controller, 'core')).rejects.toMatchObject({ reason: 'TooLarge', repeated: true });
    await expect(run(controller, 'core')).rejects.toMatchObject({ reason: 'TooLarge', repeated: true });
    expect(refused()).toBe(sent);
    // Room again, and a change (a new version): the status is written and the condition is gone.
    cluster.maxObjectBytes = Infinity;
    const current = cluster.get<KubeObject>(Applications, ns, 'core')!;
    cluster.add(Applications, {
      ...current,
      spec: { ...(current.spec as object), versions: { dev: '1.1.0' } },
    });
    await run(controller, 'core');
    const after = cluster.get<Application & KubeObject>(Applications, ns, 'core')!.status!;
    expect(after.environments!.map((e) => e.desired)).toEqual(['1.1.0', undefined]);
    expect(after.conditions!.some((c) => c.type === 'StatusTooLarge')).toBe(false);
  });

  test('an unparseable Target keeps the entry it had', async () => {
    const { cluster, deps, sink } = setup();
    const controller = applicationController(deps, { historyLimit: 100, audit: sink });
    await run(controller, 'core');
    const before = cluster.get<Application & KubeObject>(Applications, ns, 'core')!.status!;
    cluster.add(Targets, obj('Target', 'dev-1', { environment: 'dev', delivery: { none: {}, agent: {} } }));
    await run(controller, 'core');
    const after = cluster.get<Application & KubeObject>(Applications, ns, 'core')!.status!;
    expect(after.targets).toEqual(before.targets);
    expect(after.history).toEqual(before.history);
    expect(after.conditions!.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'InvalidTarget',
    });
  });
});

describe('Target and EnvironmentSet reconcile', () => {
  test('Target: delivery kind and Ready; nothing written again when nothing changed', async () => {
    const { cluster, deps } = setup();
    const controller = targetController(deps);
    await run(controller, 'prod-eu');
    await run(controller, 'prod-eu');
    const target = cluster.get<KubeObject & { status?: { deliveryKind?: string } }>(Targets, ns, 'prod-eu')!;
    expect(target.status?.deliveryKind).toBe('none');
    expect(cluster.writes).toHaveLength(1);
  });

  test('EnvironmentSet: names a missing environment by index', async () => {
    const { cluster, deps } = setup();
    cluster.add(EnvironmentSets, obj('EnvironmentSet', 'typo', { environments: ['dev', 'prd'] }));
    await run(environmentSetController(deps), 'typo');
    const set = cluster.get<KubeObject & { status?: { conditions?: { message: string }[] } }>(
      EnvironmentSets,
      ns,
      'typo',
    )!;
    expect(set.status!.conditions![0]!.message).toBe(
      'spec.environments[1]: Environment "prd" does not exist',
    );
  });
});

describe('Environment and Promotion reconcile', () => {
  test('Environment: lists its Targets, Ready, not Frozen', async () => {
    const { cluster, deps } = setup();
    await run(environmentController(deps), 'prod');
    const env = cluster.get<
      KubeObject & { status?: { targets?: string[]; conditions?: { type: string; status: string }[] } }
    >(Environments, ns, 'prod')!;
    expect(env.status!.targets).toEqual(['prod-eu']);
    expect(env.status!.conditions!.map((c) => `${c.type}=${c.status}`)).toEqual([
      'Ready=True',
      'Frozen=False',
    ]);
  });

  test('Promotion: writes spec.versions[to] with its own field manager, then records the run', async () => {
    const { cluster, deps, sink } = setup();
    await run(applicationController(deps, { historyLimit: 100, audit: sink }), 'core');
    cluster.add(
      Promotions,
      obj('Promotion', 'dev-to-prod', { from: 'dev', to: 'prod', requireDeployed: false, suspend: false }),
    );
    await run(promotionController(deps, { historyLimit: 100, audit: sink }), 'dev-to-prod');
    const write = cluster.writes.find((w) => w.patchType === 'apply')!;
    expect(write).toMatchObject({
      resource: 'applications',
      name: 'core',
      fieldManager: 'depot-promotion.dev-to-prod.prod',
    });
    expect(cluster.get<Application & KubeObject>(Applications, ns, 'core')!.spec.versions).toEqual({
      dev: '1.0.0',
      prod: '1.0.0',
    });
    const promo = cluster.get<KubeObject & { status?: { summary?: object } }>(Promotions, ns, 'dev-to-prod')!;
    expect(promo.status!.summary).toMatchObject({ promoted: 1, total: 1 });
  });
});
