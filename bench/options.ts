// Command line of the harness: `npx tsx bench/run.ts [--quick] [--apps N] ...`.
import { parseArgs } from 'node:util';

export interface BenchOptions {
  /**
   * Kind of run, recorded in the results: `full` is every scenario at the
   * issue's sizes (the figures to publish), `quick` the smoke test, `custom` anything else.
   */
  kind: 'full' | 'quick' | 'custom';
  /** Applications of the 1k scenarios (1,000 in a full run). */
  apps: number;
  /** Applications of memory_10k (10,000 in a full run). */
  memoryApps: number;
  /** Scenario keys to run (all when absent). */
  only?: string[];
  out: string;
  /** The whole run (every scenario, setup included) ends within this many seconds. */
  budgetS: number;
  /** Concurrent requests of the harness's bulk creations and version changes. */
  concurrency: number;
  /** Concurrent status patches of baseline_1k; default: the operator's --workers. */
  baselineConcurrency?: number;
  latencyChanges: number;
  idleSeconds: number;
  /** How long memory_10k watches the converged operator's resident memory, idle (600 in a full run). */
  memoryIdleSeconds: number;
}

export const usage = `Usage: npx tsx bench/run.ts [options]

Runs Depot's operator benchmarks against a dedicated local control plane
(.cache/bench) and writes the results as JSON.

  --quick                     smoke test: 100 applications, 1,000 for memory,
                              results in bench/results/quick.json
  --apps N                    applications of the 1k scenarios (default 1000)
  --memory-apps N             applications of memory_10k (default 10 × --apps)
  --only KEY,KEY              run only these scenarios (what they need is set up)
  --out FILE                  results file (default bench/results/latest.json)
  --budget SECONDS            the scenarios end within this (default 3600; at least the
                              selected scenarios' minimum times and setups)
  --concurrency N             the harness's concurrent requests (default 8)
  --baseline-concurrency N    baseline_1k's concurrency (default: the operator's --workers)
  --latency-changes N         single changes of latency_single (default 100)
  --idle-seconds N            steady-state window of idle_writes (default 60)
  --memory-idle-seconds N     idle window of memory_10k (default 600; 30 with --quick)
  -h, --help`;

function positiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} ${value}: must be a positive integer`);
  return n;
}

/** Parses the arguments; `known` are the scenario keys `--only` may name. */
export function parseOptions(argv: string[], known: readonly string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      quick: { type: 'boolean' },
      apps: { type: 'string' },
      'memory-apps': { type: 'string' },
      only: { type: 'string' },
      out: { type: 'string' },
      budget: { type: 'string' },
      concurrency: { type: 'string' },
      'baseline-concurrency': { type: 'string' },
      'latency-changes': { type: 'string' },
      'idle-seconds': { type: 'string' },
      'memory-idle-seconds': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const quick = values.quick === true;
  const apps = positiveInt('--apps', values.apps) ?? (quick ? 100 : 1000);
  const only = values.only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = only?.filter((k) => !known.includes(k)) ?? [];
  if (unknown.length > 0)
    throw new Error(`--only ${unknown.join(',')}: no such scenario (known: ${known.join(', ')})`);
  const memoryApps = positiveInt('--memory-apps', values['memory-apps']) ?? apps * 10;
  const full = !only && apps === 1000 && memoryApps === 10_000;
  return {
    kind: quick ? 'quick' : full ? 'full' : 'custom',
    apps,
    memoryApps,
    ...(only ? { only } : {}),
    out: values.out ?? (quick ? 'bench/results/quick.json' : 'bench/results/latest.json'),
    budgetS: positiveInt('--budget', values.budget) ?? 3600,
    concurrency: positiveInt('--concurrency', values.concurrency) ?? 8,
    ...(values['baseline-concurrency']
      ? { baselineConcurrency: positiveInt('--baseline-concurrency', values['baseline-concurrency']) }
      : {}),
    latencyChanges: positiveInt('--latency-changes', values['latency-changes']) ?? 100,
    idleSeconds: positiveInt('--idle-seconds', values['idle-seconds']) ?? 60,
    memoryIdleSeconds:
      positiveInt('--memory-idle-seconds', values['memory-idle-seconds']) ?? (quick ? 30 : 600),
  };
}
