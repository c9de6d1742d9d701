// What one changed application costs: the operator's API requests (writes
// and reads, by verb, as the API server counted them minus the harness's),
// its reconciles (its own depot_reconcile_total, by controller), its CPU
// milliseconds (/proc) and the Events it recorded, each divided by the
// applications the scenario changed. A regression in cost shows here even
// where the API server's speed hides it in wall time. Pure: it reads a
// scenario's result, so run.ts adds it to every row after the scenario.
import { WRITE_VERBS } from './request-accounting.js';

/** Per changed application; counts are divided, so they may be fractions. */
export interface CostPerChange {
  /** The applications the scenario changed (the divisor). */
  changed_apps: number;
  requests: {
    writes: number;
    reads: number;
    /** Writes by the API server's verb (POST, PATCH, APPLY, PUT, DELETE). */
    writes_by_verb: Record<string, number>;
    /** Reads by verb (GET, LIST); watches are left out (counted when they end). */
    reads_by_verb: Record<string, number>;
  };
  /** From the operator's /metrics: total, and by controller. */
  reconciles?: { total: number; by_controller: Record<string, number> };
  /** User + system CPU of the operator process. */
  cpu_ms?: number;
  /** Events by outcome (created, aggregated, dropped) in the scenario's window, from the operator's /metrics. */
  events?: Record<string, number>;
}

type R = Record<string, unknown>;
const obj = (v: unknown): R => (v && typeof v === 'object' ? (v as R) : {});
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const counts = (v: unknown): Record<string, number> =>
  Object.fromEntries(Object.entries(obj(v)).filter((e): e is [string, number] => num(e[1]) !== undefined));

/**
 * Applications a scenario changed: its own `changed_apps` when it says, else
 * what the known scenarios change; undefined for the ones that change
 * nothing (restart_1k, idle_writes, baseline_1k without the operator), and
 * for argocd_e2e_latency, where the real Argo CD's requests reach the same
 * API server and cannot be told from the operator's.
 */
export function changedApplications(key: string, r: R): number | undefined {
  const explicit = num(r.changed_apps);
  if (explicit !== undefined) return explicit;
  switch (key) {
    case 'create_1k':
    case 'memory_10k':
      return num(r.created_apps);
    case 'converge_1k':
      return num(r.requests_written);
    case 'converge_1k_argocd':
      // Each application's dev version: its 2 dev Argo CD Applications are the delivery of one change.
      return num(r.requests_written);
    case 'latency_single':
      return num(r.changes_requested);
    case 'promotion_1k':
    case 'promotion_1k_gated':
    case 'promotion_1k_chain':
      return num(obj(r.promoted).apps);
    default:
      return undefined;
  }
}

const per = (n: number, changed: number) => Math.round((n / changed) * 1000) / 1000;
const perEach = (record: Record<string, number>, changed: number) =>
  Object.fromEntries(Object.entries(record).map(([k, v]) => [k, per(v, changed)]));
const total = (record: Record<string, number>) => Object.values(record).reduce((a, v) => a + v, 0);

/** The cost per change of one scenario's result; undefined when it changed nothing or measured no requests. */
export function costPerChange(key: string, r: R): CostPerChange | undefined {
  const changed = changedApplications(key, r);
  const requests = obj(r.api_requests);
  if (!changed || changed <= 0 || !('operator_requests' in requests)) return undefined;
  const byVerb = counts(requests.operator_requests);
  const writes = Object.fromEntries(Object.entries(byVerb).filter(([v]) => WRITE_VERBS.has(v)));
  const reads = Object.fromEntries(Object.entries(byVerb).filter(([v]) => !WRITE_VERBS.has(v)));
  const metrics = obj(r.operator_metrics);
  const reconciles = counts(metrics.reconciles);
  const cpuMs = num(obj(r.cpu).operator_ms);
  return {
    changed_apps: changed,
    requests: {
      writes: per(total(writes), changed),
      reads: per(total(reads), changed),
      writes_by_verb: perEach(writes, changed),
      reads_by_verb: perEach(reads, changed),
    },
    ...('reconciles' in metrics
      ? {
          reconciles: { total: per(total(reconciles), changed), by_controller: perEach(reconciles, changed) },
        }
      : {}),
    ...(cpuMs !== undefined ? { cpu_ms: per(cpuMs, changed) } : {}),
    ...('events' in metrics ? { events: perEach(counts(metrics.events), changed) } : {}),
  };
}
