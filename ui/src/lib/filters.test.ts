import type { DashboardRow } from './contract.js';
import { matrixItems, NO_FILTER, rowCount, type MatrixFilter } from './filters.js';
import { applySnapshot, emptyState } from './store.js';

const row = (namespace: string, name: string, extra: Partial<DashboardRow> = {}): DashboardRow => ({
  namespace,
  name,
  labels: {},
  cells: { dev: { desired: '1.0.0', deployed: [] } },
  ...extra,
});

const state = applySnapshot(emptyState(), {
  namespaces: [
    { namespace: 'team-b', environments: ['dev', 'prod'], promotions: [] },
    { namespace: 'team-a', environments: ['prod', 'dev'], promotions: [] },
  ],
  rows: [
    row('team-a', 'web', { labels: { tier: 'front' } }),
    row('team-a', 'core', {
      cells: {
        dev: {
          desired: '1.2.0',
          deployed: [{ target: 'dev-argo', kind: 'argocd', version: '1.1.0', drift: true }],
        },
        canary: { desired: '1.2.0', deployed: [] },
      },
    }),
    row('team-b', 'dash', {
      ready: { status: 'False' },
      cells: { prod: { desired: '2.0.0', deployed: [], chip: { kind: 'frozen', text: 'frozen' } } },
    }),
  ],
});
const names = (f: Partial<MatrixFilter>) =>
  matrixItems(state, { ...NO_FILTER, ...f }).map((i) => (i.kind === 'row' ? i.row.name : `[${i.namespace}]`));

describe('matrixItems', () => {
  it('groups rows by namespace, both in name order, with the namespace environments in their order then extra ones', () => {
    const items = matrixItems(state, NO_FILTER);
    expect(names({})).toEqual(['[team-a]', 'core', 'web', '[team-b]', 'dash']);
    expect(items[0]).toMatchObject({
      kind: 'namespace',
      environments: ['prod', 'dev', 'canary'],
      shown: 2,
      total: 2,
    });
    expect(rowCount(items)).toBe(3);
  });

  it('matches words against names, namespaces and versions, key=value against labels', () => {
    expect(names({ text: 'COR' })).toEqual(['[team-a]', 'core']);
    expect(names({ text: 'team-b' })).toEqual(['[team-b]', 'dash']);
    expect(names({ text: '2.0.0' })).toEqual(['[team-b]', 'dash']);
    expect(names({ text: 'tier=front' })).toEqual(['[team-a]', 'web']);
    expect(names({ text: 'tier=' })).toEqual(['[team-a]', 'web']);
    expect(names({ text: 'tier=back' })).toEqual([]);
    expect(names({ text: 'team-a web' })).toEqual(['[team-a]', 'web']);
  });

  it('filters by state: a chip kind, drift, not ready, or anything needing attention', () => {
    expect(names({ state: 'frozen' })).toEqual(['[team-b]', 'dash']);
    expect(names({ state: 'drift' })).toEqual(['[team-a]', 'core']);
    expect(names({ state: 'notReady' })).toEqual(['[team-b]', 'dash']);
    expect(names({ state: 'attention' })).toEqual(['[team-a]', 'core', '[team-b]', 'dash']);
    expect(names({ state: 'approval' })).toEqual([]);
  });

  it('limits to one namespace, and keeps an empty namespace visible when nothing filters', () => {
    expect(names({ namespace: 'team-b' })).toEqual(['[team-b]', 'dash']);
    const empty = applySnapshot(emptyState(), {
      namespaces: [{ namespace: 'quiet', environments: ['dev'], promotions: [] }],
      rows: [],
    });
    expect(matrixItems(empty, NO_FILTER)).toEqual([
      { kind: 'namespace', namespace: 'quiet', environments: ['dev'], shown: 0, total: 0 },
    ]);
  });
});
