import { createMergePatch, deepEqual, isSubset } from './json.js';

test('deepEqual treats undefined members as absent', () => {
  expect(deepEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
  expect(deepEqual([1, { a: [2] }], [1, { a: [2] }])).toBe(true);
  expect(deepEqual([1, 2], [2, 1])).toBe(false);
  expect(deepEqual({ a: null }, {})).toBe(false);
});

test('createMergePatch sends only what changed, nulls what was removed, and whole arrays', () => {
  const from = {
    metadata: { name: 'x', annotations: { a: '1', b: '2' } },
    spec: { list: [1, 2], keep: true },
  };
  const to = {
    metadata: { name: 'x', annotations: { a: '1', c: '3' } },
    spec: { list: [1, 2, 3], keep: true },
  };
  expect(createMergePatch(from, to)).toEqual({
    metadata: { annotations: { b: null, c: '3' } },
    spec: { list: [1, 2, 3] },
  });
});

test('createMergePatch returns undefined when nothing changed', () => {
  expect(createMergePatch({ a: { b: [1] } }, { a: { b: [1] }, c: undefined })).toBeUndefined();
});

test('createMergePatch replaces a value whose type changed', () => {
  expect(createMergePatch({ a: { b: 1 } }, { a: 'flat' })).toEqual({ a: 'flat' });
  expect(createMergePatch({ a: 'flat' }, { a: { b: 1 } })).toEqual({ a: { b: 1 } });
});

test('isSubset: every member of the part has the same value in the whole', () => {
  const whole = { spec: { versions: { dev: '1.2.0', prod: '1.1.0' } }, metadata: { name: 'web' } };
  expect(isSubset({ spec: { versions: { dev: '1.2.0' } } }, whole)).toBe(true);
  expect(isSubset({ spec: { versions: { dev: '1.3.0' } } }, whole)).toBe(false);
  expect(isSubset({ spec: { other: 1 } }, whole)).toBe(false);
});
