import { EventAggregator, eventKey, type EventKeyParts } from './event-aggregator.js';

const ev = (over: Partial<EventKeyParts> = {}) => ({
  regarding: { kind: 'Application', namespace: 'team', name: 'web', uid: 'u1' },
  type: 'Warning',
  reason: 'Blocked',
  action: 'Deliver',
  note: 'dash 2.0.0 requires core >=1.12.0',
  namespace: 'team',
  ...over,
});

const opts = { windowMs: 60_000, patchIntervalMs: 10_000, maxEntries: 100 };

test('the same event within the window is counted into one series instead of a new Event', () => {
  const agg = new EventAggregator(opts);
  expect(agg.record(ev(), 0)).toMatchObject({ kind: 'create' });
  expect(agg.record(ev(), 1_000)).toMatchObject({ kind: 'aggregate', count: 2 });
  expect(agg.record(ev(), 2_000)).toMatchObject({ kind: 'aggregate', count: 3 });
  expect(agg.size).toBe(1);
});

test('a flapping object: 1,000 identical events → 1 create and at most one series patch per interval', () => {
  const agg = new EventAggregator(opts);
  let creates = 0;
  let patches = 0;
  for (let t = 0; t < 1000; t++) {
    const now = t * 50; // 50 s in all
    const d = agg.record(ev(), now);
    if (d.kind === 'create') {
      creates++;
      agg.created(d.key, 'web.1');
    }
    for (const s of agg.due(now)) {
      patches++;
      agg.patched(s.key, s.count, now);
    }
  }
  expect(creates).toBe(1);
  expect(patches).toBeLessThanOrEqual(5);
  expect(agg.due(50_000, true)).toEqual([expect.objectContaining({ count: 1000, eventName: 'web.1' })]);
});

test('any difference in object, reason, type, action or note makes a separate Event', () => {
  const agg = new EventAggregator(opts);
  agg.record(ev(), 0);
  expect(agg.record(ev({ note: 'other' }), 1).kind).toBe('create');
  expect(agg.record(ev({ reason: 'Other' }), 2).kind).toBe('create');
  expect(agg.record(ev({ type: 'Normal' }), 3).kind).toBe('create');
  expect(agg.record(ev({ action: 'Promote' }), 4).kind).toBe('create');
  expect(
    agg.record(ev({ regarding: { kind: 'Application', namespace: 'team', name: 'api', uid: 'u2' } }), 5).kind,
  ).toBe('create');
});

test('after the window a new Event is created', () => {
  const agg = new EventAggregator(opts);
  agg.record(ev(), 0);
  expect(agg.record(ev(), 60_000).kind).toBe('aggregate');
  expect(agg.record(ev(), 120_001).kind).toBe('create');
});

test('series patches wait for the Event to exist and for the patch interval', () => {
  const agg = new EventAggregator(opts);
  const first = agg.record(ev(), 0);
  agg.record(ev(), 1_000);
  expect(agg.due(20_000)).toEqual([]); // not created yet
  agg.created(first.key, 'web.abc');
  expect(agg.due(5_000)).toEqual([]); // interval since creation not over
  const [patch] = agg.due(10_000);
  expect(patch).toEqual({
    key: first.key,
    namespace: 'team',
    eventName: 'web.abc',
    count: 2,
    lastObservedAt: 1_000,
  });
  agg.patched(first.key, 2, 10_000);
  expect(agg.due(30_000)).toEqual([]); // nothing new
  agg.record(ev(), 31_000);
  expect(agg.due(19_999)).toEqual([]); // interval since the last patch not over
  expect(agg.due(31_000)).toHaveLength(1);
});

test('a failed create is forgotten so the next occurrence tries again', () => {
  const agg = new EventAggregator(opts);
  const d = agg.record(ev(), 0);
  agg.failed(d.key);
  expect(agg.record(ev(), 1).kind).toBe('create');
});

test('the oldest series are forgotten beyond maxEntries', () => {
  const agg = new EventAggregator({ ...opts, maxEntries: 3 });
  for (let i = 0; i < 10; i++) agg.record(ev({ note: `n${i}` }), i);
  expect(agg.size).toBe(3);
  expect(agg.record(ev({ note: 'n9' }), 20).kind).toBe('aggregate');
  expect(agg.record(ev({ note: 'n0' }), 21).kind).toBe('create');
});

test('events are keyed by uid when there is one, else by kind/namespace/name', () => {
  const base = ev();
  expect(eventKey(base)).toBe(eventKey({ ...base, regarding: { ...base.regarding, name: 'renamed' } }));
  const noUid = { ...base, regarding: { kind: 'Application', namespace: 'team', name: 'web' } };
  expect(eventKey(noUid)).not.toBe(eventKey({ ...noUid, regarding: { ...noUid.regarding, name: 'api' } }));
});
