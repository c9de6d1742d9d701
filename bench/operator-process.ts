// The operator as a separate process, as it runs in production: the built
// `node bin/depot.js operator` with default flags plus what a scenario asks
// for. Its health and metrics endpoints listen on free loopback ports.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../src/local/controlplane/index.js';
import { parsePrometheusText, type Sample } from './prometheus-text.js';
import { cpuSeconds, processMemory, type ProcessMemory } from './proc.js';

export interface OperatorStart {
  root: string;
  kubeconfig: string;
  /** Flags beyond the defaults, e.g. ['--resync-period', '20s']. */
  flags: string[];
  logPath: string;
  /** File the watchdog reads to kill the operator if the harness dies. */
  pidFile: string;
}

export class OperatorProcess {
  readonly startedAt = Date.now();
  private exitStatus?: string;
  readonly exited: Promise<string>;

  private constructor(
    readonly pid: number,
    readonly argv: string[],
    readonly flags: string[],
    readonly healthUrl: string,
    readonly metricsUrl: string,
    readonly logPath: string,
    private readonly pidFile: string,
    exited: Promise<string>,
  ) {
    this.exited = exited.then((s) => (this.exitStatus = s));
  }

  static async start(o: OperatorStart): Promise<OperatorProcess> {
    const bin = join(o.root, 'bin', 'depot.js');
    if (!existsSync(join(o.root, 'dist', 'cli', 'main.js')))
      throw new Error('dist/ is missing: run `npx tsc -p tsconfig.build.json` (make bench does it) first');
    // Operator flags for every operator the bench starts, e.g. `--resync-period 1m`
    // to see many resyncs in memory_10k's idle window; results list them in operator_flags.
    const extra = process.env.DEPOT_BENCH_OPERATOR_FLAGS?.split(' ').filter(Boolean) ?? [];
    const flags = [...o.flags, ...extra];
    const health = `127.0.0.1:${await freePort()}`;
    const metrics = `127.0.0.1:${await freePort()}`;
    const argv = [
      bin,
      'operator',
      '--kubeconfig',
      o.kubeconfig,
      '--health-addr',
      health,
      '--metrics-addr',
      metrics,
      '--api-addr',
      '0',
      ...flags,
    ];
    const out = openSync(o.logPath, 'a');
    // Node's own flags for the operator, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it.
    const nodeFlags = process.env.DEPOT_BENCH_OPERATOR_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
    const child = spawn(process.execPath, [...nodeFlags, ...argv], { stdio: ['ignore', out, out] });
    closeSync(out);
    if (!child.pid) throw new Error(`could not start the operator (see ${o.logPath})`);
    writeFileSync(o.pidFile, String(child.pid));
    const exited = new Promise<string>((resolve) =>
      child.once('exit', (code, signal) => resolve(signal ? `killed by ${signal}` : `exit code ${code}`)),
    );
    return new OperatorProcess(
      child.pid,
      argv,
      flags,
      `http://${health}`,
      `http://${metrics}`,
      o.logPath,
      o.pidFile,
      exited,
    );
  }

  get running(): boolean {
    return this.exitStatus === undefined;
  }

  /** The last lines of its log, for error messages. */
  logTail(lines = 15): string {
    try {
      return readFileSync(this.logPath, 'utf8').trim().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  private assertRunning(): void {
    if (!this.running)
      throw new Error(
        `the operator exited (${this.exitStatus}); last lines of ${this.logPath}:\n${this.logTail()}`,
      );
  }

  /** Milliseconds from the start until /readyz answered 200; undefined if the deadline came first. */
  async waitReady(deadline: number, signal?: AbortSignal): Promise<number | undefined> {
    while (Date.now() < deadline) {
      signal?.throwIfAborted();
      this.assertRunning();
      const ok = await fetch(`${this.healthUrl}/readyz`, { signal: AbortSignal.timeout(2000) })
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) return Date.now() - this.startedAt;
      await sleep(100);
    }
    return undefined;
  }

  /** Its own /metrics. */
  async metrics(): Promise<Sample[]> {
    this.assertRunning();
    const res = await fetch(`${this.metricsUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`the operator's /metrics answered HTTP ${res.status}`);
    return parsePrometheusText(await res.text());
  }

  memory(): ProcessMemory | undefined {
    return this.running ? processMemory(this.pid) : undefined;
  }

  cpuSeconds(): number | undefined {
    return this.running ? cpuSeconds(this.pid) : undefined;
  }

  /**
   * Stops the process: SIGTERM lets it finish in-flight work and release its
   * Lease, SIGKILL is a crash. A process that ignores SIGTERM is killed after `graceMs`.
   */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM', graceMs = 40_000): Promise<void> {
    if (this.running) {
      try {
        process.kill(this.pid, signal);
      } catch {
        /* already gone */
      }
      const timer = new AbortController();
      const timeout = sleep(graceMs, 'timeout', { signal: timer.signal }).catch(() => 'cancelled');
      const first = await Promise.race([this.exited, timeout]);
      timer.abort();
      if (first === 'timeout') {
        this.killNow();
        await this.exited;
      }
    }
    rmSync(this.pidFile, { force: true });
  }

  /** Synchronous last resort (process exit handler): kill without waiting. */
  killNow(): void {
    if (!this.running) return;
    try {
      process.kill(this.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}
