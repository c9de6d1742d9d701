// A small bounded cache whose entries expire: the results of TokenReviews and
// SubjectAccessReviews are kept briefly (as the API server's webhook
// authenticator caches them), so a polling agent costs no review per request.
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();

  constructor(private readonly opts: { ttlMs: number; maxEntries: number; now: () => number }) {}

  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires <= this.opts.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    // Map keeps insertion order: the first entry is the oldest.
    while (this.entries.size >= this.opts.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    this.entries.set(key, { value, expires: this.opts.now() + this.opts.ttlMs });
  }

  get size(): number {
    return this.entries.size;
  }
}
