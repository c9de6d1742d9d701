// The bounded audit trail in Application status: newest first.
import type { HistoryEntry } from '../api/application.js';

export const DEFAULT_HISTORY_LIMIT = 100;

/** `added` (newest first) before `history`, cut to `limit` entries. */
export function prependHistory(
  history: readonly HistoryEntry[] | undefined,
  added: readonly HistoryEntry[],
  limit: number,
): HistoryEntry[] {
  if (added.length === 0 && (history?.length ?? 0) <= limit) return [...(history ?? [])];
  const ordered = [...added].sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0));
  return [...ordered, ...(history ?? [])].slice(0, Math.max(1, limit));
}
