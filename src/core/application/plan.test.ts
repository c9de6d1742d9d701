import type { Application } from '../../api/application.js';
import { FORCE_ANNOTATION_PREFIX } from '../../api/annotations.js';
import { planApplication, type ApplicationInput } from './plan.js';
import { app, applicationInput, byName, env, target, wrote } from '../testing/builders.js';

const now = new Date('2026-11-20T12:00:00Z'); // a Friday
const later = (ms: number) => new Date(now.getTime() + ms);

const input = (a: Application, extra: Partial<ApplicationInput> = {}) => applicationInput(a, now, extra);

/** Runs one reconcile and feeds the status into the next, as the controller does. */
function reconcile(a: Application, extra: Partial<ApplicationInput> = {}) {
  const plan = planApplication(input(a, extra));
  return { plan, next: { ...a, status: plan.status } as Application };
}

describe('resolution', () => {
  test('environments come from sets in order, merged with direct ones by name', () => {
    const a = app('core', {
      environmentSets: ['default'],
      environments: [{ name: 'prod' }, { name: 'qa' }],
    });
    const { plan } = reconcile(a, {
      environments: byName(env('dev'), env('staging'), env('prod'), env('qa')),
    });
    expect(plan.status.environments!.map((e) => e.name)).toEqual(['dev', 'staging', 'prod', 'qa']);
  });

  test('every target of an environment gets an entry, with no edit of the application', () => {
    const a = app('core', { versions: { prod: '1.0.0' } });
    const { plan } = reconcile(a);
    expect(plan.status.targets!.map((t) => [t.name, t.environment, t.desired])).toEqual([
      ['dev-1', 'dev', undefined],
      ['prod-eu', 'prod', '1.0.0'],
      ['prod-us', 'prod', '1.0.0'],
    ]);
    const more = planApplication(input(a, { targets: [...input(a).targets, target('prod-ap', 'prod')] }));
    expect(more.status.targets!.map((t) => t.name)).toContain('prod-ap');
    expect(more.status.environments!.find((e) => e.name === 'prod')!.targets).toEqual([
      'prod-ap',
      'prod-eu',
      'prod-us',
    ]);
  });

  test('unknown references are named on Ready=False, and the rest keeps working', () => {
    const a = app('core', {
      environmentSets: ['default', 'nope'],
      environments: [{ name: 'ghost' }],
      versions: { dev: '1.0.0', qa: '2.0.0' },
    });
    const { plan } = reconcile(a);
    const ready = plan.status.conditions!.find((c) => c.type === 'Ready')!;
    expect(ready.status).toBe('False');
    expect(ready.message).toContain('spec.environmentSets[1]: EnvironmentSet "nope" does not exist');
    expect(ready.message).toContain('spec.environments[0].name: Environment "ghost" does not exist');
    expect(ready.message).toContain('spec.versions.qa: "qa" is not one of this application\'s environments');
    expect(plan.status.environments!.find((e) => e.name === 'dev')!.desired).toBe('1.0.0');
    expect(ready.observedGeneration).toBe(1);
  });

  test('an invalid version for the scheme is held back with a message naming the field', () => {
    const { plan } = reconcile(app('core', { versions: { dev: 'latest' } }));
    const dev = plan.status.environments!.find((e) => e.name === 'dev')!;
    expect(dev.desired).toBeUndefined();
    expect(dev.blocked).toEqual({
      reason: 'InvalidVersion',
      message: 'spec.versions.dev: "latest" is not a semver version',
    });
    expect(plan.status.conditions!.find((c) => c.type === 'Ready')!.status).toBe('False');
  });

  test('opaque versions are delivered as given', () => {
    const { plan } = reconcile(
      app('model', { versionScheme: 'opaque', versions: { dev: 'resnet-2026-11-20' } }),
    );
    expect(plan.status.environments![0]!.desired).toBe('resnet-2026-11-20');
  });
});

describe('requests and history', () => {
  test('a request becomes desired and is recorded once with its writer', () => {
    const a = app('core', { versions: { dev: '1.2.0' } }, {
      metadata: {
        name: 'core',
        namespace: 'ns',
        generation: 2,
        managedFields: [wrote('depot-cli.dev.alice', ['dev'])],
      },
    } as Partial<Application>);
    const first = reconcile(a);
    const dev = first.plan.status.environments!.find((e) => e.name === 'dev')!;
    expect(dev).toMatchObject({
      requested: '1.2.0',
      desired: '1.2.0',
      desiredSince: now.toISOString(),
      setBy: 'alice',
      blocked: null,
    });
    // Newest first, like status.history: the delivery followed the request.
    expect(first.plan.added).toEqual([
      expect.objectContaining({ type: 'Delivered', environment: 'dev', target: 'dev-1', to: '1.2.0' }),
      expect.objectContaining({ type: 'Requested', environment: 'dev', to: '1.2.0', actor: 'alice' }),
    ]);
    // Level-based: the same input again adds nothing and changes nothing.
    const second = planApplication(input(first.next, { now: later(60_000) }));
    expect(second.added).toEqual([]);
    expect(second.status).toEqual(first.plan.status);
  });

  test('a write by a promotion is recorded as Promoted', () => {
    const a = app('core', { versions: { prod: '1.2.0' } }, {
      metadata: {
        name: 'core',
        namespace: 'ns',
        generation: 1,
        managedFields: [wrote('depot-promotion.staging-to-prod.prod', ['prod'])],
      },
    } as Partial<Application>);
    const { plan } = reconcile(a);
    expect(plan.added.find((h) => h.environment === 'prod' && !h.target)).toMatchObject({
      type: 'Promoted',
      actor: 'promotion staging-to-prod',
      to: '1.2.0',
    });
  });

  test('the newest writer of a shared field is the actor', () => {
    const a = app('core', { versions: { prod: '1.2.0' } }, {
      metadata: {
        name: 'core',
        namespace: 'ns',
        generation: 1,
        managedFields: [
          wrote('depot-cli.prod.bob', ['prod'], '2026-11-20T11:00:00Z'),
          wrote('depot-cli.prod.carol', ['prod'], '2026-11-20T09:00:00Z'),
        ],
      },
    } as Partial<Application>);
    expect(reconcile(a).plan.status.environments!.find((e) => e.name === 'prod')!.setBy).toBe('bob');
  });

  test('history is bounded, newest first', () => {
    let a = app('core', { versions: { dev: '1.0.0' } });
    for (let i = 1; i <= 5; i++) {
      a = { ...a, spec: { ...a.spec, versions: { dev: `1.0.${i}` } } };
      a = {
        ...a,
        status: planApplication({ ...input(a), targets: [], now: later(i * 1000), historyLimit: 3 }).status,
      };
    }
    expect(a.status!.history!.map((h) => h.to)).toEqual(['1.0.5', '1.0.4', '1.0.3']);
  });

  test('removing a request never removes or downgrades what is desired', () => {
    const first = reconcile(app('core', { versions: { prod: '1.2.0' } }));
    const removed = { ...first.next, spec: { ...first.next.spec, versions: {} } };
    const plan = planApplication(input(removed));
    expect(plan.status.environments!.find((e) => e.name === 'prod')).toMatchObject({ desired: '1.2.0' });
    expect(plan.status.environments!.find((e) => e.name === 'prod')!.requested).toBeUndefined();
  });

  test('deployed versions reported on a target are kept and recorded once', () => {
    const first = reconcile(app('core', { versions: { prod: '1.2.0' } }));
    const reported = structuredClone(first.next);
    const t = reported.status!.targets!.find((x) => x.name === 'prod-eu')!;
    t.deployed = '1.2.0';
    t.deployedAt = '2026-11-20T12:05:00Z';
    const plan = planApplication(input(reported, { now: later(600_000) }));
    expect(plan.status.targets!.find((x) => x.name === 'prod-eu')).toMatchObject({
      deployed: '1.2.0',
      deployedAt: '2026-11-20T12:05:00Z',
    });
    expect(plan.added).toEqual([
      expect.objectContaining({
        type: 'Deployed',
        target: 'prod-eu',
        to: '1.2.0',
        time: '2026-11-20T12:05:00.000Z',
      }),
    ]);
    const again = planApplication(input({ ...reported, status: plan.status }, { now: later(700_000) }));
    expect(again.added).toEqual([]);
  });

  test('delivery none publishes at once; other kinds wait for their delivery', () => {
    const { plan } = reconcile(app('core', { versions: { prod: '1.2.0' } }), {
      targets: [
        target('prod-eu', 'prod'),
        target('prod-argo', 'prod', {
          argocd: {
            applicationNamespace: 'argocd',
            applicationName: '${application}',
            set: { targetRevision: {} },
          },
        }),
      ],
    });
    expect(plan.status.targets!.find((t) => t.name === 'prod-eu')!.delivery!.state).toBe('Delivered');
    expect(plan.status.targets!.find((t) => t.name === 'prod-argo')!.delivery!.state).toBe('Pending');
    expect(plan.status.conditions!.find((c) => c.type === 'Delivered')).toMatchObject({
      status: 'False',
      reason: 'DeliveryPending',
    });
  });
});

describe('freeze windows', () => {
  const frozenProd = env('prod', {
    enabled: true,
    windows: [{ schedule: '0 18 * * 5', duration: '62h', timeZone: 'Europe/Berlin' }],
  });
  const environments = byName(env('dev'), env('staging'), frozenProd);
  const saturday = new Date('2026-11-21T10:00:00Z');

  test('a request waits during a freeze and is delivered when it ends', () => {
    const before = reconcile(app('core', { versions: { prod: '1.1.0' } }), {
      environments,
      now: new Date('2026-11-19T10:00:00Z'),
    }).next;
    const req = { ...before, spec: { ...before.spec, versions: { prod: '1.2.0' } } };
    const held = planApplication(input(req, { environments, now: saturday }));
    const prod = held.status.environments!.find((e) => e.name === 'prod')!;
    expect(prod).toMatchObject({ requested: '1.2.0', desired: '1.1.0', blocked: { reason: 'Frozen' } });
    expect(prod.blocked!.message).toContain('prod is frozen until 2026-11-23T07:00:00.000Z');
    expect(held.requeueAt!.toISOString()).toBe('2026-11-23T07:00:00.000Z');
    expect(held.added.map((h) => h.type)).toEqual(['Blocked', 'Requested']);

    const released = planApplication(
      input({ ...req, status: held.status }, { environments, now: held.requeueAt! }),
    );
    expect(released.status.environments!.find((e) => e.name === 'prod')).toMatchObject({
      desired: '1.2.0',
      blocked: null,
    });
    expect(released.added.map((h) => `${h.type} ${h.target ?? h.environment}`)).toEqual([
      'Delivered prod-us',
      'Delivered prod-eu',
      'Unblocked prod',
    ]);
  });

  test('a forced request goes through the freeze and is recorded as Forced', () => {
    const before = reconcile(app('core', { versions: { prod: '1.1.0' } }), {
      environments,
      now: new Date('2026-11-19T10:00:00Z'),
    }).next;
    const forced = {
      ...before,
      metadata: { ...before.metadata, annotations: { [`${FORCE_ANNOTATION_PREFIX}prod`]: '1.2.0' } },
      spec: { ...before.spec, versions: { prod: '1.2.0' } },
    };
    const plan = planApplication(input(forced, { environments, now: saturday }));
    expect(plan.status.environments!.find((e) => e.name === 'prod')).toMatchObject({
      desired: '1.2.0',
      blocked: null,
    });
    expect(plan.added.map((h) => h.type)).toEqual(['Delivered', 'Delivered', 'Forced', 'Requested']);
  });

  test('a force annotation for another version does not apply', () => {
    const a = app('core', { versions: { prod: '1.3.0' } });
    a.metadata.annotations = { [`${FORCE_ANNOTATION_PREFIX}prod`]: '1.2.0' };
    const plan = planApplication(input(a, { environments, now: saturday }));
    expect(plan.status.environments!.find((e) => e.name === 'prod')!.blocked!.reason).toBe('Frozen');
  });
});
