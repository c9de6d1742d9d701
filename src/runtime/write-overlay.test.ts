import { WriteOverlay } from './write-overlay.js';

const obj = (rv: string, value: string) => ({ metadata: { namespace: 'a', name: 'x', resourceVersion: rv }, data: { value } });

test('serves our write until the watch event carrying its version arrives', () => {
  let now = 0;
  const overlay = new WriteOverlay(() => now);
  const cached = obj('10', 'old');
  overlay.remember('a/x', obj('12', 'ours'), cached);
  expect(overlay.resolve('a/x', cached)?.data.value).toBe('ours');
  // An older event (someone else's write before ours) does not end it.
  overlay.observe('a/x', 'update', obj('11', 'theirs'));
  expect(overlay.resolve('a/x', obj('11', 'theirs'))?.data.value).toBe('ours');
  overlay.observe('a/x', 'update', obj('12', 'ours'));
  expect(overlay.size).toBe(0);
  expect(overlay.resolve('a/x', obj('13', 'newer'))?.data.value).toBe('newer');
});

test('nothing is remembered when the write changed nothing or the cache already has it', () => {
  const overlay = new WriteOverlay(() => 0);
  overlay.remember('a/x', obj('10', 'same'), obj('10', 'same'));
  overlay.remember('a/y', obj('10', 'new'), undefined);
  expect(overlay.size).toBe(0);
});

test('a delete, a relist or old age ends the overlay', () => {
  let now = 0;
  const overlay = new WriteOverlay(() => now, 1000);
  overlay.remember('a/x', obj('12', 'ours'), obj('10', 'old'));
  overlay.observe('a/x', 'delete', obj('10', 'old'));
  expect(overlay.size).toBe(0);
  overlay.remember('a/x', obj('12', 'ours'), obj('10', 'old'));
  overlay.clear();
  expect(overlay.size).toBe(0);
  overlay.remember('a/x', obj('12', 'ours'), obj('10', 'old'));
  now = 1001;
  expect(overlay.resolve('a/x', obj('10', 'old'))?.data.value).toBe('old');
  expect(overlay.resolve('a/x', undefined)).toBeUndefined();
});
