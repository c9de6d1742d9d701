// API request accounting from the kube-apiserver's own counter
// apiserver_request_total (by verb, group, resource, subresource and code):
// what the API server served during a scenario, measured, not estimated.
import type { Sample } from './prometheus-text.js';
import { round } from './stats.js';

export interface RequestCount {
  /** The API server's verb: GET, LIST, WATCH, POST, PUT, PATCH, APPLY, DELETE, DELETECOLLECTION. */
  verb: string;
  group: string;
  resource: string;
  subresource: string;
  /** HTTP status code; "" when unknown (the harness's own counts). */
  code: string;
  count: number;
}

/** Verbs that change something (APPLY is a server-side apply PATCH). */
export const WRITE_VERBS: ReadonlySet<string> = new Set([
  'POST',
  'PUT',
  'PATCH',
  'APPLY',
  'DELETE',
  'DELETECOLLECTION',
]);

const keyOf = (c: Omit<RequestCount, 'count'>) =>
  [c.verb, c.group, c.resource, c.subresource, c.code].join('|');

/** `applications.depot.sh/status`, `events`, `leases.coordination.k8s.io`. */
export function resourceName(c: Pick<RequestCount, 'group' | 'resource' | 'subresource'>): string {
  return `${c.resource}${c.group ? `.${c.group}` : ''}${c.subresource ? `/${c.subresource}` : ''}`;
}

const isLease = (c: RequestCount) => c.resource === 'leases';

/**
 * The resource requests of apiserver_request_total; requests to paths that
 * are not resources (/metrics, /readyz, /version) have no resource and are left out.
 */
export function apiserverRequestCounts(samples: Sample[]): RequestCount[] {
  const byKey = new Map<string, RequestCount>();
  for (const s of samples) {
    if (s.name !== 'apiserver_request_total' || !s.labels.resource) continue;
    const c: RequestCount = {
      verb: s.labels.verb ?? '',
      group: s.labels.group ?? '',
      resource: s.labels.resource,
      subresource: s.labels.subresource ?? '',
      code: s.labels.code ?? '',
      count: s.value,
    };
    // The same request may appear under several label sets we do not keep (version, scope, component).
    const prev = byKey.get(keyOf(c));
    if (prev) prev.count += c.count;
    else byKey.set(keyOf(c), c);
  }
  return [...byKey.values()];
}

/** What was counted between two readings of the counters (a reset counts from zero). */
export function requestDelta(before: RequestCount[], after: RequestCount[]): RequestCount[] {
  const previous = new Map(before.map((c) => [keyOf(c), c.count]));
  const out: RequestCount[] = [];
  for (const c of after) {
    const was = previous.get(keyOf(c)) ?? 0;
    const count = c.count >= was ? c.count - was : c.count;
    if (count > 0) out.push({ ...c, count });
  }
  return out;
}

function add(into: Record<string, number>, key: string, n: number): void {
  into[key] = (into[key] ?? 0) + n;
}

function sorted<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

export interface WriteSummary {
  total: number;
  by_verb: Record<string, number>;
  /** Per resource (`applications.depot.sh/status`), per verb. */
  by_resource: Record<string, Record<string, number>>;
}

export interface RequestSummary {
  seconds: number;
  /** Completed requests, Leases and watches left out (a watch is counted when it ends). */
  total: number;
  /** `total` per second: the API server's request rate during the scenario. */
  per_second: number;
  /** Every verb, watches included, Leases left out. */
  by_verb: Record<string, number>;
  /** HTTP codes other than 2xx (409 conflicts, 429 throttling, 5xx), Leases left out. */
  errors_by_code: Record<string, number>;
  /** Write requests apart from Leases. */
  writes: WriteSummary;
  /** Lease requests by verb (leader election, the API server's own identity Lease). */
  leases: Record<string, number>;
  /** What the harness itself sent (counted by the harness), by verb. */
  harness: Record<string, number>;
  /**
   * Writes minus the harness's own: the operator's, plus whatever the API
   * server does by itself (nothing but its Lease, which is left out, at steady state).
   */
  operator_writes: WriteSummary;
  /**
   * Every request but the harness's, by verb (reads and writes; Leases and
   * watches apart, as a watch is counted only when it ends): the operator's,
   * plus the API server's own, as for `operator_writes`.
   */
  operator_requests?: Record<string, number>;
}

function writeSummary(counts: RequestCount[]): WriteSummary {
  const out: WriteSummary = { total: 0, by_verb: {}, by_resource: {} };
  for (const c of counts) {
    if (!WRITE_VERBS.has(c.verb) || isLease(c) || c.count === 0) continue;
    out.total += c.count;
    add(out.by_verb, c.verb, c.count);
    add((out.by_resource[resourceName(c)] ??= {}), c.verb, c.count);
  }
  return { total: out.total, by_verb: sorted(out.by_verb), by_resource: sorted(out.by_resource) };
}

/** The API server's counts minus the harness's, per verb and resource (codes merged). */
export function withoutHarness(server: RequestCount[], harness: RequestCount[]): RequestCount[] {
  const ours = new Map<string, number>();
  const k = (c: RequestCount) => [c.verb, c.group, c.resource, c.subresource].join('|');
  for (const c of harness) ours.set(k(c), (ours.get(k(c)) ?? 0) + c.count);
  const merged = new Map<string, RequestCount>();
  for (const c of server) {
    const prev = merged.get(k(c));
    if (prev) prev.count += c.count;
    else merged.set(k(c), { ...c, code: '', count: c.count });
  }
  return [...merged.values()].map((c) => ({ ...c, count: Math.max(0, c.count - (ours.get(k(c)) ?? 0)) }));
}

export function summarizeRequests(
  delta: RequestCount[],
  harness: RequestCount[],
  seconds: number,
): RequestSummary {
  const byVerb: Record<string, number> = {};
  const errors: Record<string, number> = {};
  const leases: Record<string, number> = {};
  let total = 0;
  for (const c of delta) {
    if (isLease(c)) {
      add(leases, c.verb, c.count);
      continue;
    }
    add(byVerb, c.verb, c.count);
    if (c.verb !== 'WATCH') total += c.count;
    if (c.code && !c.code.startsWith('2')) add(errors, c.code, c.count);
  }
  const withoutOurs = withoutHarness(delta, harness);
  const operatorRequests: Record<string, number> = {};
  for (const c of withoutOurs)
    if (!isLease(c) && c.verb !== 'WATCH' && c.count > 0) add(operatorRequests, c.verb, c.count);
  const harnessByVerb: Record<string, number> = {};
  for (const c of harness) add(harnessByVerb, c.verb, c.count);
  return {
    seconds: round(seconds, 2),
    total,
    per_second: seconds > 0 ? round(total / seconds, 1) : 0,
    by_verb: sorted(byVerb),
    errors_by_code: sorted(errors),
    writes: writeSummary(delta),
    leases: sorted(leases),
    harness: sorted(harnessByVerb),
    operator_writes: writeSummary(withoutOurs),
    operator_requests: sorted(operatorRequests),
  };
}
