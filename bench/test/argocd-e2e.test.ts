// argocd_e2e_latency's pure parts: which runs select it (never --quick, CI's
// smoke test), when Argo CD and Depot count as done, how the operator's writes
// are told from Argo CD's, and its row in the results table.
import { parseOptions } from '../options.js';
import { resultRows, type ResultsFile } from '../results-table.js';
import { selectScenarios } from '../scenario.js';
import { argocdSyncedAt, depotDeployed, depotWritesApart } from '../scenarios/argocd-e2e.js';
import { scenarios } from '../scenarios/index.js';

const keys = scenarios.map((s) => s.key);
const selected = (argv: string[]) => {
  const opts = parseOptions(argv, keys);
  if (opts === 'help') throw new Error('help');
  return selectScenarios(scenarios, opts).map((s) => s.key);
};

describe('selection', () => {
  test('--quick leaves it out, and only it, promotion_1k_gated (a restart and another whole-minute wait), the Chromium dashboards and scale_out_20k', () => {
    const slow = [
      'argocd_e2e_latency',
      'promotion_1k_gated',
      'dashboard_1k',
      'dashboard_10k',
      'scale_out_20k',
    ];
    expect(selected(['--quick'])).toEqual(keys.filter((k) => !slow.includes(k)));
  });
  test('a full run and --only select it', () => {
    expect(selected([])).toContain('argocd_e2e_latency');
    expect(selected(['--only', 'argocd_e2e_latency'])).toEqual(['argocd_e2e_latency']);
    expect(selected(['--quick', '--only', 'argocd_e2e_latency'])).toEqual(['argocd_e2e_latency']);
  });
});

describe('done conditions', () => {
  const synced = {
    spec: { source: { targetRevision: '1.0.2' } },
    status: {
      sync: { status: 'Synced', revision: 'abc', comparedTo: { source: { targetRevision: '1.0.2' } } },
      health: { status: 'Healthy' },
    },
  };
  test('Argo CD: Synced and Healthy with the version compared and the tag’s commit synced', () => {
    expect(argocdSyncedAt(synced, '1.0.2', 'abc')).toBe(true);
    expect(argocdSyncedAt(synced, '1.0.2', 'def')).toBe(false);
    expect(argocdSyncedAt(synced, '1.0.3', 'abc')).toBe(false);
    const progressing = { status: { ...synced.status, health: { status: 'Progressing' } } };
    expect(argocdSyncedAt(progressing, '1.0.2', 'abc')).toBe(false);
    const outOfSync = { status: { ...synced.status, sync: { ...synced.status.sync, status: 'OutOfSync' } } };
    expect(argocdSyncedAt(outOfSync, '1.0.2', 'abc')).toBe(false);
  });
  test('Depot: the dev target reports the version deployed', () => {
    expect(depotDeployed({ status: { targets: [{ name: 'dev', deployed: '1.0.2' }] } }, '1.0.2')).toBe(true);
    expect(depotDeployed({ status: { targets: [{ name: 'dev', deployed: '1.0.1' }] } }, '1.0.2')).toBe(false);
    expect(depotDeployed({ status: { targets: [{ name: 'prod', deployed: '1.0.2' }] } }, '1.0.2')).toBe(
      false,
    );
    expect(depotDeployed({}, '1.0.2')).toBe(false);
  });
});

test("the operator's writes come from its /metrics; the API server's count (Argo CD's included) is kept apart", () => {
  const both = { total: 352, by_verb: { PATCH: 190, POST: 142, PUT: 20 }, by_resource: {} };
  const out = depotWritesApart({
    api_requests: {
      seconds: 10,
      total: 500,
      per_second: 50,
      by_verb: {},
      errors_by_code: {},
      writes: both,
      leases: {},
      harness: {},
      operator_writes: both,
    },
    cpu: { apiserver_s: 1, etcd_s: 1, apiserver_cores: 0.1, harness_s: 0.2 },
    operator_metrics: {
      api_requests: { patch: 60, create: 60, get: 3, update: 0 },
      lease_requests: 10,
      api_conflicts: 0,
      api_throttled: 0,
      rate_limiter_wait_s: 0,
      reconciles: {},
      reconcile_errors: 0,
      workqueue_retries: 0,
      events: {},
    },
  });
  expect(out.api_requests.operator_writes).toEqual({
    total: 120,
    by_verb: { PATCH: 60, POST: 60 },
    by_resource: {},
  });
  expect((out.api_requests as unknown as Record<string, unknown>).operator_and_argocd_writes).toEqual(both);
});

test('its row: p50/p99 of the total and of each part', () => {
  const l = (p50: number, p99: number) => ({ count: 20, p50_s: p50, p90_s: p99, p99_s: p99, max_s: p99 });
  const results = {
    run: {
      kind: 'custom',
      command: '',
      started_at: '',
      apps: 1000,
      memory_apps: 10000,
      operator_defaults: {},
    },
    machine: {},
    argocd_e2e_latency: {
      changes_requested: 20,
      changes_measured: 20,
      timed_out: 0,
      total: l(0.5, 0.61),
      depot_write: l(0.04, 0.08),
      argocd_sync: l(0.42, 0.54),
      depot_after_synced: l(0.02, 0.05),
      api_requests: { per_second: 50, operator_writes: { total: 120, by_verb: { PATCH: 60, POST: 60 } } },
    },
  } as unknown as ResultsFile;
  const [row] = resultRows(results, keys);
  expect(row!.result).toBe(
    "set-version → deployed p50 0.5 s, p99 0.61 s (20/20 changes); Depot's write p50 0.04 s, p99 0.08 s; Argo CD's sync p50 0.42 s, p99 0.54 s; Depot after Synced p50 0.02 s, p99 0.05 s",
  );
  expect(row!.operatorWrites).toBe('120 (PATCH 60, POST 60)');
});
