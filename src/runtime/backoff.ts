// Capped exponential backoff: base, 2×base, 4×base, … up to max. Optional
// jitter spreads retries of many clients so they do not hit the API server
// in lockstep after an outage.
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** 0..1: the delay is scaled by a random factor in [1 - jitter, 1]. */
  jitter?: number;
}

export function backoffDelay(
  failures: number,
  opts: BackoffOptions,
  random: () => number = Math.random,
): number {
  const exp = Math.min(failures, 52); // 2^52 already exceeds any sane cap
  const raw = Math.min(opts.maxMs, opts.baseMs * 2 ** exp);
  const jitter = opts.jitter ?? 0;
  return Math.round(raw * (1 - jitter * random()));
}
