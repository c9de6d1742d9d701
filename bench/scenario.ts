// What a scenario is: a key of the results, the group whose world (control
// plane, namespace, operator) it runs in, its time bound, and a run function.
// Adding a scenario (converge_1k_argocd, say) is one more entry in
// scenarios/index.ts, with a group of its own if it needs other objects.
import type { BenchOptions } from './options.js';
import type { OperatorProcess } from './operator-process.js';

export type ScenarioResult = Record<string, unknown>;

/** What the run provides to groups and scenarios. */
export interface RunEnv {
  root: string;
  /** .cache/bench: control plane, logs, pid files. */
  benchDir: string;
  opts: BenchOptions;
  /** The operator's defaults as `depot operator --help` prints them. */
  operatorDefaults: Record<string, string>;
  signal: AbortSignal;
  log: (line: string) => void;
  /** Starts `depot operator` with default flags plus `flags` (its log goes to .cache/bench/logs). */
  startOperator: (kubeconfig: string, flags: string[]) => Promise<OperatorProcess>;
}

export interface ScenarioContext {
  env: RunEnv;
  /** Epoch ms by which the scenario must return (its bound, cut by the run's budget). */
  deadline: number;
}

export interface Group<W> {
  name: string;
  /** Seconds the setup may take at most (reserved from the budget). */
  setupS: number;
  // Methods (not function properties), so a Group<AppsWorld> is a Group<unknown> in the registry.
  setup(env: RunEnv): Promise<W>;
  teardown(world: W): Promise<void>;
}

export interface Scenario<W = unknown> {
  key: string;
  group: Group<W>;
  /** One line: what is measured. */
  title: string;
  /** The target, in words, for the table. */
  target: string;
  /** Scenarios to run with it when it is reproduced alone (converge_1k needs baseline_1k for its ratio). */
  related?: string[];
  /** Left out of `--quick` (CI's smoke test) unless named with --only: it needs the real Argo CD, or adds minutes for little coverage. */
  notQuick?: boolean;
  /** Longest the scenario may take, in seconds, for these options. */
  boundS: (opts: BenchOptions) => number;
  /** Seconds it needs at least to measure anything; kept free for it while earlier scenarios run. */
  minimumS: (opts: BenchOptions) => number;
  run(world: W, ctx: ScenarioContext): Promise<ScenarioResult>;
}

/** Clamps `perApp × apps` seconds between a floor and a ceiling. */
export function scaled(apps: number, perAppS: number, minS: number, maxS: number): number {
  return Math.round(Math.min(maxS, Math.max(minS, apps * perAppS)));
}

/** The scenarios a run selects: --only names them; --quick leaves out the `notQuick` ones; a full run has all. */
export function selectScenarios<S extends Pick<Scenario<unknown>, 'key' | 'notQuick'>>(
  all: readonly S[],
  opts: Pick<BenchOptions, 'kind' | 'only'>,
): S[] {
  return all.filter((s) => (opts.only ? opts.only.includes(s.key) : !(opts.kind === 'quick' && s.notQuick)));
}
