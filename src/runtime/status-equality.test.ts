import { findCondition, setCondition } from '../kube/conditions.js';
import { statusEqual } from './status-equality.js';

const ready = (status: string, message = 'ok', t = '2026-01-01T00:00:00Z') => ({
  type: 'Ready',
  status,
  reason: status === 'True' ? 'Reconciled' : 'Failed',
  message,
  lastTransitionTime: t,
});
const compatible = {
  type: 'Compatible',
  status: 'True',
  reason: 'Ok',
  message: '',
  lastTransitionTime: '2026-01-01T00:00:00Z',
};

test('key order, undefined members and empty lists/objects are noise', () => {
  expect(statusEqual({ a: 1, b: { c: 2 } }, { b: { c: 2 }, a: 1, d: undefined })).toBe(true);
  expect(statusEqual({ a: 1, targets: [] }, { a: 1 })).toBe(true);
  expect(statusEqual({ a: 1, extra: {} }, { a: 1 })).toBe(true);
  expect(statusEqual(undefined, {})).toBe(true);
});

test('conditions compare as a set keyed by type', () => {
  expect(
    statusEqual({ conditions: [ready('True'), compatible] }, { conditions: [compatible, ready('True')] }),
  ).toBe(true);
});

test('other lists keep their order unless declared keyed', () => {
  const a = { targets: [{ name: 'eu' }, { name: 'us' }] };
  const b = { targets: [{ name: 'us' }, { name: 'eu' }] };
  expect(statusEqual(a, b)).toBe(false);
  expect(statusEqual(a, b, { keyedLists: { targets: 'name' } })).toBe(true);
  expect(statusEqual({ history: ['x', 'y'] }, { history: ['y', 'x'] })).toBe(false);
});

test('sub-second differences of timestamps are noise (the server keeps whole seconds)', () => {
  expect(
    statusEqual(
      { conditions: [ready('True', 'ok', '2026-01-01T00:00:00.734Z')] },
      { conditions: [ready('True')] },
    ),
  ).toBe(true);
  expect(statusEqual({ t: '2026-01-01T00:00:01Z' }, { t: '2026-01-01T00:00:00Z' })).toBe(false);
});

test('real changes are detected', () => {
  expect(statusEqual({ conditions: [ready('True')] }, { conditions: [ready('False')] })).toBe(false);
  expect(statusEqual({ conditions: [ready('True', 'a')] }, { conditions: [ready('True', 'b')] })).toBe(false);
  expect(statusEqual({ conditions: [ready('True')] }, { conditions: [ready('True'), compatible] })).toBe(
    false,
  );
  expect(statusEqual({ observedGeneration: 1 }, { observedGeneration: 2 })).toBe(false);
  expect(statusEqual({ desired: '1.0.0' }, { desired: '1.0.1' })).toBe(false);
});

test('setCondition keeps lastTransitionTime while the status stays, and moves it when the status changes', () => {
  const t0 = Date.UTC(2026, 0, 1);
  const first = setCondition(
    undefined,
    { type: 'Ready', status: 'False', reason: 'Invalid', message: 'bad' },
    1,
    new Date(t0),
  );
  expect(first).toEqual([
    {
      type: 'Ready',
      status: 'False',
      reason: 'Invalid',
      message: 'bad',
      observedGeneration: 1,
      lastTransitionTime: '2026-01-01T00:00:00Z',
    },
  ]);
  const same = setCondition(
    first,
    { type: 'Ready', status: 'False', reason: 'Invalid', message: 'still bad' },
    2,
    new Date(t0 + 60_000),
  );
  expect(findCondition(same, 'Ready')?.lastTransitionTime).toBe('2026-01-01T00:00:00Z');
  const flipped = setCondition(
    same,
    { type: 'Ready', status: 'True', reason: 'Reconciled', message: '' },
    undefined,
    new Date(t0 + 61_500),
  );
  expect(findCondition(flipped, 'Ready')).toEqual({
    type: 'Ready',
    status: 'True',
    reason: 'Reconciled',
    message: '',
    lastTransitionTime: '2026-01-01T00:01:01Z',
  });
  expect(setCondition(flipped, compatible as never, undefined, new Date(t0))).toHaveLength(2);
});

test('recomputing the same conditions on every reconcile compares equal (so nothing is written)', () => {
  let conditions = setCondition(
    undefined,
    { type: 'Ready', status: 'True', reason: 'Reconciled', message: 'ok' },
    3,
    new Date(Date.UTC(2026, 0, 1)),
  );
  const stored = { observedGeneration: 3, conditions };
  conditions = setCondition(
    stored.conditions,
    { type: 'Ready', status: 'True', reason: 'Reconciled', message: 'ok' },
    3,
    new Date(Date.UTC(2026, 0, 2)),
  );
  expect(statusEqual(stored, { observedGeneration: 3, conditions })).toBe(true);
});

test('a null member is the same as an absent one: a merge patch stores neither (it deletes the field)', () => {
  const stored = { environments: [{ name: 'prod', desired: '1.0.0' }] };
  const computed = { environments: [{ name: 'prod', desired: '1.0.0', blocked: null }] };
  expect(statusEqual(stored, computed)).toBe(true);
  expect(statusEqual({ a: null }, {})).toBe(true);
  expect(statusEqual({ blocked: { reason: 'Frozen' } }, { blocked: null })).toBe(false);
});
