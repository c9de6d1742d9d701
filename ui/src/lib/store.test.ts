import type { DashboardNamespace, DashboardRow } from './contract.js';
import { applyDeltas, applySnapshot, emptyState, rowKey } from './store.js';

const row = (namespace: string, name: string, desired = '1.0.0'): DashboardRow => ({
  namespace,
  name,
  labels: {},
  cells: { dev: { desired, deployed: [] } },
});
const ns = (namespace: string, environments = ['dev', 'prod']): DashboardNamespace => ({
  namespace,
  environments,
  promotions: [],
});

describe('dashboard store', () => {
  it('a snapshot replaces everything and marks the state loaded', () => {
    const before = applyDeltas(emptyState(), [{ op: 'row', row: row('a', 'stale') }]);
    const s = applySnapshot(before, { namespaces: [ns('a')], rows: [row('a', 'core'), row('b', 'dash')] });
    expect(s.loaded).toBe(true);
    expect([...s.rows.keys()]).toEqual(['a/core', 'b/dash']);
    expect(s.namespaces.get('a')?.environments).toEqual(['dev', 'prod']);
    expect(s.revision).toBeGreaterThan(before.revision);
  });

  it('applies row, rowDeleted, namespace and namespaceDeleted deltas in order without touching the old state', () => {
    const s0 = applySnapshot(emptyState(), {
      namespaces: [ns('a'), ns('b')],
      rows: [row('a', 'core'), row('a', 'dash'), row('b', 'web')],
    });
    const s1 = applyDeltas(s0, [
      { op: 'row', row: row('a', 'core', '1.1.0') },
      { op: 'rowDeleted', namespace: 'a', name: 'dash' },
      { op: 'namespace', namespace: ns('a', ['dev', 'qa', 'prod']) },
      { op: 'namespaceDeleted', namespace: 'b' },
      { op: 'row', row: row('c', 'new') },
    ]);
    expect([...s1.rows.keys()].sort()).toEqual(['a/core', 'c/new']);
    expect(s1.rows.get(rowKey('a', 'core'))?.cells.dev?.desired).toBe('1.1.0');
    expect(s1.namespaces.get('a')?.environments).toEqual(['dev', 'qa', 'prod']);
    expect(s1.namespaces.has('b')).toBe(false);
    // the previous state is unchanged
    expect(s0.rows.size).toBe(3);
    expect(s0.rows.get('a/core')?.cells.dev?.desired).toBe('1.0.0');
    expect(s0.namespaces.has('b')).toBe(true);
  });

  it('keeps the maps it did not change, and an empty batch returns the same state', () => {
    const s0 = applySnapshot(emptyState(), { namespaces: [ns('a')], rows: [row('a', 'core')] });
    expect(applyDeltas(s0, [])).toBe(s0);
    const s1 = applyDeltas(s0, [{ op: 'row', row: row('a', 'core', '2.0.0') }]);
    expect(s1.namespaces).toBe(s0.namespaces);
    expect(s1.rows).not.toBe(s0.rows);
  });

  it('skips an op it does not know instead of failing', () => {
    const s0 = applySnapshot(emptyState(), { namespaces: [], rows: [row('a', 'core')] });
    const unknown = { op: 'somethingNew' } as unknown as Parameters<typeof applyDeltas>[1][number];
    const s1 = applyDeltas(s0, [unknown, { op: 'rowDeleted', namespace: 'a', name: 'core' }]);
    expect(s1.rows.size).toBe(0);
  });
});
