import { latencySummary, percentile, slope } from '../stats.js';

test('nearest-rank percentiles: p99 of 100 values is the 99th, p50 the 50th', () => {
  const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted on purpose
  expect(percentile(values, 50)).toBe(50);
  expect(percentile(values, 99)).toBe(99);
  expect(percentile(values, 100)).toBe(100);
  expect(percentile([7], 99)).toBe(7);
  expect(percentile([1, 2, 3, 4], 50)).toBe(2);
  expect(() => percentile([], 50)).toThrow('no values');
  expect(() => percentile([1], 0)).toThrow('(0, 100]');
});

test('latency summary in seconds; none without values', () => {
  expect(latencySummary([40, 60, 200, 80])).toEqual({
    count: 4,
    p50_s: 0.06,
    p90_s: 0.2,
    p99_s: 0.2,
    max_s: 0.2,
    mean_s: 0.095,
  });
  expect(latencySummary([])).toBeUndefined();
});

test('slope: the least-squares trend, undefined without two distinct x', () => {
  expect(
    slope([
      { x: 0, y: 1 },
      { x: 1, y: 3 },
      { x: 2, y: 5 },
    ]),
  ).toBeCloseTo(2);
  // Noise around a flat line has no trend.
  expect(
    slope([
      { x: 0, y: 10 },
      { x: 1, y: 12 },
      { x: 2, y: 10 },
      { x: 3, y: 12 },
      { x: 4, y: 10 },
    ]),
  ).toBeCloseTo(0);
  expect(slope([{ x: 5, y: 1 }])).toBeUndefined();
  expect(
    slope([
      { x: 5, y: 1 },
      { x: 5, y: 2 },
    ]),
  ).toBeUndefined();
});
