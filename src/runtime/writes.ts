// Writes from controllers, each under its own field manager: apply() is
// server-side apply; update() is a merge patch of exactly what a mutation
// changed, guarded by resourceVersion (409: recompute from fresh state). Every
// write passes the leadership fence and is remembered by the caches. A 422, or
// a write refused as too large, is a TerminalError, not sent again while the
// patch would be the same.
import { isConflict, isNotFound, KubeApiError } from '../kube/errors.js';
import type { InformerSource } from './informer-factory.js';
import { createMergePatch, isPlainObject, isSubset, type JsonObject } from '../kube/json.js';
import type { KubeApi } from '../kube/client.js';
import { resourceId, type KubeObject, type ResourceType } from '../kube/resource.js';
import { RejectedWrites, TerminalError, terminalIfInvalid, terminalIfTooLarge } from './terminal-error.js';

export class NotLeaderError extends Error {
  constructor() {
    super(
      'this process is not the leader, or has not renewed its lease within the renew deadline: write refused',
    );
    this.name = 'NotLeaderError';
  }
}

export type JsonPatchOperation =
  { op: 'test' | 'add' | 'replace'; path: string; value: unknown } | { op: 'remove'; path: string };

/** A JSON pointer segment (RFC 6901): `force.depot.sh/prod` → `force.depot.sh~1prod`. */
export const jsonPointerSegment = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

export interface WriteResult<T> {
  written: boolean;
  object: T;
}

export interface ObjectWriterOptions {
  client: KubeApi;
  informers: InformerSource;
  fieldManager: string;
  /** Throws when this process may not write (leader election lost). */
  fence?: () => void;
  /** Attempts after 409 Conflict before giving up (default 5). */
  conflictRetries?: number;
}

export interface UpdateOptions {
  /** Patch only the status subresource (and compare only status). */
  subresource?: 'status';
  /** Decides that `before` and `after` need no write (default: structural equality of the patched part). */
  equal?: (before: unknown, after: unknown) => boolean;
  /** Attempts after 409 Conflict (default: the writer's); 0 throws the 409 to the caller. */
  conflictRetries?: number;
}

export class ObjectWriter {
  private readonly rejected = new RejectedWrites();

  constructor(private readonly opts: ObjectWriterOptions) {}

  get fieldManager(): string {
    return this.opts.fieldManager;
  }

  /**
   * Server-side apply. `obj` lists only the fields this writer owns. With
   * `current` (e.g. from the cache), nothing is sent when it already holds
   * them all: only safe when this writer never drops a field it set before.
   */
  async apply<T extends KubeObject>(
    resource: ResourceType,
    obj: KubeObject,
    opts: { force?: boolean; current?: KubeObject; subresource?: 'status' } = {},
  ): Promise<WriteResult<T>> {
    if (opts.current && isSubset(withoutIdentity(obj), opts.current))
      return { written: false, object: opts.current as T };
    const { namespace, name } = identity(obj);
    const key = RejectedWrites.key(resource, obj, opts.subresource);
    const repeated = this.rejected.check(key, obj);
    if (repeated) throw repeated;
    this.opts.fence?.();
    const written = await this.guarded(resource, obj, opts.subresource, key, obj, () =>
      this.tracked(resource, namespace, name, () =>
        this.opts.client.patch<T>(resource, namespace, name, obj, {
          type: 'apply',
          fieldManager: this.opts.fieldManager,
          force: opts.force ?? true,
          subresource: opts.subresource,
        }),
      ),
    );
    return { written: true, object: written };
  }

  /**
   * Applies `mutate` to a copy of `current` and merge-patches the difference.
   * On 409 Conflict the object is read again and `mutate` runs on the fresh copy.
   */
  async update<T extends KubeObject>(
    resource: ResourceType,
    current: T,
    mutate: (draft: T) => T | void,
    opts: UpdateOptions = {},
  ): Promise<WriteResult<T>> {
    const { namespace, name } = identity(current);
    const attempts = 1 + (opts.conflictRetries ?? this.opts.conflictRetries ?? 5);
    let base = current;
    for (let attempt = 1; ; attempt++) {
      const draft = structuredClone(base);
      const next = mutate(draft) ?? draft;
      const before = part(base, opts.subresource);
      const after = part(next, opts.subresource);
      const patch = opts.equal?.(before, after) ? undefined : createMergePatch(before, after);
      if (!patch) return { written: false, object: base };
      const key = RejectedWrites.key(resource, current, opts.subresource);
      const repeated = this.rejected.check(key, patch);
      if (repeated) throw repeated;
      const sent = structuredClone(patch);
      const rv = base.metadata?.resourceVersion;
      if (rv) sent.metadata = { ...(sent.metadata as JsonObject | undefined), resourceVersion: rv };
      this.opts.fence?.();
      try {
        const written = await this.guarded(resource, base, opts.subresource, key, patch, () =>
          this.tracked(resource, namespace, name, () =>
            this.opts.client.patch<T>(resource, namespace, name, sent, {
              type: 'merge',
              fieldManager: this.opts.fieldManager,
              subresource: opts.subresource,
            }),
          ),
        );
        return { written: true, object: written };
      } catch (err) {
        if (!isConflict(err) || attempt >= attempts) throw err;
        const fresh = await this.opts.client.get<T>(resource, namespace, name);
        if (!fresh)
          throw new KubeApiError(404, `${resourceId(resource)} ${namespace}/${name} was deleted`, 'NotFound');
        base = fresh;
      }
    }
  }

  /**
   * A JSON patch (RFC 6902) of the object. With a `test` operation first, the
   * patch applies only while the tested value holds (the API server answers
   * 422 otherwise), which makes a removal conditional on what was read.
   */
  async patchJson<T extends KubeObject>(
    resource: ResourceType,
    obj: KubeObject,
    operations: JsonPatchOperation[],
  ): Promise<T> {
    const { namespace, name } = identity(obj);
    this.opts.fence?.();
    return this.tracked(resource, namespace, name, () =>
      this.opts.client.patch<T>(resource, namespace, name, operations, {
        type: 'json',
        fieldManager: this.opts.fieldManager,
      }),
    );
  }

  /**
   * A merge patch of one object, e.g. one annotation (no resourceVersion guard
   * unless the body carries metadata.resourceVersion: use update() for that).
   * Strict field validation: a field the schema lacks is refused, not dropped.
   */
  async patchMerge<T extends KubeObject>(resource: ResourceType, obj: KubeObject, body: unknown): Promise<T> {
    const { namespace, name } = identity(obj);
    this.opts.fence?.();
    return this.tracked(resource, namespace, name, () =>
      this.opts.client.patch<T>(resource, namespace, name, body, {
        type: 'merge',
        fieldManager: this.opts.fieldManager,
        fieldValidation: 'Strict',
      }),
    );
  }

  async create<T extends KubeObject>(resource: ResourceType, obj: KubeObject): Promise<T> {
    this.opts.fence?.();
    return this.opts.client.create<T>(resource, obj, { fieldManager: this.opts.fieldManager });
  }

  /** Deletes the object if it still has the given resourceVersion (when given); absent is fine. */
  async delete(
    resource: ResourceType,
    obj: KubeObject,
    opts: { precondition?: boolean } = {},
  ): Promise<void> {
    const { namespace, name } = identity(obj);
    this.opts.fence?.();
    try {
      await this.opts.client.delete(resource, namespace, name, {
        resourceVersion: opts.precondition ? obj.metadata?.resourceVersion : undefined,
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /**
   * Runs a write; a 422 becomes a TerminalError and the patch (without its
   * resourceVersion) is remembered so the same write is not sent again.
   */
  private async guarded<T>(
    resource: ResourceType,
    obj: KubeObject,
    subresource: 'status' | undefined,
    key: string,
    patch: unknown,
    write: () => Promise<T>,
  ): Promise<T> {
    try {
      const written = await write();
      this.rejected.forget(key);
      return written;
    } catch (err) {
      const converted = terminalIfInvalid(
        terminalIfTooLarge(err, resource, obj, subresource, () => objectBytes(obj, patch)),
        resource,
        obj,
        subresource,
      );
      if (converted instanceof TerminalError) this.rejected.remember(key, patch, converted);
      throw converted;
    }
  }

  /** Runs a write so that the informer caches of the resource read it back at once. */
  private async tracked<T extends KubeObject>(
    resource: ResourceType,
    namespace: string,
    name: string,
    write: () => Promise<T>,
  ): Promise<T> {
    const pending = this.opts.informers.informersOf(resource).map((i) => i.beginWrite(namespace, name));
    try {
      const written = await write();
      for (const p of pending) p.finish(written);
      return written;
    } catch (err) {
      for (const p of pending) p.abandon();
      throw err;
    }
  }
}

function identity(obj: KubeObject): { namespace: string; name: string } {
  const name = obj.metadata?.name;
  if (!name) throw new Error('the object to write has no metadata.name');
  return { namespace: obj.metadata?.namespace ?? '', name };
}

/** What update() compares and patches: the status only, or everything but status. */
function part(obj: KubeObject, subresource: 'status' | undefined): JsonObject {
  if (subresource === 'status') return { status: obj.status ?? {} };
  const rest: KubeObject = { ...obj };
  delete rest.status;
  const metadata = { ...rest.metadata };
  delete metadata.resourceVersion;
  delete metadata.managedFields;
  return { ...rest, metadata };
}

function withoutIdentity(obj: KubeObject): KubeObject {
  const metadata = { ...obj.metadata };
  delete metadata.name;
  delete metadata.namespace;
  return { ...obj, metadata };
}

/** About how many bytes of JSON `obj` takes with `patch` merged in (a merge patch; else the two together). */
function objectBytes(obj: KubeObject, patch: unknown): number {
  const merged = isPlainObject(patch) ? mergePatched(obj, patch) : [obj, patch];
  return Buffer.byteLength(JSON.stringify(merged));
}

/** RFC 7386 applied to a copy. */
function mergePatched(target: unknown, patch: JsonObject): unknown {
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (isPlainObject(v)) out[k] = mergePatched(out[k], v);
    else out[k] = v;
  }
  return out;
}
