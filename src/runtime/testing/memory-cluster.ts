// In-memory parts for reconcile-level tests, as kubebuilder's tests call
// Reconcile directly: a store behind shared informers, a KubeApi that applies
// writes to it and records them, and a recording Event sink. A reconcile runs
// against them exactly as in the operator, without a cluster; the integration
// tests run the same controllers against a real API server.
import { KubeApiError } from '../../kube/errors.js';
import type { EventSink } from '../events.js';
import type { InformerSelector, InformerSource } from '../informer-factory.js';
import type { InformerHandler, SharedInformer } from '../informer.js';
import type { ObjectList, PatchOptions } from '../../kube/client.js';
import { isPlainObject, type JsonObject } from '../../kube/json.js';
import { resourceId, type KubeObject, type ResourceType } from '../../kube/resource.js';
import type { PendingWrite } from '../write-overlay.js';

const keyOf = (namespace: string | undefined, name: string) => (namespace ? `${namespace}/${name}` : name);

class MemoryInformer<T extends KubeObject> implements SharedInformer<T> {
  readonly objects = new Map<string, T>();
  private readonly handlers = new Set<InformerHandler<T>>();
  private readonly indexes = new Map<string, (obj: T) => string[]>();

  constructor(readonly resource: ResourceType) {}

  hasSynced(): boolean {
    return true;
  }
  async waitForSync(): Promise<boolean> {
    return true;
  }
  on(handler: InformerHandler<T>): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }
  get(namespace: string, name: string): T | undefined {
    return this.objects.get(keyOf(this.resource.namespaced ? namespace : undefined, name));
  }
  list(namespace?: string): T[] {
    return [...this.objects.values()].filter((o) => !namespace || o.metadata?.namespace === namespace);
  }
  addIndex(name: string, fn: (obj: T) => string[]): void {
    this.indexes.set(name, fn);
  }
  byIndex(name: string, value: string): T[] {
    const fn = this.indexes.get(name);
    if (!fn) throw new Error(`no index ${name} on ${resourceId(this.resource)}`);
    return [...this.objects.values()].filter((o) => fn(o).includes(value));
  }
  beginWrite(): PendingWrite<T> {
    // The store is written synchronously: reads already see every write.
    return { finish: () => undefined, abandon: () => undefined };
  }

  put(obj: T): void {
    // Cached objects are read-only, and so are their parsed forms, which share
    // parts with them (runtime/structural-sharing.ts): frozen, a reconcile that
    // modifies one fails its test.
    deepFreeze(obj);
    const key = keyOf(obj.metadata?.namespace, obj.metadata!.name!);
    const type = this.objects.has(key) ? 'update' : 'add';
    this.objects.set(key, obj);
    for (const h of this.handlers) h({ type, object: obj });
  }
  remove(namespace: string | undefined, name: string): T | undefined {
    const key = keyOf(namespace, name);
    const obj = this.objects.get(key);
    if (!obj) return undefined;
    this.objects.delete(key);
    for (const h of this.handlers) h({ type: 'delete', object: obj });
    return obj;
  }
}

export interface RecordedWrite {
  verb: 'create' | 'replace' | 'patch' | 'delete';
  resource: string;
  namespace: string;
  name: string;
  patchType?: PatchOptions['type'];
  subresource?: 'status';
  fieldManager?: string;
  body?: unknown;
}

export interface RecordedEvent {
  type: 'Normal' | 'Warning';
  object: string;
  reason: string;
  note: string;
}

/** A namespace's worth of objects, with the informers, API and Event sink a reconcile uses. */
export class MemoryCluster implements InformerSource {
  readonly writes: RecordedWrite[] = [];
  readonly events: RecordedEvent[] = [];
  private readonly informers = new Map<string, MemoryInformer<KubeObject>>();
  private version = 1;
  /** Like etcd's request limit: a patched object larger than this (JSON bytes) is refused with 500. */
  maxObjectBytes = Infinity;

  informer<T extends KubeObject = KubeObject>(
    resource: ResourceType,
    _selector?: InformerSelector,
  ): SharedInformer<T> {
    return this.informerFor(resource) as unknown as SharedInformer<T>;
  }

  /** What release() was asked for, as `<group>/<plural> <namespaces>` (the store itself stays: it is the cluster). */
  readonly released: string[] = [];

  release(resource: ResourceType, selector: InformerSelector = {}): void {
    this.released.push(`${resource.group}/${resource.plural} ${(selector.namespaces ?? []).join(',')}`);
  }

  /** The groups of every resource anything asked an informer for (what the code under test reads). */
  informedGroups(): string[] {
    return [...new Set([...this.informers.values()].map((i) => i.resource.group))];
  }

  informersOf(resource: ResourceType): SharedInformer[] {
    return [this.informerFor(resource)];
  }

  /** Puts objects in the store as they are (a test's setup), with a resourceVersion and generation. */
  add(resource: ResourceType, ...objects: KubeObject[]): void {
    for (const obj of objects) this.store(resource, structuredClone(obj), true);
  }

  get<T extends KubeObject>(resource: ResourceType, namespace: string, name: string): T | undefined {
    return this.informerFor(resource).get(namespace, name) as T | undefined;
  }

  /** The API reconciles write through (KubeApi). */
  readonly api = {
    get: async <T extends KubeObject>(resource: ResourceType, namespace: string, name: string) =>
      structuredClone(this.get<T>(resource, namespace, name)),
    list: async <T extends KubeObject>(resource: ResourceType, opts: { namespace?: string } = {}) =>
      ({
        items: structuredClone(this.informerFor(resource).list(opts.namespace)),
      }) as unknown as ObjectList<T>,
    create: async <T extends KubeObject>(
      resource: ResourceType,
      obj: KubeObject,
      opts: { fieldManager?: string } = {},
    ) => {
      this.record({ verb: 'create', resource, obj, fieldManager: opts.fieldManager, body: obj });
      return structuredClone(this.store(resource, structuredClone(obj), true)) as T;
    },
    replace: async <T extends KubeObject>(resource: ResourceType, obj: KubeObject) => {
      this.record({ verb: 'replace', resource, obj, body: obj });
      return structuredClone(this.store(resource, structuredClone(obj), false)) as T;
    },
    patch: async <T extends KubeObject>(
      resource: ResourceType,
      namespace: string,
      name: string,
      body: unknown,
      opts: PatchOptions,
    ) => {
      this.writes.push({
        verb: 'patch',
        resource: resource.plural,
        namespace,
        name,
        patchType: opts.type,
        subresource: opts.subresource,
        fieldManager: opts.fieldManager,
        body: structuredClone(body),
      });
      const current = this.get(resource, namespace, name);
      if (!current && opts.type !== 'apply')
        throw new KubeApiError(404, `${resource.plural} "${name}" not found`, 'NotFound');
      const expected = (body as KubeObject | undefined)?.metadata?.resourceVersion;
      if (current && expected && opts.type !== 'json' && expected !== current.metadata?.resourceVersion)
        throw new KubeApiError(
          409,
          `the object has been modified; please apply your changes to the latest version`,
          'Conflict',
        );
      const next = applyPatch(structuredClone(current ?? { metadata: { name, namespace } }), body, opts);
      if (Buffer.byteLength(JSON.stringify(next)) > this.maxObjectBytes)
        throw new KubeApiError(500, 'etcdserver: request is too large', 'InternalError');
      return structuredClone(this.store(resource, next, !current)) as T;
    },
    delete: async (resource: ResourceType, namespace: string, name: string) => {
      this.writes.push({ verb: 'delete', resource: resource.plural, namespace, name });
      this.informerFor(resource).remove(namespace, name);
    },
  };

  /** Records Events as they are sent (EventSink). */
  readonly eventSink: EventSink = {
    normal: (obj, reason, note) =>
      this.events.push({ type: 'Normal', object: objectName(obj), reason, note }),
    warning: (obj, reason, note) =>
      this.events.push({ type: 'Warning', object: objectName(obj), reason, note }),
  };

  private informerFor(resource: ResourceType): MemoryInformer<KubeObject> {
    const id = resourceId(resource);
    let informer = this.informers.get(id);
    if (!informer) this.informers.set(id, (informer = new MemoryInformer(resource)));
    return informer;
  }

  private store(resource: ResourceType, obj: KubeObject, created: boolean): KubeObject {
    const before = this.get(resource, obj.metadata?.namespace ?? '', obj.metadata!.name!);
    const specChanged = !before || JSON.stringify(before.spec) !== JSON.stringify(obj.spec);
    obj.metadata = {
      ...obj.metadata,
      resourceVersion: String(++this.version),
      generation: (before?.metadata?.generation ?? (created ? 0 : 1)) + (specChanged ? 1 : 0),
    };
    this.informerFor(resource).put(obj);
    return obj;
  }

  private record(w: {
    verb: RecordedWrite['verb'];
    resource: ResourceType;
    obj: KubeObject;
    fieldManager?: string;
    body?: unknown;
  }) {
    this.writes.push({
      verb: w.verb,
      resource: w.resource.plural,
      namespace: w.obj.metadata?.namespace ?? '',
      name: w.obj.metadata?.name ?? '',
      fieldManager: w.fieldManager,
      body: structuredClone(w.body),
    });
  }
}

const objectName = (obj: KubeObject) => `${obj.metadata?.namespace}/${obj.metadata?.name}`;

/** Merge patch (RFC 7386) and apply as a deep merge; JSON patch for test/add/replace/remove. */
function applyPatch(current: KubeObject, body: unknown, opts: PatchOptions): KubeObject {
  if (opts.type === 'json') return applyJsonPatch(current, body as JsonPatchOp[]);
  const patch = structuredClone(body) as JsonObject;
  if (isPlainObject(patch.metadata)) delete patch.metadata.resourceVersion;
  if (opts.subresource === 'status') return { ...current, status: mergePatch(current.status, patch.status) };
  // A write of the object itself never changes its status (the status subresource is separate).
  const rest = { ...patch };
  delete rest.status;
  return mergePatch(current, rest) as KubeObject;
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const out: JsonObject = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

interface JsonPatchOp {
  op: string;
  path: string;
  value?: unknown;
}

function applyJsonPatch(obj: KubeObject, ops: JsonPatchOp[]): KubeObject {
  const out = structuredClone(obj) as JsonObject;
  for (const op of ops) {
    const parts = op.path
      .split('/')
      .slice(1)
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = parts.pop()!;
    let parent: JsonObject = out;
    for (const p of parts) parent = (parent[p] ??= {}) as JsonObject;
    if (op.op === 'test' && JSON.stringify(parent[last]) !== JSON.stringify(op.value))
      throw new KubeApiError(422, `the test of ${op.path} failed`, 'Invalid');
    if (op.op === 'remove') delete parent[last];
    if (op.op === 'add' || op.op === 'replace') parent[last] = op.value;
  }
  return out as KubeObject;
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}
