// One informer per resource (and selector) per manager: every controller that
// watches ConfigMaps shares one cache and one watch connection per namespace.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Clock } from '../kube/clock.js';
import { Informer, type SharedInformer } from './informer.js';
import type { KubeClient } from '../kube/client.js';
import type { Logger } from './log.js';
import type { RuntimeMetrics } from './metrics.js';
import type { TokenBucket } from '../kube/rate-limiter.js';
import { ConnectionPool } from '../kube/transport.js';
import { resourceId, type KubeObject, type ResourceType } from '../kube/resource.js';

export interface InformerSelector {
  labelSelector?: string;
  fieldSelector?: string;
  /**
   * Watch only these namespaces instead of the manager's (e.g. the one
   * namespace of the Argo CD Applications a Target names).
   */
  namespaces?: string[];
  /**
   * false: not needed for /readyz (a cache of delivery objects whose CRD may
   * be missing must not make the whole operator unready).
   */
  requiredForReadiness?: boolean;
}

export interface InformerFactoryOptions {
  kubeConfig: KubeConfig;
  client: KubeClient;
  limiter?: TokenBucket;
  metrics: RuntimeMetrics;
  log: Logger;
  clock: Clock;
  /** Watched namespaces; undefined or empty: all. */
  namespaces?: string[];
  /** Shards: the manager's namespaces start empty and change with ownership (watchNamespace). */
  dynamicNamespaces?: boolean;
}

/** Where controllers and writers get shared informers: the manager's factory, or testing/'s in-memory one. */
export interface InformerSource {
  informer<T extends KubeObject = KubeObject>(
    resource: ResourceType,
    selector?: InformerSelector,
  ): SharedInformer<T>;
  /** Every informer of a resource, whatever its selector (to tell them about our writes). */
  informersOf(resource: ResourceType): SharedInformer[];
  /**
   * Stops and forgets the informer of exactly this selector (one started on
   * demand that nothing needs any more); a later informer() call starts anew.
   */
  release(resource: ResourceType, selector?: InformerSelector): void;
}

export class InformerFactory implements InformerSource {
  private readonly informers = new Map<string, Informer>();
  private readonly optional = new Set<string>();
  /** Shards: the namespaces this process currently watches. */
  private readonly dynamic = new Set<string>();
  private started = false;
  /**
   * The connections every watch of this factory shares: HTTP/2 streams, about
   * 100 per connection, instead of one TLS connection per watch (a shard holds
   * 5 per namespace). Apart from the request pool on purpose: watch events
   * never share a connection's flow-control window with a write or a lease
   * renewal, and over HTTP/1.1 both pools open a connection per stream.
   */
  readonly watchPool = new ConnectionPool();

  constructor(private readonly opts: InformerFactoryOptions) {}

  /** The shared informer of a resource (created on first use; started if the factory runs). */
  informer<T extends KubeObject = KubeObject>(
    resource: ResourceType,
    selector: InformerSelector = {},
  ): Informer<T> {
    const id = informerId(resource, selector);
    let informer = this.informers.get(id);
    if (!informer) {
      informer = new Informer({
        ...this.opts,
        resource,
        labelSelector: selector.labelSelector,
        fieldSelector: selector.fieldSelector,
        namespaces: selector.namespaces ?? this.dynamicNamespaceList() ?? this.opts.namespaces,
        dynamicNamespaces: !selector.namespaces && this.opts.dynamicNamespaces,
        watchPool: this.watchPool,
      });
      this.informers.set(id, informer);
      if (selector.requiredForReadiness === false) this.optional.add(id);
      if (this.started) informer.start();
    }
    return informer as unknown as Informer<T>;
  }

  /** Every informer of a resource, whatever its selector (to tell them about our writes). */
  informersOf(resource: ResourceType): Informer[] {
    const prefix = `${resourceId(resource)}?`;
    return [...this.informers.entries()].filter(([id]) => id.startsWith(prefix)).map(([, inf]) => inf);
  }

  release(resource: ResourceType, selector: InformerSelector = {}): void {
    const id = informerId(resource, selector);
    const informer = this.informers.get(id);
    if (!informer) return;
    this.informers.delete(id);
    this.optional.delete(id);
    void informer.stop();
  }

  /** Shards: every informer of the manager's namespaces watches `namespace` too. */
  watchNamespace(namespace: string): void {
    this.dynamic.add(namespace);
    for (const informer of this.informers.values()) informer.addNamespace(namespace);
  }

  /** Shards: stops watching `namespace` (objects forgotten without delete events). */
  async unwatchNamespace(namespace: string): Promise<void> {
    this.dynamic.delete(namespace);
    await Promise.all([...this.informers.values()].map((i) => i.removeNamespace(namespace)));
  }

  /** Whether the caches of the manager's namespaces hold `namespace`, and have listed it. */
  namespaceSynced(namespace: string): boolean {
    return this.dynamic.has(namespace) && this.hasSynced();
  }

  private dynamicNamespaceList(): string[] | undefined {
    return this.opts.dynamicNamespaces ? [...this.dynamic] : undefined;
  }

  all(): Informer[] {
    return [...this.informers.values()];
  }

  start(): void {
    this.started = true;
    for (const informer of this.informers.values()) informer.start();
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
    // Every watch was stopped; a stream still in flight would only hold the pool open.
    await this.watchPool.destroy();
  }

  hasSynced(): boolean {
    return [...this.informers.values()].every((i) => i.hasSynced());
  }

  /** Informers whose cache is not complete yet (for /readyz). */
  unsynced(): string[] {
    return [...this.informers.entries()]
      .filter(([id, i]) => !this.optional.has(id) && !i.hasSynced())
      .map(([id]) => id);
  }
}

function informerId(resource: ResourceType, selector: InformerSelector): string {
  const ns = selector.namespaces ? `&namespaces=${[...selector.namespaces].sort().join(',')}` : '';
  return `${resourceId(resource)}?labels=${selector.labelSelector ?? ''}&fields=${selector.fieldSelector ?? ''}${ns}`;
}
