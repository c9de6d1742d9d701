// The one client of Depot's objects for everything that is not a controller (CLI, demo,
// dashboard): loads the kubeconfig like kubectl, reads Depot's kinds through the operator's
// transport (parsed, defaulted, tolerant of a newer Depot), is the live port of the actions
// (src/actions: every write goes there), and turns API errors into one actionable line.
import { KubeConfig } from '../kube/client-node.js';
import { ApplicationSchema, type Application } from '../api/application.js';
import { GROUP } from '../api/group.js';
import { Applications } from '../api/resources.js';
import { parseTolerant } from '../api/tolerant.js';
import type { ActionContext, ActionPort, PatchRequest } from '../actions/port.js';
import { explainApiError, isConflict, statusCodeOf } from '../kube/errors.js';
import { realClock } from '../kube/clock.js';
import { ApiTransport } from '../kube/transport.js';
import { KubeClient } from '../kube/client.js';
import type { KubeObject, ResourceType } from '../kube/resource.js';

// Sent as plain JSON: client-node's AuthenticationV1Api would load the model of every kind.
const SelfSubjectReviews: ResourceType = {
  group: 'authentication.k8s.io',
  version: 'v1',
  plural: 'selfsubjectreviews',
  kind: 'SelfSubjectReview',
  namespaced: false,
};
interface SelfSubjectReview extends KubeObject {
  status?: { userInfo?: { username?: string } };
}

/** A failure explained in one line (the CLI prints it as it is). */
export class DepotClientError extends Error {}

export interface ConnectOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
}

/**
 * The kubeconfig like kubectl: --kubeconfig, else KUBECONFIG, ~/.kube/config
 * or in-cluster; the one loader of the CLI, the agent and the operator.
 */
export function loadKubeConfig(opts: Omit<ConnectOptions, 'namespace'> = {}): KubeConfig {
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
      'no cluster to connect to: pass --kubeconfig, set KUBECONFIG, run inside a cluster, or try `depot local up`',
    );
  return kc;
}

export class DepotClient {
  private user: string | undefined;
  private reviewed: string | undefined;

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

  /** One object as the API server has it (printing it as it is: `-o yaml`). */
  async get<T extends KubeObject>(resource: ResourceType, name: string): Promise<T> {
    const obj = await this.port.get(resource, this.namespace, name);
    if (!obj)
      throw new DepotClientError(`${singular(resource)} "${name}" not found in namespace ${this.namespace}`);
    return obj as T;
  }

  async list<T extends KubeObject>(resource: ResourceType): Promise<T[]> {
    return (await this.port.list(resource, this.namespace)) as T[];
  }

  /** The application parsed and defaulted; what a newer Depot added and this one does not know is left out. */
  async application(name: string): Promise<Application> {
    const raw = await this.get(Applications, name);
    const parsed = parseTolerant(ApplicationSchema, raw);
    if (parsed.ok) return parsed.value;
    const p = parsed.problems[0]!;
    throw new DepotClientError(
      `application "${name}" cannot be read: ${p.path ? `${p.path}: ` : ''}${p.message}`,
    );
  }

  /** Every application that parses (one that does not is the operator's to report). */
  async applications(): Promise<Application[]> {
    const out: Application[] = [];
    for (const raw of await this.list(Applications)) {
      const parsed = parseTolerant(ApplicationSchema, raw);
      if (parsed.ok) out.push(parsed.value);
    }
    return out;
  }

  /** The caller's user name, from a SelfSubjectReview (what the API server authenticated). */
  async userName(): Promise<string> {
    if (this.user) return this.user;
    try {
      return await this.authenticatedUserName();
    } catch {
      this.user = process.env.USER ?? 'unknown';
    }
    return this.user;
  }

  /**
   * The user name the API server authenticated for these credentials (a
   * SelfSubjectReview, authentication.k8s.io/v1), or a one-line error: an
   * approval names its approver, which must never be a guess.
   */
  async authenticatedUserName(): Promise<string> {
    if (this.reviewed) return this.reviewed;
    let username: string | undefined;
    try {
      const review = await new KubeClient(this.transport).create<SelfSubjectReview>(SelfSubjectReviews, {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'SelfSubjectReview',
      });
      username = review.status?.userInfo?.username;
    } catch (err) {
      if (statusCodeOf(err) === 404)
        throw new DepotClientError(
          'the API server does not serve SelfSubjectReview (authentication.k8s.io/v1, Kubernetes 1.28 and later), so it cannot say who you are',
        );
      throw new DepotClientError(
        explainApiError(err, {
          what: 'cannot learn who you are (SelfSubjectReview)',
          resource: 'selfsubjectreviews.authentication.k8s.io',
          named: false,
          namespace: this.namespace,
          server: this.kubeConfig.getCurrentCluster()?.server,
        }),
      );
    }
    if (!username)
      throw new DepotClientError(
        'the API server did not say who you are (SelfSubjectReview has no username)',
      );
    this.reviewed = username;
    this.user = username;
    return username;
  }

  /**
   * Who acts and where, for the actions (src/actions): writes are made as this
   * kubeconfig's user; `authenticated` refuses to fall back to $USER.
   */
  async actionContext(opts: { authenticated?: boolean } = {}): Promise<ActionContext> {
    const user = opts.authenticated ? await this.authenticatedUserName() : await this.userName();
    return { port: this.port, namespace: this.namespace, user, now: () => new Date() };
  }

  /** The actions' port on the live API server: every read is fresh; 409 stays as it is for their retry. */
  readonly port: ActionPort = {
    get: (resource, namespace, name) =>
      this.explained(resource, name, () => this.client.get(resource, namespace, name)),
    list: (resource, namespace) =>
      this.explained(
        resource,
        undefined,
        async () => (await this.client.list(resource, { namespace })).items,
      ),
    apply: (resource, namespace, name, body, fieldManager) =>
      this.explained(resource, name, async () => {
        await this.client.patch(resource, namespace, name, body, {
          type: 'apply',
          fieldManager,
          force: true,
        });
      }),
    patch: (resource, namespace, name, body, opts: PatchRequest) =>
      this.explained(resource, name, async () => {
        await this.client.patch(resource, namespace, name, body, opts);
      }),
  };

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
