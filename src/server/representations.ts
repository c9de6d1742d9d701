// Read answers with strong ETags, computed once per change: an answer is
// cached with the generation of its namespace (bumped by every informer event
// there), so a poll of an unchanged target costs a map lookup, and
// `If-None-Match` with the same ETag gets 304 without a body. Bounded in
// bytes (lru-cache), not entries: one answer can be a megabyte.
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { Counter, Gauge, type Registry } from 'prom-client';

export interface Representation {
  body: Buffer;
  /** Strong ETag: the quoted SHA-256 of the body (RFC 9110 §8.8.3). */
  etag: string;
}

export const strongEtag = (body: Buffer): string =>
  `"${createHash('sha256').update(body).digest('base64url')}"`;

/** An answer with its ETag, not cached (one that depends on the time). */
export function representation(text: string): Representation {
  const body = Buffer.from(text);
  return { body, etag: strongEtag(body) };
}

/** If-None-Match holds `etag` (or `*`): GET compares weakly (RFC 9110 §13.1.2). */
export function ifNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((t) => opaque(t) === opaque(etag));
}

/** The default byte bound: an eighth of the chart's 1 GiB memory limit. */
export const DEFAULT_REPRESENTATION_CACHE_BYTES = 128 * 1024 * 1024;

/** What an entry costs beyond its body: key, ETag and bookkeeping, counted roughly. */
const ENTRY_OVERHEAD_BYTES = 256;

interface Cached {
  generation: number;
  representation: Representation;
}

export interface RepresentationCacheOptions {
  /** Bodies and keys held at most, in bytes; the least recently used go first. */
  maxBytes?: number;
  /** Where the cache's size and evictions are reported. */
  registry?: Registry;
}

export class RepresentationCache {
  private readonly generations = new Map<string, number>();
  private readonly entries: LRUCache<string, Cached>;
  private readonly evictions: Counter | undefined;

  constructor(opts: RepresentationCacheOptions = {}) {
    const maxBytes = opts.maxBytes ?? DEFAULT_REPRESENTATION_CACHE_BYTES;
    this.entries = new LRUCache<string, Cached>({
      maxSize: maxBytes,
      // An answer bigger than the whole bound is served but not kept.
      maxEntrySize: maxBytes,
      sizeCalculation: (v, key) => v.representation.body.length + key.length * 2 + ENTRY_OVERHEAD_BYTES,
      dispose: (_v, _k, reason) => {
        if (reason === 'evict') this.evictions?.inc();
      },
    });
    if (opts.registry) this.evictions = this.register(opts.registry, maxBytes);
  }

  /** Something in `namespace` changed: its cached answers are stale. */
  bump(namespace: string): void {
    this.generations.set(namespace, (this.generations.get(namespace) ?? 0) + 1);
  }

  /** The cached answer (a body) for `key` in `namespace`, computed again only after a change there. */
  get(namespace: string, key: string, compute: () => string): Representation {
    const generation = this.generations.get(namespace) ?? 0;
    const cacheKey = `${namespace}\n${key}`;
    const hit = this.entries.get(cacheKey);
    if (hit && hit.generation === generation) return hit.representation;
    const answer = representation(compute());
    this.entries.set(cacheKey, { generation, representation: answer });
    return answer;
  }

  /** Bytes held, as the bound counts them. */
  get bytes(): number {
    return this.entries.calculatedSize;
  }

  get size(): number {
    return this.entries.size;
  }

  private register(registry: Registry, maxBytes: number): Counter {
    const gauge = (name: string, help: string, value: () => number) =>
      (registry.getSingleMetric(name) as Gauge | undefined) ??
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(value());
        },
      });
    gauge(
      'depot_http_representation_cache_bytes',
      "Bytes held by the HTTP API's cache of read answers.",
      () => this.bytes,
    );
    gauge(
      'depot_http_representation_cache_entries',
      "Answers held by the HTTP API's cache of read answers.",
      () => this.size,
    );
    gauge(
      'depot_http_representation_cache_max_bytes',
      "The byte bound of the HTTP API's cache of read answers (--api-cache-bytes).",
      () => maxBytes,
    );
    const evictions = 'depot_http_representation_cache_evictions_total';
    return (
      (registry.getSingleMetric(evictions) as Counter | undefined) ??
      new Counter({
        name: evictions,
        help: "Answers dropped from the HTTP API's cache of read answers to stay under its byte bound.",
        registers: [registry],
      })
    );
  }
}
