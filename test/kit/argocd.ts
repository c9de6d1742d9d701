// Argo CD Applications (the upstream CRD from ../shared/fixtures/crds/argocd) as the tests
// create them, and their status written the way Argo CD's application controller writes it
// (no Argo CD controller runs here). Field names: argoproj/argo-cd
// pkg/apis/application/v1alpha1/types.go (ApplicationStatus, SyncStatus, HealthStatus).
import type { KubeConfig } from '@kubernetes/client-node';
import { ArgoApplications } from '../../src/integrations/argocd/resource.js';
import { resourcePath, type KubeObject } from '../../src/kube/resource.js';
import { rawRequest } from './raw-request.js';
import { testClient } from './test-client.js';

export interface ArgoApp extends KubeObject {
  spec: Record<string, unknown> & {
    source?: Record<string, unknown>;
    sources?: Record<string, unknown>[];
  };
  status?: Record<string, unknown>;
}

/** An Application whose owner authorizes `authorizedTargets` and, beyond targetRevision, `authorizedFields`. */
export function argoApp(
  name: string,
  spec: Record<string, unknown>,
  authorizedTargets?: string,
  authorizedFields?: string,
): ArgoApp {
  const annotations = {
    ...(authorizedTargets ? { 'depot.sh/authorized-targets': authorizedTargets } : {}),
    ...(authorizedFields ? { 'depot.sh/authorized-fields': authorizedFields } : {}),
  };
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, ...(Object.keys(annotations).length ? { annotations } : {}) },
    spec: {
      project: 'default',
      destination: { server: 'https://kubernetes.default.svc', namespace: 'apps' },
      ...spec,
    },
  };
}

export function argoClient(kc: KubeConfig) {
  const { client } = testClient(kc);
  const get = async (namespace: string, name: string): Promise<ArgoApp> => {
    const app = await client.get<ArgoApp>(ArgoApplications, namespace, name);
    if (!app) throw new Error(`Argo CD Application ${namespace}/${name} does not exist`);
    return app;
  };
  /** A JSON merge patch under `fieldManager`; a dry run is sent raw (Depot's client never makes one). */
  const merge = (namespace: string, name: string, body: object, fieldManager: string, dryRun = false) =>
    dryRun
      ? rawRequest<ArgoApp>(kc, {
          method: 'PATCH',
          path: `${resourcePath(ArgoApplications, { namespace, name })}?dryRun=All&fieldManager=${fieldManager}`,
          body: { json: body, contentType: 'application/merge-patch+json' },
        })
      : client.patch<ArgoApp>(ArgoApplications, namespace, name, body, { type: 'merge', fieldManager });
  return {
    create: (namespace: string, app: ArgoApp): Promise<ArgoApp> =>
      client.create<ArgoApp>(ArgoApplications, { ...app, metadata: { ...app.metadata, namespace } }),
    get,
    /** A JSON merge patch, e.g. what an ApplicationSet or a person writes. */
    merge: (
      namespace: string,
      name: string,
      body: object,
      opts: { dryRun?: boolean } = {},
    ): Promise<ArgoApp> => merge(namespace, name, body, 'someone-else', opts.dryRun),
    delete: (namespace: string, name: string): Promise<void> =>
      client.delete(ArgoApplications, namespace, name),
    /**
     * What Argo CD's application controller writes after a sync: the Argo
     * CD CRD has no status subresource, so status goes with the object.
     * comparedTo holds the source spec the comparison used.
     */
    reportSynced: async (
      namespace: string,
      name: string,
      opts: { sync?: string; health?: string; spec?: ArgoApp['spec'] } = {},
    ): Promise<ArgoApp> => {
      const spec = opts.spec ?? (await get(namespace, name)).spec;
      const comparedTo = {
        destination: spec.destination,
        ...(spec.sources ? { sources: spec.sources } : { source: spec.source }),
      };
      const status = {
        sync: {
          status: opts.sync ?? 'Synced',
          comparedTo,
          ...(spec.sources
            ? { revisions: spec.sources.map(() => '0123456789abcdef0123456789abcdef01234567') }
            : { revision: '0123456789abcdef0123456789abcdef01234567' }),
        },
        health: { status: opts.health ?? 'Healthy' },
        reconciledAt: new Date().toISOString(),
      };
      return merge(namespace, name, { status }, 'argocd-application-controller');
    },
  };
}
