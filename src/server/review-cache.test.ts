// The review cache and the reviewer over it: answers in use are refreshed in
// the background before they expire, refusals expire sooner, the cache is
// bounded in bytes, and concurrent misses share one review.
import type { KubeObject } from '../kube/resource.js';
import { KubeAccessReviewer, tokenHash, type UserInfo } from './access-review.js';
import { reviewLimitDefaults } from './review-admission.js';
import { ReviewCache, type ReviewReason } from './review-cache.js';

const settle = () => new Promise((r) => setImmediate(r));

function cacheAt(clock: { now: number }, maxBytes = 1_000_000) {
  return new ReviewCache<{ ok: boolean; n: number } | null>({
    maxBytes,
    ttlMs: 60_000,
    refreshAfterMs: 10_000,
    refusalTtlMs: 5_000,
    now: () => clock.now,
    admits: (v) => v?.ok === true,
  });
}

test('an answer in use is served at once and refreshed in the background once older than refreshAfter', async () => {
  const clock = { now: 0 };
  const cache = cacheAt(clock);
  const reasons: ReviewReason[] = [];
  let n = 0;
  const review = async (reason: ReviewReason) => {
    reasons.push(reason);
    return { ok: true, n: ++n };
  };
  expect(await cache.get('k', review)).toEqual({ ok: true, n: 1 });
  clock.now = 9_999;
  expect(await cache.get('k', review)).toEqual({ ok: true, n: 1 });
  expect(reasons).toEqual(['new']);
  clock.now = 10_000;
  // Still the old answer, while the refresh runs.
  expect(await cache.get('k', review)).toEqual({ ok: true, n: 1 });
  await settle();
  expect(reasons).toEqual(['new', 'refresh']);
  expect(await cache.get('k', review)).toEqual({ ok: true, n: 2 });
  // Used within each TTL, it never expires: no new review, ever.
  for (let t = 20_000; t <= 600_000; t += 30_000) {
    clock.now = t;
    await cache.get('k', review);
    await settle();
  }
  expect(reasons.filter((r) => r === 'new')).toHaveLength(1);
  // Unused past its TTL, it is gone: the next use is a new review.
  clock.now += 60_001;
  await cache.get('k', review);
  expect(reasons.at(-1)).toBe('new');
});

test('a refusal is kept for refusalTtl, not refreshed; a failed refresh keeps the answer until it expires', async () => {
  const clock = { now: 0 };
  const cache = cacheAt(clock);
  let calls = 0;
  const refuse = async () => (calls++, null);
  await cache.get('bad', refuse);
  clock.now = 5_000;
  await cache.get('bad', refuse);
  expect(calls).toBe(1);
  clock.now = 5_001;
  await cache.get('bad', refuse);
  expect(calls).toBe(2);

  await cache.get('good', async () => ({ ok: true, n: 1 }));
  clock.now = 20_000;
  const failing = async () => {
    throw new Error('API server down');
  };
  expect(await cache.get('good', failing)).toEqual({ ok: true, n: 1 });
  await settle();
  expect(await cache.get('good', failing)).toEqual({ ok: true, n: 1 });
  clock.now = 80_001;
  await expect(cache.get('good', failing)).rejects.toThrow('API server down');
});

test('concurrent misses of one key share one review', async () => {
  const cache = cacheAt({ now: 0 });
  let calls = 0;
  let release!: () => void;
  const review = () =>
    new Promise<{ ok: boolean; n: number }>((resolve) => {
      calls++;
      release = () => resolve({ ok: true, n: calls });
    });
  const both = Promise.all([cache.get('k', review), cache.get('k', review)]);
  release();
  expect(await both).toEqual([
    { ok: true, n: 1 },
    { ok: true, n: 1 },
  ]);
  expect(calls).toBe(1);
});

test('the cache is bounded in bytes: the least recently used answers go first', async () => {
  const cache = cacheAt({ now: 0 }, 4_000);
  for (let i = 0; i < 1_000; i++)
    await cache.get(`key-${i}-${'x'.repeat(100)}`, async () => ({ ok: true, n: i }));
  expect(cache.bytes).toBeLessThanOrEqual(4_000);
  expect(cache.size).toBeGreaterThan(5);
  expect(cache.size).toBeLessThan(20);
});

/** A reviewer over a fake API server that accepts tokens starting with "good". */
function reviewerAt(clock: { now: number }, limits = reviewLimitDefaults) {
  const sent: string[] = [];
  const reviewer = new KubeAccessReviewer(
    {
      create: async <T extends KubeObject>(_: unknown, body: KubeObject) => {
        const spec = (body as { spec: { token?: string } }).spec;
        sent.push(body.kind ?? '');
        return (body.kind === 'TokenReview'
          ? {
              status: {
                authenticated: spec.token!.startsWith('good'),
                user: { username: spec.token },
                audiences: ['depot'],
              },
            }
          : { status: { allowed: true } }) as unknown as T;
      },
    },
    { now: () => clock.now, limits },
  );
  return { reviewer, sent };
}

test('new tokens beyond an address limit get 429; a known token from that address passes, a cached one costs nothing', async () => {
  const clock = { now: 0 };
  const limits = { ...reviewLimitDefaults, perAddress: { qps: 1, burst: 2 } };
  const { reviewer, sent } = reviewerAt(clock, limits);
  const from = (address: string, token: string) => ({ address, tokenHash: tokenHash(token) });
  expect(await reviewer.authenticate('good-agent', from('10.0.0.1', 'good-agent'))).toMatchObject({
    username: 'good-agent',
  });
  await reviewer.authenticate('bad-1', from('10.0.0.1', 'bad-1'));
  await expect(reviewer.authenticate('bad-2', from('10.0.0.1', 'bad-2'))).rejects.toMatchObject({
    status: 429,
  });
  // Another address has its own budget.
  expect(await reviewer.authenticate('bad-3', from('10.0.0.2', 'bad-3'))).toBeUndefined();
  // The known token: cached (no review), and after its TTL reviewed again despite the address limit.
  const before = sent.length;
  const agent = (await reviewer.authenticate('good-agent', from('10.0.0.1', 'good-agent'))) as UserInfo;
  expect(sent.length).toBe(before);
  clock.now = 61_000 - 1; // tokens refill at 1/s: exhaust the address again
  await reviewer.authenticate('bad-4', from('10.0.0.1', 'bad-4')).catch(() => undefined);
  await reviewer.authenticate('bad-5', from('10.0.0.1', 'bad-5')).catch(() => undefined);
  await expect(reviewer.authenticate('bad-6', from('10.0.0.1', 'bad-6'))).rejects.toMatchObject({
    status: 429,
  });
  clock.now = 61_000;
  expect(await reviewer.authenticate('good-agent', from('10.0.0.1', 'good-agent'))).toEqual(agent);
  expect(sent.at(-1)).toBe('TokenReview');
  // Its access decisions are limited only by its own per-token budget.
  expect(
    await reviewer.authorize(
      agent,
      { verb: 'list', resource: 'applications', namespace: 'ns' },
      from('10.0.0.1', 'good-agent'),
    ),
  ).toEqual({ allowed: true });
});
