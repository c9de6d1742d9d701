import fc from 'fast-check';
import type { ApplicationStatus, HistoryEntry } from '../api/application.js';
import {
  fitStatusToBudget,
  jsonBytes,
  SHORT_MESSAGE_CHARS,
  trimCondition,
  type StatusTrim,
} from './status-budget.js';

const entry = (i: number, message = `m${i}`): HistoryEntry => ({
  id: `id${i}`,
  time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
  type: 'RolledBack',
  environment: 'prod',
  to: `1.0.${i}`,
  actor: 'alice',
  message,
});

/** Newest first: entries n-1 … 0; the marker says which are sent (that one and older). */
function status(
  n: number,
  opts: { message?: (i: number) => string; sentThrough?: number } = {},
): ApplicationStatus {
  const history = Array.from({ length: n }, (_, k) => n - 1 - k).map((i) => entry(i, opts.message?.(i)));
  return {
    observedGeneration: 1,
    environments: [{ name: 'prod', requested: '1.0.0', desired: '1.0.0', targets: ['t'] }],
    targets: [
      { name: 't', environment: 'prod', desired: '1.0.0', delivery: { state: 'Delivered', message: 'ok' } },
    ],
    history,
    ...(opts.sentThrough !== undefined ? { historySentThrough: `id${opts.sentThrough}` } : {}),
  } as ApplicationStatus;
}

const ids = (s: ApplicationStatus) => (s.history ?? []).map((h) => h.id);

test('a status under its budget is returned as it was', () => {
  const s = status(10, { sentThrough: 9 });
  const fitted = fitStatusToBudget(s, 100_000);
  expect(fitted.status).toBe(s);
  expect(fitted.trim).toBeUndefined();
  expect(fitted.bytes).toBe(jsonBytes(s));
});

test('the oldest sent entries go first; entries newer than historySentThrough stay', () => {
  // 50 entries of ~1 KiB; 40..49 are newer than the marker (39).
  const s = status(50, { message: () => 'x'.repeat(1000), sentThrough: 39 });
  const budget = Math.floor(jsonBytes(s) / 2);
  const { status: out, trim } = fitStatusToBudget(s, budget);
  expect(jsonBytes(out)).toBeLessThanOrEqual(budget);
  expect(trim).toMatchObject({ shortenedMessages: 0, droppedUnsent: [], fits: true });
  // The newest entries, in order, as a prefix of the history.
  expect(ids(out)).toEqual(ids(s).slice(0, out.history!.length));
  expect(trim!.droppedEntries).toBe(50 - out.history!.length);
  expect(out.history!.length).toBeGreaterThanOrEqual(10);
  // As few as possible: one more entry would not fit.
  expect(jsonBytes({ ...out, history: s.history!.slice(0, out.history!.length + 1) })).toBeGreaterThan(
    budget,
  );
  expect(trim!.bytesAfter).toBe(jsonBytes(out));
});

test('when the sent entries are gone, long messages are shortened, oldest first, before an unsent entry is dropped', () => {
  // All 20 entries unsent (the marker names none of them), each 4 KiB.
  const s = status(20, { message: (i) => `${i}:${'r'.repeat(4096)}` });
  const budget = jsonBytes(s) - 10 * 4000;
  const { status: out, trim } = fitStatusToBudget(s, budget);
  expect(jsonBytes(out)).toBeLessThanOrEqual(budget);
  expect(trim).toMatchObject({ droppedEntries: 0, droppedUnsent: [], fits: true });
  expect(trim!.shortenedMessages).toBeGreaterThanOrEqual(10);
  expect(ids(out)).toEqual(ids(s));
  // The oldest (last) were shortened, the newest kept whole.
  expect(out.history![19]!.message).toHaveLength(SHORT_MESSAGE_CHARS);
  expect(out.history![19]!.message!.endsWith('…')).toBe(true);
  expect(out.history![0]!.message).toBe(s.history![0]!.message);
});

test('unsent entries are dropped only when nothing else is left to cut, and reported', () => {
  const s = status(30, { message: () => 'y'.repeat(600), sentThrough: 9 });
  // Room for little more than the environments, targets and a few short entries.
  const budget = jsonBytes({ ...s, history: [] }) + 5 * 400;
  const { status: out, trim } = fitStatusToBudget(s, budget);
  expect(jsonBytes(out)).toBeLessThanOrEqual(budget);
  expect(out.history!.every((h) => h.message!.length <= SHORT_MESSAGE_CHARS)).toBe(true);
  // 10 sent entries (id0..id9) went, then the oldest unsent ones, reported oldest last … newest first.
  expect(trim!.droppedEntries).toBe(30 - out.history!.length);
  expect(trim!.droppedUnsent.map((h) => h.id)).toEqual(ids(s).slice(out.history!.length, 20));
  expect(trim!.droppedUnsent.length).toBe(trim!.droppedEntries - 10);
});

test('targets and environments are never cut: a status over the budget without history says it does not fit', () => {
  const s = {
    ...status(2),
    targets: Array.from({ length: 50 }, (_, i) => ({
      name: `t${i}`,
      environment: 'prod',
      desired: '1.0.0',
      delivery: { state: 'Failed', message: `z${'e'.repeat(1000)}` },
    })),
  } as ApplicationStatus;
  const { status: out, trim } = fitStatusToBudget(s, 10_000);
  expect(out.targets).toHaveLength(50);
  expect(out.history).toEqual([]);
  expect(out.targets!.every((t) => t.delivery!.message!.length <= SHORT_MESSAGE_CHARS)).toBe(true);
  expect(trim!.fits).toBe(false);
  expect(trim!.bytesAfter).toBeGreaterThan(10_000);
});

test('property: the result fits whenever the history could make room, keeps the newest entries in order, and drops unsent ones last', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 0, maxLength: 60 }),
      fc.integer({ min: -1, max: 60 }),
      fc.integer({ min: 1_000, max: 120_000 }),
      (lengths, marker, budget) => {
        const n = lengths.length;
        const s = status(n, {
          message: (i) => 'a'.repeat(lengths[i]!),
          ...(marker >= 0 && marker < n ? { sentThrough: marker } : {}),
        });
        const { status: out, trim, bytes } = fitStatusToBudget(s, budget);
        expect(bytes).toBe(jsonBytes(out));
        if (!trim) return jsonBytes(s) <= budget;
        const kept = out.history!.length;
        expect(ids(out)).toEqual(ids(s).slice(0, kept));
        const unsent = marker >= 0 && marker < n ? n - 1 - marker : n;
        if (trim.droppedUnsent.length > 0)
          expect(out.history!.every((h) => (h.message ?? '').length <= SHORT_MESSAGE_CHARS)).toBe(true);
        expect(trim.droppedUnsent.length).toBe(Math.max(0, unsent - kept));
        const empty = jsonBytes({ ...s, history: [] });
        if (empty <= budget) expect(trim.fits).toBe(true);
        return trim.fits === jsonBytes(out) <= budget;
      },
    ),
    { numRuns: 200 },
  );
});

test('the StatusTrimmed condition: True when trimmed, False again only well under the budget, otherwise untouched', () => {
  const trim: StatusTrim = {
    bytesBefore: 700 * 1024,
    bytesAfter: 500 * 1024,
    budget: 511 * 1024,
    droppedEntries: 3,
    droppedUnsent: [],
    shortenedMessages: 0,
    fits: true,
  };
  expect(trimCondition(trim, false, 0, 512 * 1024)).toEqual({
    status: 'True',
    reason: 'Trimmed',
    message:
      'the status took 700.0 KiB of its 511.0 KiB budget (--status-byte-budget): 3 oldest history entries dropped; it takes 500.0 KiB now',
  });
  expect(trimCondition({ ...trim, fits: false }, false, 0, 512 * 1024)?.reason).toBe('OverBudget');
  expect(trimCondition(undefined, true, 300 * 1024, 512 * 1024)).toBeUndefined();
  expect(trimCondition(undefined, false, 10, 512 * 1024)).toBeUndefined();
  expect(trimCondition(undefined, true, 200 * 1024, 512 * 1024)).toMatchObject({
    status: 'False',
    reason: 'WithinBudget',
  });
});

describe('with an audit sink', () => {
  /** The log has everything through id29; the sink took only through id9. */
  const sinkBehind = (): ApplicationStatus => ({
    ...status(30, { message: () => 'z'.repeat(400), sentThrough: 29 }),
    historySinkThrough: 'id9',
  });

  test('entries the sink has not taken stay while older ones can go', () => {
    const s = sinkBehind();
    const budget = jsonBytes(s) - 3000;
    const { status: out, trim } = fitStatusToBudget(s, budget, { sink: true });
    // Only entries id0..id9 (taken by both) were dropped.
    expect(trim!.droppedUnsent).toEqual([]);
    expect(ids(out)).toEqual(ids(s).slice(0, out.history!.length));
    expect(out.history!.length).toBeGreaterThanOrEqual(20);
    expect(out.history!.map((h) => h.id)).toContain('id10');
    // Without the sink, the same budget may drop entries the log has (newer than id9).
    const logOnly = fitStatusToBudget(s, jsonBytes(s) - 30_000);
    expect(logOnly.trim!.droppedUnsent).toEqual([]);
  });

  test('an entry the sink has not taken, dropped because nothing else fits, is reported', () => {
    const s = sinkBehind();
    const { trim } = fitStatusToBudget(s, jsonBytes(s) - 30_000, { sink: true });
    expect(trim!.droppedUnsent.length).toBeGreaterThan(0);
    expect(trim!.droppedUnsent.every((h) => Number(h.id!.slice(2)) >= 10)).toBe(true);
    expect(trim!.droppedUnsent.length).toBe(trim!.droppedEntries - 10);
  });

  test('a fresher marker than the recorded one (the sink accepted more since) counts', () => {
    const s = sinkBehind();
    const budget = jsonBytes(s) - 30_000;
    expect(fitStatusToBudget(s, budget, { sink: true }).trim!.droppedUnsent.length).toBeGreaterThan(0);
    expect(fitStatusToBudget(s, budget, { sink: true, sinkThrough: 'id29' }).trim!.droppedUnsent).toEqual([]);
  });

  test('with no sink marker yet, every entry counts as not taken', () => {
    const s = { ...sinkBehind(), historySinkThrough: undefined };
    const { trim } = fitStatusToBudget(s, jsonBytes(s) - 30_000, { sink: true });
    expect(trim!.droppedUnsent.length).toBe(trim!.droppedEntries);
  });
});
