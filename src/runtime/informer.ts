// A shared informer: a local cache of one resource (optionally limited to
// namespaces and a selector), fed by ListWatches kept alive
// (list-watch-source.ts). Event handlers only enqueue keys and are wrapped so
// they never throw into ListWatch's callback. Reads come from the cache, with
// read-your-writes (write-overlay.ts).
import type { KubeConfig, KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import type { BackoffOptions } from './backoff.js';
import type { Clock } from '../kube/clock.js';
import { GuardedWatch } from './guarded-watch.js';
import type { KubeClient } from '../kube/client.js';
import {
  ListWatchSource,
  type ListWatchLike,
  type ListWatchSourceOptions,
  type ObjectEventType,
} from './list-watch-source.js';
import type { Logger } from './log.js';
import type { RuntimeMetrics } from './metrics.js';
import type { TokenBucket } from '../kube/rate-limiter.js';
import { keyOf, resourceId, resourcePath, type KubeObject, type ResourceType } from '../kube/resource.js';
import type { ConnectionPool } from '../kube/transport.js';
import { WriteOverlay, type PendingWrite } from './write-overlay.js';
import { internStrings } from '../kube/string-interning.js';

export interface InformerEvent<T> {
  type: ObjectEventType;
  object: T;
}

export type InformerHandler<T> = (event: InformerEvent<T>) => void;

export interface InformerOptions {
  resource: ResourceType;
  /** Watched namespaces; undefined or empty: all. Ignored for cluster-scoped resources. */
  namespaces?: string[];
  /** Shards: empty `namespaces` means none (yet); addNamespace/removeNamespace change them. */
  dynamicNamespaces?: boolean;
  labelSelector?: string;
  fieldSelector?: string;
  kubeConfig: KubeConfig;
  client: KubeClient;
  limiter?: TokenBucket;
  metrics: RuntimeMetrics;
  log: Logger;
  clock: Clock;
  restartBackoff?: BackoffOptions;
  /** The connections every watch stream shares (the factory's). Absent: one connection per watch. */
  watchPool?: ConnectionPool;
  /** Test seam: build something ListWatch-like instead of client-node's ListWatch. */
  makeListWatch?: (
    opts: ListWatchSourceOptions<KubernetesObject>,
    list: () => Promise<KubernetesListObject<KubernetesObject>>,
  ) => ListWatchLike<KubernetesObject>;
}

interface Index<T> {
  fn: (obj: T) => string[];
  byValue: Map<string, Set<string>>;
  valuesOf: Map<string, string[]>;
}

// client-node types timestamps as Date, but the cache holds the JSON the
// server sent (strings): objects cross this boundary as KubeObject.
type Raw = KubernetesObject;

const defaultRestartBackoff: BackoffOptions = { baseMs: 500, maxMs: 15_000, jitter: 0.2 };

/** What controllers read: a synced cache of one resource, its events and indexes (the in-memory one for reconcile tests is in testing/). */
export interface SharedInformer<T extends KubeObject = KubeObject> {
  readonly resource: ResourceType;
  hasSynced(): boolean;
  /** Resolves true when synced, or false when the signal aborts first. */
  waitForSync(signal?: AbortSignal): Promise<boolean>;
  on(handler: InformerHandler<T>): () => void;
  get(namespace: string, name: string): T | undefined;
  /** Objects of one namespace, or of all watched namespaces. */
  list(namespace?: string): T[];
  /** Adds a secondary index (e.g. Targets by spec.environment); built from the cache now and kept current. */
  addIndex(name: string, fn: (obj: T) => string[]): void;
  /** Objects whose index `name` contains `value`. */
  byIndex(name: string, value: string): T[];
  /** Read-your-writes: call before writing an object, finish() with what the API server returned. */
  beginWrite(namespace: string, name: string): PendingWrite<T>;
}

export class Informer<T extends KubeObject = KubeObject> implements SharedInformer<T> {
  readonly resource: ResourceType;
  private readonly sources = new Map<string, ListWatchSource<Raw>>();
  private readonly handlers = new Set<InformerHandler<T>>();
  private readonly indexes = new Map<string, Index<T>>();
  private readonly overlay: WriteOverlay<T>;
  private readonly syncWaiters: Array<() => void> = [];
  private readonly label: string;
  private started = false;

  constructor(private readonly opts: InformerOptions) {
    this.resource = opts.resource;
    this.label = resourceId(opts.resource);
    this.overlay = new WriteOverlay<T>(() => opts.clock.now());
    const namespaces =
      opts.resource.namespaced && (opts.namespaces?.length || opts.dynamicNamespaces)
        ? (opts.namespaces ?? [])
        : [''];
    for (const ns of namespaces) this.sources.set(ns, this.makeSource(ns));
    opts.metrics.informerSynced.set({ resource: this.label }, 0);
  }

  /** Starts listing and watching (idempotent). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.opts.metrics.informerWatches.inc({ resource: this.label }, this.sources.size);
    for (const source of this.sources.values()) source.start();
  }

  async stop(): Promise<void> {
    if (this.started) this.opts.metrics.informerWatches.dec({ resource: this.label }, this.sources.size);
    this.started = false;
    await Promise.all([...this.sources.values()].map((s) => s.stop()));
  }

  /** Shards: starts watching one more namespace (a no-op for an all-namespace or cluster-scoped informer). */
  addNamespace(namespace: string): void {
    if (!this.opts.dynamicNamespaces || this.sources.has(namespace) || this.sources.has('')) return;
    const source = this.makeSource(namespace);
    this.sources.set(namespace, source);
    if (!this.started) return;
    this.opts.metrics.informerWatches.inc({ resource: this.label });
    source.start();
  }

  /**
   * Shards: stops watching a namespace and forgets its objects without
   * delete events (they were not deleted: another shard owns them now).
   */
  async removeNamespace(namespace: string): Promise<void> {
    const source = this.sources.get(namespace);
    if (!this.opts.dynamicNamespaces || !source || namespace === '') return;
    this.sources.delete(namespace);
    for (const obj of source.lw.list() as unknown as ReadonlyArray<T>) {
      const key = keyOf(obj);
      for (const index of this.indexes.values()) this.unindexObject(index, key);
    }
    if (this.started) this.opts.metrics.informerWatches.dec({ resource: this.label });
    await source.stop();
  }

  /** Whether this informer watches the namespace (all-namespace informers watch every one). */
  watches(namespace: string): boolean {
    return this.sourceFor(namespace) !== undefined;
  }

  /** True once every namespace has been listed: the cache is complete. */
  hasSynced(): boolean {
    return [...this.sources.values()].every((s) => s.hasSynced());
  }

  /** Resolves true when synced, or false when the signal aborts first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.hasSynced()) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = () => resolve(false);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.syncWaiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
      });
    });
  }

  /** Subscribes to add/update/delete; returns the unsubscribe function. */
  on(handler: InformerHandler<T>): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  get(namespace: string, name: string): T | undefined {
    const source = this.sourceFor(namespace);
    if (!source) return undefined;
    const ns = this.resource.namespaced ? namespace : undefined;
    const cached = source.lw.get(name, ns) as unknown as T | undefined;
    return this.overlay.resolve(ns ? `${ns}/${name}` : name, cached);
  }

  /** Objects of one namespace, or of all watched namespaces. */
  list(namespace?: string): T[] {
    const sources =
      namespace && this.resource.namespaced ? [this.sourceFor(namespace)] : [...this.sources.values()];
    const out: T[] = [];
    for (const source of sources) {
      if (!source) continue;
      const ns = this.resource.namespaced ? namespace || undefined : undefined;
      for (const obj of source.lw.list(ns) as unknown as ReadonlyArray<T>) {
        out.push(this.overlay.resolve(keyOf(obj), obj)!);
      }
    }
    return out;
  }

  /** Adds a secondary index (e.g. Targets by spec.environment); built from the cache now and kept current. */
  addIndex(name: string, fn: (obj: T) => string[]): void {
    if (this.indexes.has(name)) throw new Error(`index ${name} already exists on ${this.label}`);
    const index: Index<T> = { fn, byValue: new Map(), valuesOf: new Map() };
    this.indexes.set(name, index);
    for (const source of this.sources.values()) {
      for (const obj of source.lw.list() as unknown as ReadonlyArray<T>)
        this.indexObject(index, keyOf(obj), obj);
    }
  }

  /** Objects whose index `name` contains `value`. */
  byIndex(name: string, value: string): T[] {
    const index = this.indexes.get(name);
    if (!index) throw new Error(`no index ${name} on ${this.label}`);
    const out: T[] = [];
    for (const key of index.byValue.get(value) ?? []) {
      const slash = key.indexOf('/');
      const obj = slash < 0 ? this.get('', key) : this.get(key.slice(0, slash), key.slice(slash + 1));
      if (obj) out.push(obj);
    }
    return out;
  }

  /**
   * Call before writing an object of this resource; call finish() with what
   * the API server returned, so reads see the write before its watch event
   * arrives (read-your-writes).
   */
  beginWrite(namespace: string, name: string): PendingWrite<T> {
    const key = this.resource.namespaced && namespace ? `${namespace}/${name}` : name;
    const inScope = this.sourceFor(namespace) !== undefined;
    if (!inScope) return { finish: () => undefined, abandon: () => undefined };
    const pending = this.overlay.begin(key);
    const transform = this.resource.cacheTransform;
    if (!transform) return pending;
    // The overlay serves the written object to readers, so it is kept like a
    // cached one; the writer's own copy stays whole.
    return {
      finish: (written) => pending.finish(transform({ ...written, metadata: { ...written.metadata } })),
      abandon: pending.abandon,
    };
  }

  private sourceFor(namespace: string): ListWatchSource<Raw> | undefined {
    return this.sources.get('') ?? this.sources.get(namespace);
  }

  private makeSource(namespace: string): ListWatchSource<Raw> {
    const { resource, client, labelSelector, fieldSelector, log, metrics } = this.opts;
    // Freshly parsed objects only (never a writer's copy): their strings are shared in place.
    const transform = (obj: KubeObject) => internStrings(resource.cacheTransform?.(obj) ?? obj);
    const watch = new GuardedWatch(this.opts.kubeConfig, {
      resource: resource.plural,
      metrics,
      limiter: this.opts.limiter,
      onCallbackError: (err) => this.handlerFailed(err),
      transform,
      pool: this.opts.watchPool,
    });
    return new ListWatchSource<Raw>({
      path: resourcePath(resource, { namespace: namespace || undefined }),
      watch,
      list: async () => {
        const list = await client.list<KubeObject>(resource, {
          namespace: namespace || undefined,
          labelSelector,
          fieldSelector,
        });
        list.items = list.items.map((item) => transform(item));
        return list as unknown as KubernetesListObject<Raw>;
      },
      labelSelector,
      fieldSelector,
      clock: this.opts.clock,
      log: log.child({ resource: this.label, namespace: namespace || undefined }),
      backoff: this.opts.restartBackoff ?? defaultRestartBackoff,
      onEvent: (type, obj) => this.dispatch(type, obj as unknown as T),
      onRelist: () => this.overlay.clear(),
      onSynced: () => this.sourceSynced(),
      onRestart: () => metrics.informerRestarts.inc({ resource: this.label }),
      makeListWatch: this.opts.makeListWatch,
    });
  }

  private sourceSynced(): void {
    if (!this.hasSynced()) return;
    this.opts.metrics.informerSynced.set({ resource: this.label }, 1);
    this.opts.log.info(
      {
        resource: this.label,
        namespaces: [...this.sources.keys()].map((ns) => ns || '*'),
        objects: this.list().length,
      },
      'cache synced',
    );
    for (const waiter of this.syncWaiters.splice(0)) waiter();
  }

  /** Runs inside ListWatch's callbacks: must never throw. */
  private dispatch(type: ObjectEventType, obj: T): void {
    try {
      const key = keyOf(obj);
      this.overlay.observe(key, type, obj);
      for (const index of this.indexes.values()) {
        if (type === 'delete') this.unindexObject(index, key);
        else this.indexObject(index, key, obj);
      }
    } catch (err) {
      this.handlerFailed(err);
    }
    for (const handler of this.handlers) {
      try {
        handler({ type, object: obj });
      } catch (err) {
        this.handlerFailed(err);
      }
    }
  }

  private handlerFailed(err: unknown): void {
    this.opts.metrics.informerHandlerErrors.inc({ resource: this.label });
    this.opts.log.error({ resource: this.label, err }, 'informer event handler failed; event skipped');
  }

  private indexObject(index: Index<T>, key: string, obj: T): void {
    this.unindexObject(index, key);
    let values: string[];
    try {
      values = index.fn(obj);
    } catch (err) {
      this.handlerFailed(err);
      return;
    }
    index.valuesOf.set(key, values);
    for (const v of values) {
      let keys = index.byValue.get(v);
      if (!keys) index.byValue.set(v, (keys = new Set()));
      keys.add(key);
    }
  }

  private unindexObject(index: Index<T>, key: string): void {
    for (const v of index.valuesOf.get(key) ?? []) {
      const keys = index.byValue.get(v);
      keys?.delete(key);
      if (keys?.size === 0) index.byValue.delete(v);
    }
    index.valuesOf.delete(key);
  }
}
