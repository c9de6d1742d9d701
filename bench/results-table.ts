// The results as a table: one row per scenario with its main figure, issue
// 10's target and whether it is met, the operator's write requests, the API
// server's request rate and the cost per changed application (requests,
// reconciles, CPU). Printed after a run and written into the README.
import type { CostPerChange } from './cost-per-change.js';
import type { Machine } from './machine.js';

export interface RunInfo {
  kind: 'full' | 'quick' | 'custom';
  command: string;
  started_at: string;
  finished_at?: string;
  duration_s?: number;
  apps: number;
  memory_apps: number;
  operator_defaults: Record<string, string>;
}

/** bench/results/*.json: `run`, `machine`, and one key per scenario. */
export type ResultsFile = { run: RunInfo; machine: Machine } & Record<string, unknown>;

export interface Row {
  scenario: string;
  apps: string;
  result: string;
  target: string;
  met: string;
  operatorWrites: string;
  requestRate: string;
  /** Per changed application: the operator's writes and reads, by verb. */
  requestsPerChange: string;
  reconcilesPerChange: string;
  cpuPerChange: string;
  reproduce: string;
}

type R = Record<string, unknown>;
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const obj = (v: unknown): R => (v && typeof v === 'object' ? (v as R) : {});
const s = (v: unknown) => (num(v) === undefined ? '?' : `${num(v)} s`);
const yesNo = (ok: boolean | undefined) => (ok === undefined ? '—' : ok ? 'yes' : 'no');

/** "734/1000 converged after 240 s (bound)" or the seconds when all converged. */
function converged(o: R, what = 'converged'): string {
  if (o.converged === true) return s(o.seconds);
  return `${num(o.converged_apps) ?? 0}/${num(o.apps) ?? '?'} ${what} after ${s(o.after_s)} (bound hit)`;
}

interface Figure {
  result: string;
  target: string;
  met?: boolean;
}

const figures: Record<string, (r: R) => Figure> = {
  converge_1k: (r) => {
    const ratio = num(r.ratio_to_baseline);
    return {
      result: `${converged(r)}${ratio !== undefined ? ` = ${ratio} × baseline` : ''}`,
      target: '≤ 1.5 × baseline',
      met: ratio === undefined ? undefined : r.converged === true && ratio <= 1.5,
    };
  },
  converge_1k_argocd: (r) => {
    const ratio = num(r.ratio_to_bare_script);
    const bare = obj(r.bare_script);
    const idle = num(obj(r.idle).writes_but_events);
    return {
      result: `${num(r.dev_argocd_applications) ?? '?'} dev Argo CD Applications in ${converged({ ...r, converged_apps: r.carried, apps: r.dev_argocd_applications })}${ratio !== undefined ? ` = ${ratio} × bare script (${s(bare.seconds)} at concurrency ${num(bare.concurrency) ?? '?'})` : ''}; ${idle ?? '?'} writes (Events apart) when converged`,
      target: '≤ 1.5 × bare script; 0 writes',
      met: ratio === undefined ? undefined : r.converged === true && ratio <= 1.5 && idle === 0,
    };
  },
  argocd_e2e_latency: (r) => {
    const p = (k: string) => {
      const l = obj(r[k]);
      return `p50 ${s(l.p50_s)}, p99 ${s(l.p99_s)}`;
    };
    const timedOut = num(r.timed_out) ?? 0;
    return {
      result:
        num(obj(r.total).p99_s) === undefined
          ? 'no change measured'
          : `set-version → deployed ${p('total')} (${num(r.changes_measured)}/${num(r.changes_requested)} changes${timedOut ? `, ${timedOut} over ${s(r.per_change_bound_s)}` : ''}); Depot's write ${p('depot_write')}; Argo CD's sync ${p('argocd_sync')}; Depot after Synced ${p('depot_after_synced')}`,
      target: 'reference',
    };
  },
  baseline_1k: (r) => ({
    result: `${s(r.seconds)} (${num(r.patches_per_s) ?? '?'} patches/s at concurrency ${num(r.concurrency) ?? '?'})`,
    target: 'reference',
  }),
  create_1k: (r) => {
    const fc = obj(r.first_convergence);
    const ratio = num(r.convergence_to_create_ratio);
    return {
      result: `created in ${s(r.create_s)}; converged in ${converged(fc)}${ratio !== undefined ? ` (${ratio} × creation)` : ''}`,
      target: '≤ 2 × creation',
      met:
        fc.converged === true && ratio !== undefined
          ? ratio <= 2
          : fc.converged === false
            ? false
            : undefined,
    };
  },
  latency_single: (r) => {
    const l = obj(r.latency);
    const timedOut = num(r.timed_out) ?? 0;
    return {
      result:
        num(l.p99_s) === undefined
          ? 'no change measured'
          : `p50 ${s(l.p50_s)}, p99 ${s(l.p99_s)} (${num(r.changes_measured)}/${num(r.changes_requested)} changes${timedOut ? `, ${timedOut} over ${s(r.per_change_bound_s)}` : ''})`,
      target: 'p99 ≤ 0.2 s',
      met: num(l.p99_s) === undefined ? false : (num(l.p99_s) ?? Infinity) <= 0.2 && timedOut === 0,
    };
  },
  idle_writes: (r) => {
    const leases = Object.values(obj(r.lease_requests)).reduce<number>((a, v) => a + (num(v) ?? 0), 0);
    const byResource = Object.entries(obj(r.writes_by_resource))
      .map(
        ([res, verbs]) =>
          `${Object.entries(obj(verbs))
            .map(([v, n]) => `${v} ${n}`)
            .join(', ')} ${res}`,
      )
      .join('; ');
    return {
      result: `${num(r.writes) ?? '?'} writes in ${s(r.window_s)}${byResource ? ` (${byResource})` : ''}; ${leases} Lease requests`,
      target: '0 (Lease apart)',
      met: num(r.writes) === undefined ? undefined : r.writes === 0,
    };
  },
  memory_10k: (r) => {
    const fc = obj(r.first_convergence);
    const idle = r.idle_window ? obj(r.idle_window) : undefined;
    // A resync plans every Application once: the window's Application reconciles ÷ the Applications.
    const resyncs = (i: R) => {
      const apps = num(obj(i.reconciles).application);
      const n = num(r.created_apps);
      return apps !== undefined && n ? `, ${Math.round(apps / n)} resyncs in it` : '';
    };
    // Older results have no floors: first → last sample instead.
    const idleMoves = (i: R) =>
      num(i.floor_first_half_mib) !== undefined
        ? `floor ${num(i.floor_first_half_mib)} → ${num(i.floor_second_half_mib) ?? '?'} MiB (halves' lowest), max ${num(i.rss_max_mib) ?? '?'}${resyncs(i)}`
        : `${num(i.rss_first_mib) ?? '?'} → ${num(i.rss_last_mib) ?? '?'} MiB (max ${num(i.rss_max_mib) ?? '?'}, trend ${num(i.trend_mib_per_min) ?? '?'} MiB/min)`;
    const idleText = idle ? `; idle ${num(idle.seconds) ?? '?'} s: ${idleMoves(idle)}` : '';
    const within = num(r.rss_mb) === undefined ? undefined : (num(r.rss_mb) ?? Infinity) <= 300;
    return {
      result: `${num(r.rss_mb) ?? '?'} MB (${num(r.rss_mib) ?? '?'} MiB) RSS, peak ${num(r.peak_rss_mib) ?? '?'} MiB, ${num(r.kib_per_app) ?? '?'} KiB/app, fixed ${num(r.rss_empty_mib) ?? '?'} MiB${idleText}; first convergence ${converged(fc)}`,
      target: '≤ 300 MB, no growth idle',
      // Older results have no idle window: judged on the size alone.
      met:
        within === undefined
          ? undefined
          : fc.converged === true && within && (idle ? idle.stable === true : true),
    };
  },
  scale_out_20k: (r) => {
    const layout = (l: R) => {
      const fc = obj(l.first_convergence);
      const bulk = obj(l.bulk_change);
      const rss = Object.entries(obj(obj(bulk).per_shard))
        .map(([name, shard]) => `${name} ${num(obj(shard).rss_mib) ?? '?'}`)
        .join(', ');
      return `first convergence ${converged(fc)}, bulk change ${converged(bulk)}, RSS ${rss || '?'} MiB`;
    };
    const ratios = obj(r.ratios_two_to_one_shard);
    const bulk = num(ratios.bulk_change);
    return {
      result: `${num(r.namespaces) ?? '?'} namespaces; 2 shards: ${layout(obj(r.two_shards))}; 1 shard: ${layout(obj(r.one_shard))}; bulk change 2 ÷ 1 shard = ${bulk ?? '?'}`,
      target: '2 shards faster than 1',
      met: bulk === undefined ? undefined : bulk < 1,
    };
  },
  dashboard_1k: (r) => dashboardFigure(r, 1),
  dashboard_10k: (r) => dashboardFigure(r, 3),
  promotion_1k: (r) => promotionFigure(r),
  promotion_1k_gated: (r) => {
    const p = obj(r.promoted);
    const ratio = num(r.ratio_to_promotion_1k);
    const calls = obj(r.gate_calls);
    const apps = num(p.apps);
    const once =
      num(calls.max_calls_per_candidate) === undefined
        ? undefined
        : calls.max_calls_per_candidate === 1 && calls.candidates === apps;
    return {
      result: `promoted in ${converged(p, 'promoted')}${ratio !== undefined ? ` = ${ratio} × promotion_1k` : ''}; ${num(calls.calls) ?? '?'} gate calls for ${num(calls.candidates) ?? '?'} (application, version) pairs, at most ${num(calls.max_calls_per_candidate) ?? '?'} per pair; delivered in ${converged(obj(r.delivered), 'delivered')}`,
      target: '≤ 1.2 × promotion_1k; 1 gate call per application and version',
      met:
        ratio === undefined || once === undefined ? undefined : p.converged === true && ratio <= 1.2 && once,
    };
  },
  // The same measurement with a chain of compatibility rules across the applications.
  promotion_1k_chain: (r) => promotionFigure(r),
  restart_1k: (r) => {
    const clean = obj(r.clean_restart);
    const cleanText =
      num(clean.writes) === undefined
        ? ''
        : `; after SIGTERM: ${num(clean.writes)} writes, leading in ${s(clean.leader_s)}${clean.settled === false ? ' (still writing at the bound)' : ''}`;
    return {
      result: `after SIGKILL: ready in ${s(r.ready_s)}, leading in ${s(r.leader_s)}; ${num(r.restarted_operator_writes) ?? '?'} writes by the restarted operator (${num(r.writes) ?? '?'} seen by the API server${r.settled_before_stop === false ? ', the killed one was still sending Events' : ''})${r.settled === false ? ' (still writing at the bound)' : ''}${cleanText}`,
      target: '0 writes',
      met:
        num(r.restarted_operator_writes) === undefined
          ? undefined
          : r.restarted_operator_writes === 0 && r.settled !== false,
    };
  },
};

function promotionFigure(r: R): Figure {
  const p = obj(r.promoted);
  const d = obj(r.delivered);
  return {
    result: `promoted in ${converged(p, 'promoted')}; delivered in ${converged(d, 'delivered')}`,
    target: '≤ 10 s',
    met:
      p.converged === true ? (num(p.seconds) ?? Infinity) <= 10 : p.converged === false ? false : undefined,
  };
}

/** The dashboard in Chromium: matrix ready after sign-in, status → cell, bytes per changed cell, memory. */
function dashboardFigure(r: R, readyTargetS: number): Figure {
  const first = obj(r.first_load);
  const cell = obj(r.status_to_cell);
  const write = obj(r.write_to_cell);
  const bytes = obj(r.bytes_per_change);
  const memory = obj(r.memory);
  const ready = num(first.ready_from_sign_in_s);
  const p99 = num(cell.p99_s);
  const perDelta = num(bytes.bytes_per_delta_event_max);
  const timedOut = num(r.timed_out) ?? 0;
  return {
    result:
      ready === undefined
        ? 'not measured'
        : `matrix ready ${s(ready)} after sign-in (${num(first.rows) ?? '?'} rows; first load ${num(first.total_kib) ?? '?'} KiB); status → cell p50 ${s(cell.p50_s)}, p99 ${s(p99)}; write → cell p99 ${s(write.p99_s)} (${num(r.changes_measured) ?? '?'}/${num(r.changes_requested) ?? '?'} changes${timedOut ? `, ${timedOut} timed out` : ''}); ${num(bytes.median) ?? '?'} B per change in ${num(bytes.delta_events_median) ?? '?'} delta events (≤ ${perDelta ?? '?'} B each); +${num(memory.added_mib) ?? '?'} MiB RSS with ${num(memory.streams) ?? '?'} dashboards`,
    target: `ready ≤ ${readyTargetS} s; p99 ≤ 1 s; < 1 KB per cell`,
    met:
      ready === undefined || p99 === undefined || perDelta === undefined
        ? undefined
        : ready <= readyTargetS && p99 <= 1 && perDelta < 1024 && timedOut === 0,
  };
}

/** A scenario without a formatter of its own (a new one) still gets a row. */
function genericFigure(r: R): Figure {
  return { result: r.converged !== undefined ? converged(r) : 'see the JSON', target: '—' };
}

const verbs = (record: Record<string, number>) =>
  Object.entries(record)
    .filter(([, n]) => n > 0)
    .map(([v, n]) => `${v} ${n}`)
    .join(', ');

/** "1.13 writes (PATCH 1, POST 0.13); 0.01 reads (GET 0.01)" per changed application. */
export function requestsPerChange(c: CostPerChange | undefined): string {
  if (!c) return '—';
  const part = (n: number, what: string, byVerb: Record<string, number>) =>
    `${n} ${what}${verbs(byVerb) ? ` (${verbs(byVerb)})` : ''}`;
  return `${part(c.requests.writes, 'writes', c.requests.writes_by_verb)}; ${part(c.requests.reads, 'reads', c.requests.reads_by_verb)}`;
}

/** "2 (application 2, promotion 0.01)" per changed application. */
export function reconcilesPerChange(c: CostPerChange | undefined): string {
  if (!c?.reconciles) return '—';
  const by = verbs(c.reconciles.by_controller);
  return `${c.reconciles.total}${by ? ` (${by})` : ''}`;
}

export const cpuPerChange = (c: CostPerChange | undefined): string =>
  c?.cpu_ms === undefined ? '—' : `${c.cpu_ms} ms`;

function writes(r: R): string {
  const w = obj(obj(r.api_requests).operator_writes);
  const byVerb = Object.entries(obj(w.by_verb)).map(([v, n]) => `${v} ${n}`);
  return num(w.total) === undefined ? '—' : `${w.total}${byVerb.length ? ` (${byVerb.join(', ')})` : ''}`;
}

const NO_COST = { requestsPerChange: '—', reconcilesPerChange: '—', cpuPerChange: '—' };

export function resultRows(results: ResultsFile, order: readonly string[]): Row[] {
  const keys = [
    ...order.filter((k) => k in results),
    ...Object.keys(results).filter((k) => k !== 'run' && k !== 'machine' && !order.includes(k)),
  ];
  return keys.map((key) => {
    const r = obj(results[key]);
    const reproduce = typeof r.reproduce === 'string' ? `\`${r.reproduce}\`` : '';
    const base = { scenario: key, apps: String(num(r.apps) ?? '—'), reproduce };
    if (typeof r.error === 'string')
      return {
        ...base,
        result: `error: ${r.error.split('\n')[0]}`,
        target: '',
        met: '—',
        operatorWrites: '—',
        requestRate: '—',
        ...NO_COST,
      };
    if (typeof r.skipped === 'string')
      return {
        ...base,
        result: `skipped: ${r.skipped}`,
        target: '',
        met: '—',
        operatorWrites: '—',
        requestRate: '—',
        ...NO_COST,
      };
    const f = (figures[key] ?? genericFigure)(r);
    const rate = num(obj(r.api_requests).per_second);
    const cost = r.cost_per_change as CostPerChange | undefined;
    return {
      ...base,
      result: f.result,
      target: f.target,
      met: yesNo(f.met),
      operatorWrites: writes(r),
      requestRate: rate === undefined ? '—' : `${rate}/s`,
      requestsPerChange: requestsPerChange(cost),
      reconcilesPerChange: reconcilesPerChange(cost),
      cpuPerChange: cpuPerChange(cost),
    };
  });
}

const headers: Record<keyof Row, string> = {
  scenario: 'Scenario',
  apps: 'Apps',
  result: 'Result',
  target: 'Target',
  met: 'Met',
  operatorWrites: 'Operator writes',
  requestRate: 'API requests/s',
  requestsPerChange: 'Requests per changed app',
  reconcilesPerChange: 'Reconciles per changed app',
  cpuPerChange: 'Operator CPU per changed app',
  reproduce: 'Reproduce',
};

const escapeCell = (v: string) => v.replace(/\|/g, '\\|');

export function markdownTable(
  rows: Row[],
  columns: (keyof Row)[] = Object.keys(headers) as (keyof Row)[],
): string {
  const lines = [
    `| ${columns.map((c) => headers[c]).join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${columns.map((c) => escapeCell(r[c])).join(' | ')} |`),
  ];
  return lines.join('\n');
}

const runKinds: Record<string, string> = {
  full: 'Full run',
  quick: 'Quick run (smoke test, not figures to publish)',
  custom: 'Partial run (not every scenario at the full sizes)',
};

/** One line naming the machine and the run, above the table. */
export function machineLine(results: ResultsFile): string {
  const m = results.machine;
  const run = results.run;
  return (
    `${runKinds[run.kind] ?? 'Run'} of \`${run.command}\` on ` +
    `${run.started_at.slice(0, 10)}: ${m.cpus} cores (${m.cpu_model}), ${m.memory_gib} GiB, ${m.os}, ` +
    `load ${m.load_at_start} at start; Node ${m.node}, Kubernetes ${m.kubernetes ?? '?'}, etcd ${m.etcd ?? '?'}; ` +
    `operator defaults: --workers ${run.operator_defaults['--workers'] ?? '?'}, ` +
    `--kube-api-qps ${run.operator_defaults['--kube-api-qps'] ?? '?'}, ` +
    `--kube-api-burst ${run.operator_defaults['--kube-api-burst'] ?? '?'}.`
  );
}
