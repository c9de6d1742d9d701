import { decide, nextSpec, observe, releasedSpec, type LeaseRecord } from './leader-decision.js';
import { validateLeaderElection } from './leader.js';

const lease = (over: Partial<LeaseRecord> = {}): LeaseRecord => ({
  holderIdentity: 'other',
  leaseDurationSeconds: 15,
  leaseTransitions: 3,
  resourceVersion: '100',
  renewTime: '2026-01-01T00:00:00.000000Z',
  acquireTime: '2026-01-01T00:00:00.000000Z',
  ...over,
});

const T = 1_000_000;

test('no lease: create it', () => {
  expect(decide('me', T, undefined, 15_000)).toEqual({ action: 'create' });
});

test('our own lease: renew', () => {
  expect(decide('me', T, observe(undefined, lease({ holderIdentity: 'me' }), T), 15_000)).toEqual({
    action: 'renew',
  });
});

test('a released lease (no holder) is taken at once', () => {
  expect(decide('me', T, observe(undefined, lease({ holderIdentity: '' }), T), 15_000)).toEqual({
    action: 'acquire',
    reason: 'free',
  });
});

test("another holder's lease is respected until it has not changed for its duration, on our clock", () => {
  const seen = observe(undefined, lease(), T)!;
  expect(decide('me', T + 14_999, seen, 15_000)).toEqual({
    action: 'wait',
    holder: 'other',
    retryAt: T + 15_000,
  });
  expect(decide('me', T + 15_000, seen, 15_000)).toEqual({ action: 'acquire', reason: 'expired' });
});

test("the lease's own duration wins over ours", () => {
  const seen = observe(undefined, lease({ leaseDurationSeconds: 5 }), T)!;
  expect(decide('me', T + 5_000, seen, 60_000).action).toBe('acquire');
});

test('observation time moves only when the record changes (resourceVersion compared as a string)', () => {
  const first = observe(undefined, lease(), T);
  // Same record read again later: still observed at T, so it can expire.
  expect(observe(first, lease(), T + 10_000)).toBe(first);
  // A renewal (new resourceVersion) restarts the clock, whatever renewTime says.
  const renewed = observe(
    first,
    lease({ resourceVersion: '99', renewTime: '1999-01-01T00:00:00.000000Z' }),
    T + 10_000,
  );
  expect(renewed?.observedAt).toBe(T + 10_000);
  expect(decide('me', T + 20_000, renewed, 15_000).action).toBe('wait');
  expect(observe(first, undefined, T)).toBeUndefined();
});

test('a takeover counts a transition and sets acquireTime; a renewal keeps acquireTime', () => {
  const taken = nextSpec('me', Date.UTC(2026, 0, 1, 0, 0, 5), lease(), 15_000);
  expect(taken).toEqual({
    holderIdentity: 'me',
    leaseDurationSeconds: 15,
    acquireTime: '2026-01-01T00:00:05.000000Z',
    renewTime: '2026-01-01T00:00:05.000000Z',
    leaseTransitions: 4,
  });
  const renewed = nextSpec(
    'me',
    Date.UTC(2026, 0, 1, 0, 0, 7, 250),
    lease({ holderIdentity: 'me', acquireTime: taken.acquireTime }),
    15_000,
  );
  expect(renewed.acquireTime).toBe('2026-01-01T00:00:05.000000Z');
  expect(renewed.renewTime).toBe('2026-01-01T00:00:07.250000Z');
  expect(renewed.leaseTransitions).toBe(3);
  expect(nextSpec('me', T, undefined, 15_000).leaseTransitions).toBe(0);
});

test('a released lease has no holder and a 1 s duration', () => {
  const spec = releasedSpec(Date.UTC(2026, 0, 1), lease({ holderIdentity: 'me' }));
  expect(spec.holderIdentity).toBeUndefined();
  expect(spec.leaseDurationSeconds).toBe(1);
  expect(spec.leaseTransitions).toBe(3);
});

test('durations must be ordered lease > renew deadline > retry period', () => {
  expect(() =>
    validateLeaderElection({ leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 }),
  ).not.toThrow();
  expect(() =>
    validateLeaderElection({ leaseDurationMs: 10_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 }),
  ).toThrow(/lease-duration/);
  expect(() =>
    validateLeaderElection({ leaseDurationMs: 15_000, renewDeadlineMs: 2_000, retryPeriodMs: 2_000 }),
  ).toThrow(/renew-deadline/);
});
