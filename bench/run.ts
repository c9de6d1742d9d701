// The benchmark harness: starts a dedicated local control plane, runs the
// operator as a separate process, runs the scenarios of bench/README.md (each
// bounded; the whole run within --budget), writes the results as JSON and
// prints a table. Stops everything at the end, on errors and on Ctrl-C.
// Run: `make bench` (full) or `make bench-quick` (smoke test); see bench/README.md.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { down } from '../src/local/controlplane/index.js';
import { projectRoot } from '../src/local/project-root.js';
import { costPerChange } from './cost-per-change.js';
import { controlPlaneVersions, machine } from './machine.js';
import { budgetFloorS } from './budget.js';
import { operatorDefaults } from './operator-defaults.js';
import { OperatorProcess } from './operator-process.js';
import { parseOptions, usage, type BenchOptions } from './options.js';
import { machineLine, markdownTable, resultRows, type ResultsFile } from './results-table.js';
import { selectScenarios, type Group, type RunEnv, type Scenario, type ScenarioResult } from './scenario.js';
import { deriveFigures, scenarios } from './scenarios/index.js';
import { round } from './stats.js';

/** The operator defaults that shape the figures, recorded with the results. */
const RECORDED_DEFAULTS = [
  '--workers',
  '--kube-api-qps',
  '--kube-api-burst',
  '--resync-period',
  '--lease-duration',
  '--history-limit',
  '--log-level',
];

const log = (line: string) =>
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

/** The command that reproduces one scenario (with what it is compared to). */
function reproduce(sc: Scenario<unknown>, opts: BenchOptions): string {
  const keys = [sc.key, ...(sc.related ?? [])].join(',');
  const apps = opts.apps !== 1000 ? ` --apps ${opts.apps}` : '';
  const memory =
    sc.key === 'memory_10k' && opts.memoryApps !== opts.apps * 10 ? ` --memory-apps ${opts.memoryApps}` : '';
  const idle =
    sc.key === 'memory_10k' && opts.memoryIdleSeconds !== 600
      ? ` --memory-idle-seconds ${opts.memoryIdleSeconds}`
      : '';
  const flags = process.env.DEPOT_BENCH_OPERATOR_FLAGS
    ? `DEPOT_BENCH_OPERATOR_FLAGS='${process.env.DEPOT_BENCH_OPERATOR_FLAGS}' `
    : '';
  return `${flags}npx tsx bench/run.ts --only ${keys}${apps}${memory}${idle}`;
}

class Run {
  readonly root = projectRoot();
  readonly benchDir = join(this.root, '.cache', 'bench');
  readonly logDir = join(this.benchDir, 'logs');
  readonly controller = new AbortController();
  readonly operators = new Set<OperatorProcess>();
  readonly results: ResultsFile;
  private world?: { group: Group<unknown>; value: unknown };
  private operatorCount = 0;
  private readonly failedSetups = new Map<Group<unknown>, string>();
  private watchdogPid?: number;
  failed = false;

  constructor(
    readonly opts: BenchOptions,
    readonly argv: string[],
  ) {
    this.results = {
      run: {
        kind: opts.kind,
        command: `npx tsx bench/run.ts ${argv.join(' ')}`.trim(),
        started_at: new Date().toISOString(),
        apps: opts.apps,
        memory_apps: opts.memoryApps,
        operator_defaults: {},
      },
      machine: machine(),
    };
  }

  env(): RunEnv {
    return {
      root: this.root,
      benchDir: this.benchDir,
      opts: this.opts,
      operatorDefaults: this.results.run.operator_defaults,
      signal: this.controller.signal,
      log,
      startOperator: async (kubeconfig, flags) => {
        const n = ++this.operatorCount;
        const op = await OperatorProcess.start({
          root: this.root,
          kubeconfig,
          flags,
          logPath: join(this.logDir, `operator-${n}.log`),
          pidFile: join(this.benchDir, 'operator.pid'),
        });
        this.operators.add(op);
        log(
          `operator ${n} started (pid ${op.pid}${op.flags.length ? `, ${op.flags.join(' ')}` : ', default flags'}); log: ${op.logPath}`,
        );
        return op;
      },
    };
  }

  /** Watches this process from outside: if it dies without cleaning up, the watchdog does. */
  startWatchdog(): void {
    const child = spawn(
      process.execPath,
      [join(this.root, 'bench', 'watchdog.js'), String(process.pid), this.benchDir],
      {
        detached: true,
        stdio: 'ignore',
      },
    );
    child.unref();
    this.watchdogPid = child.pid;
  }

  killOperators(): void {
    for (const op of this.operators) op.killNow();
    rmSync(join(this.benchDir, 'operator.pid'), { force: true });
  }

  /** Synchronous (safe in an exit handler); stops the watchdog last. */
  stopEverything(): void {
    this.killOperators();
    down(join(this.benchDir, 'controlplane'), { purge: true });
    if (this.watchdogPid) {
      try {
        process.kill(this.watchdogPid, 'SIGTERM');
      } catch {
        /* gone */
      }
      this.watchdogPid = undefined;
    }
  }

  private async enterGroup(group: Group<unknown>): Promise<unknown> {
    if (this.world?.group === group) return this.world.value;
    const failed = this.failedSetups.get(group);
    if (failed) throw new Error(`setting up "${group.name}" failed: ${failed}`);
    await this.leaveGroup();
    log(`setting up "${group.name}": a fresh control plane in ${join(this.benchDir, 'controlplane')}`);
    let value: unknown;
    try {
      value = await group.setup(this.env());
    } catch (err) {
      this.failedSetups.set(group, err instanceof Error ? err.message : String(err));
      throw err;
    }
    this.world = { group, value };
    if (!this.results.machine.kubernetes) {
      const cluster = (value as { cluster?: Parameters<typeof controlPlaneVersions>[0] }).cluster;
      if (cluster) Object.assign(this.results.machine, await controlPlaneVersions(cluster));
    }
    return value;
  }

  async leaveGroup(): Promise<void> {
    const w = this.world;
    this.world = undefined;
    if (w) await w.group.teardown(w.value);
  }

  save(): void {
    const file = resolve(this.root, this.opts.out);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(this.results, null, 2)}\n`);
  }

  async runAll(selected: Scenario<unknown>[]): Promise<void> {
    const started = Date.now();
    const budgetEnd = started + this.opts.budgetS * 1000;
    for (const [i, sc] of selected.entries()) {
      if (this.controller.signal.aborted) break;
      // Keep what later scenarios need at least (and their groups' setups).
      const later = selected.slice(i + 1);
      const laterGroups = new Set(later.map((l) => l.group).filter((g) => g !== sc.group));
      const reserveS =
        later.reduce((a, l) => a + l.minimumS(this.opts), 0) +
        [...laterGroups].reduce((a, g) => a + g.setupS, 0);
      const result: ScenarioResult = {};
      try {
        const world = await this.enterGroup(sc.group);
        const boundS = sc.boundS(this.opts);
        const deadline = Math.min(Date.now() + boundS * 1000, budgetEnd - reserveS * 1000);
        const availableS = Math.round((deadline - Date.now()) / 1000);
        if (availableS < sc.minimumS(this.opts) / 2) {
          Object.assign(result, {
            skipped: `time budget: ${availableS} s left for it (--budget ${this.opts.budgetS})`,
          });
        } else {
          log(`▶ ${sc.key}: ${sc.title} (bound ${availableS} s)`);
          const t0 = Date.now();
          const r = await sc.run(world, { env: this.env(), deadline });
          Object.assign(result, r, { bound_s: availableS, took_s: round((Date.now() - t0) / 1000, 1) });
          const cost = costPerChange(sc.key, result);
          if (cost) result.cost_per_change = cost;
        }
      } catch (err) {
        if (this.controller.signal.aborted) return; // Ctrl-C: the signal handler stops everything
        this.failed = true;
        const message = err instanceof Error ? err.message : String(err);
        log(`✗ ${sc.key} failed: ${message}`);
        Object.assign(result, { error: message });
      }
      result.reproduce = reproduce(sc, this.opts);
      this.results[sc.key] = result;
      deriveFigures(this.results as Record<string, ScenarioResult>);
      this.save(); // partial results survive an interrupted run
    }
    await this.leaveGroup();
  }
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  let opts: BenchOptions | 'help';
  try {
    opts = parseOptions(
      argv,
      scenarios.map((s) => s.key),
    );
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n\n${usage}\n`);
    return 2;
  }
  if (opts === 'help') {
    process.stdout.write(`${usage}\n\nScenarios: ${scenarios.map((s) => s.key).join(', ')}\n`);
    return 0;
  }
  const run = new Run(opts, argv);
  if (!existsSync(join(run.root, 'dist', 'cli', 'main.js'))) {
    process.stderr.write(
      'error: dist/ is missing: run `npx tsc -p tsconfig.build.json` (make bench does it) first\n',
    );
    return 2;
  }
  rmSync(run.logDir, { recursive: true, force: true });
  rmSync(join(run.benchDir, 'operator.pid'), { force: true }); // a dead run's: never signal that pid
  mkdirSync(run.logDir, { recursive: true });
  const defaults = operatorDefaults(run.root);
  run.results.run.operator_defaults = Object.fromEntries(
    Object.entries(defaults).filter(([flag]) => RECORDED_DEFAULTS.includes(flag)),
  );

  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return; // a second Ctrl-C while stopping
    interrupted = true;
    log(`${signal}: stopping the operator; the watchdog stops the control plane`);
    run.controller.abort();
    run.killOperators();
    // Stopping the control plane blocks for seconds, and tsx's parent process
    // (or npm) kills a child that does not answer its signals meanwhile: the
    // watchdog, a process of its own, does it once this one has exited.
    setTimeout(() => process.exit(130), 100);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.once('exit', () => {
    if (!interrupted) run.stopEverything();
  });
  run.startWatchdog();

  const selected = selectScenarios(scenarios, opts);
  const floorS = budgetFloorS(selected, opts);
  if (opts.budgetS < floorS) {
    process.stderr.write(
      `error: --budget ${opts.budgetS} s is less than the selected scenarios' minimum times and setups (${floorS} s): ` +
        'the first ones would get no time and be skipped; raise --budget or choose fewer with --only\n',
    );
    return 2;
  }
  log(
    `${opts.kind} run: ${selected.map((s) => s.key).join(', ')}; ${opts.apps} applications (${opts.memoryApps} for memory); ` +
      `within ${opts.budgetS} s; results: ${opts.out}`,
  );
  try {
    await run.runAll(selected);
  } finally {
    if (!interrupted) run.stopEverything();
  }
  if (interrupted) return 130;
  const finished = new Date();
  run.results.run.finished_at = finished.toISOString();
  run.results.run.duration_s = round((finished.getTime() - Date.parse(run.results.run.started_at)) / 1000, 1);
  run.save();
  process.stdout.write(
    `\n${machineLine(run.results)}\n\n${markdownTable(
      resultRows(
        run.results,
        scenarios.map((s) => s.key),
      ),
      [
        'scenario',
        'apps',
        'result',
        'target',
        'met',
        'operatorWrites',
        'requestRate',
        'requestsPerChange',
        'reconcilesPerChange',
        'cpuPerChange',
      ],
    )}\n\nResults: ${opts.out} (took ${run.results.run.duration_s} s)\n`,
  );
  return run.failed ? 1 : 0;
}

process.exit(await main());
