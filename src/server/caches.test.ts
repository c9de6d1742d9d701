// The bounded caches of the HTTP API: review results expire and are bounded;
// read answers are computed again only after their namespace changed.
import type { KubeObject } from '../kube/resource.js';
import { KubeAccessReviewer } from './access-review.js';
import { RepresentationCache, ifNoneMatch, strongEtag } from './representations.js';
import { TtlCache } from './ttl-cache.js';
import { Registry } from 'prom-client';

test('review results expire after the TTL and the oldest go first beyond the bound', () => {
  let now = 0;
  const cache = new TtlCache<string>({ ttlMs: 10_000, maxEntries: 2, now: () => now });
  cache.set('a', 'alice');
  now = 9_999;
  expect(cache.get('a')).toBe('alice');
  now = 10_000;
  expect(cache.get('a')).toBeUndefined();
  cache.set('a', '1');
  cache.set('b', '2');
  cache.set('c', '3');
  expect([cache.get('a'), cache.get('b'), cache.get('c'), cache.size]).toEqual([undefined, '2', '3', 2]);
});

test('an answer is computed once per change of its namespace; its ETag is the hash of the body', () => {
  const cache = new RepresentationCache();
  let computed = 0;
  const compute = () => JSON.stringify({ n: ++computed });
  const first = cache.get('ns', 'k', compute);
  expect(cache.get('ns', 'k', compute)).toBe(first);
  cache.bump('other');
  expect(cache.get('ns', 'k', compute)).toBe(first);
  cache.bump('ns');
  const second = cache.get('ns', 'k', compute);
  expect(second.body.toString()).toBe('{"n":2}');
  expect(second.etag).toBe(strongEtag(Buffer.from('{"n":2}')));
  expect(second.etag).not.toBe(first.etag);
});

test('If-None-Match: a list, weak forms and * match', () => {
  expect(ifNoneMatch('"a", "b"', '"b"')).toBe(true);
  expect(ifNoneMatch('W/"b"', '"b"')).toBe(true);
  expect(ifNoneMatch('*', '"b"')).toBe(true);
  expect(ifNoneMatch('"a"', '"b"')).toBe(false);
  expect(ifNoneMatch(undefined, '"b"')).toBe(false);
});

test('reviews beyond the rate are refused with 429 and cached answers cost nothing', async () => {
  let now = 0;
  let sent = 0;
  const reviewer = new KubeAccessReviewer(
    {
      create: async <T extends KubeObject>() => {
        sent++;
        return { status: { authenticated: true, user: { username: 'u' } } } as unknown as T;
      },
    },
    { now: () => now, rate: { qps: 1, burst: 2 } },
  );
  await reviewer.authenticate('a');
  await reviewer.authenticate('b');
  await expect(reviewer.authenticate('c')).rejects.toMatchObject({ status: 429 });
  await reviewer.authenticate('a'); // cached
  expect(sent).toBe(2);
  now = 1_000;
  await reviewer.authenticate('c');
  expect(sent).toBe(3);
});

test('the representation cache is bounded in bytes: the least recently used answers go first, and it is counted', async () => {
  const registry = new Registry();
  const cache = new RepresentationCache({ maxBytes: 10_000, registry });
  const body = (n: number) => () => 'x'.repeat(n);
  cache.get('ns', 'a', body(3_300));
  cache.get('ns', 'b', body(3_300));
  cache.get('ns', 'a', body(3_300)); // a is used again: b is now the oldest
  cache.get('ns', 'c', body(3_300));
  expect(cache.bytes).toBeLessThanOrEqual(10_000);
  let computed = 0;
  const counting = () => {
    computed++;
    return 'x'.repeat(3_300);
  };
  cache.get('ns', 'a', counting);
  cache.get('ns', 'b', counting);
  expect(computed).toBe(1); // a was kept, b had gone
  // An answer larger than the whole bound is served, not kept.
  expect(cache.get('ns', 'huge', body(20_000)).body.length).toBe(20_000);
  expect(cache.bytes).toBeLessThanOrEqual(10_000);
  const metrics = await registry.getMetricsAsJSON();
  const value = (name: string) => metrics.find((m) => m.name === name)?.values[0]?.value;
  expect(value('depot_http_representation_cache_bytes')).toBe(cache.bytes);
  expect(value('depot_http_representation_cache_entries')).toBe(cache.size);
  expect(value('depot_http_representation_cache_max_bytes')).toBe(10_000);
  expect(value('depot_http_representation_cache_evictions_total')).toBeGreaterThanOrEqual(2);
});
