// One informer per resource (and selector) per manager: every controller that
// watches ConfigMaps shares one cache and one watch connection per namespace.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Clock } from '../kube/clock.js';
import { Informer, type SharedInformer } from './informer.js';
import type { KubeClient } from '../kube/client.js';
import type { Logger } from './log.js';
import type { RuntimeMetrics } from './metrics.js';
import type { TokenBucket } from '../kube/rate-limiter.js';
import { resourceId, type KubeObject, type ResourceType } from '../kube/resource.js';

export interface InformerSelector {
  labelSelector?: string;
  fieldSelector?: string;
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
}

/** Where controllers and writers get shared informers: the manager's factory, or testing/'s in-memory one. */
export interface InformerSource {
  informer<T extends KubeObject = KubeObject>(
    resource: ResourceType,
    selector?: InformerSelector,
  ): SharedInformer<T>;
  /** Every informer of a resource, whatever its selector (to tell them about our writes). */
  informersOf(resource: ResourceType): SharedInformer[];
}

export class InformerFactory implements InformerSource {
  private readonly informers = new Map<string, Informer>();
  private started = false;

  constructor(private readonly opts: InformerFactoryOptions) {}

  /** The shared informer of a resource (created on first use; started if the factory runs). */
  informer<T extends KubeObject = KubeObject>(
    resource: ResourceType,
    selector: InformerSelector = {},
  ): Informer<T> {
    const id = `${resourceId(resource)}?labels=${selector.labelSelector ?? ''}&fields=${selector.fieldSelector ?? ''}`;
    let informer = this.informers.get(id);
    if (!informer) {
      informer = new Informer({ ...this.opts, resource, ...selector });
      this.informers.set(id, informer);
      if (this.started) informer.start();
    }
    return informer as unknown as Informer<T>;
  }

  /** Every informer of a resource, whatever its selector (to tell them about our writes). */
  informersOf(resource: ResourceType): Informer[] {
    const prefix = `${resourceId(resource)}?`;
    return [...this.informers.entries()].filter(([id]) => id.startsWith(prefix)).map(([, inf]) => inf);
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
  }

  hasSynced(): boolean {
    return [...this.informers.values()].every((i) => i.hasSynced());
  }

  /** Informers whose cache is not complete yet (for /readyz). */
  unsynced(): string[] {
    return [...this.informers.entries()].filter(([, i]) => !i.hasSynced()).map(([id]) => id);
  }
}
