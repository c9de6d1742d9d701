// `depot why` from the planner: each reason a version is not desired or not
// deployed, on Applications whose status the Application planner computed
// (as the controller does) and Promotions the Promotion planner evaluates.
import type { Application, ApplicationSpec } from '../../api/application.js';
import type { Freeze } from '../../api/environment.js';
import type { Promotion } from '../../api/promotion.js';
import { planApplication } from '../application/plan.js';
import { namespaceCompatibility } from '../compatibility/namespace.js';
import { PROMOTION_GATES, type Gate } from '../promotion/gates.js';
import { planPromotion } from '../promotion/plan.js';
import { app, byName, env, promotion, set, target, wrote } from '../testing/builders.js';
import { explainWhy, WhyError, type WhyInput } from './why.js';

const t0 = new Date('2026-11-20T12:00:00Z');
const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);
const sets = byName(set('default', ['dev', 'staging', 'prod']));
const targets = [target('dev-1', 'dev'), target('staging-1', 'staging'), target('prod-eu', 'prod')];

/** The namespace's Applications with the status the controller computes at `at` (their previous status kept). */
function settle(
  apps: Application[],
  at: Date,
  environments = byName(env('dev'), env('staging'), env('prod')),
) {
  const compatibility = namespaceCompatibility({ applications: apps, environments, sets, now: at });
  return apps.map((a) => ({
    ...a,
    status: planApplication({
      app: a,
      environments,
      sets,
      targets,
      now: at,
      historyLimit: 100,
      compatibility,
    }).status,
  }));
}

/** The same Application with a new spec, its status kept (a later write the controller has not seen). */
const respec = (a: Application, spec: Partial<ApplicationSpec>, extra: Partial<Application> = {}) => ({
  ...a,
  ...extra,
  spec: { ...a.spec, ...spec },
});

/** Every target of `env` reports `version` deployed. */
function deployed(a: Application, env: string, version: string): Application {
  return {
    ...a,
    status: {
      ...a.status,
      targets: a.status!.targets!.map((t) => (t.environment === env ? { ...t, deployed: version } : t)),
    },
  };
}

function ask(
  a: Application,
  environment: string,
  over: Partial<WhyInput> = {},
): ReturnType<typeof explainWhy> {
  return explainWhy({
    app: a,
    environment,
    applications: [a],
    environments: byName(env('dev'), env('staging'), env('prod')),
    sets,
    promotions: [],
    now: t0,
    ...over,
  });
}

const kinds = (w: ReturnType<typeof explainWhy>) => w.reasons.map((r) => r.kind);
const reason = (w: ReturnType<typeof explainWhy>, kind: string) => {
  const r = w.reasons.find((x) => x.kind === kind);
  if (!r) throw new Error(`no ${kind} reason in ${JSON.stringify(w.reasons)}`);
  return r;
};

const stagingToProd = (spec: Partial<Parameters<typeof promotion>[1]> = {}, extra: Partial<Promotion> = {}) =>
  promotion('staging-to-prod', { from: 'staging', to: 'prod', ...spec }, extra);

/** core: 1.3.0 desired in staging, 1.2.0 requested, desired and deployed in prod. */
function coreAt(at = t0, extraSpec: Partial<ApplicationSpec> = {}): Application {
  const [core] = settle(
    [app('core', { versions: { dev: '1.3.0', staging: '1.3.0', prod: '1.2.0' }, ...extraSpec })],
    at,
  );
  return deployed(deployed(core!, 'prod', '1.2.0'), 'staging', '1.3.0');
}

describe('depot why', () => {
  test('a version desired and deployed on every target is there: exit 0, no reasons, the lines say so', () => {
    const w = ask(coreAt(), 'prod', { version: '1.2.0' });
    expect(w).toMatchObject({ present: true, requested: '1.2.0', desired: '1.2.0', reasons: [] });
    expect(w.targets).toEqual([
      { name: 'prod-eu', state: 'Delivered', deployed: '1.2.0', message: 'published (delivery: none)' },
    ]);
    expect(w.lines[0]).toBe('core 1.2.0 in prod: there');
    expect(w.lines).toContain('targets:');
  });

  test('requested vs desired; the version asked about defaults to the newest known', () => {
    const w = ask(coreAt(), 'prod');
    expect(w.version).toBe('1.3.0');
    expect(w).toMatchObject({ present: false, requested: '1.2.0', desired: '1.2.0' });
    expect(reason(w, 'notRequested').message).toBe(
      'prod requests 1.2.0, not 1.3.0, and no Promotion into prod covers core (depot set-version core prod 1.3.0)',
    );
    expect(w.lines.slice(0, 3)).toEqual([
      'core 1.3.0 in prod: not there',
      expect.stringMatching(/^requested: 1\.2\.0/),
      expect.stringMatching(/^desired: {3}1\.2\.0 \(since 2026-11-20T12:00:00\.000Z\)$/),
    ]);
  });

  test('freeze window: a requested version waits, with when the freeze ends and how to force it', () => {
    const freeze: Freeze = {
      enabled: true,
      windows: [{ schedule: '0 10 * * *', duration: '4h', timeZone: 'UTC' }],
    };
    const frozenEnvs = byName(env('dev'), env('staging'), env('prod', freeze));
    const core = coreAt(minutes(-180));
    const requested = respec(core, { versions: { ...core.spec.versions, prod: '1.3.0' } });
    const [settled] = settle([requested], t0, frozenEnvs);
    expect(settled!.status!.environments!.find((e) => e.name === 'prod')!.desired).toBe('1.2.0');
    const w = ask(settled!, 'prod', { environments: frozenEnvs, version: '1.3.0' });
    expect(kinds(w)).toEqual(['frozen']);
    expect(reason(w, 'frozen')).toEqual({
      kind: 'frozen',
      message:
        'prod is frozen until 2026-11-20T14:00:00.000Z; core 1.3.0 waits (depot set-version core prod 1.3.0 --force delivers it anyway)',
      until: '2026-11-20T14:00:00.000Z',
    });
    expect(w.lines).toContain(
      '  - frozen: prod is frozen until 2026-11-20T14:00:00.000Z; core 1.3.0 waits (depot set-version core prod 1.3.0 --force delivers it anyway) [ends 2026-11-20T14:00:00.000Z, 2h left]',
    );
  });

  test('compatibility: the rule it breaks and what would satisfy it (known versions of the required application)', () => {
    const coreApp = app('core', { versions: { dev: '1.12.0', staging: '1.11.3', prod: '1.11.3' } });
    const dashApp = app('dash', {
      versions: { dev: '1.0.0', staging: '1.0.0', prod: '1.0.0' },
      compatibility: [{ when: '>=2.0.0', requires: { application: 'core', versions: '>=1.12.0 <2.0.0' } }],
    });
    const first = settle([coreApp, dashApp], minutes(-10));
    const wants = respec(first[1]!, { versions: { dev: '1.0.0', staging: '1.0.0', prod: '2.0.0' } });
    const [core, dash] = settle([first[0]!, wants], t0);
    const w = ask(dash!, 'prod', { version: '2.0.0', applications: [core!, dash!] });
    expect(w.desired).toBe('1.0.0');
    expect(kinds(w)).toEqual(['compatibility']);
    expect(reason(w, 'compatibility').message).toBe(
      'dash 2.0.0 requires core >=1.12.0 <2.0.0; prod runs core 1.11.3: satisfied once prod runs core >=1.12.0 <2.0.0 (known: 1.12.0; depot why core prod 1.12.0)',
    );
    // The other side: core 2.0.0 would break the rule of dash 2.0.0 where dash runs it.
    const dashEverywhere = settle(
      [coreApp, { ...dashApp, spec: { ...dashApp.spec, versions: { dev: '2.0.0' } } }],
      t0,
    );
    const breaks = ask(dashEverywhere[0]!, 'dev', { version: '2.0.0', applications: dashEverywhere });
    expect(reason(breaks, 'compatibility').message).toBe(
      'core 2.0.0 breaks a rule of dash in dev: dash 2.0.0 requires core >=1.12.0 <2.0.0: satisfied once dev runs a version of dash whose rules accept core 2.0.0',
    );
  });

  test('soak: the Promotion step by name, with the time left', () => {
    const w = ask(coreAt(minutes(-20)), 'prod', { promotions: [stagingToProd({ after: '1h' })] });
    expect(reason(w, 'soak')).toEqual({
      kind: 'soak',
      message: 'Promotion staging-to-prod: soaking in staging for 1h, until 2026-11-20T12:40:00.000Z',
      until: '2026-11-20T12:40:00.000Z',
    });
    expect(w.lines).toContain(
      '  - soak: Promotion staging-to-prod: soaking in staging for 1h, until 2026-11-20T12:40:00.000Z [ends 2026-11-20T12:40:00.000Z, 40m left]',
    );
    expect(reason(w, 'notRequested').message).toBe(
      'prod requests 1.2.0, not 1.3.0; staging-to-prod would request it',
    );
  });

  test('schedule: the next run, and the planner agrees it waits for it', () => {
    const p = stagingToProd({ schedule: '0 9 * * *' }, { status: { lastRunTime: '2026-11-20T09:00:00Z' } });
    const core = coreAt();
    expect(planPromotion({ promotion: p, applications: [core], now: t0 }).results[0]).toMatchObject({
      outcome: 'Waiting',
    });
    const w = ask(core, 'prod', { promotions: [p] });
    expect(reason(w, 'schedule')).toEqual({
      kind: 'schedule',
      message: 'Promotion staging-to-prod: eligible; next scheduled run at 2026-11-21T09:00:00.000Z',
      until: '2026-11-21T09:00:00.000Z',
    });
  });

  test('approval: how many more, and who may give it (minApprovals, allowSelfApproval)', () => {
    const p = stagingToProd({
      approval: { required: true, minApprovals: 2 },
      approvals: [{ application: 'core', version: '1.3.0', approver: 'bob' }],
    });
    const w = ask(coreAt(), 'prod', { promotions: [p] });
    const r = reason(w, 'approval');
    expect(r.message).toContain('waits for 1 more approval (1 of 2 distinct approvers: bob)');
    expect(r.message).toContain('(depot approve staging-to-prod core 1.3.0)');
    expect(r.message).toContain(
      'who may approve: any user allowed to patch promotions/staging-to-prod (depot approve), 2 distinct approvers (minApprovals), not the one who first requested 1.3.0 (allowSelfApproval: false)',
    );
    const self = ask(coreAt(), 'prod', {
      promotions: [stagingToProd({ approval: { required: true, allowSelfApproval: true } })],
    });
    expect(reason(self, 'approval').message).toContain(
      '1 distinct approver (minApprovals), the one who requested it included (allowSelfApproval: true)',
    );
  });

  test('gates: each gate’s last answer from the Promotion’s status', () => {
    const p = stagingToProd(
      {
        gates: [
          { name: 'smoke', http: { url: 'https://checks.example.com/smoke' } },
          { name: 'load', http: { url: 'https://checks.example.com/load' } },
        ],
      },
      {
        status: {
          results: [
            {
              application: 'core',
              version: '1.3.0',
              outcome: 'Blocked',
              gates: [
                { name: 'smoke', result: 'Passed', message: 'ok', time: '2026-11-20T11:58:00Z' },
                {
                  name: 'load',
                  result: 'Failed',
                  message: 'HTTP 500: p99 too high',
                  time: '2026-11-20T11:59:00Z',
                },
              ],
            },
          ],
        },
      },
    );
    const w = ask(coreAt(), 'prod', { promotions: [p] });
    expect(reason(w, 'gates').message).toBe(
      'Promotion staging-to-prod: gate load failed: HTTP 500: p99 too high (asked again within 1m); last answers: smoke Passed at 2026-11-20T11:58:00Z (ok), load Failed at 2026-11-20T11:59:00Z (HTTP 500: p99 too high)',
    );
  });

  test('hold: who rolled back, and the exact command that releases it', () => {
    const [promoted] = settle(
      [app('core', { versions: { dev: '1.3.0', staging: '1.3.0', prod: '1.3.0' } })],
      minutes(-30),
    );
    const rolledBack = respec(
      promoted!,
      { versions: { dev: '1.3.0', staging: '1.3.0', prod: '1.2.0' } },
      {
        metadata: {
          ...promoted!.metadata,
          managedFields: [wrote('kubectl-edit', ['prod'], '2026-11-20T11:45:00Z')],
        },
      },
    );
    const [core] = settle([rolledBack], minutes(-10));
    const w = ask(core!, 'prod', { version: '1.3.0', promotions: [stagingToProd()] });
    const r = reason(w, 'held');
    expect(r.message).toMatch(
      /^Promotion staging-to-prod: held: .* rolled prod back from 1\.3\.0 to 1\.2\.0 at /,
    );
    expect(r.message).toContain('(release: depot release core prod)');
  });

  test('rejection: by whom and why, and how to allow it again', () => {
    const core = coreAt(t0, { rejectedVersions: [{ version: '1.3.0', reason: 'corrupts uploads' }] });
    const rejected = {
      ...core,
      metadata: {
        ...core.metadata,
        managedFields: [
          {
            manager: 'depot-reject.1.3.0.alice',
            operation: 'Apply',
            time: '2026-11-20T11:00:00Z',
            fieldsV1: { 'f:spec': { 'f:rejectedVersions': { 'k:{"version":"1.3.0"}': {} } } },
          },
        ],
      },
    } as Application;
    const w = ask(rejected, 'prod', { version: '1.3.0', promotions: [stagingToProd()] });
    expect(reason(w, 'rejected').message).toBe(
      'core 1.3.0 is rejected by alice: corrupts uploads: depot unreject core 1.3.0 to allow it (or request it with --force)',
    );
    // The Promotion's own `rejected` step says the same: it is not listed twice.
    expect(kinds(w).filter((k) => k === 'rejected')).toHaveLength(1);
  });

  test('delivery: the state per target and the last error', () => {
    const core = coreAt();
    const failing: Application = {
      ...core,
      status: {
        ...core.status,
        targets: [
          ...core.status!.targets!.filter((t) => t.environment !== 'prod'),
          {
            name: 'prod-eu',
            environment: 'prod',
            desired: '1.2.0',
            deployed: '1.1.0',
            delivery: { state: 'Failed', message: 'argocd: application prod-core not found', attempts: 3 },
          },
        ],
      },
    };
    const w = ask(failing, 'prod', { version: '1.2.0' });
    expect(w.present).toBe(false);
    expect(w.reasons).toEqual([
      {
        kind: 'delivery',
        message:
          'target prod-eu: Failed, reports 1.1.0 deployed; last: argocd: application prod-core not found',
      },
    ]);
    expect(w.targets).toEqual([
      {
        name: 'prod-eu',
        state: 'Failed',
        deployed: '1.1.0',
        message: 'argocd: application prod-core not found',
      },
    ]);
    expect(w.lines.at(-1)).toBe(
      '  - prod-eu: Failed, deployed 1.1.0 (argocd: application prod-core not found)',
    );
  });

  test('the source environment desires another version: the Promotion moves that one', () => {
    const w = ask(coreAt(), 'prod', { version: '1.2.5', promotions: [stagingToProd()] });
    expect(reason(w, 'source').message).toBe(
      'Promotion staging-to-prod moves what staging desires: 1.3.0, not 1.2.5 (depot why core staging 1.2.5)',
    );
  });

  test('reasons come from the planner’s named steps: a step added to the list shows by its name', () => {
    const verified: Gate = {
      name: 'verified',
      kind: 'eligibility',
      check: ({ candidate }) => ({
        outcome: 'Waiting',
        reason: `${candidate} is not verified in staging yet`,
      }),
    };
    const w = ask(coreAt(), 'prod', { promotions: [stagingToProd()], gates: [...PROMOTION_GATES, verified] });
    expect(reason(w, 'verified').message).toBe(
      'Promotion staging-to-prod: 1.3.0 is not verified in staging yet',
    );
    // Without any step stopping it, the version moves at the next evaluation.
    expect(kinds(ask(coreAt(), 'prod', { promotions: [stagingToProd()] }))).toEqual([
      'notRequested',
      'pending',
    ]);
  });

  test('a suspended Promotion says so', () => {
    const w = ask(coreAt(), 'prod', { promotions: [stagingToProd({ suspend: true })] });
    expect(reason(w, 'suspended').message).toBe(
      'Promotion staging-to-prod is suspended (spec.suspend: true)',
    );
  });

  test('a Promotion that is not Ready says why (its condition)', () => {
    const p = stagingToProd(
      {},
      {
        status: {
          conditions: [
            {
              type: 'Ready',
              status: 'False',
              reason: 'PromotionCycle',
              message: 'a → b → a: nothing is promoted',
              lastTransitionTime: '2026-11-20T11:00:00Z',
            },
          ],
        },
      },
    );
    expect(reason(ask(coreAt(), 'prod', { promotions: [p] }), 'promotionNotReady').message).toBe(
      'Promotion staging-to-prod is not ready (PromotionCycle): a → b → a: nothing is promoted',
    );
  });

  test('requested and held back by nothing now: the operator has not decided yet, or its last decision', () => {
    const core = coreAt();
    const requested = respec(core, { versions: { ...core.spec.versions, prod: '1.3.0' } });
    expect(ask(requested, 'prod', { version: '1.3.0' }).reasons).toEqual([
      {
        kind: 'pending',
        message: 'prod requests 1.3.0 and nothing holds it back: the operator has not made it desired yet',
      },
    ]);
  });

  test('an unknown environment or a version the scheme cannot have is an error, not an answer', () => {
    expect(() => ask(coreAt(), 'qa')).toThrow(
      new WhyError('notFound', 'qa is not an environment of core (dev, staging, prod)'),
    );
    expect(() => ask(coreAt(), 'prod', { version: 'latest' })).toThrow(
      '"latest" is not a semver version of core',
    );
  });
});
