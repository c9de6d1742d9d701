// The objects deliveries write (Argo CD Applications, Flux objects), cached by
// one informer per (kind, namespace) a Target names, never all namespaces. A
// change re-runs every Application that delivers to it. An informer whose
// namespace nothing delivers to any more is stopped (cache freed, watch
// closed) and starts anew if a Target names that namespace again. Watches are
// capped per tenant namespace and in total; a watch over a cap, or in a
// namespace that is not one, is refused and never opened. The event of
// Depot's own delivery write re-runs nothing: the attempt recorded it.
import { matchesFormat, namespaceName } from '../../api/names.js';
import type { CachedRead, DeliveryObject } from '../../core/delivery.js';
import type { InformerSource } from '../../runtime/informer-factory.js';
import type { SharedInformer } from '../../runtime/informer.js';
import { OwnWrites, type OwnWrite } from '../../runtime/own-writes.js';
import { resourceId, type Request, type ResourceType } from '../../kube/resource.js';

/** The selector of an on-demand informer of one namespace (also how it is released). */
const selectorOf = (namespace: string) => ({ namespaces: [namespace], requiredForReadiness: false });

const informerKey = (resource: ResourceType, namespace: string) => `${resourceId(resource)}|${namespace}`;
const objectKey = (resource: ResourceType, namespace: string, name: string) =>
  `${informerKey(resource, namespace)}/${name}`;
/** The informer of an object key (a name has no slash). */
const informerOf = (key: string) => key.slice(0, key.lastIndexOf('/'));
/** The informers of object keys, each once. */
const informersOf = (keys: Iterable<string>): Set<string> => new Set([...keys].map(informerOf));
/** The key of a delivered object, for the refusals `use` returns. */
export const watchKey = (o: DeliveryObject): string => objectKey(o.resource, o.namespace, o.name);

/** How many (kind, namespace) informers deliveries may open (--max-delivery-watches*). */
export interface WatchLimits {
  /** Informers the Applications of one namespace (one tenant) may use together. */
  perNamespace: number;
  /** Informers over all namespaces. */
  total: number;
}

export const watchLimitDefaults: WatchLimits = { perNamespace: 20, total: 200 };

/** Metrics of the watches (optional: unit tests run without a registry). */
export interface WatchMetrics {
  /** Informers open now. */
  setOpen(count: number): void;
  /** A watch refused: `per-namespace`, `total` or `invalid-namespace`. */
  refused(limit: WatchRefusal): void;
}
export type WatchRefusal = 'per-namespace' | 'total' | 'invalid-namespace';

const described = (o: DeliveryObject) =>
  `${o.resource.plural}.${o.resource.group || 'core'} in namespace ${o.namespace}`;

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
  /** Tenant namespace → informer key → how many of its Applications deliver there (the per-namespace cap, without a scan). */
  private readonly tenantInformers = new Map<string, Map<string, number>>();
  private enqueue: ((req: Request) => void) | undefined;
  /** Our own writes of watched objects, whose events re-run nothing. */
  private readonly own = new OwnWrites((key) => this.notifyUsers(key));
  /** Informers a cap refused to the last use() that named them: a read does not open them either. */
  private readonly refusedIds = new Set<string>();

  constructor(
    private readonly source: InformerSource,
    private readonly limits: WatchLimits = watchLimitDefaults,
    private readonly metrics?: WatchMetrics,
  ) {}

  /** Call right before a delivery writes the object (its event then re-runs nothing). */
  beginWrite(resource: ResourceType, namespace: string, name: string): OwnWrite {
    return this.own.begin(objectKey(resource, namespace, name));
  }

  /** Where changes of watched objects go (the application controller's queue). */
  onChange(enqueue: (req: Request) => void): void {
    this.enqueue = enqueue;
  }

  /**
   * The object from its namespace's cache; not synced while that cache is
   * being listed, nor when no watch may be opened there (use() says why).
   */
  read(resource: ResourceType, namespace: string, name: string): CachedRead {
    const informer = this.informer(resource, namespace);
    if (!informer?.hasSynced()) return { synced: false };
    return { synced: true, object: informer.get(namespace, name) };
  }

  /** Whether the cache of the object's namespace is complete (started on first use). */
  synced(object: DeliveryObject): boolean {
    return this.informer(object.resource, object.namespace)?.hasSynced() ?? false;
  }

  /**
   * Records the objects one Depot Application delivers to now (replacing
   * what it used before), and returns the objects refused a watch (by
   * watchKey) with the reason; those are neither watched nor used.
   */
  use(app: Request, objects: readonly DeliveryObject[]): Map<string, string> {
    const appKey = `${app.namespace}/${app.name}`;
    const refused = this.refusals(app, objects);
    const admitted = objects.filter((o) => !refused.has(watchKey(o)));
    const keys = new Set(admitted.map(watchKey));
    for (const o of admitted) this.informer(o.resource, o.namespace);
    // Added before the old ones are dropped: moving within a namespace keeps its informer.
    for (const key of keys) this.addUser(key, appKey);
    const before = this.uses.get(appKey) ?? new Set<string>();
    for (const old of before) if (!keys.has(old)) this.dropUser(old, appKey);
    this.countTenant(app.namespace, before, -1);
    this.countTenant(app.namespace, keys, 1);
    if (keys.size > 0) this.uses.set(appKey, keys);
    else this.uses.delete(appKey);
    for (const id of this.unclaimed) {
      this.unclaimed.delete(id);
      if (!this.usedObjects.has(id)) this.release(id);
    }
    this.metrics?.setOpen(this.informers.size);
    return refused;
  }

  forget(app: Request): void {
    this.use(app, []);
  }

  /**
   * Which of an application's objects would open a watch over a cap. The
   * tenant's count is the informers of the other Applications of its
   * namespace plus those this one admits (its old ones are being replaced).
   */
  private refusals(app: Request, objects: readonly DeliveryObject[]): Map<string, string> {
    const refused = new Map<string, string>();
    const appKey = `${app.namespace}/${app.name}`;
    const own = informersOf(this.uses.get(appKey) ?? []);
    const tenant = new Set<string>();
    for (const [id, apps] of this.tenantInformers.get(app.namespace) ?? [])
      if (apps > (own.has(id) ? 1 : 0)) tenant.add(id);
    const opening = new Set<string>();
    for (const o of objects) {
      const id = informerKey(o.resource, o.namespace);
      const refusal = this.refusal(o, id, tenant, opening, app.namespace);
      if (refusal) {
        refused.set(watchKey(o), refusal.message);
        this.refusedIds.add(id);
        this.metrics?.refused(refusal.limit);
        continue;
      }
      this.refusedIds.delete(id);
      tenant.add(id);
      if (!this.informers.has(id)) opening.add(id);
    }
    return refused;
  }

  private refusal(
    o: DeliveryObject,
    id: string,
    tenant: ReadonlySet<string>,
    opening: ReadonlySet<string>,
    namespace: string,
  ): { limit: WatchRefusal; message: string } | undefined {
    if (!matchesFormat(namespaceName, o.namespace))
      return {
        limit: 'invalid-namespace',
        message: `not watched: "${o.namespace}" ${namespaceName.message}`,
      };
    if (!tenant.has(id) && tenant.size >= this.limits.perNamespace)
      return {
        limit: 'per-namespace',
        message: `not watched: the Applications of namespace ${namespace} already deliver to ${this.limits.perNamespace} kinds and namespaces, the most --max-delivery-watches-per-namespace allows; ${described(o)} would be one more`,
      };
    if (
      !this.informers.has(id) &&
      !opening.has(id) &&
      this.informers.size + opening.size >= this.limits.total
    )
      return {
        limit: 'total',
        message: `not watched: Depot already watches ${this.limits.total} kinds and namespaces for deliveries, the most --max-delivery-watches allows; ${described(o)} would be one more`,
      };
    return undefined;
  }

  /** Counts (delta 1) or uncounts (-1) an Application's informers in its tenant namespace. */
  private countTenant(namespace: string, keys: Iterable<string>, delta: 1 | -1): void {
    let counts = this.tenantInformers.get(namespace);
    if (!counts) this.tenantInformers.set(namespace, (counts = new Map()));
    for (const id of informersOf(keys)) {
      const n = (counts.get(id) ?? 0) + delta;
      if (n > 0) counts.set(id, n);
      else counts.delete(id);
    }
    if (counts.size === 0) this.tenantInformers.delete(namespace);
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
    this.metrics?.setOpen(this.informers.size);
  }

  /** The namespace's informer, opened on first use unless no watch may be opened there. */
  private informer(resource: ResourceType, namespace: string): SharedInformer | undefined {
    const id = informerKey(resource, namespace);
    const known = this.informers.get(id);
    if (known) return known.informer;
    const refused = this.refusedIds.has(id) || !matchesFormat(namespaceName, namespace);
    if (refused || this.informers.size >= this.limits.total) return undefined;
    const informer = this.source.informer(resource, selectorOf(namespace));
    if (!this.usedObjects.has(id)) this.unclaimed.add(id);
    informer.on((event) => {
      const { object } = event;
      const key = objectKey(resource, object.metadata?.namespace ?? '', object.metadata?.name ?? '');
      if (this.own.admit(key, event)) this.notifyUsers(key);
    });
    // Synced: every application waiting for this namespace's cache runs (also those whose object is missing).
    const prefix = `${id}/`;
    void informer.waitForSync().then((synced) => {
      if (!synced || this.informers.get(id)?.informer !== informer) return;
      for (const [key, apps] of this.users)
        if (key.startsWith(prefix)) for (const app of apps) this.notify(app);
    });
    this.informers.set(id, { informer, resource, namespace });
    this.metrics?.setOpen(this.informers.size);
    return informer;
  }

  private notifyUsers(key: string): void {
    for (const appKey of this.users.get(key) ?? []) this.notify(appKey);
  }

  private notify(appKey: string): void {
    const slash = appKey.indexOf('/');
    this.enqueue?.({ namespace: appKey.slice(0, slash), name: appKey.slice(slash + 1) });
  }
}
