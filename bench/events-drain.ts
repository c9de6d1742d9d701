// How long the Events of a bulk change take to drain after it converged.
// The operator records Events without waiting (a budget of its own, at most
// 1,000 pending, the rest dropped), so they reach the API server long after
// the statuses: this watches its depot_events_total once a second until it
// stops moving, bounded, and says when it last moved.
import { setTimeout as sleep } from 'node:timers/promises';
import type { OperatorProcess } from './operator-process.js';
import { sumBy } from './prometheus-text.js';
import { round } from './stats.js';

export interface EventsDrain {
  /** The counter stood still for `quiet_s` before the bound. */
  drained: boolean;
  /** Seconds from `from` (convergence) until the counter last moved; the bound's when not drained. */
  drain_s: number;
  quiet_s: number;
  /** Events by outcome between `from` and the end of the wait. */
  events_after: Record<string, number>;
}

/** Pure: the last time a reading differed from the one before, and whether it has stood still long enough. */
export class DrainTracker {
  private last?: string;
  private movedAt: number;

  constructor(readonly from: number) {
    this.movedAt = from;
  }

  observe(at: number, counts: Record<string, number>): void {
    const key = JSON.stringify(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
    if (this.last !== undefined && key !== this.last) this.movedAt = at;
    this.last = key;
  }

  lastMovedAt(): number {
    return this.movedAt;
  }

  stillSince(now: number, quietMs: number): boolean {
    return now - this.movedAt >= quietMs;
  }
}

export async function waitEventsDrained(
  op: OperatorProcess,
  from: number,
  deadline: number,
  opts: { quietMs?: number; signal?: AbortSignal } = {},
): Promise<EventsDrain> {
  const quietMs = opts.quietMs ?? 5_000;
  const tracker = new DrainTracker(from);
  let first: Record<string, number> | undefined;
  let latest: Record<string, number> = {};
  let drained = false;
  while (Date.now() < deadline) {
    opts.signal?.throwIfAborted();
    latest = sumBy(await op.metrics(), 'depot_events_total', 'outcome');
    first ??= latest;
    tracker.observe(Date.now(), latest);
    if (tracker.stillSince(Date.now(), quietMs)) {
      drained = true;
      break;
    }
    await sleep(1000, undefined, opts.signal ? { signal: opts.signal } : {});
  }
  const after: Record<string, number> = {};
  for (const [k, v] of Object.entries(latest))
    if (v - (first?.[k] ?? 0) > 0) after[k] = v - (first?.[k] ?? 0);
  return {
    drained,
    drain_s: round(((drained ? tracker.lastMovedAt() : Date.now()) - from) / 1000, 1),
    quiet_s: quietMs / 1000,
    events_after: after,
  };
}
