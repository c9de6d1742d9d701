// What the matrix shows: namespaces in name order, each followed by its rows
// that pass the filter, with the namespace's environments as columns.
import type { DashboardChipKind, DashboardRow } from './contract.js';
import type { DashboardState } from './store.js';

/** '' = every row; attention = any chip, drift or not Ready; a chip kind = rows with that chip. */
export type StateFilter = '' | 'attention' | 'drift' | 'notReady' | DashboardChipKind;

export interface MatrixFilter {
  /** Words, all of which must match: part of a name, namespace or version; key=value (or key=) for labels. */
  text: string;
  state: StateFilter;
  /** '' = every namespace. */
  namespace: string;
}

export const NO_FILTER: MatrixFilter = { text: '', state: '', namespace: '' };

export type MatrixItem =
  | { kind: 'namespace'; namespace: string; environments: string[]; shown: number; total: number }
  | { kind: 'row'; row: DashboardRow; environments: string[] };

type Matcher = (row: DashboardRow) => boolean;

function wordMatcher(word: string): Matcher {
  const eq = word.indexOf('=');
  if (eq > 0) {
    const key = word.slice(0, eq);
    const value = word.slice(eq + 1);
    return (row) => key in row.labels && (value === '' || row.labels[key] === value);
  }
  const w = word.toLowerCase();
  return (row) =>
    row.name.toLowerCase().includes(w) ||
    row.namespace.toLowerCase().includes(w) ||
    Object.values(row.cells).some((c) => c.desired?.toLowerCase() === w || c.requested?.toLowerCase() === w);
}

export function rowHasDrift(row: DashboardRow): boolean {
  return Object.values(row.cells).some((c) => c.deployed.some((d) => d.drift));
}

function stateMatcher(state: StateFilter): Matcher {
  switch (state) {
    case '':
      return () => true;
    case 'drift':
      return rowHasDrift;
    case 'notReady':
      return (row) => row.ready?.status === 'False';
    case 'attention':
      return (row) =>
        row.ready?.status === 'False' || rowHasDrift(row) || Object.values(row.cells).some((c) => c.chip);
    default:
      return (row) => Object.values(row.cells).some((c) => c.chip?.kind === state);
  }
}

export function rowMatcher(filter: MatrixFilter): Matcher {
  const words = filter.text.split(/\s+/).filter(Boolean).map(wordMatcher);
  const state = stateMatcher(filter.state);
  return (row) =>
    (filter.namespace === '' || row.namespace === filter.namespace) &&
    state(row) &&
    words.every((m) => m(row));
}

/** The namespace's environments in EnvironmentSet order, then any others its rows have (name order). */
function columns(ordered: readonly string[] | undefined, rows: readonly DashboardRow[]): string[] {
  const known = new Set(ordered ?? []);
  const extra = new Set<string>();
  for (const r of rows) for (const env of Object.keys(r.cells)) if (!known.has(env)) extra.add(env);
  return [...(ordered ?? []), ...[...extra].sort()];
}

const byName = (a: DashboardRow, b: DashboardRow) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export function matrixItems(state: DashboardState, filter: MatrixFilter): MatrixItem[] {
  const groups = new Map<string, DashboardRow[]>();
  for (const ns of state.namespaces.keys()) groups.set(ns, []);
  for (const row of state.rows.values()) {
    let g = groups.get(row.namespace);
    if (!g) groups.set(row.namespace, (g = []));
    g.push(row);
  }
  const matches = rowMatcher(filter);
  const items: MatrixItem[] = [];
  for (const namespace of [...groups.keys()].sort()) {
    if (filter.namespace !== '' && namespace !== filter.namespace) continue;
    const all = groups.get(namespace)!;
    const shown = all.filter(matches).sort(byName);
    if (shown.length === 0 && (filter.text !== '' || filter.state !== '')) continue;
    const environments = columns(state.namespaces.get(namespace)?.environments, all);
    items.push({ kind: 'namespace', namespace, environments, shown: shown.length, total: all.length });
    for (const row of shown) items.push({ kind: 'row', row, environments });
  }
  return items;
}

/** How many rows the items hold (namespace headers excluded). */
export const rowCount = (items: readonly MatrixItem[]): number =>
  items.filter((i) => i.kind === 'row').length;

export const DASHBOARD_CHIP_LABELS: Record<DashboardChipKind, string> = {
  blocked: 'blocked',
  frozen: 'frozen',
  held: 'held',
  rejected: 'rejected',
  approval: 'waiting for approval',
  soak: 'soaking',
  gate: 'gate pending',
  verifying: 'verifying',
  delivering: 'delivering',
  failed: 'failed',
};

/** The state filter's choices, value and label. */
export const STATE_FILTERS: [StateFilter, string][] = [
  ['', 'any'],
  ['attention', 'needs attention'],
  ['drift', 'drift'],
  ['notReady', 'not ready'],
  ...(Object.entries(DASHBOARD_CHIP_LABELS) as [DashboardChipKind, string][]),
];
