// Read-your-writes for an informer cache: until the watch event of a
// controller's write arrives, the overlay serves the object the API server
// returned, so a reconcile in that gap does not act on stale data. Newer is
// decided by order, never by comparing resourceVersions: the watch events for
// the key are recorded from before the request is sent.
import type { KubeObject } from '../kube/resource.js';

interface Entry<T> {
  object: T;
  resourceVersion: string;
  expiresAt: number;
}

export interface PendingWrite<T> {
  /** The API server accepted the write and returned this object. */
  finish(written: T): void;
  /** The write failed: stop recording. */
  abandon(): void;
}

export class WriteOverlay<T extends KubeObject> {
  private readonly entries = new Map<string, Entry<T>>();
  /** Versions seen by the watch for keys with a write in flight. */
  private readonly inFlight = new Map<string, { writes: number; seen: Set<string> }>();

  constructor(
    private readonly now: () => number,
    private readonly maxAgeMs = 60_000,
  ) {}

  /** Call before sending a write of the key. */
  begin(key: string): PendingWrite<T> {
    let pending = this.inFlight.get(key);
    if (!pending) this.inFlight.set(key, (pending = { writes: 0, seen: new Set() }));
    pending.writes++;
    let open = true;
    const close = (): Set<string> => {
      const seen = pending.seen;
      if (open && --pending.writes === 0 && this.inFlight.get(key) === pending) this.inFlight.delete(key);
      open = false;
      return seen;
    };
    return {
      finish: (written) => {
        const seen = close();
        const rv = written.metadata?.resourceVersion;
        // Nothing to bridge when the watch delivered this version already.
        if (!rv || seen.has(rv)) return;
        this.entries.set(key, {
          object: written,
          resourceVersion: rv,
          expiresAt: this.now() + this.maxAgeMs,
        });
      },
      abandon: () => void close(),
    };
  }

  /** The cached object, or our newer write of it. */
  resolve(key: string, cached: T | undefined): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return cached;
    if (!cached || entry.expiresAt < this.now()) {
      this.entries.delete(key);
      return cached;
    }
    if (cached.metadata?.resourceVersion === entry.resourceVersion) {
      this.entries.delete(key);
      return cached;
    }
    return entry.object;
  }

  /** A watch event for the key: once it carries our version (or a delete), the cache is current. */
  observe(key: string, type: 'add' | 'update' | 'delete', obj: T): void {
    const rv = obj.metadata?.resourceVersion;
    if (rv) this.inFlight.get(key)?.seen.add(rv);
    const entry = this.entries.get(key);
    if (!entry) return;
    if (type === 'delete' || rv === entry.resourceVersion) this.entries.delete(key);
  }

  /** A relist replaced the cache with current state. */
  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
