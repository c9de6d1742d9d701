import { applicationKind, ApplicationStatusSchema } from './application.js';
import { environmentKind, EnvironmentStatusSchema } from './environment.js';
import { promotionKind, PromotionStatusSchema } from './promotion.js';
import { cut, statusFitter, statusMaxItems } from './status-limits.js';

const long = (n: number, unit = 'x') => unit.repeat(n);
const condition = (message: string) => ({
  type: 'Ready',
  status: 'False' as const,
  reason: 'InvalidSpec',
  message,
  lastTransitionTime: '2026-01-01T00:00:00Z',
});

describe('an Application status with messages over their limits', () => {
  const status = {
    conditions: [condition(long(40_000))],
    environments: [
      {
        name: 'prod',
        requested: '2.0.0',
        desired: '1.0.0',
        blocked: { reason: 'RequirementNotMet', message: long(5000) },
      },
    ],
    targets: [{ name: 'prod-a', delivery: { state: 'Failed' as const, message: long(10_000) } }],
    history: [
      {
        time: '2026-01-01T00:00:00Z',
        type: 'Blocked' as const,
        environment: 'prod',
        to: '2.0.0',
        actor: long(600),
        message: long(4097),
      },
    ],
  };
  const fitted = statusFitter(applicationKind)(status);

  test('is rejected by the schema as built (the API server would answer 422)', () => {
    expect(ApplicationStatusSchema.safeParse(status).success).toBe(false);
  });

  test('fits its schema once cut', () => {
    expect(ApplicationStatusSchema.safeParse(fitted).error).toBeUndefined();
  });

  test('each text is cut to exactly its limit and ends in "…"', () => {
    expect(fitted.conditions[0]!.message).toHaveLength(32_768);
    expect(fitted.environments[0]!.blocked.message).toHaveLength(4096);
    expect(fitted.targets[0]!.delivery.message).toHaveLength(4096);
    expect(fitted.history[0]!.message).toHaveLength(4096);
    expect(fitted.history[0]!.actor).toHaveLength(512);
    expect(fitted.history[0]!.message!.endsWith('x…')).toBe(true);
  });

  test('leaves everything else as it was, and the input untouched', () => {
    expect(fitted.environments[0]).toMatchObject({ name: 'prod', requested: '2.0.0', desired: '1.0.0' });
    expect(fitted.conditions[0]).toMatchObject({ type: 'Ready', reason: 'InvalidSpec' });
    expect(status.history[0]!.message).toHaveLength(4097);
  });
});

test('a status that fits is returned as it is (the same object)', () => {
  const status = { observedGeneration: 2, targets: ['a'], conditions: [condition('ok')] };
  expect(statusFitter(environmentKind)(status)).toBe(status);
  expect(EnvironmentStatusSchema.safeParse(status).success).toBe(true);
});

test('identifiers (names, CamelCase reasons) are never cut: a cut name would be another name', () => {
  const status = { results: [{ application: long(70), outcome: 'Waiting', reason: long(5000) }] };
  const fitted = statusFitter(promotionKind)(status);
  expect(fitted.results[0]!.reason).toHaveLength(4096);
  expect(fitted.results[0]!.application).toHaveLength(70);
  expect(PromotionStatusSchema.safeParse(fitted).success).toBe(false);
});

test('cut never splits a character outside the BMP and fits both UTF-16 and code-point counts', () => {
  const text = long(10, '😀');
  const c = cut(text, 6);
  expect(c).toBe('😀😀…');
  expect(c.length).toBeLessThanOrEqual(6);
  expect(cut('short', 6)).toBe('short');
});

test('the history limit the operator may use is the CRD maxItems of status.history', () => {
  expect(statusMaxItems(applicationKind, ['history'])).toBe(1000);
});
