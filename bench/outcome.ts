// How a bounded wait ended, as reported in the results: the seconds it took
// when everything converged, or how far it got when the bound was hit.
import type { WaitResult } from './application-watch.js';
import { round } from './stats.js';

export interface Outcome {
  converged: boolean;
  converged_apps: number;
  apps: number;
  /** Seconds from the start until the last Application converged (when all did). */
  seconds: number | null;
  /** When not all converged: seconds from the start until the bound stopped the wait. */
  after_s?: number;
}

export function outcome(wait: WaitResult, startedAt: number, endedAt = Date.now()): Outcome {
  let last = startedAt;
  for (const t of wait.times.values()) last = Math.max(last, t);
  return {
    converged: wait.done,
    converged_apps: wait.satisfied,
    apps: wait.total,
    seconds: wait.done ? round((last - startedAt) / 1000, 2) : null,
    ...(wait.done ? {} : { after_s: round((endedAt - startedAt) / 1000, 1) }),
  };
}

export const secondsSince = (t: number): number => round((Date.now() - t) / 1000, 2);
