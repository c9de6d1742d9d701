import type { HistoryEntry } from '../api/application.js';
import { prependHistory } from './history.js';
import { droppedBeforeSink } from './sink-marker.js';

const entry = (i: number): HistoryEntry => ({
  id: `id${i}`,
  time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
  type: 'Requested',
  environment: 'dev',
  to: `1.0.${i}`,
});
/** Newest first: n-1 … 0. */
const history = (n: number) => Array.from({ length: n }, (_, k) => entry(n - 1 - k));

test('entries the count limit drops after the sink took them are not reported', () => {
  const before = history(5);
  const added = [entry(5), entry(6)];
  const after = prependHistory(before, added, 5);
  expect(after.map((h) => h.id)).toEqual(['id6', 'id5', 'id4', 'id3', 'id2']);
  expect(droppedBeforeSink(before, added, after, 'id4')).toEqual([]);
});

test('entries the count limit drops before the sink took them are reported, oldest last', () => {
  const before = history(5);
  const added = [entry(5), entry(6)];
  const after = prependHistory(before, added, 5);
  // The sink took id0 only: id1 goes unsent (id0 was taken).
  expect(droppedBeforeSink(before, added, after, 'id0').map((h) => h.id)).toEqual(['id1']);
  // No marker, or one no longer in status: nothing was taken that is still there.
  expect(droppedBeforeSink(before, added, after, undefined).map((h) => h.id)).toEqual(['id1', 'id0']);
  expect(droppedBeforeSink(before, added, after, 'gone').map((h) => h.id)).toEqual(['id1', 'id0']);
});

test('nothing new and nothing dropped: nothing reported', () => {
  const before = history(3);
  expect(droppedBeforeSink(before, [], prependHistory(before, [], 5), undefined)).toEqual([]);
});
