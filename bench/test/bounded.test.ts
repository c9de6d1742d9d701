import { forEachBounded, retryDelayMs, retryable } from '../bounded.js';

const tooMany = (retryAfter?: string) =>
  Object.assign(new Error('Too Many Requests'), {
    code: 429,
    headers: retryAfter ? { 'retry-after': retryAfter } : {},
  });
const fast = { attempts: 5, baseDelayMs: 1, maxDelayMs: 5 };

test('never more calls at once than the concurrency; every item done once', async () => {
  let running = 0;
  let most = 0;
  const seen: number[] = [];
  const r = await forEachBounded(
    Array.from({ length: 50 }, (_, i) => i),
    async (i) => {
      most = Math.max(most, ++running);
      await new Promise((res) => setTimeout(res, 1));
      seen.push(i);
      running--;
    },
    { concurrency: 4 },
  );
  expect(most).toBe(4);
  expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  expect(r).toEqual({ done: 50, retries: 0, stoppedAtDeadline: false });
});

test('429 is retried until it goes through; other errors stop the run and are thrown', async () => {
  const failures = new Map([['a', 2]]);
  const attempts: string[] = [];
  const r = await forEachBounded(
    ['a', 'b'],
    async (item, attempt) => {
      attempts.push(`${item}${attempt}`);
      const left = failures.get(item) ?? 0;
      if (left > 0) {
        failures.set(item, left - 1);
        throw tooMany();
      }
    },
    { concurrency: 1, retry: fast },
  );
  expect(r.done).toBe(2);
  expect(r.retries).toBe(2);
  expect(attempts).toEqual(['a1', 'a2', 'a3', 'b1']);

  const invalid = Object.assign(new Error('creating applications/bench/x: HTTP 422'), { code: 422 });
  await expect(
    forEachBounded([1, 2, 3], async () => Promise.reject(invalid), { concurrency: 2, retry: fast }),
  ).rejects.toThrow('HTTP 422');
  await expect(
    forEachBounded([1], async () => Promise.reject(tooMany()), { concurrency: 1, retry: fast }),
  ).rejects.toThrow('Too Many Requests');
});

test('a deadline stops starting new items and says so', async () => {
  const r = await forEachBounded([1, 2, 3], async () => undefined, {
    concurrency: 1,
    deadline: Date.now() - 1,
  });
  expect(r).toEqual({ done: 0, retries: 0, stoppedAtDeadline: true });
});

test("retry delays: the server's Retry-After, else doubling up to the maximum", () => {
  const policy = { attempts: 10, baseDelayMs: 100, maxDelayMs: 5000 };
  expect(retryDelayMs(1, '2', policy)).toBe(2000);
  expect(retryDelayMs(1, undefined, policy)).toBe(100);
  expect(retryDelayMs(3, undefined, policy)).toBe(400);
  expect(retryDelayMs(10, undefined, policy)).toBe(5000);
  expect(retryable(tooMany('1'))).toEqual({ retry: true, retryAfter: '1' });
  expect(retryable(Object.assign(new Error('x'), { code: 409 })).retry).toBe(false);
  expect(retryable(Object.assign(new Error('socket'), { code: 'ECONNRESET' })).retry).toBe(true);
});
