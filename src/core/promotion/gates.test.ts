import type { Application } from '../../api/application.js';
import type { PromotionHold } from '../../api/promotion.js';
import { app, promotion } from '../testing/builders.js';
import { versionsOf } from '../versions.js';
import { firstStop, PROMOTION_GATES, type Gate, type GateInput, type PromotionRun } from './gates.js';
import { planPromotion } from './plan.js';

const now = new Date('2026-11-20T12:00:00Z');

function input(over: Partial<Omit<GateInput, 'run'>> & { run?: Partial<PromotionRun> } = {}): GateInput {
  const { run, ...rest } = over;
  const versions = rest.versions ?? versionsOf('semver');
  const current = 'current' in rest ? rest.current : '1.1.0';
  const candidate = rest.candidate ?? '1.2.0';
  return {
    run: {
      promotion: promotion('dev-to-staging', { from: 'dev', to: 'staging' }),
      from: 'dev',
      to: 'staging',
      now,
      afterMs: 0,
      due: true,
      ...run,
    },
    app: app('core'),
    versions: versionsOf('semver'),
    source: { name: 'dev', desired: '1.2.0', desiredSince: '2026-11-20T11:00:00Z', blocked: null },
    candidate: '1.2.0',
    current: '1.1.0',
    hold: undefined,
    step: () => versions.step(current, candidate),
    ...rest,
  };
}

const stoppedBy = (i: GateInput) => firstStop(PROMOTION_GATES, i)?.gate.name;

describe('promotion gates', () => {
  test('are checked in a named order, the timing gates (schedule, approval, spec.gates) last', () => {
    expect(PROMOTION_GATES.map((g) => g.name)).toEqual([
      'upToDate',
      'rejected',
      'held',
      'opaqueAllow',
      'downgrade',
      'stepAllowed',
      'soak',
      'deployed',
      'verified',
      'schedule',
      'approval',
      'gates',
    ]);
    const kinds = PROMOTION_GATES.map((g) => g.kind);
    expect(kinds.slice(kinds.indexOf('timing')).every((k) => k === 'timing')).toBe(true);
  });

  test('a version every gate lets through is not stopped', () => {
    expect(firstStop(PROMOTION_GATES, input())).toBeUndefined();
  });

  test('the first gate that stops a version gives the outcome', () => {
    const hold: PromotionHold = {
      application: 'core',
      version: '1.2.0',
      rolledBackTo: '1.1.0',
      by: 'alice',
      since: '2026-11-20T10:00:00Z',
    };
    const rejectedApp: Application = app('core', {
      rejectedVersions: [{ version: '1.2.0', reason: 'corrupts uploads' }],
    });
    expect(stoppedBy(input({ current: 'v1.2.0' }))).toBe('upToDate');
    // Rejected comes before held: both apply, the rejection is what is said.
    expect(stoppedBy(input({ app: rejectedApp, hold }))).toBe('rejected');
    expect(stoppedBy(input({ hold }))).toBe('held');
    expect(
      stoppedBy(
        input({
          versions: versionsOf('opaque'),
          run: { promotion: promotion('p', { from: 'dev', to: 'staging', allow: ['patch'] }) },
        }),
      ),
    ).toBe('opaqueAllow');
    expect(stoppedBy(input({ current: '1.3.0' }))).toBe('downgrade');
    expect(
      stoppedBy(
        input({ run: { promotion: promotion('p', { from: 'dev', to: 'staging', allow: ['patch'] }) } }),
      ),
    ).toBe('stepAllowed');
    expect(firstStop(PROMOTION_GATES, input({ run: { afterMs: 2 * 3_600_000 } }))?.outcome).toEqual({
      outcome: 'Waiting',
      reason: 'soaking in dev for 2h, until 2026-11-20T13:00:00.000Z',
      requeueAt: new Date('2026-11-20T13:00:00.000Z'),
    });
    expect(
      stoppedBy(
        input({
          run: { promotion: promotion('p', { from: 'dev', to: 'staging', requireDeployed: true }) },
        }),
      ),
    ).toBe('deployed');
    expect(stoppedBy(input({ run: { due: false, next: new Date('2026-11-21T09:00:00Z') } }))).toBe(
      'schedule',
    );
    expect(
      firstStop(
        PROMOTION_GATES,
        input({
          run: { promotion: promotion('p', { from: 'dev', to: 'staging', approval: { required: true } }) },
        }),
      )?.outcome,
    ).toEqual({
      outcome: 'Waiting',
      reason: 'ApprovalRequired: 1.2.0 waits for approval (depot approve p core 1.2.0)',
      approvals: { approvers: [], approvalsNeeded: 1 },
    });
  });

  test('a gate added to the list stops versions like the built-in ones', () => {
    const frozenCore: Gate = {
      name: 'frozenCore',
      kind: 'eligibility',
      check: ({ app: a }) =>
        a.metadata.name === 'core' ? { outcome: 'Blocked', reason: 'core is frozen' } : undefined,
    };
    const core = {
      ...app('core', { versions: { dev: '1.2.0', staging: '1.1.0' } }),
      status: {
        environments: [
          { name: 'dev', desired: '1.2.0', blocked: null },
          { name: 'staging', desired: '1.1.0', blocked: null },
        ],
      },
    } as Application;
    const p = promotion('dev-to-staging', { from: 'dev', to: 'staging' });
    expect(planPromotion({ promotion: p, applications: [core], now }).writes).toEqual([
      { application: 'core', version: '1.2.0' },
    ]);
    const plan = planPromotion({
      promotion: p,
      applications: [core],
      now,
      gates: [...PROMOTION_GATES, frozenCore],
    });
    expect(plan.writes).toEqual([]);
    expect(plan.results).toEqual([
      { application: 'core', version: '1.2.0', outcome: 'Blocked', reason: 'core is frozen' },
    ]);
  });

  test('requireVerified lets through only a version a Promotion into from verified', () => {
    const needs = promotion('staging-to-prod', { from: 'dev', to: 'staging', requireVerified: true });
    const upstream = (phase: 'Verifying' | 'Verified' | 'Failed') =>
      promotion(
        'qa-to-dev',
        {
          from: 'qa',
          to: 'dev',
          verify: {
            for: '1m',
            gates: [{ name: 'g', http: { url: 'http://x/' } }],
            onFailure: 'rollback',
            reject: false,
          },
        },
        {
          status: {
            verifications: [
              {
                application: 'core',
                version: '1.2.0',
                phase,
                promotedAt: '2026-11-20T10:00:00Z',
                message: 'gate g failed: bad',
              },
            ],
          },
        },
      );
    const check = (upstreamPromotions: ReturnType<typeof promotion>[]) =>
      firstStop(PROMOTION_GATES, input({ run: { promotion: needs, upstream: upstreamPromotions } }));
    expect(check([])).toMatchObject({
      gate: { name: 'verified' },
      outcome: {
        outcome: 'Waiting',
        reason: expect.stringContaining('no Promotion into dev has spec.verify'),
      },
    });
    expect(check([upstream('Verifying')])?.outcome).toMatchObject({
      outcome: 'Waiting',
      reason: expect.stringContaining('being verified in dev'),
    });
    expect(check([upstream('Failed')])?.outcome).toMatchObject({
      outcome: 'Blocked',
      reason: expect.stringContaining('failed: gate g failed: bad'),
    });
    expect(check([upstream('Verified')])).toBeUndefined();
    // A Verified entry in the history counts too (the record may have been replaced since).
    const recorded = app('core', {}, {
      status: {
        history: [{ time: '2026-11-20T11:00:00Z', type: 'Verified', environment: 'dev', to: '1.2.0' }],
      },
    } as Partial<Application>);
    expect(firstStop(PROMOTION_GATES, input({ app: recorded, run: { promotion: needs } }))).toBeUndefined();
  });
});
