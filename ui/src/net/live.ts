// The page's live store: stream events applied in batches, at most once per
// frame, so a burst of deltas costs one render.
import type { DashboardDelta, DashboardSnapshot } from '../lib/contract.js';
import { applyDeltas, applySnapshot, emptyState, type DashboardState } from '../lib/store.js';
import { startStream, type ConnState } from './stream.js';

type Pending = { snapshot: DashboardSnapshot } | { deltas: DashboardDelta[] };

export interface LiveStore {
  get(): DashboardState;
  connection(): { state: ConnState; detail?: string };
  subscribe(listener: () => void): () => void;
  stop(): void;
}

export function createLiveStore(namespaces: readonly string[]): LiveStore {
  let state = emptyState();
  let conn: { state: ConnState; detail?: string } = { state: 'connecting' };
  let pending: Pending[] = [];
  let scheduled = false;
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const l of listeners) l();
  };

  const flush = () => {
    scheduled = false;
    const batch = pending;
    pending = [];
    let next = state;
    for (const p of batch)
      next = 'snapshot' in p ? applySnapshot(next, p.snapshot) : applyDeltas(next, p.deltas);
    if (next !== state) {
      state = next;
      notify();
    }
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    // requestAnimationFrame does not run in a hidden tab; the timeout keeps the state current there.
    const timeout = setTimeout(() => scheduled && flush(), 250);
    requestAnimationFrame(() => {
      clearTimeout(timeout);
      if (scheduled) flush();
    });
  };

  const stop = startStream(namespaces, {
    snapshot(s) {
      pending = [{ snapshot: s }]; // a snapshot supersedes anything queued before it
      schedule();
    },
    deltas(d) {
      pending.push({ deltas: d });
      schedule();
    },
    state(s, detail) {
      // While reconnecting, keep saying why the connection was lost.
      const why = detail ?? (s === 'reconnecting' ? conn.detail : undefined);
      conn = why === undefined ? { state: s } : { state: s, detail: why };
      notify();
    },
  });

  return {
    get: () => state,
    connection: () => conn,
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    stop,
  };
}
