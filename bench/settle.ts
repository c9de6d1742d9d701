// When the operator has settled: it leads, nothing is queued, and it made no
// write for a while, read from its own /metrics once a second (cheap, unlike
// the API server's /metrics). Bounded: it says whether it settled.
import { setTimeout as sleep } from 'node:timers/promises';
import type { OperatorProcess } from './operator-process.js';
import { isLeading, queueDepth, writeRequests } from './operator-metrics.js';

export interface Settled {
  settled: boolean;
  /** Milliseconds from the call until settled (the start of the quiet period), or until the deadline. */
  ms: number;
  /** Milliseconds from the call until it led, when it did. */
  leaderMs?: number;
}

export async function waitSettled(
  op: OperatorProcess,
  deadline: number,
  opts: { quietMs?: number; signal?: AbortSignal } = {},
): Promise<Settled> {
  const quietMs = opts.quietMs ?? 5_000;
  const start = Date.now();
  let leaderMs: number | undefined;
  let lastWrites = -1;
  let quietSince: number | undefined;
  while (Date.now() < deadline) {
    opts.signal?.throwIfAborted();
    const samples = await op.metrics();
    const leading = isLeading(samples);
    if (leading && leaderMs === undefined) leaderMs = Date.now() - start;
    const writes = writeRequests(samples);
    const idle = leading && queueDepth(samples) === 0 && writes === lastWrites;
    if (!idle) quietSince = undefined;
    else quietSince ??= Date.now();
    lastWrites = writes;
    if (quietSince !== undefined && Date.now() - quietSince >= quietMs)
      return { settled: true, ms: Math.max(0, quietSince - start - 1000), leaderMs };
    await sleep(1000, undefined, opts.signal ? { signal: opts.signal } : {});
  }
  return { settled: false, ms: Date.now() - start, ...(leaderMs !== undefined ? { leaderMs } : {}) };
}
