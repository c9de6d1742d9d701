// Read answers with strong ETags, computed once per change: an answer is
// cached with the generation of its namespace (bumped by every informer event
// there), so a poll of an unchanged target costs a map lookup, and
// `If-None-Match` with the same ETag gets 304 without a body.
import { createHash } from 'node:crypto';

export interface Representation {
  body: Buffer;
  /** Strong ETag: the quoted SHA-256 of the body (RFC 9110 §8.8.3). */
  etag: string;
}

export const strongEtag = (body: Buffer): string =>
  `"${createHash('sha256').update(body).digest('base64url')}"`;

/** If-None-Match holds `etag` (or `*`): GET compares weakly (RFC 9110 §13.1.2). */
export function ifNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((t) => opaque(t) === opaque(etag));
}

export class RepresentationCache {
  private readonly generations = new Map<string, number>();
  private readonly entries = new Map<string, { generation: number; representation: Representation }>();

  constructor(private readonly maxEntries = 20_000) {}

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
    const body = Buffer.from(compute());
    const representation = { body, etag: strongEtag(body) };
    this.entries.delete(cacheKey);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    this.entries.set(cacheKey, { generation, representation });
    return representation;
  }
}
