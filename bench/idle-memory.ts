// Whether an idle operator's resident memory grows. A garbage-collected
// process with periodic work (the resync plans every object again) draws a
// sawtooth: the heap grows with each burst and V8's memory reducer gives it
// back a minute or two later. The last sample minus the first says only where
// in a tooth the window ended; the floor (the lowest sample) of the window's
// second half against its first half says whether what is kept grows.
import { round, slope } from './stats.js';

/** Floor growth (MiB) beyond this between the window's halves means not stable. */
export const STABLE_FLOOR_GROWTH_MIB = 5;

export interface IdlePoint {
  /** Minutes since the window began. */
  x: number;
  /** Resident memory, MiB. */
  y: number;
}

export interface IdleMemorySummary {
  samples: number;
  rss_first_mib: number;
  rss_last_mib: number;
  rss_max_mib: number;
  growth_mib: number;
  trend_mib_per_min: number | null;
  /** The lowest sample of the first and of the second half of the window. */
  floor_first_half_mib: number;
  floor_second_half_mib: number;
  floor_growth_mib: number;
  stable: boolean;
  /** Every sample, in order (MiB): where in the window memory moved. */
  rss_series_mib: number[];
}

export function summarizeIdleMemory(points: IdlePoint[]): IdleMemorySummary | null {
  if (points.length === 0) return null;
  const ys = points.map((p) => p.y);
  // With an odd count the middle sample belongs to both halves.
  const half = Math.ceil(ys.length / 2);
  const floorFirst = Math.min(...ys.slice(0, half));
  const floorSecond = Math.min(...ys.slice(ys.length - half));
  const trend = slope(points);
  return {
    samples: points.length,
    rss_first_mib: ys[0]!,
    rss_last_mib: ys.at(-1)!,
    rss_max_mib: Math.max(...ys),
    growth_mib: round(ys.at(-1)! - ys[0]!, 1),
    trend_mib_per_min: trend === undefined ? null : round(trend, 2),
    floor_first_half_mib: floorFirst,
    floor_second_half_mib: floorSecond,
    floor_growth_mib: round(floorSecond - floorFirst, 1),
    stable: floorSecond - floorFirst <= STABLE_FLOOR_GROWTH_MIB,
    rss_series_mib: ys.map((y) => round(y, 1)),
  };
}
