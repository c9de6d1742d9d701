// The figures a scenario reports from the operator's own /metrics (its public
// Prometheus interface): its API requests as it counts them, conflicts,
// client-side rate-limiter wait, reconciles, Events; and whether it leads
// and has work queued, to tell when it has settled.
import { sumBy, sumOf, type Sample } from './prometheus-text.js';

export interface OperatorFigures {
  /** API requests by verb, Leases left out. */
  api_requests: Record<string, number>;
  lease_requests: number;
  /** Requests answered 409 Conflict. */
  api_conflicts: number;
  /** Requests answered 429 Too Many Requests. */
  api_throttled: number;
  /** Total time requests waited for the client-side rate limiter (QPS/burst). */
  rate_limiter_wait_s: number;
  reconciles: Record<string, number>;
  reconcile_errors: number;
  workqueue_retries: number;
  /** Events by outcome (created, aggregated, dropped). */
  events: Record<string, number>;
}

const writeVerbs = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

export function operatorFigures(samples: Sample[]): OperatorFigures {
  const requests = samples.filter((s) => s.name === 'depot_api_requests_total');
  const byVerb: Record<string, number> = {};
  let leases = 0;
  for (const s of requests) {
    if (s.labels.resource === 'leases') leases += s.value;
    else byVerb[s.labels.verb ?? ''] = (byVerb[s.labels.verb ?? ''] ?? 0) + s.value;
  }
  return {
    api_requests: byVerb,
    lease_requests: leases,
    api_conflicts: sumOf(samples, 'depot_api_requests_total', { code: '409' }),
    api_throttled: sumOf(samples, 'depot_api_requests_total', { code: '429' }),
    rate_limiter_wait_s: sumOf(samples, 'depot_api_rate_limiter_wait_seconds_sum'),
    reconciles: sumBy(samples, 'depot_reconcile_total', 'controller'),
    reconcile_errors: sumOf(samples, 'depot_reconcile_errors_total'),
    workqueue_retries: sumOf(samples, 'depot_workqueue_retries_total'),
    events: sumBy(samples, 'depot_events_total', 'outcome'),
  };
}

type Figure = number | Record<string, number>;

function diff(a: Figure | undefined, b: Figure): Figure {
  if (typeof b === 'number') return round3(b - (typeof a === 'number' ? a : 0));
  const out: Record<string, number> = {};
  const before = typeof a === 'object' ? a : {};
  for (const [k, v] of Object.entries(b)) {
    const d = round3(v - (before[k] ?? 0));
    if (d !== 0) out[k] = d;
  }
  return out;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** What changed from `before` to `after` (`before` undefined: a new process, counted from zero). */
export function figuresDelta(before: OperatorFigures | undefined, after: OperatorFigures): OperatorFigures {
  const out = {} as Record<keyof OperatorFigures, Figure>;
  for (const key of Object.keys(after) as (keyof OperatorFigures)[])
    out[key] = diff(before?.[key], after[key]);
  return out as unknown as OperatorFigures;
}

/** Whether the process leads (or runs without leader election). */
export function isLeading(samples: Sample[]): boolean {
  return samples.some((s) => s.name === 'depot_leader' && s.value === 1);
}

/** Keys ready to be reconciled, all controllers together. */
export function queueDepth(samples: Sample[]): number {
  return sumOf(samples, 'depot_workqueue_depth');
}

/** Write requests so far, Leases left out. */
export function writeRequests(samples: Sample[]): number {
  return samples
    .filter((s) => s.name === 'depot_api_requests_total')
    .filter((s) => writeVerbs.has(s.labels.verb ?? '') && s.labels.resource !== 'leases')
    .reduce((n, s) => n + s.value, 0);
}

/** Reconciles so far, all controllers together. */
export function reconcileCount(samples: Sample[]): number {
  return sumOf(samples, 'depot_reconcile_total');
}
