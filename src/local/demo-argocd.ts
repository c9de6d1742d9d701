// The demo's Argo CD, the real one (src/local/argocd.ts), syncing from a local Git and Helm
// chart server: dev is one Git repository per app (<app>-deploy, a tag per version; Depot
// writes targetRevision), prod a chart per app (Depot writes the Helm parameter image.tag).
// No automated sync: the tour asks Argo CD to sync (as `argocd app sync` does), so that the
// drift between "written" and "synced" can be shown.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { AUTHORIZED_FIELDS_ANNOTATION, AUTHORIZED_TARGETS_ANNOTATION } from '../api/annotations.js';
import { ConfigMaps, type KubeObject, type ResourceType } from '../kube/resource.js';
import { ensureArgocdBinaries, startArgocd, type RunningArgocd } from './argocd.js';
import { configMapRelease, createRepository, publishChart } from './git-releases.js';
import { startGitServer, type GitServer } from './git-server.js';
import { applyManifests, withJsonClient } from './manifests.js';

export const ARGOCD_NAMESPACE = 'argocd';
/** Where the demo's Applications deploy to. */
export const APPS_NAMESPACE = 'pachyderm';
const ArgoApplications: ResourceType = {
  group: 'argoproj.io',
  version: 'v1alpha1',
  plural: 'applications',
  kind: 'Application',
  namespaced: true,
};

interface ArgoApp extends KubernetesObject {
  spec: { project: string; source: Record<string, unknown>; destination: unknown };
  /** A requested sync; Argo CD clears it when it has run it. */
  operation?: unknown;
  status?: {
    sync?: { status?: string; revision?: string; comparedTo?: { source?: Record<string, unknown> } };
    health?: { status?: string };
    operationState?: { phase?: string; message?: string };
    conditions?: { type: string; message?: string }[];
  };
}

/** The versions each sample application is released in (tags of <app>-deploy). */
const RELEASES: Record<string, string[]> = {
  core: ['1.11.3', '1.12.0', '1.12.1', '1.12.2', '1.12.3'],
  dash: ['2.0.0', '2.0.1'],
  ide: ['v0.5.0', 'v0.6.0'],
};

export interface DemoArgoCdRun {
  argo: DemoArgoCd;
  argocd: RunningArgocd;
  git: GitServer;
  stop(): Promise<void>;
}

/** Builds (once) and starts Argo CD and the local Git server for the demo's cluster; progress lines go to `log`. */
export async function startDemoArgoCd(opts: {
  kc: KubeConfig;
  kubeconfig: string;
  dir: string;
  depotNamespace: string;
  log: (line: string) => void;
}): Promise<DemoArgoCdRun> {
  const binaries = await ensureArgocdBinaries(opts.log);
  mkdirSync(opts.dir, { recursive: true });
  // The repositories belong to this run's fresh control plane: an earlier demo's would clash with them.
  const gitDir = join(opts.dir, 'gitserver');
  rmSync(gitDir, { recursive: true, force: true });
  const git = await startGitServer({ dir: gitDir, log: opts.log });
  try {
    const argocd = await startArgocd(opts.kc, {
      kubeconfig: opts.kubeconfig,
      dir: join(opts.dir, 'argocd'),
      binaries,
      namespace: ARGOCD_NAMESPACE,
      log: opts.log,
    });
    const argo = new DemoArgoCd(opts.kc, opts.depotNamespace, { git, helm: join(binaries.helmBin, 'helm') });
    return {
      argo,
      argocd,
      git,
      stop: async () => {
        await argocd.stop();
        await git.stop();
      },
    };
  } catch (err) {
    await git.stop();
    throw err;
  }
}

export class DemoArgoCd {
  constructor(
    private readonly kc: KubeConfig,
    private readonly depotNamespace: string,
    private readonly sources?: { git: GitServer; helm: string },
  ) {}

  /** The releases in Git and the chart repository, the namespaces, and the Applications the sample Targets name. */
  async install(): Promise<void> {
    if (!this.sources) throw new Error('DemoArgoCd.install needs the local Git server');
    const { git, helm } = this.sources;
    for (const [app, versions] of Object.entries(RELEASES)) {
      const repo = createRepository(git, `${app}-deploy`);
      for (const version of versions)
        repo.release(
          configMapRelease({ name: `${app}-dev`, namespace: APPS_NAMESPACE, version, path: 'dev' }),
          version,
        );
      publishChart(git, helm, { name: app, version: '2.8.0' });
    }
    const core = this.kc.makeApiClient(CoreV1Api);
    for (const name of [ARGOCD_NAMESPACE, APPS_NAMESPACE])
      await core.createNamespace({ body: { metadata: { name } } }).catch(() => undefined);
    const apps = demoApps(git).map(({ name, target, source, fields }) =>
      this.app(name, target, source, fields),
    );
    await applyManifests(this.kc, apps, { fieldManager: 'depot-demo', namespace: ARGOCD_NAMESPACE });
  }

  /** Deletes the Applications install() creates (an earlier run's must not count). */
  async remove(): Promise<void> {
    await withJsonClient(this.kc, async (client) => {
      for (const name of demoAppNames()) await client.delete(ArgoApplications, ARGOCD_NAMESPACE, name);
    });
  }

  private get(name: string): Promise<ArgoApp> {
    return withJsonClient(this.kc, async (client) => {
      const app = await client.get<ArgoApp & KubeObject>(ArgoApplications, ARGOCD_NAMESPACE, name);
      if (!app) throw new Error(`Argo CD Application ${ARGOCD_NAMESPACE}/${name} does not exist`);
      return app;
    });
  }

  /** The value of a Helm parameter of the Application's source. */
  async helmParameter(name: string, parameter: string): Promise<string | undefined> {
    const helm = (await this.get(name)).spec.source.helm as
      { parameters?: { name: string; value: string }[] } | undefined;
    return helm?.parameters?.find((p) => p.name === parameter)?.value;
  }

  async revision(name: string): Promise<string | undefined> {
    return (await this.get(name)).spec.source.targetRevision as string | undefined;
  }

  /**
   * Asks Argo CD to sync the Application (as `argocd app sync` does: it sets
   * `operation.sync`), waits until its application controller reports it
   * Synced and Healthy at the source's targetRevision, and returns the
   * resolved revision and the synced ConfigMap's data.version.
   */
  async sync(name: string, deadline: number): Promise<{ revision: string; configMapVersion?: string }> {
    await withJsonClient(this.kc, (client) =>
      client.patch(
        ArgoApplications,
        ARGOCD_NAMESPACE,
        name,
        { operation: { initiatedBy: { username: 'depot-demo' }, sync: { prune: false } } },
        { type: 'merge', fieldManager: 'depot-demo' },
      ),
    );
    let last: ArgoApp | undefined;
    while (Date.now() < deadline) {
      last = await this.get(name);
      const s = last.status;
      const want = last.spec.source.targetRevision;
      if (
        last.operation === undefined &&
        s?.operationState?.phase === 'Succeeded' &&
        s.sync?.status === 'Synced' &&
        s.health?.status === 'Healthy' &&
        s.sync.comparedTo?.source?.targetRevision === want
      ) {
        const cm = await withJsonClient(this.kc, (client) =>
          client.get<KubeObject & { data?: Record<string, string> }>(ConfigMaps, APPS_NAMESPACE, name),
        ).catch(() => undefined);
        return { revision: s.sync.revision ?? '', configMapVersion: cm?.data?.version };
      }
      await sleep(300);
    }
    const why =
      last?.status?.conditions?.map((c) => `${c.type}: ${c.message}`).join('; ') ||
      last?.status?.operationState?.message ||
      `sync ${last?.status?.sync?.status}, health ${last?.status?.health?.status}`;
    throw new Error(`Argo CD did not sync Application ${ARGOCD_NAMESPACE}/${name}: ${why}`);
  }

  private app(name: string, target: string, source: Record<string, unknown>, fields?: string): ArgoApp {
    return {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name,
        annotations: {
          [AUTHORIZED_TARGETS_ANNOTATION]: `${this.depotNamespace}/${target}`,
          // Beyond targetRevision, the owner names each field Depot may write.
          ...(fields ? { [AUTHORIZED_FIELDS_ANNOTATION]: fields } : {}),
        },
      },
      spec: {
        project: 'default',
        source,
        destination: { server: 'https://kubernetes.default.svc', namespace: APPS_NAMESPACE },
      },
    } as ArgoApp;
  }
}

const SAMPLE_START: Record<string, string> = { core: '1.12.1', dash: '2.0.1', ide: 'v0.6.0' };

function demoAppNames(): string[] {
  return Object.keys(RELEASES).flatMap((app) => [`${app}-dev`, app === 'ide' ? 'pachyderm-ide' : app]);
}

/** One Application per sample application and Argo CD Target, with the samples' versions as they were. */
function demoApps(
  git: GitServer,
): { name: string; target: string; source: Record<string, unknown>; fields?: string }[] {
  return Object.keys(RELEASES).flatMap((app) => [
    // dev-argocd writes spec.source.targetRevision of <app>-dev.
    {
      name: `${app}-dev`,
      target: 'dev-argocd',
      source: { repoURL: git.repoUrl(`${app}-deploy`), path: 'dev', targetRevision: SAMPLE_START[app]! },
    },
    // prod-argocd writes the Helm parameter image.tag of <app>; the sample ide
    // names its prod Application in spec.targets: pachyderm-ide.
    {
      name: app === 'ide' ? 'pachyderm-ide' : app,
      target: 'prod-argocd',
      fields: 'helm:image.tag',
      source: {
        repoURL: git.chartsUrl,
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
