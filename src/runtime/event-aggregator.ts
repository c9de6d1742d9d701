// Decides, without I/O, what a recorded Event costs the API server. The same
// event (same object, type, reason, action and note) seen again within the
// window is counted into a series instead of creating a new Event, and a
// series is patched at most once per patch interval: a flapping object
// produces one Event plus a patch now and then, never a flood.
export interface EventKeyParts {
  regarding: { kind?: string; namespace?: string; name?: string; uid?: string };
  type: string;
  reason: string;
  action: string;
  note: string;
}

export interface AggregatorOptions {
  /** Same event within this long of the last one → counted into its series. */
  windowMs: number;
  /** Minimum time between two series patches of one Event. */
  patchIntervalMs: number;
  /** Series remembered at most (oldest are forgotten first). */
  maxEntries: number;
}

export const defaultAggregatorOptions: AggregatorOptions = {
  windowMs: 10 * 60_000,
  patchIntervalMs: 30_000,
  maxEntries: 4096,
};

export type RecordDecision =
  { kind: 'create'; key: string } | { kind: 'aggregate'; key: string; count: number };

export interface SeriesPatch {
  key: string;
  namespace: string;
  eventName: string;
  count: number;
  lastObservedAt: number;
}

interface Entry {
  namespace: string;
  eventName?: string;
  count: number;
  lastAt: number;
  patchedCount: number;
  lastPatchAt: number;
}

export function eventKey(e: EventKeyParts): string {
  const r = e.regarding;
  return JSON.stringify([r.uid || `${r.kind}/${r.namespace}/${r.name}`, e.type, e.reason, e.action, e.note]);
}

export class EventAggregator {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly opts: AggregatorOptions = defaultAggregatorOptions) {}

  record(e: EventKeyParts & { namespace: string }, now: number): RecordDecision {
    const key = eventKey(e);
    const entry = this.entries.get(key);
    if (entry && now - entry.lastAt <= this.opts.windowMs) {
      entry.count++;
      entry.lastAt = now;
      // Map order is least-recently-used first: move the entry to the end.
      this.entries.delete(key);
      this.entries.set(key, entry);
      return { kind: 'aggregate', key, count: entry.count };
    }
    this.entries.delete(key);
    this.entries.set(key, {
      namespace: e.namespace,
      count: 1,
      lastAt: now,
      patchedCount: 1,
      lastPatchAt: now,
    });
    this.evict(now);
    return { kind: 'create', key };
  }

  /** The Event of a series was created under this name. */
  created(key: string, eventName: string): void {
    const entry = this.entries.get(key);
    if (entry) entry.eventName = eventName;
  }

  /** Creating the Event failed: forget the series so the next occurrence tries again. */
  failed(key: string): void {
    this.entries.delete(key);
  }

  /** Series whose count moved and whose last patch is old enough (all of them when `all`). */
  due(now: number, all = false): SeriesPatch[] {
    const out: SeriesPatch[] = [];
    for (const [key, e] of this.entries) {
      if (!e.eventName || e.count <= e.patchedCount) continue;
      if (!all && now - e.lastPatchAt < this.opts.patchIntervalMs) continue;
      out.push({
        key,
        namespace: e.namespace,
        eventName: e.eventName,
        count: e.count,
        lastObservedAt: e.lastAt,
      });
    }
    return out;
  }

  /** A series patch with this count was written. */
  patched(key: string, count: number, now: number): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.patchedCount = Math.max(entry.patchedCount, count);
    entry.lastPatchAt = now;
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(now: number): void {
    for (const [key, e] of this.entries) {
      const settled = e.count <= e.patchedCount;
      if (this.entries.size > this.opts.maxEntries || (settled && now - e.lastAt > this.opts.windowMs))
        this.entries.delete(key);
      else if (this.entries.size <= this.opts.maxEntries) break;
    }
  }
}
