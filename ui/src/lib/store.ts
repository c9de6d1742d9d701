// The dashboard's state, built from the event stream: a snapshot replaces
// everything, deltas change single rows and namespaces. Pure: each function
// returns a new state and leaves the old one untouched, so a view can compare
// states by identity.
import type { DashboardDelta, DashboardNamespace, DashboardRow, DashboardSnapshot } from './contract.js';

export interface DashboardState {
  /** A snapshot has been applied (the matrix has data). */
  loaded: boolean;
  namespaces: ReadonlyMap<string, DashboardNamespace>;
  /** Keyed by rowKey(namespace, name). */
  rows: ReadonlyMap<string, DashboardRow>;
  /** Grows with every applied event; cheap change detection for views. */
  revision: number;
}

export const rowKey = (namespace: string, name: string): string => `${namespace}/${name}`;

export function emptyState(): DashboardState {
  return { loaded: false, namespaces: new Map(), rows: new Map(), revision: 0 };
}

export function applySnapshot(state: DashboardState, snapshot: DashboardSnapshot): DashboardState {
  const namespaces = new Map(snapshot.namespaces.map((n) => [n.namespace, n]));
  const rows = new Map(snapshot.rows.map((r) => [rowKey(r.namespace, r.name), r]));
  return { loaded: true, namespaces, rows, revision: state.revision + 1 };
}

/** Applies a batch of deltas in order (one copy of each map per batch, not per delta). */
export function applyDeltas(state: DashboardState, deltas: readonly DashboardDelta[]): DashboardState {
  if (deltas.length === 0) return state;
  let namespaces: Map<string, DashboardNamespace> | undefined;
  let rows: Map<string, DashboardRow> | undefined;
  const ns = () => (namespaces ??= new Map(state.namespaces));
  const rs = () => (rows ??= new Map(state.rows));
  for (const d of deltas) {
    switch (d.op) {
      case 'row':
        rs().set(rowKey(d.row.namespace, d.row.name), d.row);
        break;
      case 'rowDeleted':
        rs().delete(rowKey(d.namespace, d.name));
        break;
      case 'namespace':
        ns().set(d.namespace.namespace, d.namespace);
        break;
      case 'namespaceDeleted': {
        ns().delete(d.namespace);
        const all = rs();
        for (const [key, row] of all) if (row.namespace === d.namespace) all.delete(key);
        break;
      }
      default:
        // A newer server's op this page does not know: skip it rather than fail the stream.
        break;
    }
  }
  return {
    loaded: state.loaded,
    namespaces: namespaces ?? state.namespaces,
    rows: rows ?? state.rows,
    revision: state.revision + 1,
  };
}
