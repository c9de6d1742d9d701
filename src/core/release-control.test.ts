import { releaseAnnotation } from '../api/annotations.js';
import type { Application } from '../api/application.js';
import type { Promotion } from '../api/promotion.js';
import { planApplication } from './application/plan.js';
import { decide } from './application/decision.js';
import { approveManager, approverList, requesterOf } from './approvals.js';
import { promotionManager, type ManagedFieldsEntry } from './field-managers.js';
import { planApproval, planReject, planRollback, planUnreject } from './release-control.js';
import { planPromotion } from './promotion/index.js';
import { rejectManager } from './rejections.js';
import { app, byName, env, promotion, set, target, wrote } from './testing/builders.js';
import { versionsOf } from './versions.js';

const t0 = new Date('2026-11-20T12:00:00Z');
const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);
const PROMOTER = promotionManager('to-prod', 'prod');

/** The application with the status the controller computes at `at` (from its previous status). */
function settled(a: Application, at: Date): Application {
  const status = planApplication({
    app: a,
    environments: byName(env('dev'), env('staging'), env('prod')),
    sets: byName(set('default', ['dev', 'staging', 'prod'])),
    targets: [target('staging-1', 'staging'), target('prod-1', 'prod')],
    now: at,
    historyLimit: 100,
  }).status;
  // The fixtures name writers by field manager; read them as the verified
  // actors Depot's admission stamps give (the unverified case has its own test).
  const history = status.history?.map(({ actorUnverified: _, ...h }) => h);
  return { ...a, status: { ...status, ...(history ? { history } : {}) } };
}

/** The same application with a new spec and managedFields (the status as it was). */
function edited(
  a: Application,
  versions: Record<string, string>,
  managedFields: ManagedFieldsEntry[],
  extra: Partial<Application['spec']> = {},
  annotations?: Record<string, string>,
): Application {
  return {
    ...a,
    metadata: { ...a.metadata, managedFields, ...(annotations ? { annotations } : {}) },
    spec: { ...a.spec, ...extra, versions },
  } as Application;
}

const toProd = (extra: Partial<Parameters<typeof promotion>[1]> = {}, status?: Promotion['status']) =>
  promotion('to-prod', { from: 'staging', to: 'prod', ...extra }, status ? { status } : {});

/** core promoted to 1.2.0 in prod by the Promotion, then rolled back to 1.1.0 by `manager`. */
function rolledBack(manager = 'kubectl-patch'): { pending: Application; recorded: Application } {
  const start = settled(
    edited(app('core'), { staging: '1.2.0', prod: '1.1.0' }, [wrote('ci', ['staging', 'prod'])]),
    t0,
  );
  const promoted = settled(
    edited(start, { staging: '1.2.0', prod: '1.2.0' }, [
      wrote('ci', ['staging']),
      wrote(PROMOTER, ['prod'], minutes(1).toISOString()),
    ]),
    minutes(1),
  );
  const pending = edited(promoted, { staging: '1.2.0', prod: '1.1.0' }, [
    wrote('ci', ['staging']),
    wrote(manager, ['prod'], minutes(2).toISOString()),
  ]);
  return { pending, recorded: settled(pending, minutes(2)) };
}

describe('holds after a rollback', () => {
  test('a rollback not yet in the status holds the version rolled back from, naming who and when', () => {
    const { pending } = rolledBack();
    const plan = planPromotion({ promotion: toProd(), applications: [pending], now: minutes(3) });
    expect(plan.writes).toEqual([]);
    expect(plan.results[0]).toMatchObject({ application: 'core', outcome: 'Held', version: '1.2.0' });
    expect(plan.results[0]!.reason).toBe(
      `held: kubectl-patch rolled prod back from 1.2.0 to 1.1.0 at ${minutes(2).toISOString()}; 1.2.0 and older are not promoted again until a newer version is eligible (release: depot release core prod)`,
    );
    expect(plan.holds).toEqual([
      {
        application: 'core',
        version: '1.2.0',
        rolledBackTo: '1.1.0',
        by: 'kubectl-patch',
        since: minutes(2).toISOString(),
      },
    ]);
  });

  test('a rollback recorded in the history holds too, with no memory in the Promotion', () => {
    const { recorded } = rolledBack('depot-rollback.prod.alice');
    expect(
      recorded.status!.history!.find((h) => h.environment === 'prod' && h.type !== 'Delivered'),
    ).toMatchObject({
      type: 'RolledBack',
      from: '1.2.0',
      to: '1.1.0',
    });
    const plan = planPromotion({ promotion: toProd(), applications: [recorded], now: minutes(3) });
    expect(plan.results[0]).toMatchObject({ outcome: 'Held' });
    expect(plan.holds[0]).toMatchObject({ version: '1.2.0', by: 'alice' });
  });

  test('the hold in the Promotion status stays after the history moved on (a hotfix by hand, older still)', () => {
    const { recorded } = rolledBack();
    const held = planPromotion({ promotion: toProd(), applications: [recorded], now: minutes(3) });
    const hotfix = settled(
      edited(recorded, { staging: '1.2.0', prod: '1.1.1' }, [
        wrote('ci', ['staging']),
        wrote('bob', ['prod'], minutes(4).toISOString()),
      ]),
      minutes(4),
    );
    const plan = planPromotion({
      promotion: toProd({}, { holds: held.holds }),
      applications: [hotfix],
      now: minutes(5),
    });
    expect(plan.results[0]).toMatchObject({ outcome: 'Held', version: '1.2.0' });
    // Without the status, nothing remembers it: the newest request is an upgrade.
    expect(
      planPromotion({ promotion: toProd(), applications: [hotfix], now: minutes(5) }).results[0]!.outcome,
    ).toBe('Promoted');
  });

  test('older versions than the one rolled back from are held too', () => {
    const { recorded } = rolledBack();
    const older = edited(
      recorded,
      { staging: '1.1.5', prod: '1.1.0' },
      recorded.metadata.managedFields as ManagedFieldsEntry[],
    );
    const staged = settled(older, minutes(3));
    expect(
      planPromotion({ promotion: toProd(), applications: [staged], now: minutes(4) }).results[0],
    ).toMatchObject({ outcome: 'Held', version: '1.1.5' });
  });

  test('the hold ends when a newer version is eligible, and the newer version is promoted', () => {
    const { recorded } = rolledBack();
    const held = planPromotion({ promotion: toProd(), applications: [recorded], now: minutes(3) });
    const fix = settled(
      edited(
        recorded,
        { staging: '1.2.1', prod: '1.1.0' },
        recorded.metadata.managedFields as ManagedFieldsEntry[],
      ),
      minutes(4),
    );
    // Soaking: not eligible yet, the hold stays.
    const soaking = planPromotion({
      promotion: toProd({ after: '10m' }, { holds: held.holds }),
      applications: [fix],
      now: minutes(5),
    });
    expect(soaking.results[0]).toMatchObject({ outcome: 'Waiting', version: '1.2.1' });
    expect(soaking.holds).toHaveLength(1);
    const plan = planPromotion({
      promotion: toProd({}, { holds: held.holds }),
      applications: [fix],
      now: minutes(5),
    });
    expect(plan.writes).toEqual([{ application: 'core', version: '1.2.1' }]);
    expect(plan.holds).toEqual([]);
  });

  test('depot release (the release annotation naming the version) ends the hold', () => {
    const { recorded } = rolledBack();
    const held = planPromotion({ promotion: toProd(), applications: [recorded], now: minutes(3) });
    const released = edited(
      recorded,
      recorded.spec.versions!,
      recorded.metadata.managedFields as ManagedFieldsEntry[],
      {},
      { [releaseAnnotation('prod')]: '1.2.0' },
    );
    const plan = planPromotion({
      promotion: toProd({}, { holds: held.holds }),
      applications: [released],
      now: minutes(4),
    });
    expect(plan.holds).toEqual([]);
    expect(plan.writes).toEqual([{ application: 'core', version: '1.2.0' }]);
  });

  test('a rollback faster than the status (never recorded the promoted version) holds too', () => {
    const start = settled(
      edited(app('core'), { staging: '1.2.0', prod: '1.1.0' }, [wrote('ci', ['staging', 'prod'])]),
      t0,
    );
    // The Promotion wrote 1.2.0 and recorded it; a person put 1.1.0 back before the status saw 1.2.0.
    const undone = edited(start, { staging: '1.2.0', prod: '1.1.0' }, [
      wrote('ci', ['staging']),
      wrote('kubectl-patch', ['prod'], minutes(1).toISOString()),
    ]);
    const lastRun = {
      results: [{ application: 'core', version: '1.2.0', outcome: 'Promoted' as const, reason: 'x' }],
    };
    const plan = planPromotion({ promotion: toProd({}, lastRun), applications: [undone], now: minutes(2) });
    expect(plan.writes).toEqual([]);
    expect(plan.holds[0]).toMatchObject({ version: '1.2.0', rolledBackTo: '1.1.0', by: 'kubectl-patch' });
  });

  test('a release written before the rollback does not end it', () => {
    const { recorded } = rolledBack();
    const oldRelease: ManagedFieldsEntry = {
      manager: 'depot-release.prod.bob',
      operation: 'Apply',
      time: t0.toISOString(),
      fieldsV1: { 'f:metadata': { 'f:annotations': { [`f:${releaseAnnotation('prod')}`]: {} } } },
    };
    const stale = edited(
      recorded,
      recorded.spec.versions!,
      [...(recorded.metadata.managedFields as ManagedFieldsEntry[]), oldRelease],
      {},
      { [releaseAnnotation('prod')]: '1.2.0' },
    );
    const plan = planPromotion({ promotion: toProd(), applications: [stale], now: minutes(4) });
    expect(plan.results[0]!.outcome).toBe('Held');
  });

  test("the Promotion's own write and upgrades by people hold nothing", () => {
    const start = settled(
      edited(app('core'), { staging: '1.2.0', prod: '1.1.0' }, [wrote('ci', ['staging', 'prod'])]),
      t0,
    );
    const upgrade = edited(start, { staging: '1.3.0', prod: '1.2.0' }, [
      wrote('ci', ['staging']),
      wrote('bob', ['prod'], minutes(1).toISOString()),
    ]);
    const plan = planPromotion({ promotion: toProd(), applications: [upgrade], now: minutes(2) });
    expect(plan.holds).toEqual([]);
    expect(plan.results[0]!.outcome).not.toBe('Held');
  });
});

const rejectedBy = (user: string, version: string): ManagedFieldsEntry => ({
  manager: rejectManager(version, user),
  operation: 'Apply',
  time: t0.toISOString(),
  fieldsV1: { 'f:spec': { 'f:rejectedVersions': { [`k:{"version":"${version}"}`]: {} } } },
});

describe('rejected versions', () => {
  const rejected = (versions: Record<string, string>) =>
    settled(
      edited(app('core'), versions, [wrote('ci', ['staging', 'prod']), rejectedBy('alice', '1.3.0')], {
        rejectedVersions: [{ version: '1.3.0', reason: 'corrupts uploads' }],
      }),
      t0,
    );

  test('a rejected version is never promoted: Blocked, naming who and why', () => {
    // 1.3.0 soaks in staging, then is rejected.
    const soaking = settled(
      edited(app('core'), { staging: '1.3.0', prod: '1.2.0' }, [wrote('ci', ['staging', 'prod'])]),
      t0,
    );
    const core = edited(
      soaking,
      { staging: '1.3.0', prod: '1.2.0' },
      [wrote('ci', ['staging', 'prod']), rejectedBy('alice', '1.3.0')],
      { rejectedVersions: [{ version: '1.3.0', reason: 'corrupts uploads' }] },
    );
    const plan = planPromotion({ promotion: toProd(), applications: [core], now: minutes(1) });
    expect(plan.writes).toEqual([]);
    expect(plan.results[0]).toMatchObject({
      outcome: 'Blocked',
      reason: 'rejected by alice: corrupts uploads',
    });
  });

  test('a new request of it is blocked unless forced; an environment already running it keeps it, flagged', () => {
    const core = rejected({ staging: '1.3.0', prod: '1.2.0' });
    // staging requested 1.3.0 before the controller saw the rejection? Here at once: blocked.
    expect(core.status!.environments!.find((e) => e.name === 'staging')).toMatchObject({
      requested: '1.3.0',
      blocked: { reason: 'Rejected' },
    });
    const request = {
      app: core,
      env: 'prod',
      environment: env('prod'),
      requested: '1.3.0',
      versions: versionsOf('semver'),
      before: { name: 'prod', requested: '1.2.0', desired: '1.2.0' },
      now: t0,
    };
    expect(decide({ ...request, forced: false })).toMatchObject({
      desired: '1.2.0',
      blocked: {
        reason: 'Rejected',
        message: expect.stringContaining('rejected by alice: corrupts uploads'),
      },
    });
    expect(decide({ ...request, forced: true })).toMatchObject({ desired: '1.3.0', blocked: null });

    // Running 1.3.0, then rejected: kept, flagged by the Rejected condition and a history entry.
    const running = settled(
      edited(app('core'), { staging: '1.3.0', prod: '1.2.0' }, [wrote('ci', ['staging', 'prod'])]),
      t0,
    );
    const flagged = settled(
      edited(
        running,
        { staging: '1.3.0', prod: '1.2.0' },
        [wrote('ci', ['staging', 'prod']), rejectedBy('alice', '1.3.0')],
        { rejectedVersions: [{ version: '1.3.0', reason: 'corrupts uploads' }] },
      ),
      minutes(1),
    );
    expect(flagged.status!.environments!.find((e) => e.name === 'staging')!.desired).toBe('1.3.0');
    expect(flagged.status!.conditions!.find((c) => c.type === 'Rejected')).toMatchObject({
      status: 'True',
      reason: 'RejectedVersionRunning',
    });
    expect(flagged.status!.history![0]).toMatchObject({ type: 'Rejected', to: '1.3.0', actor: 'alice' });
    expect(flagged.status!.rejectedVersions).toEqual([
      { version: '1.3.0', reason: 'corrupts uploads', by: 'alice' },
    ]);
    // Removed: an Unrejected entry, the condition clears.
    const cleared = settled(
      edited(flagged, { staging: '1.3.0', prod: '1.2.0' }, [wrote('ci', ['staging', 'prod'])], {
        rejectedVersions: [],
      }),
      minutes(2),
    );
    expect(cleared.status!.history![0]).toMatchObject({ type: 'Unrejected', to: '1.3.0' });
    expect(cleared.status!.conditions!.find((c) => c.type === 'Rejected')!.status).toBe('False');
  });

  test('a rejected version the scheme cannot have makes the application not Ready, naming the field', () => {
    const typo = settled(
      edited(app('core'), { prod: '1.2.0' }, [wrote('ci', ['prod'])], {
        rejectedVersions: [{ version: 'latest', reason: 'x' }],
      }),
      t0,
    );
    expect(typo.status!.conditions!.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'InvalidRejectedVersion',
      message: 'spec.rejectedVersions[0].version: "latest" is not a semver version, so it rejects nothing',
    });
  });

  test('reject and unreject check their input', () => {
    const core = rejected({ staging: '1.3.0' });
    expect(planReject(core, 'not-a-version', 'x')).toEqual({
      ok: false,
      message: '"not-a-version" is not a semver version, so core can never run it',
    });
    expect(planReject(core, '1.4.0', ' ').ok).toBe(false);
    expect(planReject(core, '1.4.0', 'slow').ok).toBe(true);
    expect(planUnreject(core, '1.4.0')).toEqual({
      ok: false,
      message: '1.4.0 of core is not rejected (rejected: 1.3.0)',
    });
    expect(planUnreject(core, 'v1.3.0')).toEqual({ ok: true, index: 0, version: '1.3.0' });
  });
});

describe('approval gates (four eyes)', () => {
  // ci first requested 1.2.1 (in staging); prod runs 1.1.0.
  const core = () =>
    settled(edited(app('core'), { staging: '1.2.1', prod: '1.1.0' }, [wrote('ci', ['staging', 'prod'])]), t0);
  const approval = (approver: string, version = '1.2.1') => ({ application: 'core', version, approver });
  const gated = (
    approvals: { application: string; version: string; approver: string }[],
    gate: { minApprovals?: number; allowSelfApproval?: boolean } = {},
  ) => toProd({ approval: { required: true, ...gate }, approvals });
  const run = (p: Promotion, a = core()) =>
    planPromotion({ promotion: p, applications: [a], now: minutes(1) });

  test('an eligible version waits with ApprovalRequired; an approval of another version does not count', () => {
    const plan = run(gated([approval('bob', '1.2.0')]));
    expect(plan.writes).toEqual([]);
    expect(plan.results[0]).toMatchObject({
      outcome: 'Waiting',
      reason: 'ApprovalRequired: 1.2.1 waits for approval (depot approve to-prod core 1.2.1)',
      approvers: [],
      approvalsNeeded: 1,
    });
  });

  test('the exact version approved by someone other than its requester is promoted, naming the approver', () => {
    const plan = run(gated([approval('bob')]));
    expect(plan.writes).toEqual([{ application: 'core', version: '1.2.1', approvedBy: 'bob' }]);
    expect(plan.results[0]).toMatchObject({
      outcome: 'Promoted',
      reason: '1.1.0 → 1.2.1 from staging, approved by bob',
      approvers: ['bob'],
      approvalsNeeded: 0,
    });
  });

  test('the requester approving their own version does not count, and the reason says so without naming them', () => {
    expect(requesterOf(core(), versionsOf('semver'), '1.2.1')).toEqual({ actor: 'ci', verified: true });
    const plan = run(gated([approval('ci')]));
    expect(plan.writes).toEqual([]);
    expect(plan.results[0]).toMatchObject({
      outcome: 'Waiting',
      reason:
        'ApprovalRequired: 1.2.1 waits for 1 more approval (0 of 1 distinct approvers; an approval by whoever first requested 1.2.1 does not count (spec.approval.allowSelfApproval is false)) (depot approve to-prod core 1.2.1)',
      approvers: [],
      approvalsNeeded: 1,
    });
    const withBob = run(gated([approval('ci'), approval('bob')]));
    expect(withBob.writes).toEqual([{ application: 'core', version: '1.2.1', approvedBy: 'bob' }]);
  });

  test('allowSelfApproval counts the requester', () => {
    const plan = run(gated([approval('ci')], { allowSelfApproval: true }));
    expect(plan.writes).toEqual([{ application: 'core', version: '1.2.1', approvedBy: 'ci' }]);
  });

  test('minApprovals 2 needs two distinct approvers, and the Promoted result and write name both', () => {
    const one = run(gated([approval('alice')], { minApprovals: 2 }));
    expect(one.writes).toEqual([]);
    expect(one.results[0]).toMatchObject({
      outcome: 'Waiting',
      reason:
        'ApprovalRequired: 1.2.1 waits for 1 more approval (1 of 2 distinct approvers: alice) (depot approve to-prod core 1.2.1)',
      approvers: ['alice'],
      approvalsNeeded: 1,
    });
    // The same approver twice (impossible through the list-map key, possible in a hand-made object) counts once.
    expect(run(gated([approval('alice'), approval('alice')], { minApprovals: 2 })).writes).toEqual([]);
    // The requester is not the second pair of eyes.
    expect(run(gated([approval('alice'), approval('ci')], { minApprovals: 2 })).results[0]).toMatchObject({
      outcome: 'Waiting',
      approvers: ['alice'],
      approvalsNeeded: 1,
    });
    const two = run(gated([approval('alice'), approval('bob')], { minApprovals: 2 }));
    expect(two.writes).toEqual([{ application: 'core', version: '1.2.1', approvedBy: 'alice, bob' }]);
    expect(two.results[0]!.reason).toBe('1.1.0 → 1.2.1 from staging, approved by alice, bob');
  });

  test('the requester is whoever first requested the version in any environment, not the Promotion that carried it', () => {
    const first = settled(
      edited(app('core'), { dev: '1.2.1', staging: '1.2.0', prod: '1.1.0' }, [
        wrote('carol', ['dev']),
        wrote('ci', ['staging', 'prod']),
      ]),
      t0,
    );
    const carried = settled(
      edited(first, { dev: '1.2.1', staging: '1.2.1', prod: '1.1.0' }, [
        wrote('carol', ['dev']),
        wrote(promotionManager('to-staging', 'staging'), ['staging'], minutes(1).toISOString()),
        wrote('ci', ['prod']),
      ]),
      minutes(1),
    );
    expect(carried.status!.history!.map((h) => `${h.type} ${h.environment} ${h.to} ${h.actor}`)).toEqual(
      expect.arrayContaining(['Requested dev 1.2.1 carol', 'Promoted staging 1.2.1 promotion to-staging']),
    );
    expect(requesterOf(carried, versionsOf('semver'), '1.2.1')).toEqual({ actor: 'carol', verified: true });
    expect(run(gated([approval('carol')]), carried).writes).toEqual([]);
    expect(run(gated([approval('promotion to-staging')]), carried).writes).toHaveLength(1);
  });

  test('when the requester was not verified, the Promoted reason says self-approval was not ruled out', () => {
    // Without Depot's admission policies the actor is read from a field manager, which anyone can name.
    const guessed = {
      ...core(),
      status: {
        ...core().status!,
        history: core().status!.history!.map((h) =>
          h.type === 'Requested' ? { ...h, actorUnverified: true } : h,
        ),
      },
    } as Application;
    const plan = run(gated([approval('bob')]), guessed);
    expect(plan.results[0]).toMatchObject({
      outcome: 'Promoted',
      reason:
        '1.1.0 → 1.2.1 from staging, approved by bob (the Requested entry of 1.2.1 names an actor that was not verified, so self-approval could not be ruled out)',
    });
    // An approval under the name it does carry is still left out.
    expect(run(gated([approval('ci')]), guessed).writes).toEqual([]);
  });

  test('when the history no longer holds the Requested entry, the Promoted reason says self-approval was not ruled out', () => {
    const forgotten = { ...core(), status: { ...core().status!, history: [] } } as Application;
    const plan = run(gated([approval('ci')]), forgotten);
    expect(plan.results[0]).toMatchObject({
      outcome: 'Promoted',
      reason:
        '1.1.0 → 1.2.1 from staging, approved by ci (the history no longer holds the Requested entry of 1.2.1, so self-approval could not be ruled out)',
    });
  });

  test('depot approve refuses an application not covered, a version not waiting, a Promotion with no gate, and the requester', () => {
    const waiting = (
      gate: { minApprovals?: number; allowSelfApproval?: boolean } = {},
      approvals = [approval('alice')],
    ) =>
      ({
        ...gated(approvals, gate),
        status: {
          results: [
            {
              application: 'core',
              version: '1.2.1',
              outcome: 'Waiting' as const,
              reason: 'ApprovalRequired: 1.2.1 waits',
            },
          ],
        },
      }) as Promotion;
    const apps = [core()];
    expect(planApproval(waiting(), apps, 'core', undefined, 'bob')).toEqual({
      ok: true,
      version: '1.2.1',
      tally: {
        required: 1,
        approvers: ['alice', 'bob'],
        selfApprovalIgnored: false,
        requesterUnknown: false,
        requesterUnverified: false,
        missing: 0,
      },
    });
    expect(planApproval(waiting({ minApprovals: 3 }), apps, 'core', '1.2.1', 'bob')).toMatchObject({
      ok: true,
      tally: { approvers: ['alice', 'bob'], missing: 1 },
    });
    // Approving again is the same approval.
    expect(planApproval(waiting({ minApprovals: 3 }), apps, 'core', '1.2.1', 'alice')).toMatchObject({
      ok: true,
      tally: { approvers: ['alice'], missing: 2 },
    });
    expect(planApproval(waiting(), apps, 'core', undefined, 'ci')).toEqual({
      ok: false,
      message:
        'ci first requested core 1.2.1, so their approval does not count in Promotion to-prod (spec.approval.allowSelfApproval is false): someone else must approve',
    });
    expect(planApproval(waiting({ allowSelfApproval: true }), apps, 'core', undefined, 'ci').ok).toBe(true);
    expect(planApproval(waiting(), apps, 'core', '1.2.0', 'bob')).toEqual({
      ok: false,
      message: 'core 1.2.0 is not waiting for approval in Promotion to-prod (1.2.1 is)',
    });
    expect(planApproval(waiting(), apps, 'dash', undefined, 'bob')).toEqual({
      ok: false,
      message: 'Promotion to-prod (staging → prod) does not cover dash',
    });
    expect(planApproval(toProd(), apps, 'core', undefined, 'bob').ok).toBe(false);
  });

  test('long approver names keep distinct field managers of at most 128 characters', () => {
    const sa = (name: string) => `system:serviceaccount:${'n'.repeat(63)}:${'approver-'.repeat(10)}${name}`;
    const [a, b] = [approveManager('core', '1.2.1', sa('a')), approveManager('core', '1.2.1', sa('b'))];
    expect(a).not.toBe(b);
    expect([a.length, b.length]).toEqual([128, 128]);
    expect(a.startsWith('depot-approve.core@1.2.1.system:serviceaccount:')).toBe(true);
    expect(approveManager('core', '1.2.1', 'alice')).toBe('depot-approve.core@1.2.1.alice');
  });

  test('a long list of approvers is cut to a bounded length, counting the rest', () => {
    expect(approverList(['alice', 'bob', 'carol'], 10)).toBe('alice, bob and 1 more');
    expect(approverList(['a'.repeat(20), 'bob'], 10)).toBe('aaaaaaaaaa and 1 more');
    expect(approverList(['alice', 'bob'])).toBe('alice, bob');
  });
});

describe('the RolledBack history entry', () => {
  const withReason = (reasonBy: string) => {
    const { pending } = rolledBack('depot-rollback.prod.alice');
    const reasonEntry: ManagedFieldsEntry = {
      manager: reasonBy,
      operation: 'Apply',
      time: minutes(2).toISOString(),
      fieldsV1: { 'f:metadata': { 'f:annotations': { 'f:rollback.depot.sh/prod': {} } } },
    };
    const a = edited(
      pending,
      pending.spec.versions!,
      [...(pending.metadata.managedFields as ManagedFieldsEntry[]), reasonEntry],
      {},
      { 'rollback.depot.sh/prod': 'checkout errors' },
    );
    return settled(a, minutes(2)).status!.history!.find((h) => h.type === 'RolledBack')!;
  };

  test('names the user, the version left and the reason given with this rollback', () => {
    expect(withReason('depot-rollback.prod.alice')).toMatchObject({
      from: '1.2.0',
      to: '1.1.0',
      actor: 'alice',
      message: 'prod rolled back from 1.2.0 to 1.1.0: checkout errors',
    });
  });

  test("another writer's older reason is not shown", () => {
    expect(withReason('depot-rollback.prod.bob').message).toBe('prod rolled back from 1.2.0 to 1.1.0');
  });
});

describe('depot rollback', () => {
  test('goes back to the previous desired version from the history, or --to', () => {
    const { recorded } = rolledBack();
    // After 1.1.0 → 1.2.0 → 1.1.0 the previous older version is 1.1.0's predecessor: none older.
    const promoted = settled(
      edited(
        settled(edited(app('core'), { prod: '1.1.0' }, [wrote('ci', ['prod'])]), t0),
        { prod: '1.2.0' },
        [wrote(PROMOTER, ['prod'], minutes(1).toISOString())],
      ),
      minutes(1),
    );
    expect(planRollback(promoted, 'prod')).toEqual({ ok: true, from: '1.2.0', to: '1.1.0' });
    expect(planRollback(recorded, 'prod')).toEqual({
      ok: false,
      message:
        'no earlier version of core in the history of prod to roll back to (it runs 1.1.0): pass --to VERSION',
    });
    expect(planRollback(recorded, 'prod', '1.0.0')).toEqual({ ok: true, from: '1.1.0', to: '1.0.0' });
    expect(planRollback(recorded, 'prod', 'x.y')).toEqual({
      ok: false,
      message: '--to: "x.y" is not a semver version',
    });
    expect(planRollback(recorded, 'prd').ok).toBe(false);
  });
});
