import { resultRows, type ResultsFile } from '../results-table.js';
import { benchmarkBlock, END, replaceBetweenMarkers, START } from '../update-readme.js';

const results = {
  run: {
    kind: 'full',
    command: 'npx tsx bench/run.ts',
    started_at: '2026-11-24T10:00:00.000Z',
    apps: 1000,
    memory_apps: 10000,
    operator_defaults: { '--workers': '2', '--kube-api-qps': '20', '--kube-api-burst': '30' },
  },
  machine: {
    cpus: 2,
    cpu_model: 'Xeon',
    memory_gib: 23.5,
    os: 'Linux',
    node: 'v24.21.0',
    kubernetes: 'v1.36.3',
    load_at_start: 1,
  },
  converge_1k: {
    converged: false,
    converged_apps: 412,
    apps: 1000,
    seconds: null,
    after_s: 300,
    api_requests: {
      per_second: 21.5,
      operator_writes: { total: 3000, by_verb: { PATCH: 1000, POST: 2000 } },
    },
    reproduce: 'npx tsx bench/run.ts --only converge_1k,baseline_1k',
  },
  baseline_1k: { apps: 1000, seconds: 5.7, patches_per_s: 175.4, concurrency: 2, completed: true },
  idle_writes: {
    apps: 1000,
    window_s: 60,
    writes: 0,
    writes_by_resource: {},
    lease_requests: { PUT: 30, GET: 30 },
  },
  restart_1k: { apps: 1000, error: 'the operator exited (exit code 1)\nstack' },
} as unknown as ResultsFile;

test('one row per scenario in the given order: partial progress, met targets and errors', () => {
  const rows = resultRows(results, ['converge_1k', 'baseline_1k', 'idle_writes', 'restart_1k']);
  expect(rows.map((r) => r.scenario)).toEqual(['converge_1k', 'baseline_1k', 'idle_writes', 'restart_1k']);
  expect(rows[0]).toMatchObject({
    result: '412/1000 converged after 300 s (bound hit)',
    met: '—',
    operatorWrites: '3000 (PATCH 1000, POST 2000)',
    requestRate: '21.5/s',
    reproduce: '`npx tsx bench/run.ts --only converge_1k,baseline_1k`',
  });
  expect(rows[1]!.result).toBe('5.7 s (175.4 patches/s at concurrency 2)');
  expect(rows[2]).toMatchObject({ result: '0 writes in 60 s; 60 Lease requests', met: 'yes' });
  expect(rows[3]!.result).toBe('error: the operator exited (exit code 1)');
});

const gatedResults = {
  run: results.run,
  machine: results.machine,
  promotion_1k_gated: {
    apps: 1000,
    promoted: { converged: true, converged_apps: 1000, apps: 1000, seconds: 11.5 },
    delivered: { converged: true, converged_apps: 1000, apps: 1000, seconds: 19 },
    ratio_to_promotion_1k: 1.1,
    gate_calls: { calls: 1000, candidates: 1000, max_calls_per_candidate: 1, candidates_asked_again: 0 },
    cost_per_change: {
      changed_apps: 1000,
      requests: {
        writes: 2.4,
        reads: 0,
        writes_by_verb: { APPLY: 1, PATCH: 1, POST: 0.4 },
        reads_by_verb: {},
      },
      reconciles: { total: 2.1, by_controller: { application: 2, promotion: 0.1 } },
      cpu_ms: 9.5,
    },
  },
} as unknown as ResultsFile;

test('promotion_1k_gated: the ratio to promotion_1k, the gate calls per pair, and the cost per change', () => {
  const [row] = resultRows(gatedResults, ['promotion_1k_gated']);
  expect(row).toMatchObject({
    result:
      'promoted in 11.5 s = 1.1 × promotion_1k; 1000 gate calls for 1000 (application, version) pairs, at most 1 per pair; delivered in 19 s',
    met: 'yes',
    requestsPerChange: '2.4 writes (APPLY 1, PATCH 1, POST 0.4); 0 reads',
    reconcilesPerChange: '2.1 (application 2, promotion 0.1)',
    cpuPerChange: '9.5 ms',
  });
  const twice = {
    ...gatedResults,
    promotion_1k_gated: {
      ...(gatedResults.promotion_1k_gated as object),
      gate_calls: { calls: 2000, candidates: 1000, max_calls_per_candidate: 2 },
    },
  } as ResultsFile;
  expect(resultRows(twice, ['promotion_1k_gated'])[0]!.met).toBe('no');
});

test('the README block is replaced between the markers only', () => {
  const readme = `# Depot\n\n## Benchmarks\n\n${START}\nold table\n${END}\n\nafter\n`;
  const next = replaceBetweenMarkers(readme, benchmarkBlock(results))!;
  expect(next).toContain('Full run of `npx tsx bench/run.ts` on 2026-11-24: 2 cores (Xeon)');
  expect(next).toContain('| converge_1k | 1000 | 412/1000 converged after 300 s (bound hit) |');
  expect(next).not.toContain('old table');
  expect(next.endsWith(`${END}\n\nafter\n`)).toBe(true);
  expect(replaceBetweenMarkers('# no markers', 'x')).toBeUndefined();
});

test('the dashboard rows: met only when ready, status → cell p99 and bytes per delta all meet the issue', () => {
  const dashboard = (readyS: number, perDelta: number) => ({
    apps: 10000,
    first_load: { ready_from_sign_in_s: readyS, rows: 10000, total_kib: 7700 },
    changes_requested: 40,
    changes_measured: 40,
    timed_out: 0,
    status_to_cell: { p50_s: 0.02, p99_s: 0.3 },
    write_to_cell: { p99_s: 0.5 },
    bytes_per_change: { median: 840, delta_events_median: 1, bytes_per_delta_event_max: perDelta },
    memory: { streams: 20, added_mib: 30.5 },
  });
  const rows = resultRows(
    {
      ...results,
      dashboard_1k: { ...dashboard(0.9, 850), apps: 1000 },
      dashboard_10k: dashboard(3.4, 850),
    } as unknown as ResultsFile,
    ['dashboard_1k', 'dashboard_10k'],
  );
  expect(rows[0]).toMatchObject({ met: 'yes', target: 'ready ≤ 1 s; p99 ≤ 1 s; < 1 KB per cell' });
  expect(rows[0]!.result).toBe(
    'matrix ready 0.9 s after sign-in (10000 rows; first load 7700 KiB); status → cell p50 0.02 s, p99 0.3 s; write → cell p99 0.5 s (40/40 changes); 840 B per change in 1 delta events (≤ 850 B each); +30.5 MiB RSS with 20 dashboards',
  );
  expect(rows[1]).toMatchObject({ met: 'no', target: 'ready ≤ 3 s; p99 ≤ 1 s; < 1 KB per cell' });
  const big = resultRows(
    { ...results, dashboard_1k: { ...dashboard(0.5, 1100), apps: 1000 } } as unknown as ResultsFile,
    ['dashboard_1k'],
  );
  expect(big[0]!.met).toBe('no');
});

test('memory_10k: met only within 300 MB and without growth over the idle window', () => {
  const memory = (stable: boolean, last: number) => ({
    run: results.run,
    machine: results.machine,
    memory_10k: {
      rss_mb: 259.5,
      rss_mib: 247.5,
      peak_rss_mib: 300.1,
      kib_per_app: 12.8,
      rss_empty_mib: 122,
      first_convergence: { converged: true, converged_apps: 10000, apps: 10000, seconds: 127 },
      idle_window: {
        seconds: 600,
        rss_first_mib: 247.5,
        rss_last_mib: last,
        rss_max_mib: last,
        trend_mib_per_min: 0.1,
        stable,
      },
    },
  });
  const [ok] = resultRows(memory(true, 248) as unknown as ResultsFile, ['memory_10k']);
  expect(ok!.met).toBe('yes');
  expect(ok!.result).toContain('idle 600 s: 247.5 → 248 MiB (max 248, trend 0.1 MiB/min)');
  const [growing] = resultRows(memory(false, 270) as unknown as ResultsFile, ['memory_10k']);
  expect(growing!.met).toBe('no');
});

test('memory_10k: an idle window with floors shows them, its peak and the resyncs in it', () => {
  const file = {
    run: results.run,
    machine: results.machine,
    memory_10k: {
      rss_mb: 250.1,
      rss_mib: 238.5,
      peak_rss_mib: 240.5,
      kib_per_app: 12,
      rss_empty_mib: 121.7,
      created_apps: 10000,
      first_convergence: { converged: true, converged_apps: 10000, apps: 10000, seconds: 146.5 },
      idle_window: {
        seconds: 1500,
        rss_first_mib: 239,
        rss_last_mib: 186.3,
        rss_max_mib: 289.9,
        floor_first_half_mib: 179.8,
        floor_second_half_mib: 181,
        stable: true,
        reconciles: { application: 20000, target: 12 },
      },
    },
  } as unknown as ResultsFile;
  const [row] = resultRows(file, ['memory_10k']);
  expect(row!.result).toContain(
    "idle 1500 s: floor 179.8 → 181 MiB (halves' lowest), max 289.9, 2 resyncs in it",
  );
  expect(row!.met).toBe('yes');
});

test('scale_out_20k: both layouts, the RSS of each shard, and met only when 2 shards beat 1', () => {
  const layout = (shards: Record<string, number>, first: number, bulk: number) => ({
    first_convergence: { converged: true, seconds: first },
    bulk_change: {
      converged: true,
      seconds: bulk,
      per_shard: Object.fromEntries(Object.entries(shards).map(([n, rss]) => [n, { rss_mib: rss }])),
    },
  });
  const file = (ratio: number) =>
    ({
      run: results.run,
      machine: results.machine,
      scale_out_20k: {
        namespaces: 40,
        two_shards: layout({ a: 232.2, b: 229.4 }, 189.25, 598.38),
        one_shard: layout({ all: 306.6 }, 179.85, 320.88),
        ratios_two_to_one_shard: { bulk_change: ratio },
      },
    }) as unknown as ResultsFile;
  const [slower] = resultRows(file(1.86), ['scale_out_20k']);
  expect(slower!.result).toBe(
    '40 namespaces; 2 shards: first convergence 189.25 s, bulk change 598.38 s, RSS a 232.2, b 229.4 MiB; 1 shard: first convergence 179.85 s, bulk change 320.88 s, RSS all 306.6 MiB; bulk change 2 ÷ 1 shard = 1.86',
  );
  expect(slower!.met).toBe('no');
  expect(resultRows(file(0.6), ['scale_out_20k'])[0]!.met).toBe('yes');
});
