// The objects deliveries write (Argo CD Applications, Flux objects), cached by
// one informer per (kind, namespace) a Target names, never all namespaces. A
// change re-runs every Application that delivers to it. An informer whose
// namespace nothing delivers to any more is stopped (cache freed, watch
// closed) and starts anew if a Target names that namespace again.
import type { CachedRead, DeliveryObject } from '../../core/delivery.js';
import type { InformerSource } from '../../runtime/informer-factory.js';
import type { SharedInformer } from '../../runtime/informer.js';
import { resourceId, type Request, type ResourceType } from '../../kube/resource.js';

/** The selector of an on-demand informer of one namespace (also how it is released). */
const selectorOf = (namespace: string) => ({ namespaces: [namespace], requiredForReadiness: false });

const informerKey = (resource: ResourceType, namespace: string) => `${resourceId(resource)}|${namespace}`;
const objectKey = (resource: ResourceType, namespace: string, name: string) =>
  `${informerKey(resource, namespace)}/${name}`;
/** The informer of an object key (a name has no slash). */
const informerOf = (key: string) => key.slice(0, key.lastIndexOf('/'));

export class WatchedObjects {
  private readonly informers = new Map<
    string,
    { informer: SharedInformer; resource: ResourceType; namespace: string }
  >();
  /** Informer key → how many of its objects some Application delivers to. */
  private readonly usedObjects = new Map<string, number>();
  /**
   * Informers started by a read with no Application delivering there yet: a
   * review's own use() claims them; any left (a delivery still in flight
   * that read after its namespace was released) are released by the next use().
   */
  private readonly unclaimed = new Set<string>();
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
    for (const o of objects) this.informer(o.resource, o.namespace);
    // Added before the old ones are dropped: moving within a namespace keeps its informer.
    for (const key of keys) this.addUser(key, appKey);
    for (const old of this.uses.get(appKey) ?? []) if (!keys.has(old)) this.dropUser(old, appKey);
    if (keys.size > 0) this.uses.set(appKey, keys);
    else this.uses.delete(appKey);
    for (const id of this.unclaimed) {
      this.unclaimed.delete(id);
      if (!this.usedObjects.has(id)) this.release(id);
    }
  }

  forget(app: Request): void {
    this.use(app, []);
  }

  private addUser(key: string, appKey: string): void {
    let set = this.users.get(key);
    if (!set) {
      this.users.set(key, (set = new Set()));
      const id = informerOf(key);
      this.usedObjects.set(id, (this.usedObjects.get(id) ?? 0) + 1);
    }
    set.add(appKey);
  }

  private dropUser(key: string, appKey: string): void {
    const set = this.users.get(key);
    if (!set?.delete(appKey) || set.size > 0) return;
    this.users.delete(key);
    const id = informerOf(key);
    const left = (this.usedObjects.get(id) ?? 1) - 1;
    if (left > 0) {
      this.usedObjects.set(id, left);
      return;
    }
    this.usedObjects.delete(id);
    this.release(id);
  }

  private release(id: string): void {
    const entry = this.informers.get(id);
    if (!entry) return;
    this.informers.delete(id);
    this.source.release(entry.resource, selectorOf(entry.namespace));
  }

  private informer(resource: ResourceType, namespace: string): SharedInformer {
    const id = informerKey(resource, namespace);
    const known = this.informers.get(id);
    if (known) return known.informer;
    const informer = this.source.informer(resource, selectorOf(namespace));
    if (!this.usedObjects.has(id)) this.unclaimed.add(id);
    informer.on(({ object }) => {
      const key = objectKey(resource, object.metadata?.namespace ?? '', object.metadata?.name ?? '');
      for (const appKey of this.users.get(key) ?? []) this.notify(appKey);
    });
    // Synced: every application waiting for this namespace's cache runs (also those whose object is missing).
    const prefix = `${id}/`;
    void informer.waitForSync().then((synced) => {
      if (!synced || this.informers.get(id)?.informer !== informer) return;
      for (const [key, apps] of this.users)
        if (key.startsWith(prefix)) for (const app of apps) this.notify(app);
    });
    this.informers.set(id, { informer, resource, namespace });
    return informer;
  }

  private notify(appKey: string): void {
    const slash = appKey.indexOf('/');
    this.enqueue?.({ namespace: appKey.slice(0, slash), name: appKey.slice(slash + 1) });
  }
}
