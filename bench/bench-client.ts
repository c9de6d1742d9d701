// The harness's own requests, made with @kubernetes/client-node like any
// client (never with Depot's code), and counted by verb and resource so a
// scenario can tell its own requests from the operator's.
import { request as httpsRequest, type RequestOptions } from 'node:https';
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { RequestCount } from './request-accounting.js';

export const DEPOT_GROUP = 'depot.sh';
export const DEPOT_VERSION = 'v1alpha1';

/** A Depot object as plain JSON. */
export interface DepotObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    resourceVersion?: string;
    generation?: number;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

interface ObjectList {
  metadata?: { resourceVersion?: string; continue?: string };
  items: DepotObject[];
}

/** Adds what an API error says to the message, with the object it was about. */
export function describeError(what: string, err: unknown): Error {
  const e = err as { code?: unknown; body?: unknown; message?: string };
  let detail = e?.message ?? String(err);
  if (typeof e?.code === 'number') {
    let body: { message?: string } | undefined;
    try {
      body = typeof e.body === 'string' ? (JSON.parse(e.body) as { message?: string }) : undefined;
    } catch {
      body = undefined;
    }
    detail = `HTTP ${e.code}${body?.message ? `: ${body.message}` : ''}`;
  }
  const wrapped = new Error(`${what}: ${detail}`, { cause: err });
  // Keep the code and headers so a retry decision still sees them.
  Object.assign(wrapped, { code: e?.code, headers: (err as { headers?: unknown })?.headers });
  return wrapped;
}

export class BenchClient {
  readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;
  private readonly counts = new Map<string, RequestCount>();

  constructor(readonly kc: KubeConfig) {
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.core = kc.makeApiClient(CoreV1Api);
  }

  /** Requests this client sent so far, by verb and resource (retries included). */
  requestCounts(): RequestCount[] {
    return [...this.counts.values()].map((c) => ({ ...c }));
  }

  /** Counts a request the way the API server labels it. */
  count(verb: string, resource: string, subresource = '', group = DEPOT_GROUP): void {
    const key = [verb, group, resource, subresource].join('|');
    const c = this.counts.get(key);
    if (c) c.count++;
    else this.counts.set(key, { verb, group, resource, subresource, code: '', count: 1 });
  }

  async createNamespace(name: string): Promise<void> {
    this.count('POST', 'namespaces', '', '');
    try {
      await this.core.createNamespace({ body: { metadata: { name } } });
    } catch (err) {
      throw describeError(`creating Namespace ${name}`, err);
    }
  }

  async create(plural: string, namespace: string, body: DepotObject): Promise<DepotObject> {
    this.count('POST', plural);
    try {
      return (await this.custom.createNamespacedCustomObject({
        group: DEPOT_GROUP,
        version: DEPOT_VERSION,
        namespace,
        plural,
        body,
        fieldManager: 'depot-bench',
      })) as DepotObject;
    } catch (err) {
      throw describeError(`creating ${plural}/${namespace}/${body.metadata.name}`, err);
    }
  }

  /** Server-side apply with its own field manager, as CI's `depot set-version` does. */
  async apply(
    plural: string,
    namespace: string,
    name: string,
    body: unknown,
    fieldManager: string,
  ): Promise<void> {
    this.count('APPLY', plural);
    try {
      await this.custom.patchNamespacedCustomObject(
        {
          group: DEPOT_GROUP,
          version: DEPOT_VERSION,
          namespace,
          plural,
          name,
          body,
          fieldManager,
          force: true,
        },
        setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
      );
    } catch (err) {
      throw describeError(`applying ${plural}/${namespace}/${name}`, err);
    }
  }

  /** A JSON merge patch of the status subresource. */
  async mergePatchStatus(plural: string, namespace: string, name: string, body: unknown): Promise<void> {
    this.count('PATCH', plural, 'status');
    try {
      await this.custom.patchNamespacedCustomObjectStatus(
        { group: DEPOT_GROUP, version: DEPOT_VERSION, namespace, plural, name, body },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    } catch (err) {
      throw describeError(`patching the status of ${plural}/${namespace}/${name}`, err);
    }
  }

  async get(plural: string, namespace: string, name: string): Promise<DepotObject> {
    this.count('GET', plural);
    try {
      return (await this.custom.getNamespacedCustomObject({
        group: DEPOT_GROUP,
        version: DEPOT_VERSION,
        namespace,
        plural,
        name,
      })) as DepotObject;
    } catch (err) {
      throw describeError(`reading ${plural}/${namespace}/${name}`, err);
    }
  }

  async delete(plural: string, namespace: string, name: string): Promise<void> {
    this.count('DELETE', plural);
    try {
      await this.custom.deleteNamespacedCustomObject({
        group: DEPOT_GROUP,
        version: DEPOT_VERSION,
        namespace,
        plural,
        name,
      });
    } catch (err) {
      throw describeError(`deleting ${plural}/${namespace}/${name}`, err);
    }
  }

  /** Every object of a kind in a namespace, in pages of 500 (one LIST request per page). */
  async list(plural: string, namespace: string): Promise<{ items: DepotObject[]; resourceVersion: string }> {
    const items: DepotObject[] = [];
    let cont: string | undefined;
    let resourceVersion = '';
    do {
      this.count('LIST', plural);
      let page: ObjectList;
      try {
        page = (await this.custom.listNamespacedCustomObject({
          group: DEPOT_GROUP,
          version: DEPOT_VERSION,
          namespace,
          plural,
          limit: 500,
          _continue: cont,
        })) as ObjectList;
      } catch (err) {
        throw describeError(`listing ${plural} in ${namespace}`, err);
      }
      items.push(...page.items);
      resourceVersion ||= page.metadata?.resourceVersion ?? '';
      cont = page.metadata?.continue || undefined;
    } while (cont);
    return { items, resourceVersion };
  }

  /** GET of a path that is not a resource (/metrics, /version), with the kubeconfig's credentials. */
  async getRaw(path: string, timeoutMs = 30_000): Promise<string> {
    const server = this.kc.getCurrentCluster()?.server;
    if (!server) throw new Error('the kubeconfig has no current cluster');
    const url = new URL(path, server);
    const opts: RequestOptions = { method: 'GET', timeout: timeoutMs };
    await this.kc.applyToHTTPSOptions(opts);
    return new Promise((resolve, reject) => {
      const req = httpsRequest(url, opts, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode === 200) resolve(body);
          else reject(new Error(`GET ${path}: HTTP ${res.statusCode}: ${body.slice(0, 200)}`));
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer within ${timeoutMs / 1000}s`)));
      req.on('error', reject);
      req.end();
    });
  }
}
