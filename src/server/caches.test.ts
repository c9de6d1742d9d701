// The representation cache of the HTTP API: read answers are computed again
// only after their namespace changed (the review caches: review-cache.test.ts).
import { RepresentationCache, ifNoneMatch, strongEtag } from './representations.js';
import { Registry } from 'prom-client';

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
