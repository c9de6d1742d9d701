// Argo CD Applications (the upstream CRD, installed by the global setup) as
// the tests create them, and their status written the way Argo CD's
// application controller writes it (no Argo CD controller runs here). Field
// names follow pkg/apis/application/v1alpha1/types.go in argoproj/argo-cd
// (ApplicationStatus, SyncStatus, HealthStatus).
import {
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';

export const argoGroup = { group: 'argoproj.io', version: 'v1alpha1', plural: 'applications' };

export interface ArgoApp extends KubernetesObject {
  spec: Record<string, unknown> & {
    source?: Record<string, unknown>;
    sources?: Record<string, unknown>[];
  };
  status?: Record<string, unknown>;
}

export function argoApp(name: string, spec: Record<string, unknown>, authorizedTargets?: string): ArgoApp {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name,
      ...(authorizedTargets ? { annotations: { 'depot.sh/authorized-targets': authorizedTargets } } : {}),
    },
    spec: {
      project: 'default',
      destination: { server: 'https://kubernetes.default.svc', namespace: 'apps' },
      ...spec,
    },
  };
}

export function argoClient(kc: KubeConfig) {
  const api = kc.makeApiClient(CustomObjectsApi);
  return {
    create: async (namespace: string, app: ArgoApp): Promise<ArgoApp> =>
      (await api.createNamespacedCustomObject({ ...argoGroup, namespace, body: app })) as ArgoApp,
    get: async (namespace: string, name: string): Promise<ArgoApp> =>
      (await api.getNamespacedCustomObject({ ...argoGroup, namespace, name })) as ArgoApp,
    /** A JSON merge patch, e.g. what an ApplicationSet or a person writes. */
    merge: async (
      namespace: string,
      name: string,
      body: object,
      opts: { dryRun?: boolean } = {},
    ): Promise<ArgoApp> =>
      (await api.patchNamespacedCustomObject(
        {
          ...argoGroup,
          namespace,
          name,
          body,
          fieldManager: 'someone-else',
          ...(opts.dryRun ? { dryRun: 'All' } : {}),
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      )) as ArgoApp,
    delete: async (namespace: string, name: string): Promise<void> => {
      await api.deleteNamespacedCustomObject({ ...argoGroup, namespace, name });
    },
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
      const app = (await api.getNamespacedCustomObject({ ...argoGroup, namespace, name })) as ArgoApp;
      const spec = opts.spec ?? app.spec;
      const comparedTo = {
        destination: spec.destination,
        ...(spec.sources ? { sources: spec.sources } : { source: spec.source }),
      };
      return (await api.patchNamespacedCustomObject(
        {
          ...argoGroup,
          namespace,
          name,
          fieldManager: 'argocd-application-controller',
          body: {
            status: {
              sync: {
                status: opts.sync ?? 'Synced',
                comparedTo,
                ...(spec.sources
                  ? { revisions: spec.sources.map(() => '0123456789abcdef0123456789abcdef01234567') }
                  : { revision: '0123456789abcdef0123456789abcdef01234567' }),
              },
              health: { status: opts.health ?? 'Healthy' },
              reconciledAt: new Date().toISOString(),
            },
          },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      )) as ArgoApp;
    },
  };
}
