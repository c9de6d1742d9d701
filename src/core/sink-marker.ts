// What the audit sink has not taken yet, from its marker
// (status.historySinkThrough): the entries newer than it. The count limit
// (--history-limit) drops the oldest entries whatever the sink took; those it
// had not taken are reported (metric, Warning Event), never dropped silently.
import type { HistoryEntry } from '../api/application.js';

/** Entries (with an id) of `before` and `added` that the sink had not taken and `after` no longer holds. */
export function droppedBeforeSink(
  before: readonly HistoryEntry[] | undefined,
  added: readonly HistoryEntry[],
  after: readonly HistoryEntry[],
  marker: string | undefined,
): HistoryEntry[] {
  const prev = before ?? [];
  const at = marker === undefined ? -1 : prev.findIndex((h) => h.id === marker);
  const untaken = [...added, ...(at >= 0 ? prev.slice(0, at) : prev)];
  if (untaken.length === 0) return [];
  const kept = new Set(after.map((h) => h.id));
  return untaken.filter((h) => h.id !== undefined && !kept.has(h.id));
}
