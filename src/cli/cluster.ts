// What cluster commands share: the kubeconfig (like kubectl: --kubeconfig,
// KUBECONFIG, ~/.kube/config, in-cluster), the namespace, the caller's user
// name (for field managers and the audit trail) and typed access to Depot objects.
import {
  AuthenticationV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { Command } from 'commander';
import type { Application } from '../api/application.js';
import { GROUP as API_GROUP, VERSION as API_VERSION_NAME } from '../api/group.js';
import { UserError } from './errors.js';
import { apiErrorMessage as errorMessage } from '../runtime/api-errors.js';

export interface ClusterOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
}

export function addClusterOptions(cmd: Command): Command {
  return cmd
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context to use')
    .option('-n, --namespace <ns>', 'namespace (default: the context namespace, else default)');
}

export class Cluster {
  readonly objects: CustomObjectsApi;
  readonly namespace: string;
  private user: string | undefined;

  constructor(
    readonly kc: KubeConfig,
    namespace?: string,
  ) {
    this.objects = kc.makeApiClient(CustomObjectsApi);
    this.namespace = namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
  }

  static from(opts: ClusterOptions): Cluster {
    const kc = new KubeConfig();
    try {
      if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
      else kc.loadFromDefault();
    } catch (err) {
      throw new UserError(
        `cannot load kubeconfig${opts.kubeconfig ? ` ${opts.kubeconfig}` : ''}: ${(err as Error).message}`,
      );
    }
    if (opts.context) {
      if (!kc.getContextObject(opts.context))
        throw new UserError(`context "${opts.context}" is not in the kubeconfig`);
      kc.setCurrentContext(opts.context);
    }
    if (!kc.getCurrentCluster())
      throw new UserError(
        'no cluster in the kubeconfig: set KUBECONFIG or pass --kubeconfig (try `depot local up`)',
      );
    return new Cluster(kc, opts.namespace);
  }

  /** The caller's user name, from a SelfSubjectReview (what the API server authenticated). */
  async userName(): Promise<string> {
    if (this.user) return this.user;
    try {
      const review = await this.kc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
      });
      this.user = review.status?.userInfo?.username ?? 'unknown';
    } catch {
      this.user = process.env.USER ?? 'unknown';
    }
    return this.user;
  }

  async get<T>(plural: string, name: string): Promise<T> {
    try {
      return (await this.objects.getNamespacedCustomObject(this.ref(plural, name))) as T;
    } catch (err) {
      throw this.explain(err, plural, name);
    }
  }

  async list<T>(plural: string): Promise<T[]> {
    try {
      const res = (await this.objects.listNamespacedCustomObject(this.where(plural))) as { items: T[] };
      return res.items;
    } catch (err) {
      throw this.explain(err, plural);
    }
  }

  async application(name: string): Promise<Application> {
    return this.get<Application>('applications', name);
  }

  /** Server-side apply of a partial object, with the caller's field manager. */
  async apply(plural: string, name: string, body: object, fieldManager: string): Promise<void> {
    try {
      await this.objects.patchNamespacedCustomObject(
        { ...this.ref(plural, name), body, fieldManager, force: true },
        setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
      );
    } catch (err) {
      throw this.explain(err, plural, name);
    }
  }

  /** Merge patch of the status subresource with a resourceVersion precondition (409 on a race). */
  async patchStatus(plural: string, name: string, body: object, fieldManager: string): Promise<void> {
    await this.objects.patchNamespacedCustomObjectStatus(
      { ...this.ref(plural, name), body, fieldManager },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  /** Where a Depot object of this namespace lives, as CustomObjectsApi takes it. */
  private ref(plural: string, name: string) {
    return { ...this.where(plural), name };
  }

  private where(plural: string) {
    return { group: API_GROUP, version: API_VERSION_NAME, namespace: this.namespace, plural };
  }

  explain(err: unknown, plural: string, name?: string): Error {
    const code = (err as { code?: number }).code;
    const what = name ? `${plural.replace(/s$/, '')} "${name}"` : plural;
    if (code === 404 && name) return new UserError(`${what} not found in namespace ${this.namespace}`);
    if (code === 404)
      return new UserError(`the ${plural}.${API_GROUP} resource is not installed: apply crds/ first`);
    if (code === 401)
      return new UserError('the API server rejected the credentials of the current kubeconfig (401)');
    if (code === 403) return new UserError(`forbidden: ${errorMessage(err)}`);
    if (
      (err as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED' ||
      /ECONNREFUSED/.test(String(err))
    ) {
      return new UserError(
        `cannot reach the API server ${this.kc.getCurrentCluster()?.server}: connection refused`,
      );
    }
    return new UserError(`${what}: ${errorMessage(err)}`);
  }
}
