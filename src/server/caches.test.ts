// The representation cache of the HTTP API: read answers are computed again
// only after their namespace changed (the review caches: review-cache.test.ts).
import { RepresentationCache, ifNoneMatch, strongEtag } from './representations.js';

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
