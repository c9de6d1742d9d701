// The dashboard's state, kept from the informers' events (never a list per
// request): every namespace's header and every application's row, each with
// its JSON, and a bounded ring of the batches of deltas sent since start.
// Events are coalesced for `coalesceMs`; an Application's event recomputes its
// row, any other kind recomputes its namespace (header and rows). Streams
// (stream.ts) read a snapshot and follow the batches; a stream that resumes
// gets the batches after its last id, or a snapshot when they are gone.
import { randomBytes } from 'node:crypto';
import type { Application } from '../../api/application.js';
import type { DashboardDelta, DashboardNamespace, DashboardRow } from '../../api/dashboard.js';
import type { Environment } from '../../api/environment.js';
import type { EnvironmentSet } from '../../api/environment-set.js';
import type { Promotion } from '../../api/promotion.js';
import { Applications, EnvironmentSets, Environments, Promotions, Targets } from '../../api/resources.js';
import type { Target } from '../../api/target.js';
import { dashboardNamespace } from '../../core/dashboard/namespace.js';
import { dashboardRow } from '../../core/dashboard/row.js';
import type { KubeObject, ResourceType } from '../../kube/resource.js';
import type { InformerSource } from '../../runtime/informer-factory.js';
import type { SharedInformer } from '../../runtime/informer.js';

/** One delta as sent: its namespace (for per-user filtering) and its JSON. */
export interface FeedDelta {
  namespace: string;
  json: string;
}

export interface FeedBatch {
  seq: number;
  deltas: FeedDelta[];
}

export interface FeedOptions {
  /** How long events are gathered into one batch (default 25 ms). */
  coalesceMs?: number;
  /** Batches kept for resuming streams (default 2048). */
  ringBatches?: number;
  /** Bytes of delta JSON kept for resuming streams (default 16 MiB). */
  ringBytes?: number;
}

export const feedDefaults = { coalesceMs: 25, ringBatches: 2048, ringBytes: 16 * 1024 * 1024 };

interface Stored<T> {
  value: T;
  json: string;
}

type Named<T> = T & { metadata: { name: string; namespace?: string } };

/** What the feed watches: the resources a row or a namespace header is built from. */
export const FEED_RESOURCES: readonly ResourceType[] = [
  Applications,
  Targets,
  Promotions,
  EnvironmentSets,
  Environments,
];

export class DashboardFeed {
  /** Names this process's ids: an id of another replica or an earlier process is unknown here. */
  readonly epoch = randomBytes(6).toString('hex');
  private seqNo = 0;
  private readonly headers = new Map<string, Stored<DashboardNamespace>>();
  private readonly rows = new Map<string, Map<string, Stored<DashboardRow>>>();
  private readonly ring: FeedBatch[] = [];
  private ringBytes = 0;
  private readonly listeners = new Set<(batch: FeedBatch) => void>();
  private readonly dirtyRows = new Map<string, Set<string>>();
  private readonly dirtyNamespaces = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private built = false;
  private readonly opts: typeof feedDefaults;
  private readonly apps: SharedInformer<Named<Application>>;
  private readonly targets: SharedInformer<Named<Target>>;
  private readonly promotions: SharedInformer<Named<Promotion>>;
  private readonly sets: SharedInformer<Named<EnvironmentSet>>;
  private readonly environments: SharedInformer<Named<Environment>>;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(informers: InformerSource, opts: FeedOptions = {}) {
    this.opts = { ...feedDefaults, ...opts };
    this.apps = informers.informer(Applications);
    this.targets = informers.informer(Targets);
    this.promotions = informers.informer(Promotions);
    this.sets = informers.informer(EnvironmentSets);
    this.environments = informers.informer(Environments);
    const watch = <T extends KubeObject>(informer: SharedInformer<T>, row: boolean) =>
      this.unsubscribe.push(
        informer.on(({ object }) => {
          const ns = object.metadata?.namespace;
          if (!ns) return;
          if (row) {
            let names = this.dirtyRows.get(ns);
            if (!names) this.dirtyRows.set(ns, (names = new Set()));
            names.add(object.metadata!.name!);
          } else this.dirtyNamespaces.add(ns);
          this.schedule();
        }),
      );
    watch(this.apps, true);
    watch(this.targets, false);
    watch(this.promotions, false);
    watch(this.sets, false);
    watch(this.environments, false);
  }

  /** Every cache has its first list: the feed's state is complete. */
  synced(): boolean {
    return [this.apps, this.targets, this.promotions, this.sets, this.environments].every((i) =>
      i.hasSynced(),
    );
  }

  /** The id of the newest batch (what a snapshot taken now is current with). */
  get seq(): number {
    return this.seqNo;
  }

  eventId(seq = this.seqNo): string {
    return `${this.epoch}.${seq}`;
  }

  /** The sequence number of an id of this feed, or undefined (another replica or process, malformed). */
  seqOf(id: string | undefined): number | undefined {
    if (!id) return undefined;
    const m = /^([0-9a-f]+)\.(\d+)$/.exec(id.trim());
    if (!m || m[1] !== this.epoch) return undefined;
    const seq = Number(m[2]);
    return Number.isSafeInteger(seq) && seq <= this.seqNo ? seq : undefined;
  }

  /** The batches after `seq`, or undefined when the ring no longer holds them all. */
  since(seq: number): FeedBatch[] | undefined {
    if (seq === this.seqNo) return [];
    const first = this.ring[0];
    if (!first || first.seq > seq + 1) return undefined;
    return this.ring.filter((b) => b.seq > seq);
  }

  /** Namespaces with any Depot object, by name. */
  namespaces(): string[] {
    this.ensureBuilt();
    return [...this.headers.keys()].sort();
  }

  header(namespace: string): Stored<DashboardNamespace> | undefined {
    this.ensureBuilt();
    return this.headers.get(namespace);
  }

  /** The rows' JSON of one namespace, by application name. */
  rowsOf(namespace: string): string[] {
    this.ensureBuilt();
    const rows = this.rows.get(namespace);
    if (!rows) return [];
    return [...rows.keys()].sort().map((name) => rows.get(name)!.json);
  }

  subscribe(listener: (batch: FeedBatch) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  /** Applies what changed now (tests and a stream about to snapshot need not wait for the timer). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.synced()) return;
    if (!this.built) {
      this.ensureBuilt();
      return;
    }
    const deltas: FeedDelta[] = [];
    for (const ns of this.dirtyNamespaces) {
      this.dirtyRows.delete(ns);
      deltas.push(...this.recomputeNamespace(ns));
    }
    this.dirtyNamespaces.clear();
    for (const [ns, names] of this.dirtyRows) {
      if (!this.headers.has(ns)) {
        deltas.push(...this.recomputeNamespace(ns));
        continue;
      }
      for (const name of names) deltas.push(...this.recomputeRow(ns, name));
      deltas.push(...this.dropIfEmpty(ns));
    }
    this.dirtyRows.clear();
    if (deltas.length > 0) this.publish(deltas);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const u of this.unsubscribe) u();
    this.listeners.clear();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.opts.coalesceMs);
    this.timer.unref?.();
  }

  /** The first complete state, from the caches, once they are synced. */
  private ensureBuilt(): void {
    if (this.built || !this.synced()) return;
    this.built = true;
    const names = new Set<string>();
    for (const informer of [this.apps, this.targets, this.promotions, this.sets, this.environments])
      for (const o of informer.list()) if (o.metadata.namespace) names.add(o.metadata.namespace);
    for (const ns of names) this.recomputeNamespace(ns);
    this.dirtyNamespaces.clear();
    this.dirtyRows.clear();
  }

  /** The namespace's header and all its rows, against what was sent. */
  private recomputeNamespace(ns: string): FeedDelta[] {
    const deltas: FeedDelta[] = [];
    const apps = this.apps.list(ns);
    const sets = this.sets.list(ns);
    const envs = this.environments.list(ns);
    const promotions = this.promotions.list(ns);
    const empty =
      apps.length + sets.length + envs.length + promotions.length + this.targets.list(ns).length === 0;
    if (empty) return this.dropNamespace(ns);
    const header = dashboardNamespace(ns, sets, envs, promotions);
    const json = JSON.stringify(header);
    if (this.headers.get(ns)?.json !== json) {
      this.headers.set(ns, { value: header, json });
      deltas.push(delta(ns, { op: 'namespace', namespace: header }));
    }
    const present = new Set<string>();
    for (const app of apps) {
      present.add(app.metadata.name);
      deltas.push(...this.storeRow(ns, app, promotions));
    }
    const rows = this.rows.get(ns);
    for (const name of [...(rows?.keys() ?? [])])
      if (!present.has(name)) {
        rows!.delete(name);
        deltas.push(delta(ns, { op: 'rowDeleted', namespace: ns, name }));
      }
    return deltas;
  }

  private recomputeRow(ns: string, name: string): FeedDelta[] {
    const app = this.apps.get(ns, name);
    if (app) return this.storeRow(ns, app, this.promotions.list(ns));
    const rows = this.rows.get(ns);
    if (!rows?.delete(name)) return [];
    return [delta(ns, { op: 'rowDeleted', namespace: ns, name })];
  }

  private storeRow(ns: string, app: Named<Application>, promotions: readonly Promotion[]): FeedDelta[] {
    const row = dashboardRow(app, { target: (t) => this.targets.get(ns, t), promotions });
    const json = JSON.stringify(row);
    let rows = this.rows.get(ns);
    if (!rows) this.rows.set(ns, (rows = new Map()));
    if (rows.get(app.metadata.name)?.json === json) return [];
    rows.set(app.metadata.name, { value: row, json });
    return [{ namespace: ns, json: `{"op":"row","row":${json}}` }];
  }

  private dropIfEmpty(ns: string): FeedDelta[] {
    const none = FEED_RESOURCES.every((r) => this.informerOf(r).list(ns).length === 0);
    return none ? this.dropNamespace(ns) : [];
  }

  private dropNamespace(ns: string): FeedDelta[] {
    const had = this.headers.delete(ns);
    this.rows.delete(ns);
    return had ? [delta(ns, { op: 'namespaceDeleted', namespace: ns })] : [];
  }

  private informerOf(r: ResourceType): SharedInformer<KubeObject> {
    const byPlural: Record<string, SharedInformer<KubeObject>> = {
      [Applications.plural]: this.apps,
      [Targets.plural]: this.targets,
      [Promotions.plural]: this.promotions,
      [EnvironmentSets.plural]: this.sets,
      [Environments.plural]: this.environments,
    };
    return byPlural[r.plural]!;
  }

  private publish(deltas: FeedDelta[]): void {
    const batch: FeedBatch = { seq: ++this.seqNo, deltas };
    this.ring.push(batch);
    this.ringBytes += batchBytes(batch);
    while (
      this.ring.length > 1 &&
      (this.ring.length > this.opts.ringBatches || this.ringBytes > this.opts.ringBytes)
    )
      this.ringBytes -= batchBytes(this.ring.shift()!);
    for (const l of this.listeners) l(batch);
  }
}

const delta = (namespace: string, d: DashboardDelta): FeedDelta => ({ namespace, json: JSON.stringify(d) });
const batchBytes = (b: FeedBatch) => b.deltas.reduce((n, d) => n + d.json.length, 0);
