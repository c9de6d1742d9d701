// The demo's Argo CD: the upstream Application CRD (from
// ../shared/fixtures/crds/argocd, or $DEPOT_UPSTREAM_CRDS), one Application
// per sample application and Argo CD Target, opted in for Depot, and
// "Argo CD syncs" written into their status the way Argo CD's application
// controller does (status.sync.status, .comparedTo.source, status.health).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { AUTHORIZED_TARGETS_ANNOTATION } from '../api/annotations.js';
import { applyManifests, loadManifests } from './manifests.js';
import { projectRoot } from './project-root.js';

export const ARGOCD_NAMESPACE = 'argocd';
const group = { group: 'argoproj.io', version: 'v1alpha1', plural: 'applications' };

interface ArgoApp extends KubernetesObject {
  spec: { project: string; source: Record<string, unknown>; destination: unknown };
}

export function argocdCrdDir(): string {
  return join(
    process.env.DEPOT_UPSTREAM_CRDS ?? join(projectRoot(), '..', 'shared', 'fixtures', 'crds'),
    'argocd',
  );
}

export class DemoArgoCd {
  private readonly api: CustomObjectsApi;

  constructor(
    private readonly kc: KubeConfig,
    private readonly depotNamespace: string,
  ) {
    this.api = kc.makeApiClient(CustomObjectsApi);
  }

  /** The CRD, the argocd namespace, and the Applications the sample Targets name (samples' versions as they were). */
  async install(): Promise<void> {
    const dir = argocdCrdDir();
    if (!existsSync(dir))
      throw new Error(`the upstream Argo CD CRD is missing: expected ${dir} (set DEPOT_UPSTREAM_CRDS)`);
    await applyManifests(this.kc, loadManifests(dir), { fieldManager: 'depot-demo' });
    const core = this.kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: ARGOCD_NAMESPACE } } }).catch(() => undefined);
    const apps = demoApps().map(({ name, target, source }) => this.app(name, target, source));
    await applyManifests(this.kc, apps, { fieldManager: 'depot-demo', namespace: ARGOCD_NAMESPACE });
  }

  /** Deletes the Applications install() creates (an earlier run's status must not count). */
  async remove(): Promise<void> {
    for (const { name } of demoApps()) {
      await this.api
        .deleteNamespacedCustomObject({ ...group, namespace: ARGOCD_NAMESPACE, name })
        .catch((err: unknown) => {
          if ((err as { code?: number }).code !== 404) throw err;
        });
    }
  }

  /** The value of a Helm parameter of the Application's source. */
  async helmParameter(name: string, parameter: string): Promise<string | undefined> {
    const app = (await this.api.getNamespacedCustomObject({
      ...group,
      namespace: ARGOCD_NAMESPACE,
      name,
    })) as ArgoApp;
    const helm = app.spec.source.helm as { parameters?: { name: string; value: string }[] } | undefined;
    return helm?.parameters?.find((p) => p.name === parameter)?.value;
  }

  async revision(name: string): Promise<string | undefined> {
    const app = (await this.api.getNamespacedCustomObject({
      ...group,
      namespace: ARGOCD_NAMESPACE,
      name,
    })) as ArgoApp;
    return app.spec.source.targetRevision as string | undefined;
  }

  async waitForRevision(name: string, version: string, deadline: number): Promise<void> {
    while (Date.now() < deadline) {
      if ((await this.revision(name)) === version) return;
      await sleep(300);
    }
    throw new Error(
      `Argo CD Application ${ARGOCD_NAMESPACE}/${name} did not get ${version}; see the operator log`,
    );
  }

  /** What Argo CD's application controller writes after a successful sync (no status subresource in its CRD). */
  async sync(name: string): Promise<void> {
    const app = (await this.api.getNamespacedCustomObject({
      ...group,
      namespace: ARGOCD_NAMESPACE,
      name,
    })) as ArgoApp;
    await this.api.patchNamespacedCustomObject(
      {
        ...group,
        namespace: ARGOCD_NAMESPACE,
        name,
        fieldManager: 'argocd-application-controller',
        body: {
          status: {
            sync: {
              status: 'Synced',
              comparedTo: { source: app.spec.source, destination: app.spec.destination },
            },
            health: { status: 'Healthy' },
            reconciledAt: new Date().toISOString(),
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  private app(name: string, target: string, source: Record<string, unknown>): ArgoApp {
    return {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name,
        annotations: { [AUTHORIZED_TARGETS_ANNOTATION]: `${this.depotNamespace}/${target}` },
      },
      spec: {
        project: 'default',
        source,
        destination: { server: 'https://kubernetes.default.svc', namespace: 'pachyderm' },
      },
    } as ArgoApp;
  }
}

/** One Application per sample application and Argo CD Target, with the samples' versions as they were. */
function demoApps(): { name: string; target: string; source: Record<string, unknown> }[] {
  return (
    [
      ['core', '1.12.1'],
      ['dash', '2.0.1'],
      ['ide', 'v0.6.0'],
    ] as const
  ).flatMap(([app, version]) => [
    // dev-argocd writes spec.source.targetRevision of <app>-dev.
    {
      name: `${app}-dev`,
      target: 'dev-argocd',
      source: {
        repoURL: `https://github.com/pachyderm/${app}-deploy.git`,
        path: 'dev',
        targetRevision: version,
      },
    },
    // prod-argocd writes the Helm parameter image.tag of <app>; the sample ide
    // names its prod Application in spec.targets: pachyderm-ide.
    {
      name: app === 'ide' ? 'pachyderm-ide' : app,
      target: 'prod-argocd',
      source: {
        repoURL: 'https://helm.pachyderm.com',
        chart: app,
        targetRevision: '2.8.0',
        helm: {
          parameters: [
            { name: 'image.tag', value: 'unset' },
            { name: 'replicas', value: '2' },
          ],
        },
      },
    },
  ]);
}
