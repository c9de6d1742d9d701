// Scenarios where an Application's status used to lose data, repeat history
// or move a version nobody asked for (partial reads, moved targets, build
// metadata, spent forces), and the ids that make the audit trail dedupable.
import type { Application, ApplicationStatus } from '../../api/application.js';
import { FORCE_ANNOTATION_PREFIX } from '../../api/annotations.js';
import { planApplication, type ApplicationInput } from './plan.js';
import { app, applicationInput, byName, env, set, target, wrote } from '../testing/builders.js';

const now = new Date('2026-11-20T12:00:00Z');
const later = (ms: number) => new Date(now.getTime() + ms);

const input = (a: Application, extra: Partial<ApplicationInput> = {}) => applicationInput(a, now, extra);

const withStatus = (a: Application, status: ApplicationStatus) => ({ ...a, status }) as Application;

/** A converged application: versions everywhere, prod-eu reporting 1.0.0 deployed. */
function converged(): Application {
  const a = app('core', { versions: { dev: '1.1.0', prod: '1.0.0' } }, {});
  a.metadata.uid = 'uid-core';
  const first = planApplication(input(a));
  const status = structuredClone(first.status);
  const eu = status.targets!.find((t) => t.name === 'prod-eu')!;
  eu.deployed = '1.0.0';
  eu.deployedAt = later(1000).toISOString();
  const second = planApplication(input(withStatus(a, status), { now: later(2000) }));
  return withStatus(a, second.status);
}

const ready = (s: ApplicationStatus) => s.conditions!.find((c) => c.type === 'Ready')!;

describe('an object that exists but does not parse loses nothing', () => {
  test('an unreadable Target keeps its entries, deployed included, and adds no history', () => {
    const a = converged();
    const plan = planApplication(
      input(a, {
        now: later(60_000),
        targets: [target('dev-1', 'dev'), target('prod-us', 'prod')],
        unreadable: { targets: new Map([['prod-eu', 'spec.delivery: exactly one method must be set']]) },
      }),
    );
    expect(plan.added).toEqual([]);
    expect(plan.status.targets).toEqual(a.status!.targets);
    expect(plan.status.environments).toEqual(a.status!.environments);
    expect(plan.status.history).toEqual(a.status!.history);
    expect(ready(plan.status)).toMatchObject({ status: 'False', reason: 'InvalidTarget' });
    expect(ready(plan.status).message).toContain('Target "prod-eu"');
    expect(ready(plan.status).message).toContain('spec.delivery: exactly one method must be set');

    // Valid again: nothing is recorded twice, the soak clock did not restart.
    const back = planApplication(input(withStatus(a, plan.status), { now: later(120_000) }));
    expect(back.added).toEqual([]);
    expect(back.status.environments).toEqual(a.status!.environments);
    expect(back.status.targets).toEqual(a.status!.targets);
    expect(ready(back.status).status).toBe('True');
  });

  test('an unreadable EnvironmentSet keeps every environment entry and its targets', () => {
    const a = converged();
    const plan = planApplication(
      input(a, {
        now: later(60_000),
        sets: new Map(),
        unreadable: { sets: new Map([['default', 'spec.environments[1]: must be a DNS label']]) },
      }),
    );
    expect(plan.added).toEqual([]);
    expect(plan.status.environments).toEqual(a.status!.environments);
    expect(plan.status.targets).toEqual(a.status!.targets);
    expect(ready(plan.status)).toMatchObject({ status: 'False', reason: 'InvalidEnvironmentSet' });
    expect(ready(plan.status).message).toContain(
      'spec.environmentSets[0]: EnvironmentSet "default" cannot be read (spec.environments[1]: must be a DNS label)',
    );
    const back = planApplication(input(withStatus(a, plan.status), { now: later(120_000) }));
    expect(back.added).toEqual([]);
    expect(back.status.environments).toEqual(a.status!.environments);
  });

  test('an unreadable Environment keeps its entry as it was, blocked nothing, recorded nothing', () => {
    const a = converged();
    const requested = withStatus(
      { ...a, spec: { ...a.spec, versions: { dev: '1.1.0', prod: '1.1.0' } } } as Application,
      a.status!,
    );
    const plan = planApplication(
      input(requested, {
        now: later(60_000),
        environments: byName(env('dev'), env('staging')),
        unreadable: { environments: new Map([['prod', 'spec.freeze.windows[0].duration: invalid']]) },
      }),
    );
    expect(plan.added).toEqual([]);
    expect(plan.status.environments!.find((e) => e.name === 'prod')).toEqual(
      a.status!.environments!.find((e) => e.name === 'prod'),
    );
    expect(ready(plan.status)).toMatchObject({ status: 'False', reason: 'InvalidEnvironment' });
    expect(ready(plan.status).message).toContain('Environment "prod" cannot be read');
  });

  test('a real deletion removes entries; re-creating the same object records nothing twice', () => {
    const a = converged();
    const gone = planApplication(
      input(a, { now: later(60_000), targets: [target('dev-1', 'dev'), target('prod-us', 'prod')] }),
    );
    expect(gone.status.targets!.map((t) => t.name)).toEqual(['dev-1', 'prod-us']);
    const again = planApplication(input(withStatus(a, gone.status), { now: later(120_000) }));
    expect(again.status.targets!.map((t) => t.name)).toEqual(['dev-1', 'prod-eu', 'prod-us']);
    expect(again.added).toEqual([]);

    // The same for an environment removed from the set and added back.
    const shrunk = planApplication(
      input(a, { now: later(60_000), sets: byName(set('default', ['dev', 'staging'])) }),
    );
    expect(shrunk.status.environments!.map((e) => e.name)).toEqual(['dev', 'staging']);
    const regrown = planApplication(input(withStatus(a, shrunk.status), { now: later(120_000) }));
    expect(regrown.added.filter((h) => h.environment === 'prod')).toEqual([]);
  });
});

describe('a report belongs to (target, environment)', () => {
  test('a Target moved to another environment loses the deployed it reported for the old one', () => {
    const a = converged();
    const plan = planApplication(
      input(a, {
        now: later(60_000),
        targets: [target('dev-1', 'dev'), target('prod-eu', 'dev'), target('prod-us', 'prod')],
      }),
    );
    const eu = plan.status.targets!.find((t) => t.name === 'prod-eu')!;
    expect(eu.environment).toBe('dev');
    expect(eu.desired).toBe('1.1.0');
    expect(eu.deployed).toBeUndefined();
    expect(eu.deployedAt).toBeUndefined();
  });
});

describe('one notion of the same version', () => {
  test('a new build of the same version is a new request, delivered as such', () => {
    const a = app('core', { versions: { dev: '1.2.3+b1' } });
    const first = planApplication(input(a));
    const next = withStatus({ ...a, spec: { ...a.spec, versions: { dev: '1.2.3+b2' } } } as Application, {
      ...first.status,
    });
    const plan = planApplication(input(next, { now: later(1000) }));
    expect(plan.status.environments!.find((e) => e.name === 'dev')!.desired).toBe('1.2.3+b2');
    expect(plan.added.map((h) => [h.type, h.to])).toEqual(
      expect.arrayContaining([
        ['Requested', '1.2.3+b2'],
        ['Delivered', '1.2.3+b2'],
      ]),
    );
  });

  test('a leading v is the same version: no new request, no new delivery', () => {
    const a = app('core', { versions: { dev: '1.2.3' } });
    const first = planApplication(input(a));
    const next = withStatus({ ...a, spec: { ...a.spec, versions: { dev: 'v1.2.3' } } } as Application, {
      ...first.status,
    });
    const plan = planApplication(input(next, { now: later(1000) }));
    expect(plan.added).toEqual([]);
  });
});

describe('force applies once', () => {
  const frozen = env('prod', { enabled: true, windows: [] });
  test('the spent force is named for removal and the Forced entry names who forced it', () => {
    const a = app(
      'core',
      { versions: { prod: '1.1.0' } },
      {
        metadata: {
          name: 'core',
          namespace: 'ns',
          generation: 1,
          annotations: { [`${FORCE_ANNOTATION_PREFIX}prod`]: '1.1.0' },
          managedFields: [
            wrote('depot-cli.prod.ci-bot', ['prod']),
            {
              manager: 'depot-cli.prod.alice',
              operation: 'Apply',
              time: '2026-11-20T11:00:00Z',
              fieldsV1: { 'f:metadata': { 'f:annotations': { [`f:${FORCE_ANNOTATION_PREFIX}prod`]: {} } } },
            },
          ],
        },
      },
    );
    const plan = planApplication(input(a, { environments: byName(env('dev'), env('staging'), frozen) }));
    const forced = plan.added.find((h) => h.type === 'Forced')!;
    expect(forced.actor).toBe('alice');
    expect(plan.spentForces).toEqual([{ environment: 'prod', version: '1.1.0' }]);
  });

  test('a force for a version that is not desired yet is not spent', () => {
    const a = app(
      'core',
      { versions: { prod: '1.1.0' } },
      {
        metadata: {
          name: 'core',
          namespace: 'ns',
          generation: 1,
          annotations: { [`${FORCE_ANNOTATION_PREFIX}prod`]: '1.2.0' },
        },
      },
    );
    const plan = planApplication(input(a, { environments: byName(env('dev'), env('staging'), frozen) }));
    expect(plan.spentForces).toEqual([]);
    expect(plan.status.environments!.find((e) => e.name === 'prod')!.blocked?.reason).toBe('Frozen');
  });
});

describe('history ids and the sent marker', () => {
  test('every new entry has a stable id, unique within the plan', () => {
    const a = app('core', { versions: { dev: '1.0.0', prod: '1.0.0' } });
    a.metadata.uid = 'uid-1';
    const one = planApplication(input(a));
    const two = planApplication(input(a));
    const ids = one.added.map((h) => h.id);
    expect(ids.every((id) => typeof id === 'string' && id.length >= 12)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(two.added.map((h) => h.id)).toEqual(ids);
  });

  test('a write with new entries records what had been sent before it; no write, no change', () => {
    const a = app('core', { versions: { dev: '1.0.0' } });
    const first = planApplication(input(a, { sentThrough: undefined }));
    expect(first.status.historySentThrough).toBeUndefined();
    const newest = first.status.history![0]!.id!;
    const next = withStatus({ ...a, spec: { ...a.spec, versions: { dev: '1.1.0' } } } as Application, {
      ...first.status,
    });
    const second = planApplication(input(next, { now: later(1000), sentThrough: newest }));
    expect(second.status.historySentThrough).toBe(newest);
    const idle = planApplication(
      input(withStatus(next, second.status), { now: later(2000), sentThrough: 'x' }),
    );
    expect(idle.added).toEqual([]);
    expect(idle.status.historySentThrough).toBe(newest);
  });
});

describe('the audit sink marker', () => {
  test('recorded with new entries only, from what the sink accepted; kept when it accepted nothing yet', () => {
    const a = app('core', { versions: { dev: '1.0.0' } });
    const first = planApplication(input(a, { sink: {} }));
    expect(first.status.historySinkThrough).toBeUndefined();
    const newest = first.status.history![0]!.id!;
    const next = withStatus({ ...a, spec: { ...a.spec, versions: { dev: '1.1.0' } } } as Application, {
      ...first.status,
    });
    const second = planApplication(input(next, { now: later(1000), sink: { through: newest } }));
    expect(second.status.historySinkThrough).toBe(newest);
    const idle = planApplication(
      input(withStatus(next, second.status), { now: later(2000), sink: { through: 'x' } }),
    );
    expect(idle.status.historySinkThrough).toBe(newest);
    const third = withStatus({ ...next, spec: { ...next.spec, versions: { dev: '1.2.0' } } } as Application, {
      ...second.status,
    });
    // A new process whose sink accepted nothing yet keeps the recorded marker.
    const kept = planApplication(input(third, { now: later(3000), sink: {} }));
    expect(kept.added.length).toBeGreaterThan(0);
    expect(kept.status.historySinkThrough).toBe(newest);
    // Without a sink nothing is recorded.
    expect(planApplication(input(a)).status.historySinkThrough).toBeUndefined();
  });
});

describe('an unreadable freeze', () => {
  test('holds the request back and makes Ready=False with the reason', () => {
    const broken = env('prod', {
      enabled: true,
      windows: [{ schedule: 'not a cron', duration: '1h', timeZone: 'UTC' }],
    });
    const a = app('core', { versions: { prod: '1.0.0' } });
    const plan = planApplication(input(a, { environments: byName(env('dev'), env('staging'), broken) }));
    expect(plan.status.environments!.find((e) => e.name === 'prod')!.blocked?.reason).toBe('InvalidFreeze');
    expect(ready(plan.status)).toMatchObject({ status: 'False', reason: 'InvalidFreeze' });
  });
});

describe('the same semantic checks as depot validate', () => {
  test('a compatibility range semver cannot parse makes Ready=False naming the field', () => {
    const a = app('dash', {
      versions: { dev: '2.0.0' },
      compatibility: [{ requires: { application: 'core', versions: '>=1.x.y.z' } }],
    });
    const plan = planApplication(input(a));
    expect(ready(plan.status)).toMatchObject({ status: 'False', reason: 'InvalidRange' });
    expect(ready(plan.status).message).toContain('spec.compatibility[0].requires.versions: ">=1.x.y.z"');
  });
});
