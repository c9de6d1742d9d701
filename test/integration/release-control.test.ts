// Release control end to end with the built operator and CLI: a rollback (by
// `depot rollback` or a plain patch) holds the Promotion until a fix is
// eligible; a person's write racing a Promotion's is never overwritten; a
// rejected version never reaches prod and environments running it are
// flagged; an approval-gated Promotion promotes only after `depot approve`.
import { setTimeout as sleep } from 'node:timers/promises';
import { EventsV1Api, type KubernetesObject } from '@kubernetes/client-node';
import type { Promotion } from '../../src/api/promotion.js';
import { Applications, Promotions } from '../../src/api/resources.js';
import { DepotClient } from '../../src/client/depot-client.js';
import { testClient, type TestClient } from '../kit/test-client.js';
import { application, promotion } from '../kit/objects.js';
import { environments } from '../kit/topologies.js';
import { cluster, envStatus } from '../kit/cluster.js';
import { runOperator } from '../kit/operator.js';
import { depotCli, type OperatorProcess } from '../kit/operator-process.js';
import { eventually } from '../kit/eventually.js';
import { freshNamespace } from '../controlplane/env.js';

const k = cluster();
const { kc } = k;
const kubeconfig = process.env.DEPOT_TEST_KUBECONFIG!;
const getApp = k.app;
const getPromotion = (ns: string, name: string) => k.read<Promotion>(Promotions, ns, name);

const result = (p: Promotion, app: string) => p.status?.results?.find((r) => r.application === app);

/** staging → prod with a Target each, `apps` at 1.1.0 in both, and the given Promotion. */
async function setup(ns: string, apps: string[], gate: KubernetesObject): Promise<void> {
  await k.apply(ns, [
    ...environments(['staging', 'prod'], { targets: { 'staging-1': 'staging', 'prod-1': 'prod' } }),
    ...apps.map((name) =>
      application(name, {
        environmentSets: ['default'],
        versions: { staging: '1.1.0', prod: '1.1.0' },
      }),
    ),
    gate,
  ]);
}

/** A plain merge patch of spec.versions, as `kubectl patch` sends it (its default field manager). */
async function kubectlPatch(tc: TestClient, ns: string, app: string, env: string, version: string) {
  return tc.client.patch(
    Applications,
    ns,
    app,
    { spec: { versions: { [env]: version } } },
    { type: 'merge', fieldManager: 'kubectl-patch' },
  );
}

function cli(ns: string, ...args: string[]) {
  return depotCli(kubeconfig, ns, ...args);
}

/** Bad input: one line on stderr, exit code 1. */
function expectOneLineError(res: ReturnType<typeof cli>, text: string): void {
  expect(res.status).toBe(1);
  expect(res.stderr.trim().split('\n')).toHaveLength(1);
  expect(res.stderr).toContain(text);
}

let user: string;
beforeAll(async () => {
  const client = DepotClient.forKubeConfig(kc, 'default');
  user = await client.userName();
  await client.close();
}, 120_000);

describe('a rollback holds the Promotion', () => {
  let ns: string;
  let operator: OperatorProcess;
  let tc: TestClient;
  beforeAll(async () => {
    ns = await freshNamespace(kc, 'hold');
    tc = testClient(kc);
    await setup(
      ns,
      ['core', 'dash'],
      promotion('to-prod', { from: 'staging', to: 'prod', requireDeployed: false }),
    );
    operator = await runOperator(ns);
  }, 120_000);
  afterAll(async () => {
    await operator?.stop();
    await tc?.close();
  }, 120_000);

  test('rolled back by depot rollback and by kubectl patch: 1.2.0 is not promoted again for 60 s; 1.2.1 is', async () => {
    for (const app of ['core', 'dash'])
      expect(cli(ns, 'set-version', app, 'staging', '1.2.0').status).toBe(0);
    await eventually('1.2.0 promoted to prod', async () => {
      const apps = await Promise.all(['core', 'dash'].map((a) => getApp(ns, a)));
      return apps.every((a) => envStatus(a, 'prod')?.desired === '1.2.0');
    });

    // Bad input first: nothing to roll back to further than the history holds.
    expectOneLineError(cli(ns, 'rollback', 'core', 'prd'), 'prd is not an environment of core');
    expectOneLineError(cli(ns, 'release', 'core', 'prod'), 'core has no hold in prod');

    const rb = cli(ns, 'rollback', 'core', 'prod', '--reason', 'checkout errors');
    expect(rb.stderr).toBe('');
    expect(rb.stdout).toBe('core: prod rolled back from 1.2.0 to 1.1.0\n');
    await kubectlPatch(tc, ns, 'dash', 'prod', '1.1.0');

    const held = await eventually('both held', async () => {
      const p = await getPromotion(ns, 'to-prod');
      return ['core', 'dash'].every((a) => result(p, a)?.outcome === 'Held') && p;
    });
    expect(held.status!.holds!.map((h) => [h.application, h.version, h.rolledBackTo, h.by])).toEqual([
      ['core', '1.2.0', '1.1.0', user],
      // Who rolled back as authenticated (the admission stamp), not the field manager kubectl-patch.
      ['dash', '1.2.0', '1.1.0', user],
    ]);
    expect(result(held, 'core')!.reason).toContain('depot release core prod');
    const got = cli(ns, 'get', 'promotions');
    expect(got.stdout).toContain(`core@1.2.0 (by ${user})`);
    expect(got.stdout).toContain(`dash@1.2.0 (by ${user})`);

    const core = await eventually('the RolledBack entry', async () => {
      const a = await getApp(ns, 'core');
      return a.status?.history?.some((h) => h.type === 'RolledBack') && a;
    });
    expect(core.status!.history!.find((h) => h.type === 'RolledBack')).toMatchObject({
      environment: 'prod',
      from: '1.2.0',
      to: '1.1.0',
      actor: user,
      message: 'prod rolled back from 1.2.0 to 1.1.0: checkout errors',
    });

    // For 60 s the Promotion does not promote 1.2.0 again (a new event on the way, too).
    expect(cli(ns, 'set-deployed', 'core', 'staging-1', '1.2.0').status).toBe(0);
    const until = Date.now() + 60_000;
    while (Date.now() < until) {
      const apps = await Promise.all(['core', 'dash'].map((a) => getApp(ns, a)));
      for (const a of apps) {
        expect(a.spec.versions!.prod).toBe('1.1.0');
        expect(envStatus(a, 'prod')!.desired).toBe('1.1.0');
      }
      await sleep(2000);
    }

    // The fix becomes eligible: promoted, and the holds end.
    for (const app of ['core', 'dash'])
      expect(cli(ns, 'set-version', app, 'staging', '1.2.1').status).toBe(0);
    await eventually('1.2.1 promoted to prod', async () => {
      const apps = await Promise.all(['core', 'dash'].map((a) => getApp(ns, a)));
      return apps.every((a) => envStatus(a, 'prod')?.desired === '1.2.1');
    });
    const after = await eventually('holds ended', async () => {
      const p = await getPromotion(ns, 'to-prod');
      return (p.status?.holds ?? []).length === 0 && p;
    });
    expect(result(after, 'core')!.outcome).toBe('UpToDate');
  }, 150_000);

  test('depot release ends a hold at once', async () => {
    // The previous desired version of prod (1.1.0 → 1.2.0 → 1.1.0 → 1.2.1) older than 1.2.1.
    expect(cli(ns, 'rollback', 'core', 'prod').stdout).toBe('core: prod rolled back from 1.2.1 to 1.1.0\n');
    await eventually(
      'held',
      async () => result(await getPromotion(ns, 'to-prod'), 'core')?.outcome === 'Held',
    );
    const rel = cli(ns, 'release', 'core', 'prod');
    expect(rel.stderr).toBe('');
    expect(rel.stdout).toBe('core: released the hold on 1.2.1 in prod\n');
    await eventually(
      'promoted again',
      async () => envStatus(await getApp(ns, 'core'), 'prod')?.desired === '1.2.1',
    );
  }, 60_000);
});

describe("a person's write racing a Promotion's write", () => {
  const RUNS = 50;
  const apps = Array.from({ length: RUNS }, (_, i) => `race-${i}`);
  let ns: string;
  let operator: OperatorProcess;
  let tc: TestClient;
  beforeAll(async () => {
    ns = await freshNamespace(kc, 'race');
    tc = testClient(kc);
    await setup(ns, apps, promotion('to-prod', { from: 'staging', to: 'prod', requireDeployed: false }));
    operator = await runOperator(ns);
    await eventually('every status', async () => {
      const all = await Promise.all(apps.map((a) => getApp(ns, a)));
      return all.every((a) => envStatus(a, 'prod')?.desired === '1.1.0');
    });
  }, 120_000);
  afterAll(async () => {
    await operator?.stop();
    await tc?.close();
  }, 120_000);

  test('is never overwritten (50 runs, the person writing at varied moments around the promotion)', async () => {
    let promotedFirst = 0;
    for (let i = 0; i < RUNS; i++) {
      const app = apps[i]!;
      // CI puts 1.2.0 into staging (the Promotion moves it to prod at once); a person
      // meanwhile puts the hotfix 1.3.0 into prod, a little later each run.
      await Promise.all([
        tc.client.patch(
          Applications,
          ns,
          app,
          { spec: { versions: { staging: '1.2.0' } } },
          { type: 'merge', fieldManager: 'ci' },
        ),
        sleep((i % 10) * 15).then(() => kubectlPatch(tc, ns, app, 'prod', '1.3.0')),
      ]);
    }
    // Every Promotion decision about them ends Blocked (1.2.0 is older than prod's 1.3.0);
    // one still UpToDate after a minute overwrote the person's 1.3.0.
    let p = await getPromotion(ns, 'to-prod');
    const notBlocked = () => apps.filter((a) => result(p, a)?.outcome !== 'Blocked');
    for (const until = Date.now() + 60_000; notBlocked().length > 0 && Date.now() < until;) {
      await sleep(500);
      p = await getPromotion(ns, 'to-prod');
    }
    expect(notBlocked().map((a) => `${a} ${result(p, a)?.outcome ?? 'not evaluated'}`)).toEqual([]);
    expect(result(p, apps[0]!)!.reason).toContain('downgrades are promoted only by hand');
    for (const name of apps) {
      const a = await getApp(ns, name);
      expect(a.spec.versions!.prod).toBe('1.3.0');
      if (a.status?.history?.some((h) => h.type === 'Promoted' && h.to === '1.2.0')) promotedFirst++;
    }
    // Not asserted (timing): how often the Promotion's write landed before the person's.
    process.stdout.write(
      `race: ${promotedFirst}/${RUNS} promoted before the person's write; conflicts re-planned: ${
        (operator.output().match(/planning again instead of overwriting/g) ?? []).length
      }\n`,
    );
  }, 240_000);
});

describe('rejecting a version', () => {
  let ns: string;
  let operator: OperatorProcess;
  beforeAll(async () => {
    ns = await freshNamespace(kc, 'reject');
    await setup(
      ns,
      ['core'],
      promotion('to-prod', { from: 'staging', to: 'prod', after: '15s', requireDeployed: false }),
    );
    operator = await runOperator(ns);
    await eventually('status', async () => envStatus(await getApp(ns, 'core'), 'prod')?.desired === '1.1.0');
  }, 120_000);
  afterAll(async () => operator?.stop());

  test('1.3.0 rejected while it soaks in staging never reaches prod; staging is flagged', async () => {
    expect(cli(ns, 'set-version', 'core', 'staging', '1.3.0').status).toBe(0);
    await eventually(
      'soaking',
      async () => result(await getPromotion(ns, 'to-prod'), 'core')?.outcome === 'Waiting',
    );

    const before = await getApp(ns, 'core');
    expectOneLineError(
      cli(ns, 'rollback', 'core', 'prod'),
      'no earlier version of core in the history of prod to roll back to (it runs 1.1.0): pass --to VERSION',
    );
    expectOneLineError(
      cli(ns, 'reject', 'core', 'not.a.version', '--reason', 'x'),
      '"not.a.version" is not a semver version',
    );
    expect((await getApp(ns, 'core')).metadata.resourceVersion).toBe(before.metadata.resourceVersion);

    const rej = cli(ns, 'reject', 'core', '1.3.0', '--reason', 'corrupts uploads');
    expect(rej.stderr).toBe('');
    expect(rej.stdout).toBe('core: 1.3.0 rejected\n');

    const flagged = await eventually('staging flagged', async () => {
      const a = await getApp(ns, 'core');
      return a.status?.conditions?.some((c) => c.type === 'Rejected' && c.status === 'True') && a;
    });
    expect(flagged.status!.conditions!.find((c) => c.type === 'Rejected')!.message).toContain(
      `staging runs 1.3.0, rejected by ${user}: corrupts uploads`,
    );
    expect(flagged.status!.history!.find((h) => h.type === 'Rejected')).toMatchObject({
      to: '1.3.0',
      actor: user,
    });
    expect(cli(ns, 'get', 'applications').stdout).toMatch(/1\.3\.0 REJECTED/);
    await eventually('a Warning Event', async () => {
      const events = await kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: ns });
      return events.items.some(
        (e) => e.type === 'Warning' && e.reason === 'RejectedVersionRunning' && e.regarding?.name === 'core',
      );
    });

    // Past the soak time: Blocked, never promoted.
    const blocked = await eventually(
      'blocked by the rejection',
      async () => {
        const p = await getPromotion(ns, 'to-prod');
        return result(p, 'core')?.outcome === 'Blocked' && p;
      },
      60_000,
    );
    expect(result(blocked, 'core')!.reason).toBe(`rejected by ${user}: corrupts uploads`);
    await sleep(20_000);
    expect((await getApp(ns, 'core')).spec.versions!.prod).toBe('1.1.0');

    // A new request of it is blocked (unless forced).
    expect(cli(ns, 'set-version', 'core', 'prod', '1.3.0').status).toBe(0);
    const req = await eventually('request blocked', async () => {
      const a = await getApp(ns, 'core');
      return envStatus(a, 'prod')?.blocked?.reason === 'Rejected' && a;
    });
    expect(envStatus(req, 'prod')!.desired).toBe('1.1.0');
    expect(cli(ns, 'set-version', 'core', 'prod', '1.1.0').status).toBe(0);

    // compat leaves it out.
    const compat = cli(ns, 'compat', 'core', '--env', 'prod');
    expect(compat.stdout.split('\n')).not.toContain('1.3.0');

    // Unreject: recorded with the actor.
    expectOneLineError(cli(ns, 'unreject', 'core', '1.4.0'), '1.4.0 of core is not rejected');
    expect(cli(ns, 'unreject', 'core', '1.3.0').stdout).toBe('core: 1.3.0 no longer rejected\n');
    const un = await eventually('Unrejected', async () => {
      const a = await getApp(ns, 'core');
      return a.status?.history?.some((h) => h.type === 'Unrejected') && a;
    });
    expect(un.status!.history!.find((h) => h.type === 'Unrejected')).toMatchObject({
      to: '1.3.0',
      actor: user,
    });

    // Someone rolls staging back on purpose, rejecting 1.3.0 again on the way: the flag clears.
    const rb = cli(ns, 'rollback', 'core', 'staging', '--reject', '--reason', 'corrupts uploads');
    expect(rb.stderr).toBe('');
    expect(rb.stdout).toBe('core: staging rolled back from 1.3.0 to 1.1.0 (1.3.0 rejected)\n');
    const cleared = await eventually('flag cleared', async () => {
      const a = await getApp(ns, 'core');
      return (
        a.status?.conditions?.some((c) => c.type === 'Rejected' && c.status === 'False') &&
        envStatus(a, 'staging')?.desired === '1.1.0' &&
        a
      );
    });
    // Who rejected it, stamped at admission (Depot's policies) as the API server authenticated them.
    expect(cleared.spec.rejectedVersions).toEqual([
      { version: '1.3.0', reason: 'corrupts uploads', rejectedBy: user },
    ]);
    expect(cleared.status!.history!.find((h) => h.type === 'RolledBack')).toMatchObject({
      environment: 'staging',
      from: '1.3.0',
      to: '1.1.0',
      actor: user,
    });
  }, 150_000);
});

describe('an approval gate', () => {
  let ns: string;
  let operator: OperatorProcess;
  beforeAll(async () => {
    ns = await freshNamespace(kc, 'approve');
    await setup(
      ns,
      ['core'],
      promotion('to-prod', {
        from: 'staging',
        to: 'prod',
        requireDeployed: false,
        // The same test user requests and approves (four eyes: four-eyes.test.ts).
        approval: { required: true, allowSelfApproval: true },
      }),
    );
    operator = await runOperator(ns);
    await eventually('status', async () => envStatus(await getApp(ns, 'core'), 'prod')?.desired === '1.1.0');
  }, 120_000);
  afterAll(async () => operator?.stop());

  test('promotes only after depot approve, and the history names the approver', async () => {
    expect(cli(ns, 'set-version', 'core', 'staging', '1.2.0').status).toBe(0);
    const waiting = await eventually('waiting for approval', async () => {
      const p = await getPromotion(ns, 'to-prod');
      return result(p, 'core')?.reason?.startsWith('ApprovalRequired') && p;
    });
    expect(result(waiting, 'core')).toMatchObject({ outcome: 'Waiting', version: '1.2.0' });
    expect(cli(ns, 'get', 'promotions').stdout).toContain('core@1.2.0');

    const before = await getPromotion(ns, 'to-prod');
    expectOneLineError(
      cli(ns, 'approve', 'to-prod', 'core', '1.1.9'),
      'core 1.1.9 is not waiting for approval',
    );
    expectOneLineError(cli(ns, 'approve', 'to-prod', 'dash'), 'does not cover dash');
    expect((await getPromotion(ns, 'to-prod')).metadata!.resourceVersion).toBe(
      before.metadata!.resourceVersion,
    );
    await sleep(3000);
    expect((await getApp(ns, 'core')).spec.versions!.prod).toBe('1.1.0');

    const ok = cli(ns, 'approve', 'to-prod', 'core');
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toBe(
      `to-prod: ${user} approved core 1.2.0; approved by ${user}; enough approvals to promote\n`,
    );
    const promoted = await eventually('promoted', async () => {
      const a = await getApp(ns, 'core');
      return a.status?.history?.some((h) => h.type === 'Promoted' && h.to === '1.2.0') && a;
    });
    expect(promoted.status!.history!.find((h) => h.type === 'Promoted')).toMatchObject({
      environment: 'prod',
      to: '1.2.0',
      actor: 'promotion to-prod',
      message: `prod requested 1.2.0 (was 1.1.0), approved by ${user}`,
    });
    expect((await getPromotion(ns, 'to-prod')).spec.approvals).toEqual([
      { application: 'core', version: '1.2.0', approver: user },
    ]);
  }, 90_000);
});
