import { z } from 'zod';
import { shareEqualParts } from './structural-sharing.js';

const schema = z.object({
  metadata: z.object({ name: z.string(), labels: z.record(z.string(), z.string()).optional() }),
  spec: z.object({ scheme: z.string().default('semver'), versions: z.record(z.string(), z.string()) }),
  status: z.object({ history: z.array(z.object({ type: z.string(), to: z.string() })) }).optional(),
});

test('equal parts are the source objects; parts the schema changed stay copies', () => {
  const source = {
    metadata: { name: 'web', labels: { team: 'a' }, uid: 'dropped-by-the-schema' },
    spec: { versions: { dev: '1.0.0' } },
    status: { history: [{ type: 'Requested', to: '1.0.0' }] },
  };
  const parsed = shareEqualParts(schema.parse(source), source);
  expect(parsed).toEqual(schema.parse(source));
  expect(parsed.status).toBe(source.status);
  expect(parsed.metadata.labels).toBe(source.metadata.labels);
  expect(parsed.spec.versions).toBe(source.spec.versions);
  // A default was added and a field dropped: those objects are the parse's own.
  expect(parsed.spec).not.toBe(source.spec);
  expect(parsed.spec.scheme).toBe('semver');
  expect(parsed.metadata).not.toBe(source.metadata);
  expect(parsed.metadata).not.toHaveProperty('uid');
});

test('a parse equal to its source is the source', () => {
  const source = { metadata: { name: 'web' }, spec: { scheme: 'opaque', versions: {} } };
  expect(shareEqualParts(schema.parse(source), source)).toBe(source);
});

test('arrays of another length or objects of other keys are not shared', () => {
  expect(shareEqualParts([1, 2], [1, 2, 3])).toEqual([1, 2]);
  expect(shareEqualParts({ a: 1 }, { a: 1, b: 2 })).toEqual({ a: 1 });
  const list = [{ a: 1 }];
  const parsed = shareEqualParts([{ a: 1 }, { b: 2 }], [list[0], { b: 3 }]);
  expect(parsed[0]).toBe(list[0]);
  expect(parsed[1]).toEqual({ b: 2 });
  expect(shareEqualParts({ a: [1] }, { a: { 0: 1 } })).toEqual({ a: [1] });
});
