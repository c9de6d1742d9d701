// A resync's keys enter the work queue a slice at a time, spread over a
// window, not all at once (Flux jitters its intervals for the same reason).
// Queued at once, a real change arriving during a resync of 10,000 keys
// waited behind all of them, and the burst of planning lifted the operator's
// resident memory by up to about 100 MiB for a minute or two (bench/README.md,
// "Memory when idle"); spread, a change waits behind one slice at most.
import type { Clock, TimerHandle } from '../kube/clock.js';

/** Share of the resync period a resync's keys are spread over, and its cap. */
export const RESYNC_SPREAD_SHARE = 0.1;
export const RESYNC_SPREAD_MAX_MS = 60_000;
/** Time between two slices. */
export const RESYNC_SLICE_MS = 250;

/** The window a resync of this period spreads its keys over. */
export function resyncSpreadMs(periodMs: number): number {
  return Math.min(periodMs * RESYNC_SPREAD_SHARE, RESYNC_SPREAD_MAX_MS);
}

/**
 * Adds the keys in equal slices, one every RESYNC_SLICE_MS over spreadMs (the
 * first slice at once; a window shorter than one slice adds them all at once).
 * Cancelling stops the slices still to come.
 */
export function addSpread(
  keys: readonly string[],
  add: (key: string) => void,
  clock: Clock,
  spreadMs: number,
): TimerHandle {
  const slices = Math.max(1, Math.min(keys.length, Math.floor(spreadMs / RESYNC_SLICE_MS)));
  const perSlice = Math.ceil(keys.length / slices);
  let next = 0;
  let timer: TimerHandle | undefined;
  let cancelled = false;
  const addSlice = () => {
    if (cancelled) return;
    const end = Math.min(keys.length, next + perSlice);
    for (; next < end; next++) add(keys[next]!);
    if (next < keys.length) timer = clock.setTimer(addSlice, RESYNC_SLICE_MS);
  };
  addSlice();
  return {
    cancel() {
      cancelled = true;
      timer?.cancel();
    },
  };
}
