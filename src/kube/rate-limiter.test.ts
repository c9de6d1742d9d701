import { TokenBucket } from './rate-limiter.js';
import { FakeClock, flushPromises } from './testing/fake-clock.js';

test('a full bucket lets `burst` requests through at once, then spaces them at 1/qps, in order', () => {
  const clock = new FakeClock();
  const bucket = new TokenBucket({ qps: 10, burst: 3 }, clock);
  expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 0, 0]);
  expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([100, 200, 300]);
});

test('tokens refill over time but never beyond the burst', async () => {
  const clock = new FakeClock();
  const bucket = new TokenBucket({ qps: 10, burst: 2 }, clock);
  bucket.reserve();
  bucket.reserve();
  await clock.advance(100);
  expect(bucket.reserve()).toBe(0);
  expect(bucket.reserve()).toBe(100);
  await clock.advance(60_000);
  expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 0, 100]);
});

test('acquire() waits for its token', async () => {
  const clock = new FakeClock();
  const bucket = new TokenBucket({ qps: 2, burst: 1 }, clock);
  await bucket.acquire();
  let done = false;
  void bucket.acquire().then(() => (done = true));
  await flushPromises();
  expect(done).toBe(false);
  await clock.advance(499);
  expect(done).toBe(false);
  await clock.advance(1);
  expect(done).toBe(true);
});

test('qps 0 means no limit', () => {
  const bucket = new TokenBucket({ qps: 0, burst: 1 }, new FakeClock());
  expect(bucket.unlimited).toBe(true);
  expect(Array.from({ length: 100 }, () => bucket.reserve()).every((w) => w === 0)).toBe(true);
});
