// The limits of new reviews: per client address, per token and in total, and
// tokens the API server accepted recently pass the address and total limits.
import { ReviewAdmission, type ReviewLimits } from './review-admission.js';

const limits: ReviewLimits = {
  perAddress: { qps: 2, burst: 4 },
  perToken: { qps: 1, burst: 2 },
  total: { qps: 5, burst: 6 },
  knownForMs: 60_000,
  maxTracked: 1_000,
};

/** How many of `n` new reviews from `address`, each with its own token, are admitted. */
function admitted(
  a: ReviewAdmission,
  address: string,
  n: number,
  token = (i: number) => `${address}-${i}`,
): number {
  let ok = 0;
  for (let i = 0; i < n; i++) {
    try {
      a.admit({ address, tokenHash: token(i) });
      ok++;
    } catch (err) {
      expect(err).toMatchObject({ status: 429 });
    }
  }
  return ok;
}

test('each address has its own burst, refilled at its rate', () => {
  let now = 0;
  const a = new ReviewAdmission(limits, () => now);
  expect(admitted(a, '10.0.0.1', 100)).toBe(4);
  expect(admitted(a, '10.0.0.2', 100)).toBe(2); // the total burst (6) is spent
  now = 1_000;
  expect(admitted(a, '10.0.0.1', 100)).toBe(2);
});

test('a flood from one address leaves the total budget to the others', () => {
  let now = 0;
  const a = new ReviewAdmission({ ...limits, total: { qps: 50, burst: 100 } }, () => now);
  let others = 0;
  for (let s = 0; s < 20; s++, now += 1_000) {
    admitted(a, '127.0.0.2', 200);
    others += admitted(a, `10.1.${s}.1`, 1);
  }
  expect(others).toBe(20);
});

test('one token has its own limit, at any address', () => {
  const a = new ReviewAdmission(limits, () => 0);
  const same = () => 'the-token';
  expect(
    admitted(a, '10.0.0.1', 1, same) + admitted(a, '10.0.0.2', 1, same) + admitted(a, '10.0.0.3', 5, same),
  ).toBe(2);
});

test('a known token passes the address and total limits, not its own, until it is forgotten', () => {
  let now = 0;
  const a = new ReviewAdmission(limits, () => now);
  admitted(a, '10.0.0.1', 100);
  expect(() => a.admit({ address: '10.0.0.1', tokenHash: 'agent' })).toThrow(/address 10\.0\.0\.1/);
  a.remember('agent');
  expect(admitted(a, '10.0.0.1', 5, () => 'agent')).toBe(1); // its burst of 2, one spent above
  now = 1_000;
  expect(admitted(a, '10.0.0.1', 1, () => 'agent')).toBe(1);
  now = 61_001;
  admitted(a, '10.0.0.1', 100);
  expect(() => a.admit({ address: '10.0.0.1', tokenHash: 'agent' })).toThrow(/address 10\.0\.0\.1/);
});
