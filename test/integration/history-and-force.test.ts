// Correctness on the real API server: a force applies once, history reaches
// the audit log at least once across a crash, a report belongs to its
// (target, environment), re-created objects repeat no history, and a new
// build of the same version is a new version.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventsV1Api, type KubernetesObject } from '@kubernetes/client-node';
import { Targets } from '../../src/api/resources.js';
import { depotOperatorWithHooks, STATUS_PAUSE_MESSAGE } from '../kit/depot-operator-hooks.js';
import { application, environment, promotion, target, type EnvironmentSpec } from '../kit/objects.js';
import { twoEnvironments } from '../kit/topologies.js';
import { cluster, envStatus, targetStatus } from '../kit/cluster.js';
import { runOperator } from '../kit/operator.js';
import { depotCli, type OperatorProcess } from '../kit/operator-process.js';
import { eventually } from '../kit/eventually.js';
import { freshNamespace } from '../controlplane/env.js';

const k = cluster();
const { kc } = k;
const kubeconfig = process.env.DEPOT_TEST_KUBECONFIG!;
const getApp = k.app;
const apply = k.apply;

async function basics(ns: string, prodFreeze?: EnvironmentSpec['freeze']): Promise<void> {
  await apply(ns, [
    ...twoEnvironments({
      targets: { 'dev-1': 'dev', 'prod-eu': 'prod' },
      specs: { prod: prodFreeze ? { freeze: prodFreeze } : {} },
    }),
    application('core', { environmentSets: ['default'], versions: { dev: '1.0.0', prod: '1.0.0' } }),
  ]);
}

const auditLines = (path: string): Record<string, unknown>[] =>
  existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
    : [];

describe('force applies once', () => {
  let ns: string;
  let operator: OperatorProcess;
  beforeAll(async () => {
    ns = await freshNamespace(kc, 'force');
    await basics(ns, { enabled: true });
    operator = await runOperator(ns);
    // prod is frozen from the start: its first request waits.
    await eventually('core has a status', async () => envStatus(await getApp(ns, 'core'), 'prod')?.blocked);
  }, 60_000);
  afterAll(async () => operator?.stop());

  test('the spent annotation is removed, the Forced entry names who forced, and a later request in a freeze waits', async () => {
    // alice forces 1.1.0 (her own field manager owns the annotation); CI then requests it.
    await apply(
      ns,
      [
        {
          apiVersion: 'depot.sh/v1alpha1',
          kind: 'Application',
          metadata: { name: 'core', annotations: { 'force.depot.sh/prod': '1.1.0' } },
        } as KubernetesObject,
      ],
      'depot-cli.prod.alice',
    );
    expect(depotCli(kubeconfig, ns, 'set-version', 'core', 'prod', '1.1.0').status).toBe(0);
    const forced = await eventually('1.1.0 forced into prod and the annotation removed', async () => {
      const a = await getApp(ns, 'core');
      return (
        envStatus(a, 'prod')?.desired === '1.1.0' &&
        a.metadata.annotations?.['force.depot.sh/prod'] === undefined &&
        a
      );
    });
    const entry = forced.status!.history!.find((h) => h.type === 'Forced')!;
    expect(entry).toMatchObject({ environment: 'prod', to: '1.1.0', actor: 'alice' });

    // Out of the freeze 1.2.0 goes out; in the next freeze a request of 1.1.0 is not forced by nobody.
    await apply(ns, [environment('prod', { freeze: { enabled: false } })]);
    expect(depotCli(kubeconfig, ns, 'set-version', 'core', 'prod', '1.2.0').status).toBe(0);
    await eventually(
      '1.2.0 in prod',
      async () => envStatus(await getApp(ns, 'core'), 'prod')?.desired === '1.2.0',
    );
    await apply(ns, [environment('prod', { freeze: { enabled: true } })]);
    expect(depotCli(kubeconfig, ns, 'set-version', 'core', 'prod', '1.1.0').status).toBe(0);
    const held = await eventually('1.1.0 held back by the freeze', async () => {
      const a = await getApp(ns, 'core');
      return envStatus(a, 'prod')?.blocked?.reason === 'Frozen' && a;
    });
    expect(envStatus(held, 'prod')!.desired).toBe('1.2.0');
    expect(held.status!.history!.filter((h) => h.type === 'Forced')).toHaveLength(1);
  }, 90_000);
});

describe('history reaches the audit log at least once', () => {
  test('killed between the status write and sending, the restarted operator sends the entries to the audit log, with their ids', async () => {
    const ns = await freshNamespace(kc, 'audit');
    await basics(ns);
    const dir = mkdtempSync(join(tmpdir(), 'depot-audit-'));
    const [first, second] = [join(dir, 'first.jsonl'), join(dir, 'second.jsonl')];
    let operator = await runOperator(ns, {
      args: ['--audit-log', first],
      entry: depotOperatorWithHooks(),
    });
    await eventually('core has a status', async () => envStatus(await getApp(ns, 'core'), 'dev')?.desired);
    await operator.stop();

    operator = await runOperator(ns, {
      args: ['--audit-log', first],
      entry: depotOperatorWithHooks({ pauseAfterStatusWriteMs: 120_000 }),
    });
    await eventually('the new operator is running', async () =>
      operator.output().includes('starting the operator'),
    );
    expect(depotCli(kubeconfig, ns, 'set-version', 'core', 'dev', '1.1.0').status).toBe(0);
    await eventually('paused after the status write', async () =>
      operator.output().includes(STATUS_PAUSE_MESSAGE),
    );
    await operator.stop('SIGKILL');
    const written = await getApp(ns, 'core');
    const requested = written.status!.history!.find((h) => h.type === 'Requested' && h.to === '1.1.0')!;
    expect(requested.id).toMatch(/^[0-9a-f]{20}$/);
    expect(auditLines(first).some((l) => l.id === requested.id)).toBe(false);

    operator = await runOperator(ns, {
      args: ['--audit-log', second],
      entry: depotOperatorWithHooks(),
    });
    try {
      const line = await eventually('the entry on the audit log', async () =>
        auditLines(second).find((l) => l.id === requested.id),
      );
      expect(line).toMatchObject({ type: 'Requested', to: '1.1.0', application: 'core', resent: true });
      // Events are best-effort and a restart writes nothing: the resend goes to the audit log only.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const events = await kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: ns });
      expect(events.items.filter((e) => e.note?.includes(`[${requested.id}]`))).toEqual([]);
    } finally {
      await operator.stop();
    }
  }, 120_000);

  test('after a clean handover of the lease nothing is sent again', async () => {
    const ns = await freshNamespace(kc, 'audit-clean');
    await basics(ns);
    const dir = mkdtempSync(join(tmpdir(), 'depot-audit-'));
    const [first, second] = [join(dir, 'first.jsonl'), join(dir, 'second.jsonl')];
    // The Lease: in the operator's namespace (its ServiceAccount's), the only one its Role allows.
    const args = (log: string) => ['--audit-log', log];
    let operator = await runOperator(ns, { args: args(first), leaderElect: true });
    await eventually('core has a status', async () => envStatus(await getApp(ns, 'core'), 'dev')?.desired);
    expect(depotCli(kubeconfig, ns, 'set-version', 'core', 'dev', '1.1.0').status).toBe(0);
    const app = await eventually('1.1.0 desired and on the audit log', async () => {
      const a = await getApp(ns, 'core');
      const id = a.status?.history?.[0]?.id;
      return envStatus(a, 'dev')?.desired === '1.1.0' && auditLines(first).some((l) => l.id === id) && a;
    });
    await operator.stop(); // SIGTERM: releases the lease
    operator = await runOperator(ns, { args: args(second), leaderElect: true });
    try {
      await eventually('the new operator leads', async () => operator.output().includes('became leader'));
      expect(depotCli(kubeconfig, ns, 'set-version', 'core', 'dev', '1.2.0').status).toBe(0);
      await eventually('1.2.0 on the audit log', async () =>
        auditLines(second).some((l) => l.to === '1.2.0'),
      );
      const ids = new Set(app.status!.history!.map((h) => h.id));
      expect(auditLines(second).filter((l) => ids.has(l.id as string))).toEqual([]);
    } finally {
      await operator.stop();
    }
  }, 120_000);
});

describe('reports, re-created objects and builds', () => {
  let ns: string;
  let operator: OperatorProcess;
  beforeAll(async () => {
    ns = await freshNamespace(kc, 'reports');
    await basics(ns);
    operator = await runOperator(ns);
    await eventually('core has a status', async () => envStatus(await getApp(ns, 'core'), 'prod')?.desired);
  }, 60_000);
  afterAll(async () => operator?.stop());

  test('a spec.versions key that names no environment of the application is reported, naming the key', async () => {
    await apply(ns, [
      application('typo', { environmentSets: ['default'], versions: { dev: '1.0.0', prd: '1.0.0' } }),
    ]);
    const ready = await eventually('typo reports the key', async () =>
      (await getApp(ns, 'typo')).status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'False'),
    );
    expect(ready.reason).toBe('UnknownEnvironment');
    expect(ready.message).toContain(
      'spec.versions.prd: "prd" is not one of this application\'s environments (dev, prod)',
    );
  }, 60_000);

  test('a Target moved to another environment no longer claims what it reported for the old one', async () => {
    await apply(ns, [target('mover', 'prod')]);
    await eventually('mover on core', async () => targetStatus(await getApp(ns, 'core'), 'mover'));
    expect(depotCli(kubeconfig, ns, 'set-deployed', 'core', 'mover', '1.0.0').status).toBe(0);
    await eventually('mover reports 1.0.0', async () =>
      (await getApp(ns, 'core')).status?.history?.some((h) => h.type === 'Deployed' && h.target === 'mover'),
    );
    await apply(ns, [target('mover', 'dev')]);
    const moved = await eventually('mover in dev', async () => {
      const t = targetStatus(await getApp(ns, 'core'), 'mover');
      return t?.environment === 'dev' && t;
    });
    expect(moved.deployed).toBeUndefined();
    expect(moved.deployedAt).toBeUndefined();
  }, 60_000);

  test('a Target deleted and re-created with the same content adds no history', async () => {
    const before = await getApp(ns, 'core');
    const count = before.status!.history!.filter((h) => h.target === 'prod-eu').length;
    await k.client.delete(Targets, ns, 'prod-eu');
    await eventually(
      'prod-eu gone from core',
      async () => !targetStatus(await getApp(ns, 'core'), 'prod-eu'),
    );
    await apply(ns, [target('prod-eu', 'prod')]);
    const back = await eventually('prod-eu back on core', async () => {
      const a = await getApp(ns, 'core');
      return targetStatus(a, 'prod-eu')?.delivery?.state === 'Delivered' && a;
    });
    expect(back.status!.history!.filter((h) => h.target === 'prod-eu')).toHaveLength(count);
  }, 60_000);

  test('a new build of the same version is promoted and delivered', async () => {
    expect(depotCli(kubeconfig, ns, 'set-version', 'core', 'prod', '1.3.0+b1').status).toBe(0);
    await eventually(
      '1.3.0+b1 in prod',
      async () => envStatus(await getApp(ns, 'core'), 'prod')?.desired === '1.3.0+b1',
    );
    expect(depotCli(kubeconfig, ns, 'set-version', 'core', 'dev', '1.3.0+b2').status).toBe(0);
    const a = await eventually('1.3.0+b2 in dev', async () => {
      const app = await getApp(ns, 'core');
      return envStatus(app, 'dev')?.desired === '1.3.0+b2' && app;
    });
    expect(a.status!.history!.some((h) => h.type === 'Delivered' && h.to === '1.3.0+b2')).toBe(true);
    await apply(ns, [promotion('dev-to-prod', { from: 'dev', to: 'prod', requireDeployed: false })]);
    const promoted = await eventually('1.3.0+b2 promoted over 1.3.0+b1 in prod', async () => {
      const app = await getApp(ns, 'core');
      return envStatus(app, 'prod')?.desired === '1.3.0+b2' && app;
    });
    expect(envStatus(promoted, 'prod')!.setBy).toBe('promotion dev-to-prod');
  }, 60_000);
});
