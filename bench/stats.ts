// Small statistics for the figures: percentiles (nearest rank) and rounding.

/** Rounds to a number of decimals (for readable JSON). */
export function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/**
 * The p-th percentile (0 < p <= 100) by the nearest-rank method: the smallest
 * value with at least p% of the values at or below it, so p99 of 100
 * latencies is the 99th fastest, never an interpolation between two.
 */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of no values');
  if (!(p > 0 && p <= 100)) throw new Error(`percentile ${p}: must be in (0, 100]`);
  const ordered = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * ordered.length);
  return ordered[Math.max(0, rank - 1)]!;
}

export interface LatencySummary {
  count: number;
  p50_s: number;
  p90_s: number;
  p99_s: number;
  max_s: number;
  mean_s: number;
}

/** Latencies in milliseconds summarized in seconds; undefined when there are none. */
export function latencySummary(ms: number[]): LatencySummary | undefined {
  if (ms.length === 0) return undefined;
  const s = (v: number) => round(v / 1000, 3);
  return {
    count: ms.length,
    p50_s: s(percentile(ms, 50)),
    p90_s: s(percentile(ms, 90)),
    p99_s: s(percentile(ms, 99)),
    max_s: s(Math.max(...ms)),
    mean_s: s(ms.reduce((a, b) => a + b, 0) / ms.length),
  };
}

/** The least-squares slope of y over x (units of y per unit of x); undefined below two distinct x. */
export function slope(points: { x: number; y: number }[]): number | undefined {
  const n = points.length;
  if (n < 2) return undefined;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const sxx = points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  if (sxx === 0) return undefined;
  return points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0) / sxx;
}
