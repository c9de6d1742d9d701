// The answers of TokenReviews and SubjectAccessReviews, kept in an LRU cache
// bounded in bytes (lru-cache). An answer in use is refreshed in the background
// once older than `refreshAfterMs`, so an active user never waits for a review
// and a revoked right takes effect within that time; concurrent misses of one
// key share one review.
import { LRUCache } from 'lru-cache';

export interface ReviewCacheOptions {
  /** Bytes the entries may hold, keys included (estimated as UTF-16). */
  maxBytes: number;
  /** How long an answer that lets the user in is kept (refreshed while in use). */
  ttlMs: number;
  /** How old an answer in use may get before a background review refreshes it. */
  refreshAfterMs: number;
  /** How long a refusal (unknown token, denied access) is kept; not refreshed. */
  refusalTtlMs: number;
  now: () => number;
}

/** Why a review is asked: a `new` one passes the admission limits, a `refresh` of an answer in use does not. */
export type ReviewReason = 'new' | 'refresh';

interface Entry<V> {
  value: V;
  at: number;
}

/**
 * lru-cache's clock for TTLs, from ours: shifted by 1 ms because lru-cache
 * takes a start time of 0 for "no TTL" (a fake clock may start at 0).
 */
export const lruPerf = (now: () => number) => ({ now: () => now() + 1 });

/** A fixed overhead per entry (the LRU's slots, the entry object), on top of key and value. */
const ENTRY_OVERHEAD_BYTES = 96;

export class ReviewCache<V extends object | null> {
  private readonly lru: LRUCache<string, Entry<V>>;
  private readonly inFlight = new Map<string, Promise<V>>();

  constructor(
    private readonly opts: ReviewCacheOptions & {
      /** Whether an answer lets the user in (kept for ttlMs and refreshed) or refuses (refusalTtlMs). */
      admits: (value: V) => boolean;
    },
  ) {
    this.lru = new LRUCache<string, Entry<V>>({
      maxSize: opts.maxBytes,
      sizeCalculation: (entry, key) =>
        ENTRY_OVERHEAD_BYTES + 2 * (key.length + (JSON.stringify(entry.value)?.length ?? 0)),
      ttl: opts.ttlMs,
      ttlResolution: 0,
      perf: lruPerf(opts.now),
    });
  }

  /** The answer for `key`: cached (refreshed in the background when old), else reviewed now. */
  async get(key: string, review: (reason: ReviewReason) => Promise<V>): Promise<V> {
    const entry = this.lru.get(key);
    if (entry) {
      if (this.opts.admits(entry.value) && this.opts.now() - entry.at >= this.opts.refreshAfterMs)
        // A failed refresh keeps the answer until it expires: the next use tries again.
        this.load(key, () => review('refresh')).catch(() => undefined);
      return entry.value;
    }
    return this.load(key, () => review('new'));
  }

  get size(): number {
    return this.lru.size;
  }

  /** Bytes held, as counted against maxBytes. */
  get bytes(): number {
    return this.lru.calculatedSize;
  }

  private load(key: string, review: () => Promise<V>): Promise<V> {
    const running = this.inFlight.get(key);
    if (running) return running;
    const at = this.opts.now();
    const p = review()
      .then((value) => {
        const ttl = this.opts.admits(value) ? this.opts.ttlMs : this.opts.refusalTtlMs;
        this.lru.set(key, { value, at }, { ttl });
        return value;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }
}
