// Versions, history and promotions end to end: the built operator as a real
// process against the real API server, driven by the built CLI.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventsV1Api, type KubernetesObject } from '@kubernetes/client-node';
import type { Promotion } from '../../src/api/promotion.js';
import { Applications, Environments, Promotions, Targets } from '../../src/api/resources.js';
import { promotionManager, type ManagedFieldsEntry } from '../../src/core/field-managers.js';
import { depotOperatorWithHooks, PAUSE_MESSAGE, writesOf } from '../kit/depot-operator-hooks.js';
import { application, environment, environmentSet, promotion, target } from '../kit/objects.js';
import { threeEnvironments } from '../kit/topologies.js';
import { cluster, depotResource, envStatus } from '../kit/cluster.js';
import { runOperator } from '../kit/operator.js';
import { depotCli, type OperatorProcess } from '../kit/operator-process.js';
import { eventually } from '../kit/eventually.js';
import { freshNamespace } from '../controlplane/env.js';

const k = cluster();
const { kc } = k;
const kubeconfig = process.env.DEPOT_TEST_KUBECONFIG!;
const getApp = k.app;
const listApps = k.apps;

async function pipeline(ns: string, apps: number, promotions: KubernetesObject[]): Promise<void> {
  await k.apply(ns, [
    ...threeEnvironments({ targets: { 'dev-1': 'dev', 'staging-1': 'staging', 'prod-eu': 'prod' } }),
    ...Array.from({ length: apps }, (_, i) =>
      application(
        `app-${i}`,
        { environmentSets: ['default'], versions: { dev: '1.0.0', staging: '1.0.0', prod: '1.0.0' } },
        { labels: { tier: 'web' } },
      ),
    ),
    ...promotions,
  ]);
}

describe('a three-environment pipeline with 10 applications', () => {
  let ns: string;
  let operator: OperatorProcess;
  beforeAll(async () => {
    ns = await freshNamespace(kc, 'pipeline');
    await pipeline(ns, 10, [
      promotion('dev-to-staging', { from: 'dev', to: 'staging', after: '3s', requireDeployed: false }),
      // Every minute: the shortest a 5-field cron schedule allows.
      promotion('staging-to-prod', {
        from: 'staging',
        to: 'prod',
        schedule: '* * * * *',
        requireDeployed: false,
        allow: ['patch', 'minor'],
      }),
    ]);
    operator = await runOperator(ns);
  });
  afterAll(async () => operator?.stop());

  test('versions move dev → staging by soak time and staging → prod by schedule; history and Events record it once', async () => {
    await eventually(
      'every application has a status',
      async () =>
        (await listApps(ns)).every((a) => a.status?.environments?.length === 3) &&
        (await listApps(ns)).length === 10,
    );
    for (let i = 0; i < 10; i++) {
      const res = depotCli(kubeconfig, ns, 'set-version', `app-${i}`, 'dev', '1.1.0');
      expect(res.stderr).toBe('');
      expect(res.status).toBe(0);
    }
    const inProd = await eventually(
      'all 10 applications reach prod',
      async () => {
        const apps = await listApps(ns);
        return apps.every((a) => envStatus(a, 'prod')?.desired === '1.1.0') && apps;
      },
      200_000,
      1000,
    );
    for (const app of inProd) {
      expect(envStatus(app, 'staging')).toMatchObject({
        requested: '1.1.0',
        desired: '1.1.0',
        setBy: 'promotion dev-to-staging',
      });
      expect(envStatus(app, 'prod')).toMatchObject({
        requested: '1.1.0',
        desired: '1.1.0',
        setBy: 'promotion staging-to-prod',
      });
      // The soak time was honoured: staging got it at least 3 s after dev did.
      const devSince = Date.parse(envStatus(app, 'dev')!.desiredSince!);
      const stagingSince = Date.parse(envStatus(app, 'staging')!.desiredSince!);
      expect(stagingSince - devSince).toBeGreaterThanOrEqual(3000);
      const promoted = (app.status!.history ?? []).filter((h) => h.type === 'Promoted');
      expect(promoted.map((h) => `${h.environment} ${h.to} ${h.actor}`).sort()).toEqual([
        'prod 1.1.0 promotion staging-to-prod',
        'staging 1.1.0 promotion dev-to-staging',
      ]);
      const requested = (app.status!.history ?? []).filter(
        (h) => h.type === 'Requested' && h.environment === 'dev' && h.to === '1.1.0',
      );
      expect(requested).toHaveLength(1);
    }
    // The Promotion records its run after its writes: wait for it.
    const promo = await eventually('the run recorded on staging-to-prod', async () => {
      const p = await k.read<Promotion>(Promotions, ns, 'staging-to-prod');
      return p.status?.lastRunTime !== undefined && p;
    });
    expect(Date.parse(promo.status!.nextRunTime!)).toBeGreaterThan(Date.parse(promo.status!.lastRunTime!));
    expect(new Date(promo.status!.nextRunTime!).getUTCSeconds()).toBe(0);

    // Events are sent asynchronously, best-effort: wait for them.
    const withEvents = await eventually('a Promoted Event on every application', async () => {
      const events = await kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: ns });
      const names = new Set(
        events.items
          .filter((e) => e.regarding?.kind === 'Application' && e.reason === 'Promoted')
          .map((e) => e.regarding?.name),
      );
      return names.size === 10 && names;
    });
    expect([...withEvents].sort()).toEqual(Array.from({ length: 10 }, (_, i) => `app-${i}`).sort());
  }, 260_000);

  test('a Target added to prod gives every application a per-target entry, with no edit of any application', async () => {
    await k.apply(ns, [target('prod-us', 'prod')]);
    await eventually('prod-us on every application', async () =>
      (await listApps(ns)).every((a) =>
        a.status?.targets?.some(
          (t) =>
            t.name === 'prod-us' && t.environment === 'prod' && t.desired === envStatus(a, 'prod')?.desired,
        ),
      ),
    );
    const app = await getApp(ns, 'app-0');
    expect(envStatus(app, 'prod')!.targets).toEqual(['prod-eu', 'prod-us']);
    const stored = (await k.read(Targets, ns, 'prod-us')) as { status?: { deliveryKind?: string } };
    expect(stored.status?.deliveryKind).toBe('none');
  }, 60_000);

  test('a deployed version reported by the CLI is kept by later reconciles and recorded once', async () => {
    const res = depotCli(kubeconfig, ns, 'set-deployed', 'app-0', 'prod-eu', '1.1.0');
    expect(res.status).toBe(0);
    await eventually('the Deployed entry', async () =>
      (await getApp(ns, 'app-0')).status?.history?.some(
        (h) => h.type === 'Deployed' && h.target === 'prod-eu',
      ),
    );
    // Another change of the application makes the controller write status again.
    expect(depotCli(kubeconfig, ns, 'set-version', 'app-0', 'dev', '1.1.1').status).toBe(0);
    const app = await eventually('dev 1.1.1', async () => {
      const a = await getApp(ns, 'app-0');
      return envStatus(a, 'dev')?.desired === '1.1.1' && a;
    });
    expect(app.status!.targets!.find((t) => t.name === 'prod-eu')!.deployed).toBe('1.1.0');
    expect(app.status!.history!.filter((h) => h.type === 'Deployed' && h.target === 'prod-eu')).toHaveLength(
      1,
    );
  }, 60_000);
});

describe('freeze windows and force', () => {
  let ns: string;
  let operator: OperatorProcess;
  const auditLog = join(mkdtempSync(join(tmpdir(), 'depot-audit-')), 'audit.jsonl');
  beforeAll(async () => {
    ns = await freshNamespace(kc, 'freeze');
    await pipeline(ns, 2, []);
    operator = await runOperator(ns, { args: ['--audit-log', auditLog] });
    await eventually('status', async () => envStatus(await getApp(ns, 'app-1'), 'prod')?.desired === '1.0.0');
  });
  afterAll(async () => operator?.stop());

  test('a request waits while prod is frozen and is delivered when the freeze ends', async () => {
    await k.apply(ns, [environment('prod', { freeze: { enabled: true } })]);
    await eventually('prod Frozen', async () => {
      const env = (await k.read(Environments, ns, 'prod')) as {
        status?: { conditions?: { type: string; status: string }[] };
      };
      return env.status?.conditions?.some((c) => c.type === 'Frozen' && c.status === 'True');
    });
    expect(depotCli(kubeconfig, ns, 'set-version', 'app-0', 'prod', '1.2.0').status).toBe(0);
    const held = await eventually('blocked', async () => {
      const a = await getApp(ns, 'app-0');
      return envStatus(a, 'prod')?.blocked?.reason === 'Frozen' && a;
    });
    expect(envStatus(held, 'prod')).toMatchObject({ requested: '1.2.0', desired: '1.0.0' });

    // Forcing another application goes through and is recorded as Forced.
    expect(depotCli(kubeconfig, ns, 'set-version', 'app-1', 'prod', '1.3.0', '--force').status).toBe(0);
    const forced = await eventually('forced', async () => {
      const a = await getApp(ns, 'app-1');
      return envStatus(a, 'prod')?.desired === '1.3.0' && a;
    });
    expect(forced.status!.history!.some((h) => h.type === 'Forced' && h.to === '1.3.0')).toBe(true);

    await k.apply(ns, [environment('prod', { freeze: { enabled: false } })]);
    const released = await eventually('released', async () => {
      const a = await getApp(ns, 'app-0');
      return envStatus(a, 'prod')?.desired === '1.2.0' && a;
    });
    expect(envStatus(released, 'prod')!.blocked ?? null).toBeNull();
    const types = released
      .status!.history!.filter((h) => h.environment === 'prod' && h.to === '1.2.0')
      .map((h) => h.type);
    expect(types.sort()).toEqual(['Blocked', 'Delivered', 'Requested', 'Unblocked']);

    // The audit log file holds the same entries, one JSON line each. The
    // operator appends them right after the status write we just observed.
    const readAudit = () =>
      readFileSync(auditLog, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    const app0prod = (lines: Record<string, unknown>[]) =>
      lines
        .filter((l) => l.application === 'app-0' && l.environment === 'prod' && l.to === '1.2.0')
        .map((l) => String(l.type))
        .sort();
    const lines = await eventually('the audit lines of the release', async () => {
      const all = readAudit();
      return app0prod(all).length >= 4 && all;
    });
    expect(app0prod(lines)).toEqual(['Blocked', 'Delivered', 'Requested', 'Unblocked']);
    expect(lines).toContainEqual(
      expect.objectContaining({
        audit: true,
        namespace: ns,
        application: 'app-1',
        type: 'Forced',
        environment: 'prod',
        to: '1.3.0',
      }),
    );
  }, 90_000);
});

describe('exactly once', () => {
  test('killing the operator between the promotion write and its status update promotes once', async () => {
    const ns = await freshNamespace(kc, 'once');
    await pipeline(ns, 3, []);
    for (let i = 0; i < 3; i++) {
      await k.client.patch(
        Applications,
        ns,
        `app-${i}`,
        { spec: { versions: { dev: '2.0.0' } } },
        { type: 'merge', fieldManager: 'test-setup' },
      );
    }
    // The test entry point pauses after the promotion's writes and prints every write it sends.
    const first = await runOperator(ns, {
      entry: depotOperatorWithHooks({ pauseAfterPromotionWritesMs: 120_000 }),
    });
    const manager = promotionManager('dev-to-staging', 'staging');
    const promotionFields = async () =>
      new Map(
        (await listApps(ns)).map((a) => [
          a.metadata.name,
          (a.metadata.managedFields as ManagedFieldsEntry[]).filter((m) => m.manager === manager),
        ]),
      );
    let writtenBefore: Map<string, ManagedFieldsEntry[]>;
    try {
      await eventually('dev 2.0.0 desired everywhere', async () =>
        (await listApps(ns)).every((a) => envStatus(a, 'dev')?.desired === '2.0.0'),
      );
      // Now the Promotion sees all three at once: it writes them, then pauses before its status update.
      await k.apply(ns, [
        promotion('dev-to-staging', { from: 'dev', to: 'staging', requireDeployed: false }),
      ]);
      await eventually(
        'the promotion writes',
        async () => (await listApps(ns)).every((a) => a.spec.versions?.staging === '2.0.0'),
        60_000,
      );
      await eventually('the pause hook', async () => first.output().includes(PAUSE_MESSAGE), 30_000);
      // Exactly one write per application: not none, not repeated.
      expect(
        writesOf(first.output(), manager)
          .map((w) => `${w.resource}/${w.name}`)
          .sort(),
      ).toEqual(['applications/app-0', 'applications/app-1', 'applications/app-2']);
      writtenBefore = await promotionFields();
      for (const entries of writtenBefore.values())
        expect(entries).toEqual([expect.objectContaining({ operation: 'Apply', time: expect.any(String) })]);
    } finally {
      await first.stop('SIGKILL');
    }
    const promo = await k.read<Promotion>(Promotions, ns, 'dev-to-staging');
    expect(promo.status?.results ?? []).not.toContainEqual(expect.objectContaining({ outcome: 'Promoted' }));

    const second = await runOperator(ns, { entry: depotOperatorWithHooks() });
    try {
      await eventually('the promotion status after restart', async () => {
        const p = await k.read<Promotion>(Promotions, ns, 'dev-to-staging');
        return (
          (p.status?.results?.length ?? 0) === 3 && p.status!.results!.every((r) => r.outcome === 'UpToDate')
        );
      });
      // The restarted operator evaluated the promotion (its status is the one above) and wrote nothing
      // with the promotion's field manager; the API server's record of that manager's write is unchanged.
      expect(writesOf(second.output(), manager)).toEqual([]);
      expect(await promotionFields()).toEqual(writtenBefore!);
      const apps = await eventually('staging desired everywhere', async () => {
        const list = await listApps(ns);
        return list.every((a) => envStatus(a, 'staging')?.desired === '2.0.0') && list;
      });
      for (const app of apps) {
        const promoted = app.status!.history!.filter((h) => h.type === 'Promoted');
        expect(promoted).toHaveLength(1);
        expect(promoted[0]).toMatchObject({
          environment: 'staging',
          from: '1.0.0',
          to: '2.0.0',
          actor: 'promotion dev-to-staging',
        });
      }
    } finally {
      await second.stop();
    }
  }, 180_000);
});

describe('bad input', () => {
  test('unknown references and impossible schedules get Ready=False naming the field; the rest keeps working', async () => {
    const ns = await freshNamespace(kc, 'bad');
    await pipeline(ns, 1, [
      promotion('to-nowhere', { from: 'staging', to: 'qa' }),
      promotion('a-b', { from: 'dev', to: 'staging', requireDeployed: false }),
      promotion('b-a', { from: 'staging', to: 'dev', requireDeployed: false }),
      promotion('feb-30', { from: 'staging', to: 'prod', schedule: '0 0 30 2 *' }),
    ]);
    await k.apply(ns, [
      target('orphan', 'qa'),
      application('lost', { environmentSets: ['nope'], versions: { dev: '1.0.0' } }),
      environmentSet('broken', ['dev', 'qa']),
    ]);
    const operator = await runOperator(ns);
    const ready = async (plural: string, name: string) => {
      const o = (await k.read(depotResource(plural), ns, name)) as {
        status?: { conditions?: { type: string; status: string; reason: string; message: string }[] };
      };
      return o.status?.conditions?.find((c) => c.type === 'Ready');
    };
    try {
      expect(await eventually('target', async () => ready('targets', 'orphan'))).toMatchObject({
        status: 'False',
        reason: 'EnvironmentNotFound',
        message: expect.stringContaining('spec.environment: Environment "qa" does not exist'),
      });
      expect(await eventually('app', async () => ready('applications', 'lost'))).toMatchObject({
        status: 'False',
        message: expect.stringContaining('spec.environmentSets[0]: EnvironmentSet "nope" does not exist'),
      });
      expect(await eventually('set', async () => ready('environmentsets', 'broken'))).toMatchObject({
        status: 'False',
        message: 'spec.environments[1]: Environment "qa" does not exist',
      });
      expect(await eventually('promotion', async () => ready('promotions', 'to-nowhere'))).toMatchObject({
        status: 'False',
        message: 'spec.to: Environment "qa" does not exist',
      });
      for (const name of ['a-b', 'b-a']) {
        expect(await eventually('cycle', async () => ready('promotions', name))).toMatchObject({
          status: 'False',
          reason: 'PromotionCycle',
        });
      }
      expect(await eventually('schedule', async () => ready('promotions', 'feb-30'))).toMatchObject({
        status: 'False',
        reason: 'InvalidSchedule',
      });
      // The healthy application in the same namespace is reconciled all the same.
      expect(await eventually('healthy app', async () => ready('applications', 'app-0'))).toMatchObject({
        status: 'True',
      });
      // The CLI refuses an unknown environment with one line.
      const res = depotCli(kubeconfig, ns, 'set-version', 'app-0', 'qa', '1.0.0');
      expect(res.status).toBe(1);
      expect(res.stderr).toBe('error: qa is not an environment of app-0 (dev, staging, prod)\n');
      const missing = depotCli(kubeconfig, ns, 'set-version', 'ghost', 'dev', '1.0.0');
      expect(missing.stderr).toBe(`error: application "ghost" not found in namespace ${ns}\n`);
      const invalid = depotCli(kubeconfig, ns, 'set-version', 'app-0', 'dev', 'not-a-version');
      expect(invalid.status).toBe(1);
      expect(invalid.stderr).toMatch(/^error: .*versions.*semantic version/);
      expect(invalid.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      await operator.stop();
    }
  }, 120_000);
});
