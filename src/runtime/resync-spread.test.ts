import { FakeClock } from '../kube/testing/fake-clock.js';
import { addSpread, resyncSpreadMs, RESYNC_SLICE_MS } from './resync-spread.js';

const keys = (n: number) => Array.from({ length: n }, (_, i) => `ns/app-${i}`);

test('the default 10-minute resync spreads over a minute; short periods over a tenth of theirs', () => {
  expect(resyncSpreadMs(10 * 60_000)).toBe(60_000);
  expect(resyncSpreadMs(20_000)).toBe(2_000);
  expect(resyncSpreadMs(1_000)).toBe(100);
});

test('10,000 keys over a minute: 240 slices of 42, every key once, in order, the last within the window', async () => {
  const clock = new FakeClock();
  const added: string[] = [];
  const addedAt: number[] = [];
  const start = clock.now();
  addSpread(keys(10_000), (k) => (added.push(k), addedAt.push(clock.now() - start)), clock, 60_000);
  expect(added).toHaveLength(42);
  await clock.advance(RESYNC_SLICE_MS);
  expect(added).toHaveLength(84);
  await clock.advance(60_000);
  expect(added).toEqual(keys(10_000));
  expect(Math.max(...addedAt)).toBeLessThan(60_000);
});

test('a window shorter than one slice adds every key at once', () => {
  const clock = new FakeClock();
  const added: string[] = [];
  addSpread(keys(6), (k) => added.push(k), clock, 100);
  expect(added).toEqual(keys(6));
  expect(clock.pending()).toBe(0);
});

test('cancelled, the slices still to come are not added', async () => {
  const clock = new FakeClock();
  const added: string[] = [];
  const handle = addSpread(keys(1_000), (k) => added.push(k), clock, 10_000);
  await clock.advance(RESYNC_SLICE_MS);
  handle.cancel();
  await clock.advance(20_000);
  expect(added).toEqual(keys(50));
});

test('no keys, no slices', () => {
  const clock = new FakeClock();
  const added: string[] = [];
  addSpread([], (k) => added.push(k), clock, 60_000);
  expect(added).toEqual([]);
  expect(clock.pending()).toBe(0);
});
