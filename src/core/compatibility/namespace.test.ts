import { FORCE_ANNOTATION_PREFIX } from '../../api/annotations.js';
import type { Application, HistoryEntry } from '../../api/application.js';
import { planApplication } from '../application/plan.js';
import { app, applicationInput, byName, env, set } from '../testing/builders.js';
import { namespaceCompatibility } from './namespace.js';

const t0 = new Date('2026-11-20T12:00:00Z');
const environments = byName(env('dev'), env('staging'), env('prod'));
const sets = byName(set('default', ['dev', 'staging', 'prod']));

const dashRules = [
  { when: '>=2.0.0', requires: { application: 'core', versions: '>=1.12.0 <2.0.0' } },
  { when: '<2.0.0', requires: { application: 'core', versions: '>=1.9.0 <1.12.0' } },
];

/** A namespace reconciled like the controller does: one application at a time, each from the current view. */
class Namespace {
  apps = new Map<string, Application>();
  now = t0;
  constructor(...apps: Application[]) {
    for (const a of apps) this.apps.set(a.metadata.name, a);
  }

  reconcile(name: string) {
    const view = namespaceCompatibility({
      applications: [...this.apps.values()],
      environments,
      sets,
      now: this.now,
    });
    const a = this.apps.get(name)!;
    const plan = planApplication({ ...applicationInput(a, this.now), compatibility: view, targets: [] });
    this.apps.set(name, { ...a, status: plan.status });
    return plan;
  }

  /** Reconciles in the given order until nothing changes. */
  settle(order: string[] = [...this.apps.keys()]) {
    for (let round = 0; round < 10; round++) {
      const before = JSON.stringify([...this.apps.values()].map((a) => a.status));
      for (const n of order) this.reconcile(n);
      this.now = new Date(this.now.getTime() + 1000);
      if (JSON.stringify([...this.apps.values()].map((a) => a.status)) === before) return;
    }
    throw new Error('did not settle');
  }

  request(name: string, env: string, version: string) {
    const a = this.apps.get(name)!;
    this.apps.set(name, { ...a, spec: { ...a.spec, versions: { ...a.spec.versions, [env]: version } } });
  }

  status(name: string, env: string) {
    return this.apps.get(name)!.status!.environments!.find((e) => e.name === env)!;
  }

  history(name: string, env: string): HistoryEntry['type'][] {
    return this.apps
      .get(name)!
      .status!.history!.filter((h) => h.environment === env)
      .map((h) => h.type)
      .reverse();
  }

  condition(name: string, type: string) {
    return this.apps.get(name)!.status!.conditions!.find((c) => c.type === type)!;
  }
}

const samples = () =>
  new Namespace(
    app('core', { versions: { prod: '1.11.3' } }),
    app('dash', { versions: { prod: '1.9.4' }, compatibility: dashRules }),
    app('ide', {
      versions: { prod: 'v0.5.2' },
      compatibility: [{ requires: { application: 'core', versions: '>=1.11.0' } }],
    }),
  );

describe('compatibility across a namespace', () => {
  test.each([
    ['core first', ['core', 'dash', 'ide']],
    ['dash first', ['dash', 'ide', 'core']],
  ])('blocked, then delivered together with core, Blocked and Unblocked once (%s)', (_, order) => {
    const ns = samples();
    ns.settle(order);
    expect(ns.condition('dash', 'Compatible').status).toBe('True');

    ns.request('dash', 'prod', '2.0.0');
    ns.settle(order);
    expect(ns.status('dash', 'prod')).toMatchObject({
      requested: '2.0.0',
      desired: '1.9.4',
      blocked: {
        reason: 'RequirementNotMet',
        message: 'dash 2.0.0 requires core >=1.12.0 <2.0.0; prod runs core 1.11.3',
      },
    });
    expect(ns.condition('dash', 'Compatible')).toMatchObject({
      status: 'False',
      reason: 'RequirementNotMet',
    });

    ns.request('core', 'prod', '1.12.0');
    ns.settle(order);
    expect(ns.status('core', 'prod')).toMatchObject({ desired: '1.12.0', blocked: null });
    expect(ns.status('dash', 'prod')).toMatchObject({ desired: '2.0.0', blocked: null });
    expect(ns.history('dash', 'prod')).toEqual(['Requested', 'Requested', 'Blocked', 'Unblocked']);
    expect(ns.condition('dash', 'Compatible').status).toBe('True');
    // core became desired before dash (requirement order).
    expect(ns.status('core', 'prod').desiredSince! <= ns.status('dash', 'prod').desiredSince!).toBe(true);
  });

  test('core alone cannot break the rule of dash; the block names the rule of dash', () => {
    const ns = samples();
    ns.settle();
    ns.request('core', 'prod', '1.12.0');
    ns.settle();
    expect(ns.status('core', 'prod')).toMatchObject({
      desired: '1.11.3',
      blocked: {
        reason: 'RequirementNotMet',
        message: 'core 1.12.0 breaks a rule of dash in prod: dash 1.9.4 requires core >=1.9.0 <1.12.0',
      },
    });
    expect(ns.history('core', 'prod')).toEqual(['Requested', 'Requested', 'Blocked']);
  });

  test('a broken rule is reported with its index and field; the other rules and applications keep working', () => {
    const ns = new Namespace(
      app('core', { versions: { prod: '1.11.3' } }),
      app('dash', {
        versions: { prod: '2.0.0' },
        compatibility: [{ requires: { application: 'kore', versions: '>=1.0.0' } }, ...dashRules],
      }),
      app('ide', {
        versions: { prod: '0.6.0' },
        compatibility: [{ requires: { application: 'core', versions: 'x.y' } }],
      }),
    );
    ns.settle();
    expect(ns.condition('dash', 'Ready')).toMatchObject({ status: 'False', reason: 'UnknownApplication' });
    expect(ns.condition('dash', 'Ready').message).toContain('spec.compatibility[0].requires.application');
    // Its other rules still hold dash 2.0.0 back from core 1.11.3 (and the unknown application is unsatisfied).
    expect(ns.status('dash', 'prod').blocked!.message).toContain('dash 2.0.0 requires core >=1.12.0 <2.0.0');
    expect(ns.condition('ide', 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidRange' });
    expect(ns.condition('ide', 'Ready').message).toContain('spec.compatibility[0].requires.versions');
    expect(ns.status('ide', 'prod').desired).toBe('0.6.0');
    expect(ns.status('core', 'prod').desired).toBe('1.11.3');
  });

  test('a desired version that breaks a rule (added later) makes Compatible=False without moving anything', () => {
    const ns = new Namespace(
      app('core', { versions: { prod: '1.11.3' } }),
      app('dash', { versions: { prod: '2.0.0' } }),
    );
    ns.settle();
    const dash = ns.apps.get('dash')!;
    ns.apps.set('dash', { ...dash, spec: { ...dash.spec, compatibility: dashRules } });
    ns.settle();
    expect(ns.status('dash', 'prod').desired).toBe('2.0.0');
    expect(ns.condition('dash', 'Compatible')).toMatchObject({
      status: 'False',
      reason: 'RulesBroken',
      message: 'dash 2.0.0 requires core >=1.12.0 <2.0.0; prod runs core 1.11.3',
    });
  });

  test('a request a freeze holds back is not part of the set: core forced alone would break dash', () => {
    const ns = samples();
    ns.settle();
    ns.request('dash', 'prod', '2.0.0');
    ns.request('core', 'prod', '1.12.0');
    const core = ns.apps.get('core')!;
    ns.apps.set('core', {
      ...core,
      metadata: { ...core.metadata, annotations: { [`${FORCE_ANNOTATION_PREFIX}prod`]: '1.12.0' } },
    });
    const frozen = byName(
      env('dev'),
      env('staging'),
      env('prod', {
        enabled: true,
        windows: [{ schedule: '0 18 * * 5', duration: '62h', timeZone: 'Europe/Berlin' }],
      }),
    );
    const saturday = new Date('2026-11-21T10:00:00Z');
    const view = namespaceCompatibility({
      applications: [...ns.apps.values()],
      environments: frozen,
      sets,
      now: saturday,
    });
    expect(view.choices.get('prod')!.chosen).toEqual([]);
    expect(view.verdict(ns.apps.get('core')!, 'prod', '1.12.0')).toMatchObject({
      kind: 'blocked',
      blocked: {
        message: 'core 1.12.0 breaks a rule of dash in prod: dash 1.9.4 requires core >=1.9.0 <1.12.0',
      },
    });
  });
});
