import { WriteOverlay } from './write-overlay.js';

interface Obj {
  metadata: { namespace: string; name: string; resourceVersion: string };
  data: { value: string };
  [k: string]: unknown;
}

const obj = (rv: string, value: string): Obj => ({
  metadata: { namespace: 'a', name: 'x', resourceVersion: rv },
  data: { value },
});

test('serves our write until the watch event carrying its version arrives', () => {
  const overlay = new WriteOverlay<Obj>(() => 0);
  const write = overlay.begin('a/x');
  write.finish(obj('12', 'ours'));
  expect(overlay.resolve('a/x', obj('10', 'old'))?.data.value).toBe('ours');
  // An older event (someone else's write before ours) does not end it.
  overlay.observe('a/x', 'update', obj('11', 'theirs'));
  expect(overlay.resolve('a/x', obj('11', 'theirs'))?.data.value).toBe('ours');
  overlay.observe('a/x', 'update', obj('12', 'ours'));
  expect(overlay.size).toBe(0);
  expect(overlay.resolve('a/x', obj('13', 'newer'))?.data.value).toBe('newer');
});

test('a write whose watch event (or a later one) arrived before the response is not overlaid', () => {
  const overlay = new WriteOverlay<Obj>(() => 0);
  const write = overlay.begin('a/x');
  overlay.observe('a/x', 'update', obj('12', 'ours')); // the watch was faster than the response
  overlay.observe('a/x', 'update', obj('13', 'theirs, later'));
  write.finish(obj('12', 'ours'));
  expect(overlay.size).toBe(0);
  expect(overlay.resolve('a/x', obj('13', 'theirs, later'))?.data.value).toBe('theirs, later');
});

test('a write that changed nothing (same version as cached) is not served over the cache', () => {
  const overlay = new WriteOverlay<Obj>(() => 0);
  overlay.begin('a/x').finish(obj('10', 'same'));
  expect(overlay.resolve('a/x', obj('10', 'same'))?.data.value).toBe('same');
  expect(overlay.size).toBe(0);
});

test('a failed write leaves nothing behind', () => {
  const overlay = new WriteOverlay<Obj>(() => 0);
  overlay.begin('a/x').abandon();
  overlay.observe('a/x', 'update', obj('12', 'x'));
  expect(overlay.size).toBe(0);
});

test('a delete, a relist or old age ends the overlay', () => {
  let now = 0;
  const overlay = new WriteOverlay<Obj>(() => now, 1000);
  overlay.begin('a/x').finish(obj('12', 'ours'));
  overlay.observe('a/x', 'delete', obj('10', 'old'));
  expect(overlay.size).toBe(0);
  overlay.begin('a/x').finish(obj('12', 'ours'));
  overlay.clear();
  expect(overlay.size).toBe(0);
  overlay.begin('a/x').finish(obj('12', 'ours'));
  now = 1001;
  expect(overlay.resolve('a/x', obj('10', 'old'))?.data.value).toBe('old');
  expect(overlay.resolve('a/x', undefined)).toBeUndefined();
});
