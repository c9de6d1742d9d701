import type { KubeObject } from '../kube/resource.js';
import type { InformerEvent } from './informer.js';
import { OwnWrites } from './own-writes.js';

const event = (rv: string, type: InformerEvent<KubeObject>['type'] = 'update') => ({
  type,
  object: { metadata: { name: 'a', namespace: 'ns', resourceVersion: rv } },
});

function setup() {
  const released: string[] = [];
  return { own: new OwnWrites((key) => released.push(key)), released };
}

test("the event of our own write is skipped once; the next writer's passes", () => {
  const { own, released } = setup();
  own.begin('ns/a').finish('7');
  expect(own.admit('ns/a', event('7'))).toBe(false);
  expect(own.admit('ns/a', event('7'))).toBe(true);
  expect(own.admit('ns/a', event('8'))).toBe(true);
  expect(released).toEqual([]);
});

test('an event of another version, or of another key, passes', () => {
  const { own } = setup();
  own.begin('ns/a').finish('7');
  expect(own.admit('ns/a', event('9'))).toBe(true);
  expect(own.admit('ns/b', event('7'))).toBe(true);
});

test('our event arriving before the answer is held and dropped once the answer names it', () => {
  const { own, released } = setup();
  const write = own.begin('ns/a');
  expect(own.admit('ns/a', event('7'))).toBe(false);
  write.finish('7');
  expect(released).toEqual([]);
  // Not skipped a second time.
  expect(own.admit('ns/a', event('7'))).toBe(true);
});

test("another writer's event held during our write is released when the write answers", () => {
  const { own, released } = setup();
  const write = own.begin('ns/a');
  expect(own.admit('ns/a', event('6'))).toBe(false);
  write.finish('7');
  expect(released).toEqual(['ns/a']);
  expect(own.admit('ns/a', event('7'))).toBe(false);
});

test('a failed or empty write releases what it held and skips nothing', () => {
  const { own, released } = setup();
  const failed = own.begin('ns/a');
  own.admit('ns/a', event('6'));
  failed.abandon();
  expect(released).toEqual(['ns/a']);
  const empty = own.begin('ns/a');
  empty.finish(undefined);
  expect(own.admit('ns/a', event('8'))).toBe(true);
});

test('a deletion always passes and forgets the unseen write', () => {
  const { own } = setup();
  own.begin('ns/a').finish('7');
  expect(own.admit('ns/a', event('7', 'delete'))).toBe(true);
  expect(own.admit('ns/a', event('7'))).toBe(true);
});
