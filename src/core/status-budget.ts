// An Application's status under a byte budget, well under etcd's 1.5 MiB
// request limit: the oldest history entries already sent to the audit log (and,
// with --audit-sink, taken by the sink) go first, then long messages are
// shortened (history first, oldest first), and only then unsent entries
// (reported, so they are counted and warned about).
import type { ApplicationStatus, HistoryEntry } from '../api/application.js';
import { Reason } from '../api/conditions.js';
import { cut } from '../api/status-limits.js';

/** Half a MiB: with the spec, metadata and managedFields an object stays far from etcd's 1.5 MiB. */
export const DEFAULT_STATUS_BYTE_BUDGET = 512 * 1024;

/** A shortened message keeps this many characters. */
export const SHORT_MESSAGE_CHARS = 256;

/** Room kept for the condition that reports the trimming. */
export const CONDITION_RESERVE_BYTES = 1024;

export interface StatusTrim {
  /** The status's bytes before trimming. */
  bytesBefore: number;
  bytesAfter: number;
  budget: number;
  /** History entries dropped (oldest first), sent or not. */
  droppedEntries: number;
  /** Dropped entries newer than historySentThrough (or, with a sink, historySinkThrough): not yet sent. */
  droppedUnsent: HistoryEntry[];
  shortenedMessages: number;
  /** False when even all of this left the status over the budget (targets and environments are never cut). */
  fits: boolean;
}

export interface BudgetedStatus {
  status: ApplicationStatus;
  /** Its bytes of JSON. */
  bytes: number;
  /** Undefined when the status fit as it was. */
  trim?: StatusTrim;
}

export const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');

/** `status` cut to `budget` bytes of JSON (see the file comment); the same object when it fits. */
export function fitStatusToBudget(
  status: ApplicationStatus,
  budget: number,
  /** sink: an audit sink is on; sinkThrough: its newest accepted id when fresher than the status's marker. */
  opts: { sink?: boolean; sinkThrough?: string } = {},
): BudgetedStatus {
  const bytesBefore = jsonBytes(status);
  if (bytesBefore <= budget) return { status, bytes: bytesBefore };
  const history = [...(status.history ?? [])];
  const sizes = history.map(jsonBytes);
  // Each entry counts its bytes and the comma before it.
  let total = bytesBefore;
  const unsentCount = unsentCountOf(
    history,
    { ...status, historySinkThrough: opts.sinkThrough ?? status.historySinkThrough },
    opts.sink === true,
  );
  let kept = history.length;
  let droppedEntries = 0;
  const droppedUnsent: HistoryEntry[] = [];
  const dropOldest = (floor: number) => {
    while (total > budget && kept > floor) {
      kept--;
      total -= sizes[kept]! + (kept > 0 ? 1 : 0);
      droppedEntries++;
      if (kept < unsentCount) droppedUnsent.push(history[kept]!);
    }
  };
  // 1. The oldest entries the audit log already has.
  dropOldest(unsentCount);
  // 2. Long messages, history first (oldest first), then the rest of the status.
  let shortenedMessages = 0;
  const shorten = <T extends { message?: string }>(item: T): T => {
    if (total <= budget || !item.message || item.message.length <= SHORT_MESSAGE_CHARS) return item;
    const message = cut(item.message, SHORT_MESSAGE_CHARS);
    total -= jsonBytes(item.message) - jsonBytes(message);
    shortenedMessages++;
    return { ...item, message };
  };
  for (let i = kept - 1; i >= 0 && total > budget; i--) {
    history[i] = shorten(history[i]!);
    sizes[i] = jsonBytes(history[i]);
  }
  let out: ApplicationStatus = { ...status, history: history.slice(0, kept) };
  if (total > budget) out = shortenOtherMessages(out, shorten);
  // 3. Entries the audit log may not have: counted by the caller.
  if (total > budget) {
    const before = kept;
    dropOldest(0);
    if (kept < before) out = { ...out, history: out.history!.slice(0, kept) };
  }
  const bytesAfter = jsonBytes(out);
  return {
    status: out,
    bytes: bytesAfter,
    trim: {
      bytesBefore,
      bytesAfter,
      budget,
      droppedEntries,
      droppedUnsent: droppedUnsent.reverse(),
      shortenedMessages,
      fits: bytesAfter <= budget,
    },
  };
}

/**
 * How many entries, from the newest, one of the senders may not have: the
 * audit log's marker, and with a sink the sink's too (the older one wins).
 */
export function unsentCountOf(
  history: readonly HistoryEntry[],
  status: Pick<ApplicationStatus, 'historySentThrough' | 'historySinkThrough'>,
  sink: boolean,
): number {
  const log = unsentLength(history, status.historySentThrough);
  return sink ? Math.max(log, unsentLength(history, status.historySinkThrough)) : log;
}

/** How many entries, from the newest, are newer than the marker (all with the marker unknown). */
function unsentLength(history: readonly HistoryEntry[], marker: string | undefined): number {
  const at = marker === undefined ? -1 : history.findIndex((h) => h.id === marker);
  return at >= 0 ? at : history.length;
}

function shortenOtherMessages(
  status: ApplicationStatus,
  shorten: <T extends { message?: string }>(item: T) => T,
): ApplicationStatus {
  return {
    ...status,
    conditions: status.conditions?.map(shorten),
    environments: status.environments?.map((e) => (e.blocked ? { ...e, blocked: shorten(e.blocked) } : e)),
    targets: status.targets?.map((t) => (t.delivery ? { ...t, delivery: shorten(t.delivery) } : t)),
  };
}

/** One line for the condition and the log: what was cut to fit. */
export function describeTrim(t: StatusTrim): string {
  const parts = [
    t.droppedEntries > 0
      ? `${t.droppedEntries} oldest history entr${t.droppedEntries === 1 ? 'y' : 'ies'} dropped${t.droppedUnsent.length > 0 ? ` (${t.droppedUnsent.length} not yet sent to the audit log or sink)` : ''}`
      : '',
    t.shortenedMessages > 0
      ? `${t.shortenedMessages} message${t.shortenedMessages === 1 ? '' : 's'} shortened to ${SHORT_MESSAGE_CHARS} characters`
      : '',
  ].filter(Boolean);
  const what = parts.length > 0 ? parts.join(', ') : 'nothing could be cut';
  return `the status took ${kib(t.bytesBefore)} of its ${kib(t.budget)} budget (--status-byte-budget): ${what}; it takes ${kib(t.bytesAfter)} now${t.fits ? '' : ', still over the budget (targets and environments are never cut)'}`;
}

const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;

/**
 * The StatusTrimmed condition after this pass: True when it trimmed, False
 * again once the status takes at most half its budget; otherwise unchanged
 * (undefined), so a converged status is not written again.
 */
export function trimCondition(
  trim: StatusTrim | undefined,
  previouslyTrimmed: boolean,
  bytes: number,
  budget: number,
): { status: 'True' | 'False'; reason: string; message: string } | undefined {
  if (trim)
    return {
      status: 'True',
      reason: trim.fits ? Reason.Trimmed : Reason.OverBudget,
      message: describeTrim(trim),
    };
  if (previouslyTrimmed && bytes <= budget / 2)
    return {
      status: 'False',
      reason: Reason.WithinBudget,
      message: `the status takes ${kib(bytes)} of its ${kib(budget)} budget (--status-byte-budget)`,
    };
  return undefined;
}
