// A small JSON client for any resource, core group included, on client-node's
// own transport and credentials. Objects go in and come out as plain JSON:
// client-node's typed models would turn timestamps into Date objects and drop
// unknown keys, and CustomObjectsApi cannot address the core group (/api/v1).
import { HttpMethod, RequestContext } from './client-node.js';
import { KubeApiError, isNotFound } from './errors.js';
import type { ApiTransport } from './transport.js';
import { apiVersionOf, resourcePath, type KubeObject, type ResourceType } from './resource.js';

export interface ObjectList<T> {
  apiVersion?: string;
  kind?: string;
  metadata: { resourceVersion?: string; continue?: string };
  items: T[];
}

export type PatchType = 'merge' | 'apply' | 'json';

const contentTypes: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  apply: 'application/apply-patch+yaml',
  json: 'application/json-patch+json',
};

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size; the client follows `continue` tokens until the end. */
  limit?: number;
}

export interface PatchOptions {
  type: PatchType;
  fieldManager?: string;
  /** Server-side apply only: take over fields owned by other managers. */
  force?: boolean;
  subresource?: 'status';
  /** Strict: the API server refuses a patch that names a field the schema does not have (instead of dropping it). */
  fieldValidation?: 'Strict';
}

/** The requests writers make: KubeClient, or testing/'s in-memory API for reconcile tests. */
export type KubeApi = Pick<KubeClient, 'get' | 'list' | 'create' | 'replace' | 'patch' | 'delete'>;

export class KubeClient {
  constructor(private readonly transport: ApiTransport) {}

  async list<T extends KubeObject>(resource: ResourceType, opts: ListOptions = {}): Promise<ObjectList<T>> {
    const items: T[] = [];
    let cont: string | undefined;
    let first: ObjectList<T> | undefined;
    do {
      const query: Record<string, string | undefined> = {
        labelSelector: opts.labelSelector,
        fieldSelector: opts.fieldSelector,
        limit: String(opts.limit ?? 500),
        continue: cont,
      };
      const page = await this.request<ObjectList<T>>(
        HttpMethod.GET,
        resourcePath(resource, { namespace: opts.namespace }),
        { query },
      );
      first ??= page;
      items.push(...(page.items ?? []));
      cont = page.metadata?.continue || undefined;
    } while (cont);
    // List items carry no kind/apiVersion for built-in types; add them so
    // cached objects look the same whether they came from a list or a watch.
    for (const item of items) {
      item.apiVersion ??= apiVersionOf(resource);
      item.kind ??= resource.kind;
    }
    return { ...first!, metadata: { resourceVersion: first!.metadata?.resourceVersion }, items };
  }

  /** The object, or undefined when it does not exist. */
  async get<T extends KubeObject>(
    resource: ResourceType,
    namespace: string,
    name: string,
  ): Promise<T | undefined> {
    try {
      return await this.request<T>(HttpMethod.GET, resourcePath(resource, { namespace, name }));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async create<T extends KubeObject>(
    resource: ResourceType,
    obj: KubeObject,
    opts: { fieldManager?: string } = {},
  ): Promise<T> {
    return this.request<T>(HttpMethod.POST, resourcePath(resource, { namespace: obj.metadata?.namespace }), {
      body: JSON.stringify(obj),
      query: { fieldManager: opts.fieldManager },
    });
  }

  /** PUT: the object must carry metadata.resourceVersion (optimistic concurrency). */
  async replace<T extends KubeObject>(
    resource: ResourceType,
    obj: KubeObject,
    opts: { fieldManager?: string; subresource?: 'status' } = {},
  ): Promise<T> {
    const path = resourcePath(resource, {
      namespace: obj.metadata?.namespace,
      name: obj.metadata?.name,
      subresource: opts.subresource,
    });
    return this.request<T>(HttpMethod.PUT, path, {
      body: JSON.stringify(obj),
      query: { fieldManager: opts.fieldManager },
    });
  }

  async patch<T extends KubeObject>(
    resource: ResourceType,
    namespace: string,
    name: string,
    body: unknown,
    opts: PatchOptions,
  ): Promise<T> {
    if (opts.type === 'apply' && !opts.fieldManager)
      throw new Error('server-side apply needs a field manager');
    return this.request<T>(
      HttpMethod.PATCH,
      resourcePath(resource, { namespace, name, subresource: opts.subresource }),
      {
        body: JSON.stringify(body),
        contentType: contentTypes[opts.type],
        query: {
          fieldManager: opts.fieldManager,
          force: opts.type === 'apply' && opts.force ? 'true' : undefined,
          fieldValidation: opts.fieldValidation,
        },
      },
    );
  }

  async delete(
    resource: ResourceType,
    namespace: string,
    name: string,
    opts: { resourceVersion?: string } = {},
  ): Promise<void> {
    const body = opts.resourceVersion
      ? JSON.stringify({ preconditions: { resourceVersion: opts.resourceVersion } })
      : undefined;
    try {
      await this.request(HttpMethod.DELETE, resourcePath(resource, { namespace, name }), { body });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private async request<T>(
    method: HttpMethod,
    path: string,
    opts: { body?: string; contentType?: string; query?: Record<string, string | undefined> } = {},
  ): Promise<T> {
    const server = this.transport.kubeConfig.getCurrentCluster()?.server;
    if (!server) throw new Error('the kubeconfig has no current cluster');
    const ctx = new RequestContext(`${server.replace(/\/$/, '')}${path}`, method);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) ctx.setQueryParam(k, v);
    ctx.setHeaderParam('Accept', 'application/json');
    if (opts.body !== undefined) {
      ctx.setHeaderParam('Content-Type', opts.contentType ?? 'application/json');
      ctx.setBody(opts.body);
    }
    await this.transport.authenticate(ctx);
    const res = await this.transport.http.send(ctx).toPromise();
    const text = await res.body.text();
    if (res.httpStatusCode >= 200 && res.httpStatusCode < 300) return (text ? JSON.parse(text) : {}) as T;
    throw toApiError(res.httpStatusCode, text, `${method} ${path}`);
  }
}

function toApiError(code: number, text: string, what: string): KubeApiError {
  try {
    const status = JSON.parse(text) as { message?: string; reason?: string };
    return new KubeApiError(code, status.message ?? `${what}: HTTP ${code}`, status.reason);
  } catch {
    return new KubeApiError(code, `${what}: HTTP ${code}${text ? `: ${text.slice(0, 200)}` : ''}`);
  }
}
