import type { Application } from '../../api/application.js';
import type { Promotion, PromotionVerification, PromotionVerify } from '../../api/promotion.js';
import { app, promotion, wrote } from '../testing/builders.js';
import { promotionManager } from '../field-managers.js';
import type { GateAnswer } from './gate-answers.js';
import { planVerification, VERIFICATION_MANAGER, verificationCounts } from './verification.js';

const t0 = new Date('2026-11-20T12:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const iso = (seconds: number) => at(seconds).toISOString();

const verify = (extra: Partial<PromotionVerify> = {}): PromotionVerify => ({
  for: '20s',
  deployTimeout: '1m',
  gates: [{ name: 'errors', interval: '5s', http: { url: 'http://127.0.0.1:1/g' } }],
  onFailure: 'rollback',
  reject: false,
  ...extra,
});

function stagingToProd(records: PromotionVerification[] = [], v: Partial<PromotionVerify> = {}): Promotion {
  return promotion(
    'staging-to-prod',
    { from: 'staging', to: 'prod', verify: verify(v) },
    { status: { verifySince: iso(-60), verifications: records } },
  );
}

/** core: prod was 1.0.0, the Promotion wrote 1.1.0 at t0; prod-1 reports `deployed`. */
function core(opts: { prod?: string; deployed?: string; manager?: string } = {}): Application {
  return app('core', { versions: { staging: '1.1.0', prod: opts.prod ?? '1.1.0' } }, {
    metadata: {
      name: 'core',
      namespace: 'ns',
      managedFields: [wrote(opts.manager ?? promotionManager('staging-to-prod', 'prod'), ['prod'], iso(0))],
    },
    status: {
      environments: [
        { name: 'staging', requested: '1.1.0', desired: '1.1.0', blocked: null },
        { name: 'prod', requested: '1.1.0', desired: '1.1.0', blocked: null },
      ],
      targets: [
        { name: 'prod-1', environment: 'prod', desired: '1.1.0', deployed: opts.deployed ?? '1.0.0' },
      ],
      history: [
        {
          time: iso(0),
          type: 'Promoted',
          environment: 'prod',
          from: '1.0.0',
          to: '1.1.0',
          actor: 'promotion staging-to-prod',
        },
      ],
    },
  } as Partial<Application>);
}

const answered =
  (result: GateAnswer['result'], message = 'ok', window?: string) =>
  (w: string) =>
    window === undefined || window === w
      ? () => ({ result, message, time: iso(30) }) as GateAnswer
      : undefined;

const deploying: PromotionVerification = {
  application: 'core',
  version: '1.1.0',
  replaced: '1.0.0',
  phase: 'Deploying',
  promotedAt: iso(0),
};
const verifying: PromotionVerification = { ...deploying, phase: 'Verifying', startedAt: iso(10) };

describe('planVerification', () => {
  test('a version this Promotion wrote starts Deploying, with the version it replaced', () => {
    const step = planVerification({ promotion: stagingToProd(), app: core(), now: at(1) });
    expect(step.record).toEqual(deploying);
    expect(step.changed).toBe(true);
    expect(step.wakeAt).toEqual(at(60));
    expect(step.ask).toBeUndefined();
  });

  test('a version written before the Promotion had spec.verify is not verified', () => {
    const added = stagingToProd();
    added.status = { verifySince: iso(30) };
    expect(planVerification({ promotion: added, app: core(), now: at(31) }).record).toBeUndefined();
    const firstRun = stagingToProd();
    firstRun.status = {};
    expect(planVerification({ promotion: firstRun, app: core(), now: at(31) }).record).toBeUndefined();
  });

  test('a version someone else wrote is not verified', () => {
    const step = planVerification({
      promotion: stagingToProd(),
      app: core({ manager: 'depot-cli.prod.alice' }),
      now: at(1),
    });
    expect(step.record).toBeUndefined();
  });

  test('the window starts once every target of to reports the version, and the gates are asked', () => {
    const step = planVerification({
      promotion: stagingToProd([deploying]),
      app: core({ deployed: '1.1.0' }),
      now: at(10),
    });
    expect(step.record).toMatchObject({ phase: 'Verifying', startedAt: iso(10) });
    expect(step.changed).toBe(true);
    expect(step.ask).toEqual({ application: 'core', version: '1.1.0', window: iso(10) });
    expect(step.wakeAt).toEqual(at(30));
  });

  test('a version not deployed within deployTimeout fails and is rolled back to the version it replaced', () => {
    const before = planVerification({ promotion: stagingToProd([deploying]), app: core(), now: at(59) });
    expect(before.failure).toBeUndefined();
    expect(before.changed).toBe(false);
    const step = planVerification({ promotion: stagingToProd([deploying]), app: core(), now: at(60) });
    expect(step.record).toMatchObject({ phase: 'Failed', action: 'RolledBack', finishedAt: iso(60) });
    expect(step.record!.message).toContain('not reported deployed in prod within deployTimeout 1m');
    expect(step.failure).toMatchObject({
      application: 'core',
      version: '1.1.0',
      rollbackTo: '1.0.0',
      reject: false,
    });
  });

  test('a failed gate answer in the window fails it; reject: true rejects the version too', () => {
    const step = planVerification({
      promotion: stagingToProd([verifying], { reject: true }),
      app: core({ deployed: '1.1.0' }),
      now: at(15),
      answers: answered('Failed', 'value 0.5 is not < 0.01', iso(10)),
    });
    expect(step.record).toMatchObject({ phase: 'Failed', action: 'RolledBack', rejected: true });
    expect(step.failure).toEqual({
      application: 'core',
      version: '1.1.0',
      rollbackTo: '1.0.0',
      reject: true,
      reason: 'verification gate errors failed: value 0.5 is not < 0.01',
    });
  });

  test('an answer of another window does not count', () => {
    const step = planVerification({
      promotion: stagingToProd([verifying]),
      app: core({ deployed: '1.1.0' }),
      now: at(15),
      answers: answered('Failed', 'old', iso(-100)),
    });
    expect(step.failure).toBeUndefined();
    expect(step.record!.phase).toBe('Verifying');
  });

  test('passing answers until the window ends verify the version; a pending gate at the end waits', () => {
    const during = planVerification({
      promotion: stagingToProd([verifying]),
      app: core({ deployed: '1.1.0' }),
      now: at(29),
      answers: answered('Passed'),
    });
    expect(during.record!.phase).toBe('Verifying');
    const done = planVerification({
      promotion: stagingToProd([verifying]),
      app: core({ deployed: '1.1.0' }),
      now: at(30),
      answers: answered('Passed'),
    });
    expect(done.record).toMatchObject({ phase: 'Verified', finishedAt: iso(30) });
    expect(done.changed).toBe(true);
    const pending = planVerification({
      promotion: stagingToProd([verifying]),
      app: core({ deployed: '1.1.0' }),
      now: at(31),
    });
    expect(pending.record).toMatchObject({ phase: 'Verifying' });
    expect(pending.record!.message).toContain('window over; waiting for gate errors');
    expect(pending.ask).toBeDefined();
  });

  test('to moved on by someone else meanwhile: recorded, nothing done', () => {
    const step = planVerification({
      promotion: stagingToProd([verifying]),
      app: core({ prod: '1.2.0', manager: 'depot-cli.prod.alice', deployed: '1.1.0' }),
      now: at(15),
      answers: answered('Failed', 'bad'),
    });
    expect(step.record).toMatchObject({ phase: 'MovedOn' });
    expect(step.record!.message).toContain('moved from 1.1.0 to 1.2.0');
    expect(step.failure).toBeUndefined();
  });

  test('our own rollback whose record was lost (a restart) is recorded as Failed, not moved on', () => {
    const step = planVerification({
      promotion: stagingToProd([verifying]),
      app: core({ prod: '1.0.0', manager: VERIFICATION_MANAGER, deployed: '1.1.0' }),
      now: at(15),
    });
    expect(step.record).toMatchObject({ phase: 'Failed', action: 'RolledBack' });
    expect(step.failure).toBeUndefined();
  });

  test('onFailure hold holds without rolling back; none only records', () => {
    const hold = planVerification({
      promotion: stagingToProd([verifying], { onFailure: 'hold' }),
      app: core({ deployed: '1.1.0' }),
      now: at(15),
      answers: answered('Failed', 'bad'),
    });
    expect(hold.record).toMatchObject({ phase: 'Failed', action: 'Held' });
    expect(hold.failure).toMatchObject({
      hold: { application: 'core', version: '1.1.0', by: 'promotion/staging-to-prod' },
    });
    expect(hold.failure!.rollbackTo).toBeUndefined();
    const none = planVerification({
      promotion: stagingToProd([verifying], { onFailure: 'none' }),
      app: core({ deployed: '1.1.0' }),
      now: at(15),
      answers: answered('Failed', 'bad'),
    });
    expect(none.record).toMatchObject({ phase: 'Failed', action: 'None' });
    expect(none.failure).toMatchObject({ reject: false });
    expect(none.failure!.hold).toBeUndefined();
  });

  test('the rollback target comes from the history when the record has none', () => {
    const noReplaced: PromotionVerification = { ...verifying };
    delete noReplaced.replaced;
    const step = planVerification({
      promotion: stagingToProd([noReplaced]),
      app: core({ deployed: '1.1.0' }),
      now: at(15),
      answers: answered('Failed', 'bad'),
    });
    expect(step.failure!.rollbackTo).toBe('1.0.0');
  });

  test('a finished verification stays as it is (a converged system writes nothing)', () => {
    const verified: PromotionVerification = { ...verifying, phase: 'Verified', finishedAt: iso(30) };
    const step = planVerification({
      promotion: stagingToProd([verified]),
      app: core({ deployed: '1.1.0' }),
      now: at(100),
    });
    expect(step.record).toBe(verified);
    expect(step.changed).toBe(false);
    expect(step.ask).toBeUndefined();
    expect(verificationCounts([verified, verifying, { ...verifying, phase: 'Failed' }])).toEqual({
      verifying: 1,
      verified: 1,
      failed: 1,
    });
  });
});
