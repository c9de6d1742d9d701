// The world of scale_out_20k: one control plane, namespaces labelled for
// their shard (`depot.sh/shard`), each with the 1k scenarios' topology (3
// Environments × 2 Targets, delivery `none`) and its share of the
// Applications, a watch per namespace, and one operator process per shard
// (`--shard <name>`, default flags otherwise). `fresh()` starts over on an
// empty control plane, so each shard layout measures its first convergence
// from the same start.
import { CoreV1Api } from '@kubernetes/client-node';
import { join } from 'node:path';
import { ApplicationWatch, type WaitResult } from './application-watch.js';
import { forEachBounded, type BoundedResult } from './bounded.js';
import { BenchCluster } from './cluster.js';
import { isConverged } from './convergence.js';
import { FIRST_VERSION, VERSION_WRITER } from './apps-world.js';
import { applicationObject, threeEnvironmentsTwoNoneTargets, topologyObjects } from './objects.js';
import type { OperatorProcess } from './operator-process.js';
import type { NamespacePlan } from './scale-out-layout.js';
import type { RunEnv } from './scenario.js';

export const SHARD_LABEL = 'depot.sh/shard';
const topology = threeEnvironmentsTwoNoneTargets;

export class ScaleOutWorld {
  /** Per Application (names are unique across namespaces): what the harness requested per environment. */
  readonly requested = new Map<string, Record<string, string>>();
  readonly namespaceOf = new Map<string, string>();
  readonly watches = new Map<string, ApplicationWatch>();
  /** The running shards' operators, by shard name. */
  readonly shards = new Map<string, OperatorProcess>();
  /** The namespaces installed, with their shard and Applications. */
  plans: readonly NamespacePlan[] = [];

  private constructor(
    readonly env: RunEnv,
    public cluster: BenchCluster,
  ) {}

  static async setup(env: RunEnv): Promise<ScaleOutWorld> {
    return new ScaleOutWorld(env, await ScaleOutWorld.startCluster(env));
  }

  private static startCluster(env: RunEnv): Promise<BenchCluster> {
    return BenchCluster.start(env.root, join(env.benchDir, 'controlplane'), env.log);
  }

  /** Stops the shards and the watches, and starts over on an empty control plane. */
  async fresh(): Promise<void> {
    await this.clear();
    this.cluster = await ScaleOutWorld.startCluster(this.env);
  }

  private async clear(): Promise<void> {
    await this.stopShards('SIGKILL');
    for (const w of this.watches.values()) w.stop();
    this.watches.clear();
    this.requested.clear();
    this.namespaceOf.clear();
    this.plans = [];
    this.cluster.stop();
  }

  async teardown(): Promise<void> {
    await this.clear();
  }

  /** Creates the namespaces (labelled for their shard) with the topology, and watches their Applications. */
  async install(plans: readonly NamespacePlan[]): Promise<void> {
    this.plans = plans;
    const core = this.cluster.kc.makeApiClient(CoreV1Api);
    const client = this.cluster.client;
    await forEachBounded(
      plans,
      async (p) => {
        client.count('POST', 'namespaces', '', '');
        await core.createNamespace({
          body: { metadata: { name: p.namespace, labels: { [SHARD_LABEL]: p.shard } } },
        });
        for (const { plural, body } of topologyObjects(topology))
          await client.create(plural, p.namespace, {
            ...body,
            metadata: { ...body.metadata, namespace: p.namespace },
          });
        for (const name of p.apps) this.namespaceOf.set(name, p.namespace);
        const watch = new ApplicationWatch(client, p.namespace, this.env.log);
        await watch.start();
        this.watches.set(p.namespace, watch);
      },
      { concurrency: this.env.opts.concurrency, signal: this.env.signal },
    );
  }

  /** Creates every planned Application not created yet, FIRST_VERSION in every environment. */
  async createApps(deadline: number): Promise<BoundedResult & { names: string[] }> {
    const versions = Object.fromEntries(topology.environments.map((e) => [e, FIRST_VERSION]));
    const missing = [...this.namespaceOf.keys()].filter((n) => !this.requested.has(n));
    const created: string[] = [];
    const result = await forEachBounded(
      missing,
      async (name, attempt) => {
        const namespace = this.namespaceOf.get(name)!;
        try {
          await this.cluster.client.create(
            'applications',
            namespace,
            applicationObject(namespace, name, versions),
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

  /** Starts one operator per shard (`--shard <name>`) at once; milliseconds until each was ready. */
  async startShards(names: readonly string[], deadline: number): Promise<Map<string, number>> {
    const started = await Promise.all(
      names.map(async (shard) => {
        const op = await this.env.startOperator(this.cluster.kubeconfig, ['--shard', shard]);
        this.shards.set(shard, op);
        return [shard, op] as const;
      }),
    );
    const ready = new Map<string, number>();
    for (const [shard, op] of started) {
      const ms = await op.waitReady(deadline, this.env.signal);
      if (ms === undefined)
        throw new Error(
          `shard ${shard}'s operator was not ready within the scenario's bound (log: ${op.logPath})`,
        );
      ready.set(shard, ms);
    }
    return ready;
  }

  async stopShards(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    await Promise.all([...this.shards.values()].map((op) => op.stop(signal)));
    this.shards.clear();
  }

  /** Requests `version` in `environment` for each name (server-side apply, like CI). */
  setVersions(
    names: readonly string[],
    environment: string,
    version: string,
    deadline: number,
  ): Promise<BoundedResult> {
    return forEachBounded(
      names,
      async (name) => {
        const namespace = this.namespaceOf.get(name)!;
        // Recorded first: the status may show it before the request returns.
        this.requested.set(name, { ...this.requested.get(name), [environment]: version });
        await this.cluster.client.apply(
          'applications',
          namespace,
          name,
          {
            apiVersion: 'depot.sh/v1alpha1',
            kind: 'Application',
            metadata: { name, namespace },
            spec: { versions: { [environment]: version } },
          },
          VERSION_WRITER,
        );
      },
      { concurrency: this.env.opts.concurrency, deadline, signal: this.env.signal },
    );
  }

  /** Waits (bounded) until every named Application's status shows what was requested, over all namespaces. */
  async waitConverged(
    names: readonly string[],
    deadline: number,
    environments?: readonly string[],
  ): Promise<WaitResult> {
    const started = Date.now();
    const perNamespace = new Map<string, string[]>();
    for (const n of names) {
      const ns = this.namespaceOf.get(n)!;
      const list = perNamespace.get(ns);
      if (list) list.push(n);
      else perNamespace.set(ns, [n]);
    }
    const waits = await Promise.all(
      [...perNamespace].map(([ns, list]) =>
        this.watches.get(ns)!.wait(
          list,
          (name, app) => {
            const requested = this.requested.get(name);
            if (!requested) return false;
            const expected = environments
              ? Object.fromEntries(Object.entries(requested).filter(([e]) => environments.includes(e)))
              : requested;
            return isConverged(app, expected, topology.targetsPerEnvironment);
          },
          deadline,
          this.env.signal,
        ),
      ),
    );
    const times = new Map<string, number>();
    for (const w of waits) for (const [n, t] of w.times) times.set(n, t);
    const done = waits.every((w) => w.done);
    let last = started;
    for (const t of times.values()) last = Math.max(last, t);
    return {
      done,
      satisfied: times.size,
      total: names.length,
      elapsedMs: (done ? last : Date.now()) - started,
      times,
    };
  }
}
