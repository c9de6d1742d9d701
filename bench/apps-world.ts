// The world of the 1k scenarios: one control plane, one namespace with the
// issue's topology and N Applications, a watch on them, the operator process,
// and what the harness requested per Application (so convergence is "the
// status shows what was asked for"). Scenarios run in order on it; one run
// alone (--only) gets what it needs from ensureApps().
import { join } from 'node:path';
import type { WaitResult } from './application-watch.js';
import { ApplicationWatch } from './application-watch.js';
import { forEachBounded, type BoundedResult } from './bounded.js';
import { BenchCluster } from './cluster.js';
import { isConverged, type Expected } from './convergence.js';
import { applicationObject, appNames, installTopology, type Topology } from './objects.js';
import type { OperatorProcess } from './operator-process.js';
import type { RunEnv, ScenarioContext } from './scenario.js';

/** The version every environment starts with. */
export const FIRST_VERSION = '1.0.0';
/** Field manager of the harness's version changes (as CI's `depot set-version` has its own). */
export const VERSION_WRITER = 'depot-bench.ci';

export interface Precondition {
  /** Applications whose status showed what was requested when the scenario began. */
  converged_apps: number;
  apps: number;
}

export class AppsWorld {
  /** Per Application, what the harness requested per environment. */
  readonly requested = new Map<string, Record<string, string>>();
  operator?: OperatorProcess;
  /** Statuses read right after converge_1k, for baseline_1k's patches of the same size. */
  statusesAfterConverge?: Map<string, Record<string, unknown>>;

  private constructor(
    readonly env: RunEnv,
    readonly cluster: BenchCluster,
    readonly namespace: string,
    readonly names: string[],
    readonly topology: Topology,
    readonly watch: ApplicationWatch,
  ) {}

  static async setup(
    env: RunEnv,
    o: { namespace: string; apps: number; topology: Topology },
  ): Promise<AppsWorld> {
    const cluster = await BenchCluster.start(env.root, join(env.benchDir, 'controlplane'), env.log);
    try {
      await installTopology(cluster.client, o.namespace, o.topology);
      const watch = new ApplicationWatch(cluster.client, o.namespace, env.log);
      await watch.start();
      return new AppsWorld(env, cluster, o.namespace, appNames(o.apps), o.topology, watch);
    } catch (err) {
      cluster.stop();
      throw err;
    }
  }

  async teardown(): Promise<void> {
    this.watch.stop();
    await this.stopOperator('SIGKILL'); // nothing is measured any more: no need to wait for it
    this.cluster.stop();
  }

  /**
   * The operator with default flags plus `flags`, ready (/readyz): the running
   * one if it has these flags, else a new one. Returns milliseconds to ready
   * when it started one.
   */
  async ensureOperator(
    flags: string[],
    deadline: number,
  ): Promise<{ op: OperatorProcess; readyMs?: number }> {
    const current = this.operator;
    if (current?.running && current.flags.join(' ') === flags.join(' ')) return { op: current };
    await this.stopOperator('SIGTERM');
    const op = await this.env.startOperator(this.cluster.kubeconfig, flags);
    this.operator = op;
    const readyMs = await op.waitReady(deadline, this.env.signal);
    if (readyMs === undefined)
      throw new Error(`the operator was not ready within the scenario's bound (log: ${op.logPath})`);
    return { op, readyMs };
  }

  async stopOperator(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    await this.operator?.stop(signal);
    this.operator = undefined;
  }

  /** Creates the Applications not created yet, each with FIRST_VERSION in every environment. */
  async createApps(deadline: number): Promise<BoundedResult & { names: string[] }> {
    const missing = this.names.filter((n) => !this.requested.has(n));
    const created: string[] = [];
    const versions = Object.fromEntries(this.topology.environments.map((e) => [e, FIRST_VERSION]));
    const result = await forEachBounded(
      missing,
      async (name, attempt) => {
        try {
          await this.cluster.client.create(
            'applications',
            this.namespace,
            applicationObject(
              this.namespace,
              name,
              versions,
              this.topology.compatibility?.(this.names.indexOf(name) + 1),
            ),
          );
        } catch (err) {
          // A retried create whose first attempt got through.
          if (!(attempt > 1 && (err as { code?: unknown }).code === 409)) throw err;
        }
        this.requested.set(name, { ...versions });
        created.push(name);
      },
      { concurrency: this.env.opts.concurrency, deadline, signal: this.env.signal },
    );
    return { ...result, names: created };
  }

  /** Requests `versionOf(name)` in `environment` for each name (server-side apply, like CI). */
  async setVersions(
    names: readonly string[],
    environment: string,
    versionOf: (name: string) => string,
    deadline: number,
  ): Promise<BoundedResult> {
    return forEachBounded(
      names,
      async (name) => {
        const version = versionOf(name);
        // Recorded first: the status may show it before the request returns.
        this.requested.set(name, { ...this.requested.get(name), [environment]: version });
        await this.cluster.client.apply(
          'applications',
          this.namespace,
          name,
          {
            apiVersion: 'depot.sh/v1alpha1',
            kind: 'Application',
            metadata: { name, namespace: this.namespace },
            spec: { versions: { [environment]: version } },
          },
          VERSION_WRITER,
        );
      },
      { concurrency: this.env.opts.concurrency, deadline, signal: this.env.signal },
    );
  }

  /** What the harness requested for an Application, in some environments or all. */
  expected(name: string, environments?: readonly string[]): Expected {
    const all = this.requested.get(name) ?? {};
    if (!environments) return all;
    return Object.fromEntries(Object.entries(all).filter(([e]) => environments.includes(e)));
  }

  converged(name: string, environments?: readonly string[]): boolean {
    return isConverged(
      this.watch.get(name),
      this.expected(name, environments),
      this.topology.targetsPerEnvironment,
    );
  }

  waitConverged(
    names: readonly string[],
    deadline: number,
    environments?: readonly string[],
  ): Promise<WaitResult> {
    return this.watch.wait(
      names,
      (name, app) =>
        this.requested.has(name) &&
        isConverged(app, this.expected(name, environments), this.topology.targetsPerEnvironment),
      deadline,
      this.env.signal,
    );
  }

  /**
   * What a scenario on "a converged namespace" needs: the default operator
   * running and the Applications created; waits (bounded) for convergence and
   * says how far it got (at most `share` of the scenario's time goes to it).
   */
  async ensureApps(ctx: ScenarioContext, share = 0.5): Promise<Precondition> {
    // At most this share of the scenario's time goes to getting there.
    const deadline = Date.now() + (ctx.deadline - Date.now()) * share;
    if (!this.operator?.running) await this.ensureOperator([], deadline);
    if (this.requested.size < this.names.length) {
      ctx.env.log(`creating ${this.names.length - this.requested.size} Applications first`);
      await this.createApps(deadline);
    }
    const names = this.names.filter((n) => this.requested.has(n));
    const wait = await this.waitConverged(names, deadline);
    if (!wait.done)
      ctx.env.log(`only ${wait.satisfied}/${this.names.length} Applications converged before the scenario`);
    return { converged_apps: wait.satisfied, apps: this.names.length };
  }
}
