// The one client of Depot's objects for everything that is not a controller:
// the CLI, the demo, and later the HTTP API and the agent. It loads the
// kubeconfig like kubectl, reads and writes Depot's kinds through the same
// transport and JSON client as the operator, retries read-modify-writes on
// 409 Conflict, and turns API errors into one line a user can act on.
import { AuthenticationV1Api, KubeConfig } from '@kubernetes/client-node';
import type { Application } from '../api/application.js';
import { GROUP } from '../api/group.js';
import { Applications } from '../api/resources.js';
import { deployedReport, versionRequest, type VersionWriter } from '../core/version-writes.js';
import { explainApiError, isConflict } from '../kube/errors.js';
import { realClock } from '../kube/clock.js';
import { ApiTransport } from '../kube/transport.js';
import { KubeClient } from '../kube/client.js';
import type { KubeObject, ResourceType } from '../kube/resource.js';

/** A failure explained in one line (the CLI prints it as it is). */
export class DepotClientError extends Error {}

export interface ConnectOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
}

/** The kubeconfig like kubectl: --kubeconfig, else KUBECONFIG, ~/.kube/config or in-cluster. */
export function loadKubeConfig(opts: ConnectOptions = {}): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
    else kc.loadFromDefault();
  } catch (err) {
    throw new DepotClientError(
      `cannot load kubeconfig${opts.kubeconfig ? ` ${opts.kubeconfig}` : ''}: ${(err as Error).message}`,
    );
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context))
      throw new DepotClientError(`context "${opts.context}" is not in the kubeconfig`);
    kc.setCurrentContext(opts.context);
  }
  if (!kc.getCurrentCluster())
    throw new DepotClientError(
      'no cluster in the kubeconfig: set KUBECONFIG or pass --kubeconfig (try `depot local up`)',
    );
  return kc;
}

export class DepotClient {
  private user: string | undefined;

  constructor(
    readonly kubeConfig: KubeConfig,
    readonly namespace: string,
    private readonly client: KubeClient,
    private readonly transport: ApiTransport,
  ) {}

  static connect(opts: ConnectOptions = {}): DepotClient {
    const kc = loadKubeConfig(opts);
    return DepotClient.forKubeConfig(
      kc,
      opts.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default',
    );
  }

  static forKubeConfig(kc: KubeConfig, namespace: string): DepotClient {
    const transport = new ApiTransport({ kubeConfig: kc, clock: realClock });
    return new DepotClient(kc, namespace, new KubeClient(transport), transport);
  }

  async get<T extends KubeObject>(resource: ResourceType, name: string): Promise<T> {
    return this.explained(resource, name, async () => {
      const obj = await this.client.get<T>(resource, this.namespace, name);
      if (!obj)
        throw new DepotClientError(
          `${singular(resource)} "${name}" not found in namespace ${this.namespace}`,
        );
      return obj;
    });
  }

  async list<T extends KubeObject>(resource: ResourceType): Promise<T[]> {
    return this.explained(resource, undefined, async () => {
      const list = await this.client.list<T>(resource, { namespace: this.namespace });
      return list.items;
    });
  }

  application(name: string): Promise<Application> {
    return this.get<Application & KubeObject>(Applications, name);
  }

  /** The caller's user name, from a SelfSubjectReview (what the API server authenticated). */
  async userName(): Promise<string> {
    if (this.user) return this.user;
    try {
      const review = await new AuthenticationV1Api(this.transport.configuration()).createSelfSubjectReview({
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
      });
      this.user = review.status?.userInfo?.username ?? 'unknown';
    } catch {
      this.user = process.env.USER ?? 'unknown';
    }
    return this.user;
  }

  /**
   * Requests `version` of the application in `env` as `writer`: read, `check`
   * (which may refuse by throwing), then a guarded apply; again on 409.
   */
  async requestVersion(
    name: string,
    env: string,
    version: string,
    writer: VersionWriter,
    opts: { force?: boolean; check?: (app: Application) => void } = {},
  ): Promise<void> {
    await this.withConflictRetry(async () => {
      const app = await this.application(name);
      opts.check?.(app);
      await this.applyVersion(app, env, version, writer, opts);
    });
  }

  /**
   * One server-side apply of spec.versions[env] with the writer's field
   * manager, guarded by the resourceVersion `app` was read at (409 when it
   * changed: plan again on a fresh read).
   */
  async applyVersion(
    app: Application,
    env: string,
    version: string,
    writer: VersionWriter,
    opts: { force?: boolean } = {},
  ): Promise<void> {
    const name = app.metadata.name;
    const write = versionRequest({
      application: name,
      namespace: this.namespace,
      env,
      version,
      writer,
      force: opts.force,
      resourceVersion: app.metadata.resourceVersion,
    });
    await this.explained(Applications, name, () =>
      this.client.patch(Applications, this.namespace, name, write.body, {
        type: 'apply',
        fieldManager: write.fieldManager,
        force: true,
      }),
    );
  }

  /**
   * Server-side apply of `body` (the fields `fieldManager` owns). With
   * metadata.resourceVersion in `body` it is conditional (409 when changed).
   */
  async apply(resource: ResourceType, name: string, body: object, fieldManager: string): Promise<void> {
    await this.explained(resource, name, () =>
      this.client.patch(resource, this.namespace, name, body, { type: 'apply', fieldManager, force: true }),
    );
  }

  /** A JSON patch (RFC 6902); a failed `test` operation is explained as a change meanwhile. */
  async patchJson(
    resource: ResourceType,
    name: string,
    operations: object[],
    fieldManager: string,
  ): Promise<void> {
    await this.explained(resource, name, () =>
      this.client.patch(resource, this.namespace, name, operations, { type: 'json', fieldManager }),
    );
  }

  /** Reports that `target` runs `version` of the application (status.targets[].deployed). */
  async reportDeployed(name: string, target: string, version: string): Promise<void> {
    const user = await this.userName();
    await this.withConflictRetry(async () => {
      const app = await this.application(name);
      const report = deployedReport(app, target, version, user, new Date());
      if (!report.ok) throw new DepotClientError(report.message);
      await this.explained(Applications, name, () =>
        this.client.patch(Applications, this.namespace, name, report.patch, {
          type: 'merge',
          fieldManager: report.fieldManager,
          subresource: 'status',
        }),
      );
    });
  }

  /** Runs a read-modify-write again on 409 Conflict (another writer was faster). */
  async withConflictRetry<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
    for (let i = 1; ; i++) {
      try {
        return await fn();
      } catch (err) {
        if (!isConflict(err) || i >= attempts) throw err;
      }
    }
  }

  async close(): Promise<void> {
    await this.transport.pool.close();
  }

  /** Runs a request; API errors become one explained line, 409 stays as it is for the retry. */
  private async explained<T>(
    resource: ResourceType,
    name: string | undefined,
    fn: () => Promise<T>,
  ): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof DepotClientError || isConflict(err)) throw err;
      throw new DepotClientError(
        explainApiError(err, {
          what: name ? `${singular(resource)} "${name}"` : resource.plural,
          resource: `${resource.plural}.${GROUP}`,
          named: name !== undefined,
          namespace: this.namespace,
          server: this.kubeConfig.getCurrentCluster()?.server,
        }),
      );
    }
  }
}

const singular = (resource: ResourceType) => resource.kind.toLowerCase();
