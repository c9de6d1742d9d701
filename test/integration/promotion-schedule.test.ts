// Scheduled promotions on the real control plane: time spent suspended
// accumulates no runs. The built operator runs as a process; the schedule is
// every minute (the shortest a 5-field cron allows).
import type { Application } from '../../src/api/application.js';
import type { Promotion } from '../../src/api/promotion.js';
import { nextRun } from '../../src/core/schedule.js';
import { promotionManager, type ManagedFieldsEntry } from '../../src/core/field-managers.js';
import { application, promotion } from '../kit/objects.js';
import { environments } from '../kit/topologies.js';
import { cluster, depotResource } from '../kit/cluster.js';
import { runOperator } from '../kit/operator.js';
import type { OperatorProcess } from '../kit/operator-process.js';
import { eventually } from '../kit/eventually.js';
import { freshNamespace } from '../controlplane/env.js';

const k = cluster();
const { kc } = k;
const EVERY_MINUTE = '* * * * *';

const get = <T>(ns: string, plural: string, name: string): Promise<T> =>
  k.read<T>(depotResource(plural), ns, name);

/** Waits (does not assert) until the wall clock satisfies `ok`. */
async function clockUntil(what: string, ok: (now: Date) => boolean): Promise<void> {
  await eventually(what, async () => ok(new Date()), 150_000, 200);
}

describe('a scheduled promotion suspended across a scheduled time', () => {
  let ns: string;
  let operator: OperatorProcess;
  const stagingToProd = (suspend: boolean) =>
    promotion('staging-to-prod', {
      from: 'staging',
      to: 'prod',
      schedule: EVERY_MINUTE,
      requireDeployed: false,
      suspend,
    });
  beforeAll(async () => {
    ns = await freshNamespace(kc, 'resume');
    await k.apply(ns, [
      ...environments(['staging', 'prod']),
      ...['app-0', 'app-1'].map((name) =>
        application(name, {
          environmentSets: ['default'],
          versions: { staging: '1.1.0', prod: '1.0.0' },
        }),
      ),
      stagingToProd(true),
    ]);
    operator = await runOperator(ns);
  });
  afterAll(async () => operator?.stop());

  test('does not promote when resumed, only at the next scheduled time; once', async () => {
    const suspended = await eventually('the promotion is seen suspended', async () => {
      const p = await get<Promotion>(ns, 'promotions', 'staging-to-prod');
      return p.status?.conditions?.some((c) => c.type === 'Ready' && c.reason === 'Suspended') && p;
    });
    // A scheduled time passes while suspended; resume early in a later minute.
    const missed = nextRun(EVERY_MINUTE, 'UTC', new Date(suspended.metadata.creationTimestamp!));
    await clockUntil(
      'a scheduled time has passed while suspended',
      (now) =>
        now.getTime() > missed.getTime() + 1000 && now.getUTCSeconds() >= 2 && now.getUTCSeconds() < 40,
    );
    for (const name of ['app-0', 'app-1'])
      expect((await get<Application>(ns, 'applications', name)).spec.versions?.prod).toBe('1.0.0');

    const resumedAt = new Date();
    await k.apply(ns, [stagingToProd(false)]);
    const firstRun = nextRun(EVERY_MINUTE, 'UTC', resumedAt);

    const promoted = await eventually(
      'the promotion at the next scheduled time',
      async () => {
        const apps = await Promise.all(
          ['app-0', 'app-1'].map((name) => get<Application>(ns, 'applications', name)),
        );
        return apps.every((a) => a.spec.versions?.prod === '1.1.0') && apps;
      },
      150_000,
      1000,
    );
    const manager = promotionManager('staging-to-prod', 'prod');
    for (const app of promoted) {
      // The API server stamps each write of the promotion's field manager: none before the scheduled time.
      const write = (app.metadata.managedFields as ManagedFieldsEntry[]).find((m) => m.manager === manager);
      expect(write?.time).toBeDefined();
      expect(new Date(write!.time!).getTime()).toBeGreaterThanOrEqual(firstRun.getTime());
    }
    const after = await eventually('the run is recorded', async () => {
      const p = await get<Promotion>(ns, 'promotions', 'staging-to-prod');
      return p.status?.lastRunTime !== undefined && p;
    });
    expect(new Date(after.status!.lastRunTime!).getTime()).toBeGreaterThanOrEqual(firstRun.getTime());
    // The status says why: the resume, after the scheduled time that passed while suspended.
    expect(Date.parse(after.status!.lastResumeTime!)).toBeGreaterThanOrEqual(resumedAt.getTime());

    await eventually('both applications record the promotion', async () => {
      const apps = await Promise.all(
        ['app-0', 'app-1'].map((name) => get<Application>(ns, 'applications', name)),
      );
      return apps.every((a) =>
        a.status?.environments?.some((e) => e.name === 'prod' && e.desired === '1.1.0'),
      );
    });
    for (const name of ['app-0', 'app-1']) {
      const app = await get<Application>(ns, 'applications', name);
      expect(app.status!.history!.filter((h) => h.type === 'Promoted')).toHaveLength(1);
    }
  }, 360_000);
});
