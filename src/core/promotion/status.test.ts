import { PromotionStatusSchema, type PromotionResult } from '../../api/promotion.js';
import { promotion } from '../testing/builders.js';
import { countOutcomes, promotionProblem, reportedResults } from './status.js';

describe('bounded status', () => {
  const result = (
    application: string,
    outcome: PromotionResult['outcome'],
    reason = 'why',
  ): PromotionResult => ({
    application,
    version: '1.0.0',
    outcome,
    reason,
  });
  const name = (i: number) => `app-${String(i).padStart(4, '0')}`;
  // 1,000 applications: the ones that are not UpToDate come last by name.
  const many = [
    ...Array.from({ length: 990 }, (_, i) => result(name(i), 'UpToDate')),
    ...Array.from({ length: 4 }, (_, i) => result(name(990 + i), 'Promoted')),
    ...Array.from({ length: 3 }, (_, i) => result(name(994 + i), 'Blocked')),
    ...Array.from({ length: 3 }, (_, i) => result(name(997 + i), 'Waiting')),
  ];

  test('results hold the applications that are not UpToDate first, up to the schema limit', () => {
    const reported = reportedResults(many);
    expect(reported).toHaveLength(256);
    expect(reported.slice(0, 10).map((r) => `${r.application} ${r.outcome}`)).toEqual([
      'app-0990 Promoted',
      'app-0991 Promoted',
      'app-0992 Promoted',
      'app-0993 Promoted',
      'app-0994 Blocked',
      'app-0995 Blocked',
      'app-0996 Blocked',
      'app-0997 Waiting',
      'app-0998 Waiting',
      'app-0999 Waiting',
    ]);
    expect(reported.slice(10).every((r) => r.outcome === 'UpToDate')).toBe(true);
    expect(reported[10]!.application).toBe('app-0000');
    expect(PromotionStatusSchema.safeParse({ results: reported }).success).toBe(true);
    expect(PromotionStatusSchema.safeParse({ results: many }).success).toBe(false);
  });

  test('the outcome counts (status.summary) count every application by outcome', () => {
    expect(countOutcomes(many)).toEqual({
      promoted: 4,
      waiting: 3,
      blocked: 3,
      held: 0,
      upToDate: 990,
      total: 1000,
    });
    expect(PromotionStatusSchema.safeParse({ summary: countOutcomes(many) }).success).toBe(true);
  });

  test('reasons are cut to their schema limit, saying so', () => {
    const long = 'waiting for 1.2.0 to be reported deployed on ' + 'dev-1 (reports nothing), '.repeat(400);
    const [reported] = reportedResults([result('core', 'Waiting', long)]);
    expect(reported!.reason!.length).toBeLessThanOrEqual(4096);
    expect(reported!.reason!.startsWith('waiting for 1.2.0 to be reported deployed on dev-1')).toBe(true);
    expect(reported!.reason!.endsWith('… (cut)')).toBe(true);
    expect(PromotionStatusSchema.safeParse({ results: [reported] }).success).toBe(true);
  });
});

describe('what keeps a Promotion from running', () => {
  const envs = new Set(['a', 'b', 'dev', 'staging']);
  const cycle = [promotion('a-b', { from: 'a', to: 'b' }), promotion('b-a', { from: 'b', to: 'a' })];

  test('a cycle, with the message depot validate gives, on every Promotion of it', () => {
    for (const p of cycle)
      expect(promotionProblem(p, cycle, envs)).toEqual({
        type: 'Ready',
        status: 'False',
        reason: 'PromotionCycle',
        message: 'promotion cycle a → b → a (Promotions a-b, b-a): nothing is promoted',
      });
  });

  test('a missing environment, then nothing for a Promotion that can run', () => {
    const toQa = promotion('to-qa', { from: 'dev', to: 'qa' });
    expect(promotionProblem(toQa, [...cycle, toQa], envs)).toMatchObject({
      reason: 'EnvironmentNotFound',
      message: 'spec.to: Environment "qa" does not exist',
    });
    const fine = promotion('dev-staging', { from: 'dev', to: 'staging' });
    expect(promotionProblem(fine, [...cycle, fine], envs)).toBeUndefined();
  });
});

test('a verification gate outside --gate-url-allow makes the Promotion not Ready, naming spec.verify.gates[i]', () => {
  const p = promotion('to-prod', {
    from: 'staging',
    to: 'prod',
    verify: {
      for: '15m',
      gates: [{ name: 'smoke', http: { url: 'https://elsewhere/x' } }],
      onFailure: 'rollback',
      reject: false,
    },
  });
  expect(promotionProblem(p, [p], new Set(['staging', 'prod']), ['https://checks/'])).toEqual({
    type: 'Ready',
    status: 'False',
    reason: 'GateNotAllowed',
    message:
      'spec.verify.gates[0].http.url (gate smoke): https://elsewhere/… is under none of the prefixes allowed by --gate-url-allow; nothing is promoted',
  });
});
