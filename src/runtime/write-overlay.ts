// Read-your-writes for an informer cache. After a controller writes an
// object, the cache still holds the old version until the watch event of the
// write arrives; a reconcile in that gap would act on stale data and write
// the same change again. The overlay remembers the object the API server
// returned and serves it until the cache has caught up. Watch events arrive
// in resourceVersion order, so until the event carrying our resourceVersion
// arrives, our copy is the newest known (versions are compared only for
// equality: they are opaque).
import type { KubeObject } from './resource.js';

interface Entry<T> {
  object: T;
  resourceVersion: string;
  expiresAt: number;
}

export class WriteOverlay<T extends KubeObject> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly now: () => number,
    private readonly maxAgeMs = 60_000,
  ) {}

  /** Records a write; `cached` is what the cache holds for the key now. */
  remember(key: string, written: T, cached: T | undefined): void {
    const rv = written.metadata?.resourceVersion;
    // Nothing to bridge: the write changed nothing, or the cache has it already.
    if (!rv || !cached || cached.metadata?.resourceVersion === rv) return;
    this.entries.set(key, { object: written, resourceVersion: rv, expiresAt: this.now() + this.maxAgeMs });
  }

  /** The cached object, or our newer write of it. */
  resolve(key: string, cached: T | undefined): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return cached;
    if (!cached || entry.expiresAt < this.now()) {
      this.entries.delete(key);
      return cached;
    }
    return entry.object;
  }

  /** A watch event for the key: once it carries our version (or a delete), the cache is current. */
  observe(key: string, type: 'add' | 'update' | 'delete', obj: T): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    if (type === 'delete' || obj.metadata?.resourceVersion === entry.resourceVersion) this.entries.delete(key);
  }

  /** A relist replaced the cache with current state. */
  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
