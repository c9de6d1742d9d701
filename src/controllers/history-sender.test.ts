import type { HistoryEntry } from '../api/application.js';
import { HistorySender, unsentEntries } from './history-sender.js';

const entry = (id: string | undefined, to: string): HistoryEntry => ({
  ...(id ? { id } : {}),
  time: '2026-11-20T12:00:00Z',
  type: 'Requested',
  environment: 'dev',
  to,
});

describe('unsentEntries', () => {
  const history = [entry('c', '3'), entry('b', '2'), entry('a', '1'), entry(undefined, '0')];
  test('entries newer than the marker', () => {
    expect(unsentEntries(history, 'b').map((h) => h.id)).toEqual(['c']);
    expect(unsentEntries(history, 'c')).toEqual([]);
  });
  test('no marker, or one cut off by the limit: every entry with an id', () => {
    expect(unsentEntries(history, undefined).map((h) => h.id)).toEqual(['c', 'b', 'a']);
    expect(unsentEntries(history, 'gone').map((h) => h.id)).toEqual(['c', 'b', 'a']);
  });
});

describe('HistorySender', () => {
  function setup(previousLeaderStoppedCleanly: boolean) {
    const lines: Record<string, unknown>[] = [];
    const events: string[] = [];
    let term = 1;
    let fenced = false;
    const sender = new HistorySender(
      {
        events: {
          normal: (_o: unknown, _r: string, note: string) => events.push(note),
          warning: (_o: unknown, _r: string, note: string) => events.push(note),
        } as never,
        leadership: () => ({ term, previousLeaderStoppedCleanly }),
        log: { info: () => undefined, warn: () => undefined } as never,
        fence: () => {
          if (fenced) throw new Error('fenced');
        },
      },
      { record: (e) => lines.push(e) },
    );
    return { sender, lines, events, nextTerm: () => term++, fence: (on: boolean) => (fenced = on) };
  }
  const app = { metadata: { namespace: 'ns', name: 'core' } };
  const history = [entry('c', '3'), entry('b', '2')];

  test('after an unclean stop, the first reconcile resends what is newer than the marker to the audit log, once, and no Event', () => {
    const { sender, lines, events } = setup(false);
    sender.firstSight(app, history, 'b');
    sender.firstSight(app, history, 'b');
    expect(lines).toEqual([expect.objectContaining({ id: 'c', resent: true, application: 'core' })]);
    expect(events).toEqual([]);
    expect(sender.sentThrough(app)).toBe('c');
  });

  test('after a clean handover nothing is resent, and the newest id counts as sent', () => {
    const { sender, lines } = setup(true);
    sender.firstSight(app, history, 'b');
    expect(lines).toEqual([]);
    expect(sender.sentThrough(app)).toBe('c');
    sender.send(app, [entry('d', '4')]);
    expect(lines).toEqual([expect.objectContaining({ id: 'd' })]);
    expect(sender.sentThrough(app)).toBe('d');
  });

  test('behind the fence (lease not renewed in time) nothing is sent and nothing counts as sent', () => {
    const { sender, lines, events, fence } = setup(true);
    sender.firstSight(app, history, 'c');
    fence(true);
    sender.send(app, [entry('d', '4')]);
    expect(lines).toEqual([]);
    expect(events).toEqual([]);
    expect(sender.sentThrough(app)).toBe('c');
  });

  test('behind the fence the first reconcile after a crash resends nothing yet, and resends once the fence opens', () => {
    const { sender, lines, fence } = setup(false);
    fence(true);
    sender.firstSight(app, history, 'b');
    expect(lines).toEqual([]);
    fence(false);
    sender.firstSight(app, history, 'b');
    expect(lines).toEqual([expect.objectContaining({ id: 'c', resent: true })]);
  });

  test('a new leadership term forgets what was sent in the last one', () => {
    const { sender, lines, nextTerm } = setup(false);
    sender.firstSight(app, history, 'c');
    expect(lines).toEqual([]);
    nextTerm();
    sender.firstSight(app, [entry('e', '5'), ...history], 'c');
    expect(lines.map((l) => l.id)).toEqual(['e']);
  });
});
