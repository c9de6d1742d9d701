// The objects deliveries write (Argo CD Applications, Flux objects), cached
// by one informer per (kind, namespace) that a Target names: never all
// namespaces. A change of such an object re-runs every Depot Application
// that delivers to it (reverts, deployed versions, a missing object that
// appears).
import type { CachedRead, DeliveryObject } from '../../core/delivery.js';
import type { InformerSource } from '../../runtime/informer-factory.js';
import type { SharedInformer } from '../../runtime/informer.js';
import { resourceId, type Request, type ResourceType } from '../../kube/resource.js';

const objectKey = (resource: ResourceType, namespace: string, name: string) =>
  `${resourceId(resource)}|${namespace}/${name}`;

export class WatchedObjects {
  private readonly informers = new Map<string, SharedInformer>();
  /** Object key → the Depot Applications (namespace/name) that deliver to it. */
  private readonly users = new Map<string, Set<string>>();
  /** Depot Application → the object keys it delivers to. */
  private readonly uses = new Map<string, Set<string>>();
  private enqueue: ((req: Request) => void) | undefined;

  constructor(private readonly source: InformerSource) {}

  /** Where changes of watched objects go (the application controller's queue). */
  onChange(enqueue: (req: Request) => void): void {
    this.enqueue = enqueue;
  }

  /** The object from its namespace's cache; not synced while that cache is being listed. */
  read(resource: ResourceType, namespace: string, name: string): CachedRead {
    const informer = this.informer(resource, namespace);
    if (!informer.hasSynced()) return { synced: false };
    return { synced: true, object: informer.get(namespace, name) };
  }

  /** Whether the cache of the object's namespace is complete (started on first use). */
  synced(object: DeliveryObject): boolean {
    return this.informer(object.resource, object.namespace).hasSynced();
  }

  /** Records the objects one Depot Application delivers to now (replacing what it used before). */
  use(app: Request, objects: readonly DeliveryObject[]): void {
    const appKey = `${app.namespace}/${app.name}`;
    const keys = new Set(objects.map((o) => objectKey(o.resource, o.namespace, o.name)));
    for (const old of this.uses.get(appKey) ?? []) if (!keys.has(old)) this.users.get(old)?.delete(appKey);
    for (const key of keys) {
      let set = this.users.get(key);
      if (!set) this.users.set(key, (set = new Set()));
      set.add(appKey);
    }
    for (const o of objects) this.informer(o.resource, o.namespace);
    if (keys.size > 0) this.uses.set(appKey, keys);
    else this.uses.delete(appKey);
  }

  forget(app: Request): void {
    this.use(app, []);
  }

  private informer(resource: ResourceType, namespace: string): SharedInformer {
    const id = `${resourceId(resource)}|${namespace}`;
    let informer = this.informers.get(id);
    if (informer) return informer;
    informer = this.source.informer(resource, { namespaces: [namespace], requiredForReadiness: false });
    informer.on(({ object }) => {
      const key = objectKey(resource, object.metadata?.namespace ?? '', object.metadata?.name ?? '');
      for (const appKey of this.users.get(key) ?? []) this.notify(appKey);
    });
    // Synced: every application waiting for this namespace's cache runs (also those whose object is missing).
    const prefix = `${resourceId(resource)}|${namespace}/`;
    void informer.waitForSync().then((synced) => {
      if (!synced) return;
      for (const [key, apps] of this.users)
        if (key.startsWith(prefix)) for (const app of apps) this.notify(app);
    });
    this.informers.set(id, informer);
    return informer;
  }

  private notify(appKey: string): void {
    const slash = appKey.indexOf('/');
    this.enqueue?.({ namespace: appKey.slice(0, slash), name: appKey.slice(slash + 1) });
  }
}
