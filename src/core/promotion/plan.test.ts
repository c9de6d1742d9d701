import type { Application } from '../../api/application.js';
import type { Promotion } from '../../api/promotion.js';
import { planApplication } from '../application/plan.js';
import { namespaceCompatibility } from '../compatibility/namespace.js';
import { app, byName, env, promotion, set, target } from '../testing/builders.js';
import { planPromotion } from './plan.js';

const t0 = new Date('2026-11-20T12:00:00Z');
const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);

/** An application with its status computed as the controller would at `at`. */
function settled(a: Application, at: Date, deployed?: Record<string, string>): Application {
  const status = planApplication({
    app: a,
    environments: byName(env('dev'), env('staging'), env('prod')),
    sets: byName(set('default', ['dev', 'staging', 'prod'])),
    targets: [target('dev-1', 'dev'), target('staging-1', 'staging'), target('prod-1', 'prod')],
    now: at,
    historyLimit: 100,
  }).status;
  for (const t of status.targets ?? []) if (deployed?.[t.name]) t.deployed = deployed[t.name];
  return { ...a, status };
}

const devToStaging = (extra: Partial<Promotion['spec']> = {}) =>
  promotion('dev-to-staging', { from: 'dev', to: 'staging', ...extra });

describe('planPromotion', () => {
  test('promotes once the soak time has passed, and waits before', () => {
    const core = settled(app('core', { versions: { dev: '1.2.0', staging: '1.1.0' } }), t0);
    const waiting = planPromotion({
      promotion: devToStaging({ after: '10m' }),
      applications: [core],
      now: minutes(5),
    });
    expect(waiting.results).toEqual([
      {
        application: 'core',
        version: '1.2.0',
        outcome: 'Waiting',
        reason: 'soaking in dev for 10m, until 2026-11-20T12:10:00.000Z',
      },
    ]);
    expect(waiting.writes).toEqual([]);
    expect(waiting.requeueAt).toEqual(minutes(10));

    const promoted = planPromotion({
      promotion: devToStaging({ after: '10m' }),
      applications: [core],
      now: minutes(10),
    });
    expect(promoted.results[0]).toMatchObject({ outcome: 'Promoted', version: '1.2.0' });
    expect(promoted.writes).toEqual([{ application: 'core', version: '1.2.0' }]);
  });

  test('an application already at the version is UpToDate (a restart after the write promotes nothing again)', () => {
    const core = settled(app('core', { versions: { dev: '1.2.0', staging: '1.2.0' } }), t0);
    const plan = planPromotion({ promotion: devToStaging(), applications: [core], now: minutes(1) });
    expect(plan.results[0]!.outcome).toBe('UpToDate');
    expect(plan.writes).toEqual([]);
  });

  test('requireDeployed waits for every target of from to report the version', () => {
    const core = settled(app('core', { versions: { dev: '1.2.0' } }), t0);
    const p = devToStaging({ requireDeployed: true });
    expect(planPromotion({ promotion: p, applications: [core], now: minutes(1) }).results[0]).toMatchObject({
      outcome: 'Waiting',
      reason: 'waiting for 1.2.0 to be reported deployed on dev-1 (reports nothing)',
    });
    const deployed = settled(app('core', { versions: { dev: '1.2.0' } }), t0, { 'dev-1': '1.2.0' });
    expect(
      planPromotion({ promotion: p, applications: [deployed], now: minutes(1) }).results[0]!.outcome,
    ).toBe('Promoted');
  });

  test('requireDeployed with no target in from promotes nothing and says how to change it', () => {
    const status = planApplication({
      app: app('core', { versions: { dev: '1.2.0', staging: '1.1.0' } }),
      environments: byName(env('dev'), env('staging'), env('prod')),
      sets: byName(set('default', ['dev', 'staging', 'prod'])),
      targets: [target('staging-1', 'staging')],
      now: t0,
      historyLimit: 100,
    }).status;
    const core = { ...app('core', { versions: { dev: '1.2.0', staging: '1.1.0' } }), status };
    const required = planPromotion({
      promotion: devToStaging({ requireDeployed: true }),
      applications: [core],
      now: minutes(1),
    });
    expect(required.results).toEqual([
      {
        application: 'core',
        version: '1.2.0',
        outcome: 'Waiting',
        reason:
          'dev has no Target, so nothing can report 1.2.0 deployed; add a Target to dev or set requireDeployed: false',
      },
    ]);
    expect(required.writes).toEqual([]);
    const notRequired = planPromotion({
      promotion: devToStaging({ requireDeployed: false }),
      applications: [core],
      now: minutes(1),
    });
    expect(notRequired.writes).toEqual([{ application: 'core', version: '1.2.0' }]);
  });

  test('allow limits the semver step; downgrades are never automatic', () => {
    const minor = settled(app('core', { versions: { dev: '1.3.0', staging: '1.2.0' } }), t0);
    const plan = planPromotion({
      promotion: devToStaging({ allow: ['patch'] }),
      applications: [minor],
      now: minutes(1),
    });
    expect(plan.results[0]).toMatchObject({
      outcome: 'Blocked',
      reason: '1.2.0 → 1.3.0 is a minor step; spec.allow permits patch',
    });
    const down = settled(app('core', { versions: { dev: '1.1.0', staging: '1.2.0' } }), t0);
    expect(
      planPromotion({ promotion: devToStaging(), applications: [down], now: minutes(1) }).results[0]!.outcome,
    ).toBe('Blocked');
  });

  test('opaque versions are promoted on any change, but refuse spec.allow with a clear reason', () => {
    const model = settled(
      app('model', { versionScheme: 'opaque', versions: { dev: 'resnet-b', staging: 'resnet-a' } }),
      t0,
    );
    expect(
      planPromotion({ promotion: devToStaging(), applications: [model], now: minutes(1) }).writes,
    ).toEqual([{ application: 'model', version: 'resnet-b' }]);
    expect(
      planPromotion({ promotion: devToStaging({ allow: ['patch'] }), applications: [model], now: minutes(1) })
        .results[0],
    ).toMatchObject({
      outcome: 'Blocked',
      reason: expect.stringContaining('spec.allow needs semantic versions; model uses versionScheme opaque'),
    });
  });

  test('the selector and the two environments decide which applications are covered', () => {
    const labelled = settled(app('core', { versions: { dev: '1.0.0' } }), t0);
    labelled.metadata.labels = { tier: 'backend' };
    const other = settled(app('web', { versions: { dev: '1.0.0' } }), t0);
    const devOnly = settled(
      app('tool', { environmentSets: [], environments: [{ name: 'dev' }], versions: { dev: '1.0.0' } }),
      t0,
    );
    const plan = planPromotion({
      promotion: devToStaging({ selector: { matchLabels: { tier: 'backend' } } }),
      applications: [labelled, other, devOnly],
      now: minutes(1),
    });
    expect(plan.results.map((r) => r.application)).toEqual(['core']);
  });

  describe('schedule', () => {
    const daily9 = (lastRunTime?: string) =>
      promotion(
        'staging-to-prod',
        { from: 'staging', to: 'prod', schedule: '0 9 * * *', timeZone: 'Europe/Berlin' },
        lastRunTime ? { status: { lastRunTime } } : {},
      );
    const core = settled(
      app('core', { versions: { staging: '1.2.0', prod: '1.1.0' } }),
      new Date('2026-11-19T00:00:00Z'),
    );

    test('eligible versions wait for the next scheduled time', () => {
      const plan = planPromotion({
        promotion: daily9('2026-11-20T08:00:00Z'),
        applications: [core],
        now: new Date('2026-11-20T12:00:00Z'),
      });
      expect(plan.ran).toBe(false);
      expect(plan.results[0]).toMatchObject({
        outcome: 'Waiting',
        reason: 'eligible; next scheduled run at 2026-11-21T08:00:00.000Z',
      });
      expect(plan.requeueAt).toEqual(new Date('2026-11-21T08:00:00Z'));
    });

    test('at the scheduled time they are promoted and the next run is computed', () => {
      const plan = planPromotion({
        promotion: daily9('2026-11-20T08:00:00Z'),
        applications: [core],
        now: new Date('2026-11-21T08:00:00Z'),
      });
      expect(plan.ran).toBe(true);
      expect(plan.writes).toEqual([{ application: 'core', version: '1.2.0' }]);
      expect(plan.nextRunTime).toEqual(new Date('2026-11-22T08:00:00Z'));
    });

    describe('with spec.gates, a candidate asked at a scheduled run keeps that run until its gates answer', () => {
      const gated = promotion(
        'staging-to-prod',
        {
          from: 'staging',
          to: 'prod',
          schedule: '0 9 * * *',
          timeZone: 'Europe/Berlin',
          gates: [{ name: 'smoke', http: { url: 'http://127.0.0.1:9/smoke' } }],
        },
        { status: { lastRunTime: '2026-11-21T08:00:00Z' } },
      );
      const answered =
        (result: 'Passed' | 'Failed', version = '1.2.0') =>
        (application: string, v: string) =>
          application === 'core' && v === version
            ? { result, message: result.toLowerCase(), time: '2026-11-21T08:00:01Z' }
            : undefined;

      test('the run asks the gates; their pass a second later promotes, not the next day', () => {
        const atRun = planPromotion({
          promotion: { ...gated, status: {} },
          applications: [core],
          now: new Date('2026-11-21T08:00:00Z'),
          gateAnswers: () => undefined,
        });
        expect(atRun.gateAsks).toEqual([{ application: 'core', version: '1.2.0', current: '1.1.0' }]);
        const after = planPromotion({
          promotion: gated,
          applications: [core],
          now: new Date('2026-11-21T08:00:02Z'),
          gateAnswers: answered('Passed'),
        });
        expect(after.ran).toBe(false);
        expect(after.writes).toEqual([{ application: 'core', version: '1.2.0' }]);
      });

      test('after a restart (no kept answers) a candidate the status shows asked at the run is asked again', () => {
        const asked = {
          ...gated,
          status: {
            lastRunTime: '2026-11-21T08:00:00Z',
            results: [
              {
                application: 'core',
                version: '1.2.0',
                outcome: 'Waiting' as const,
                reason: 'gate smoke is pending',
                gates: [
                  {
                    name: 'smoke',
                    result: 'Pending' as const,
                    message: 'pending',
                    time: '2026-11-21T08:00:01Z',
                  },
                ],
              },
            ],
          },
        };
        const plan = planPromotion({
          promotion: asked,
          applications: [core],
          now: new Date('2026-11-21T09:00:00Z'),
          gateAnswers: () => undefined,
        });
        expect(plan.gateAsks).toEqual([{ application: 'core', version: '1.2.0', current: '1.1.0' }]);
      });

      test('a failed gate is asked again between runs; a candidate never asked waits for the next run', () => {
        const failed = planPromotion({
          promotion: gated,
          applications: [core],
          now: new Date('2026-11-21T09:00:00Z'),
          gateAnswers: answered('Failed'),
        });
        expect(failed.results[0]).toMatchObject({ outcome: 'Blocked' });
        expect(failed.gateAsks).toHaveLength(1);
        const neverAsked = planPromotion({
          promotion: gated,
          applications: [core],
          now: new Date('2026-11-21T09:00:00Z'),
          gateAnswers: answered('Passed', '1.1.9'),
        });
        expect(neverAsked.writes).toEqual([]);
        expect(neverAsked.gateAsks).toEqual([]);
        expect(neverAsked.results[0]).toMatchObject({
          outcome: 'Waiting',
          reason: 'eligible; next scheduled run at 2026-11-22T08:00:00.000Z',
        });
      });
    });

    test('several missed runs (operator down for days) run once', () => {
      const plan = planPromotion({
        promotion: daily9('2026-11-15T08:00:00Z'),
        applications: [core],
        now: new Date('2026-11-21T12:00:00Z'),
      });
      expect(plan.ran).toBe(true);
      expect(plan.writes).toHaveLength(1);
      expect(plan.nextRunTime).toEqual(new Date('2026-11-22T08:00:00Z'));
    });

    /** The status the controller left while the promotion was suspended (or Ready=False). */
    const inactive = (lastRunTime: string, ready: 'Suspended' | 'False'): Promotion =>
      promotion(
        'staging-to-prod',
        { from: 'staging', to: 'prod', schedule: '0 9 * * *', timeZone: 'Europe/Berlin' },
        {
          status: {
            lastRunTime,
            conditions: [
              ready === 'Suspended'
                ? {
                    type: 'Ready',
                    status: 'True',
                    reason: 'Suspended',
                    message: 'spec.suspend is true: nothing is promoted automatically',
                    lastTransitionTime: '2026-11-16T10:00:00Z',
                  }
                : {
                    type: 'Ready',
                    status: 'False',
                    reason: 'EnvironmentNotFound',
                    message: 'spec.to: Environment "prod" does not exist',
                    lastTransitionTime: '2026-11-16T10:00:00Z',
                  },
            ],
          },
        },
      );

    test.each(['Suspended', 'False'] as const)(
      'coming back from Ready=%s runs nothing at once: the next run is the next scheduled time',
      (ready) => {
        const resumedAt = new Date('2026-11-21T12:00:00Z');
        const plan = planPromotion({
          promotion: inactive('2026-11-15T08:00:00Z', ready),
          applications: [core],
          now: resumedAt,
        });
        expect(plan.ran).toBe(false);
        expect(plan.writes).toEqual([]);
        expect(plan.lastResumeTime).toEqual(resumedAt);
        expect(plan.nextRunTime).toEqual(new Date('2026-11-22T08:00:00Z'));
        expect(plan.results[0]).toMatchObject({
          outcome: 'Waiting',
          reason: 'eligible; next scheduled run at 2026-11-22T08:00:00.000Z',
        });
      },
    );

    test('after coming back, scheduled times count from the resume, not from the last run', () => {
      const resumed = inactive('2026-11-15T08:00:00Z', 'Suspended');
      resumed.status = {
        lastRunTime: '2026-11-15T08:00:00Z',
        lastResumeTime: '2026-11-21T12:00:00Z',
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'Evaluated',
            message: '1 applications',
            lastTransitionTime: '2026-11-21T12:00:00Z',
          },
        ],
      };
      const before = planPromotion({
        promotion: resumed,
        applications: [core],
        now: new Date('2026-11-22T07:59:00Z'),
      });
      expect(before.ran).toBe(false);
      expect(before.lastResumeTime).toBeUndefined();
      expect(before.nextRunTime).toEqual(new Date('2026-11-22T08:00:00Z'));
      const at = planPromotion({
        promotion: resumed,
        applications: [core],
        now: new Date('2026-11-22T08:00:00Z'),
      });
      expect(at.ran).toBe(true);
      expect(at.writes).toEqual([{ application: 'core', version: '1.2.0' }]);
      // Operator down after the resume: the missed run still runs, once.
      const late = planPromotion({
        promotion: resumed,
        applications: [core],
        now: new Date('2026-11-24T12:00:00Z'),
      });
      expect(late.ran).toBe(true);
      expect(late.nextRunTime).toEqual(new Date('2026-11-25T08:00:00Z'));
    });

    test('a promotion seen active before the operator went down is no resume: its missed run runs once', () => {
      const plan = planPromotion({
        promotion: daily9('2026-11-15T08:00:00Z'),
        applications: [core],
        now: new Date('2026-11-21T12:00:00Z'),
      });
      expect(plan.lastResumeTime).toBeUndefined();
      expect(plan.ran).toBe(true);
    });

    test.each([
      ['Europe/Berlin', '30 2 * * *', '2026-10-23T12:00:00Z'],
      ['Europe/Berlin', '30 2 * * *', '2026-03-27T12:00:00Z'],
      ['Australia/Lord_Howe', '45 1 * * *', '2026-04-03T00:00:00Z'],
      ['Australia/Lord_Howe', '0 2 * * *', '2026-04-03T00:00:00Z'],
      ['America/New_York', '*/30 1 * * *', '2026-10-31T00:00:00Z'],
    ])(
      '%s "%s" across a clock change: every run happens at the nextRunTime announced before it, once per wall-clock time',
      (timeZone, schedule, start) => {
        let p = promotion(
          'staging-to-prod',
          { from: 'staging', to: 'prod', schedule, timeZone },
          { metadata: { name: 'staging-to-prod', namespace: 'ns', creationTimestamp: start } },
        );
        let now = new Date(start);
        let announced: Date | undefined;
        const runs: Date[] = [];
        // The controller's loop: evaluate, record the run, wake up at requeueAt.
        for (let i = 0; i < 12; i++) {
          const plan = planPromotion({ promotion: p, applications: [], now });
          if (plan.ran) {
            expect(now).toEqual(announced);
            runs.push(now);
            p = { ...p, status: { ...p.status, lastRunTime: now.toISOString() } };
          }
          announced = plan.nextRunTime;
          // The operator wakes up at the announced time, also right after a run.
          expect(plan.requeueAt).toEqual(announced);
          now = plan.requeueAt!;
        }
        const wallClock = runs.map((r) =>
          new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'short', timeStyle: 'short' }).format(r),
        );
        expect(new Set(wallClock).size).toBe(runs.length);
      },
    );

    test('DST: 09:00 Berlin is 08:00Z in winter and 07:00Z in summer', () => {
      const summer = planPromotion({
        promotion: daily9('2026-03-28T08:00:00Z'),
        applications: [core],
        now: new Date('2026-03-28T12:00:00Z'),
      });
      expect(summer.nextRunTime).toEqual(new Date('2026-03-29T07:00:00Z'));
    });
  });
});

describe('a promotion plans the new combination as a whole', () => {
  const dashRules = [
    { when: '>=2.0.0', requires: { application: 'core', versions: '>=1.12.0 <2.0.0' } },
    { when: '<2.0.0', requires: { application: 'core', versions: '>=1.9.0 <1.12.0' } },
  ];
  /** Statuses as the controller computes them with the whole namespace in view. */
  function namespace(...apps: Application[]): Application[] {
    let current = apps;
    for (let round = 0; round < 3; round++)
      current = current.map((a) => {
        const view = namespaceCompatibility({
          applications: current,
          environments: byName(env('dev'), env('staging'), env('prod')),
          sets: byName(set('default', ['dev', 'staging', 'prod'])),
          now: t0,
        });
        const status = planApplication({
          app: a,
          environments: byName(env('dev'), env('staging'), env('prod')),
          sets: byName(set('default', ['dev', 'staging', 'prod'])),
          targets: [],
          now: t0,
          historyLimit: 100,
          compatibility: view,
        }).status;
        return { ...a, status };
      });
    return current;
  }

  test('core and dash that only work together are promoted together', () => {
    const apps = namespace(
      app('core', { versions: { dev: '1.12.0', staging: '1.11.3' } }),
      app('dash', { versions: { dev: '2.0.0', staging: '1.9.4' }, compatibility: dashRules }),
    );
    const plan = planPromotion({
      promotion: devToStaging({ requireDeployed: false }),
      applications: apps,
      now: minutes(1),
    });
    expect(plan.writes.map((w) => w.application)).toEqual(['core', 'dash']);
    expect(plan.levels.map((l) => l.map((w) => w.application))).toEqual([['core'], ['dash']]);
  });

  test('a requirement the current version already meets imposes no order', () => {
    const apps = namespace(
      app('core', { versions: { dev: '1.12.1', staging: '1.12.0' } }),
      app('dash', { versions: { dev: '2.0.1', staging: '2.0.0' }, compatibility: dashRules }),
    );
    const plan = planPromotion({
      promotion: devToStaging({ requireDeployed: false }),
      applications: apps,
      now: minutes(1),
    });
    expect(plan.levels.map((l) => l.map((w) => w.application))).toEqual([['core', 'dash']]);
  });

  test('neither moves when one of them cannot; the held one waits with the rule in its reason', () => {
    // dash is selected, core is not: dash 2.0.0 alone would break its own rule.
    const apps = namespace(app('core', { versions: { dev: '1.12.0', staging: '1.11.3' } }), {
      ...app('dash', { versions: { dev: '2.0.0', staging: '1.9.4' }, compatibility: dashRules }),
      metadata: { name: 'dash', namespace: 'ns', generation: 1, labels: { team: 'ui' } },
    });
    const plan = planPromotion({
      promotion: devToStaging({ requireDeployed: false, selector: { matchLabels: { team: 'ui' } } }),
      applications: apps,
      now: minutes(1),
    });
    expect(plan.writes).toEqual([]);
    expect(plan.results).toEqual([
      {
        application: 'dash',
        version: '2.0.0',
        outcome: 'Waiting',
        reason:
          'held back by compatibility in staging: dash 2.0.0 requires core >=1.12.0 <2.0.0; staging runs core 1.11.3',
      },
    ]);
  });

  test('core alone would break dash in staging: it waits, naming the rule of dash', () => {
    const apps = namespace(
      app('core', { versions: { dev: '1.12.0', staging: '1.11.3' } }),
      app('dash', { versions: { dev: '1.9.4', staging: '1.9.4' }, compatibility: dashRules }),
    );
    const plan = planPromotion({
      promotion: devToStaging({ requireDeployed: false }),
      applications: apps,
      now: minutes(1),
    });
    expect(plan.writes).toEqual([]);
    expect(plan.results.find((r) => r.application === 'core')).toMatchObject({
      outcome: 'Waiting',
      reason:
        'held back by compatibility in staging: core 1.12.0 breaks a rule of dash in staging: dash 1.9.4 requires core >=1.9.0 <1.12.0',
    });
  });
});
