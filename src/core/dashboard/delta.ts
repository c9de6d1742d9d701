// Deltas between two states of the dashboard: a changed row is one `row`
// delta carrying the whole row (a cell is small, a row a few cells), a gone
// row `rowDeleted`; likewise for namespaces. Rows compare by their JSON,
// which the builders make deterministic (sorted keys where order is free).
import type { DashboardDelta, DashboardNamespace, DashboardRow } from '../../api/dashboard.js';
import { rowKey } from './row.js';

export function rowDeltas(
  previous: ReadonlyMap<string, DashboardRow>,
  next: ReadonlyMap<string, DashboardRow>,
): DashboardDelta[] {
  const deltas: DashboardDelta[] = [];
  for (const [key, row] of next) {
    const before = previous.get(key);
    if (!before || JSON.stringify(before) !== JSON.stringify(row)) deltas.push({ op: 'row', row });
  }
  for (const [key, row] of previous)
    if (!next.has(key)) deltas.push({ op: 'rowDeleted', namespace: row.namespace, name: row.name });
  return deltas;
}

export function namespaceDeltas(
  previous: ReadonlyMap<string, DashboardNamespace>,
  next: ReadonlyMap<string, DashboardNamespace>,
): DashboardDelta[] {
  const deltas: DashboardDelta[] = [];
  for (const [name, ns] of next) {
    const before = previous.get(name);
    if (!before || JSON.stringify(before) !== JSON.stringify(ns))
      deltas.push({ op: 'namespace', namespace: ns });
  }
  for (const name of previous.keys())
    if (!next.has(name)) deltas.push({ op: 'namespaceDeleted', namespace: name });
  return deltas;
}

/** Rows keyed as the deltas key them (namespace/name). */
export function rowsByKey(rows: readonly DashboardRow[]): Map<string, DashboardRow> {
  return new Map(rows.map((r) => [rowKey(r.namespace, r.name), r]));
}
