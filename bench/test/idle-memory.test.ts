import { summarizeIdleMemory } from '../idle-memory.js';

const series = (ys: number[]) => ys.map((y, i) => ({ x: i / 4, y }));

test('a resync tooth at the end of the window is not growth: the floors of the halves are compared', () => {
  // The 2026-12-07 shape: high after convergence, given back, then a resync near the end.
  const s = summarizeIdleMemory(series([241, 241, 181, 181, 182, 182, 183, 267, 267]))!;
  expect(s.growth_mib).toBe(26);
  expect(s.floor_first_half_mib).toBe(181);
  expect(s.floor_second_half_mib).toBe(182);
  expect(s.floor_growth_mib).toBe(1);
  expect(s.stable).toBe(true);
  expect(s.rss_max_mib).toBe(267);
});

test('a floor that rises is growth, even when the last sample is below the first', () => {
  const s = summarizeIdleMemory(series([250, 180, 190, 200, 240, 215, 212, 214]))!;
  expect(s.growth_mib).toBe(-36);
  expect(s.floor_first_half_mib).toBe(180);
  expect(s.floor_second_half_mib).toBe(212);
  expect(s.stable).toBe(false);
});

test('an odd count shares the middle sample; one sample is its own floor; none is no summary', () => {
  const odd = summarizeIdleMemory(series([200, 190, 185, 195, 199]))!;
  expect(odd.floor_first_half_mib).toBe(185);
  expect(odd.floor_second_half_mib).toBe(185);
  const one = summarizeIdleMemory(series([200]))!;
  expect(one.floor_growth_mib).toBe(0);
  expect(one.trend_mib_per_min).toBeNull();
  expect(summarizeIdleMemory([])).toBeNull();
});
