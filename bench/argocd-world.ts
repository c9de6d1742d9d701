// The world of converge_1k_argocd: the 1k topology whose 6 Targets deliver
// into Argo CD (upstream CRD from ../shared/fixtures/crds/argocd), one Argo
// CD Application per (application, target) — 6 × N — opted in for the
// benchmark namespace, and a watch on the dev ones that says when each
// carries a version (one LIST and a WATCH: no polling of what is measured).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PatchStrategy, setHeaderOptions, Watch } from '@kubernetes/client-node';
import { applyManifests, loadManifests } from '../src/local/manifests.js';
import { AppsWorld, FIRST_VERSION } from './apps-world.js';
import { forEachBounded } from './bounded.js';
import type { BenchClient } from './bench-client.js';
import { appNames, targetName, type Topology } from './objects.js';
import type { RunEnv } from './scenario.js';

export const ARGO_NAMESPACE = 'argocd';
const ARGO = { group: 'argoproj.io', version: 'v1alpha1', plural: 'applications' };
const ENV_LABEL = 'bench.depot.sh/environment';

/** 3 Environments × 2 Targets, each writing spec.source.targetRevision of `<application>-<target>`. */
export const threeEnvironmentsTwoArgocdTargets: Topology = {
  environments: ['dev', 'staging', 'prod'],
  targetsPerEnvironment: 2,
  delivery: { argocd: { applicationNamespace: ARGO_NAMESPACE, applicationName: '${application}-${target}' } },
};

export function argocdCrdDir(root: string): string {
  return join(process.env.DEPOT_UPSTREAM_CRDS ?? join(root, '..', 'shared', 'fixtures', 'crds'), 'argocd');
}

interface ArgoApp {
  metadata: { name: string; resourceVersion?: string; labels?: Record<string, string> };
  spec?: { source?: { targetRevision?: string } };
}

export class ArgocdWorld {
  private constructor(
    readonly apps: AppsWorld,
    readonly argoNames: { dev: string[]; all: string[] },
  ) {}

  static async setup(env: RunEnv, o: { namespace: string; apps: number }): Promise<ArgocdWorld> {
    const apps = await AppsWorld.setup(env, { ...o, topology: threeEnvironmentsTwoArgocdTargets });
    try {
      const dir = argocdCrdDir(env.root);
      if (!existsSync(dir)) throw new Error(`the upstream Argo CD CRD is missing: ${dir}`);
      await applyManifests(apps.cluster.kc, loadManifests(dir), { fieldManager: 'depot-bench' });
      await apps.cluster.client.createNamespace(ARGO_NAMESPACE);
      const t = threeEnvironmentsTwoArgocdTargets;
      const all: { name: string; env: string }[] = [];
      for (const app of appNames(o.apps))
        for (const env of t.environments)
          for (let i = 0; i < t.targetsPerEnvironment; i++)
            all.push({ name: `${app}-${targetName(env, i)}`, env });
      const started = Date.now();
      const client = apps.cluster.client;
      await forEachBounded(
        all,
        async ({ name, env: e }, attempt) => {
          client.count('POST', 'applications', '', ARGO.group);
          try {
            await client.custom.createNamespacedCustomObject({
              ...ARGO,
              namespace: ARGO_NAMESPACE,
              body: argoApp(name, e, o.namespace),
            });
          } catch (err) {
            if (!(attempt > 1 && (err as { code?: unknown }).code === 409)) throw err;
          }
        },
        { concurrency: env.opts.concurrency * 2, signal: env.signal },
      );
      env.log(
        `created ${all.length} Argo CD Applications in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      return new ArgocdWorld(apps, {
        dev: all.filter((a) => a.env === 'dev').map((a) => a.name),
        all: all.map((a) => a.name),
      });
    } catch (err) {
      await apps.teardown();
      throw err;
    }
  }

  async teardown(): Promise<void> {
    await this.apps.teardown();
  }

  /** The bare script: merge patches of spec.source.targetRevision, `concurrency` at a time. */
  async patchRevisions(names: readonly string[], version: string, concurrency: number, deadline: number) {
    const client = this.apps.cluster.client;
    return forEachBounded(
      names,
      async (name) => {
        client.count('PATCH', 'applications', '', ARGO.group);
        await client.custom.patchNamespacedCustomObject(
          {
            ...ARGO,
            namespace: ARGO_NAMESPACE,
            name,
            body: { spec: { source: { targetRevision: version } } },
          },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
      },
      { concurrency, deadline, signal: this.apps.env.signal },
    );
  }

  /** Seconds (from `startedAt`) until every named Argo CD Application carries `version`, or how many did. */
  async waitRevisions(
    names: readonly string[],
    version: string,
    startedAt: number,
    deadline: number,
  ): Promise<{ done: boolean; carried: number; total: number; seconds: number | null }> {
    const watch = new RevisionWatch(this.apps.cluster.client, new Set(names), version);
    try {
      const done = await watch.run(deadline, this.apps.env.signal);
      return {
        done,
        carried: watch.carried.size,
        total: names.length,
        seconds: done ? Math.round((watch.lastAt - startedAt) / 10) / 100 : null,
      };
    } finally {
      watch.stop();
    }
  }
}

function argoApp(name: string, env: string, depotNamespace: string) {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name,
      labels: { [ENV_LABEL]: env },
      annotations: { 'depot.sh/authorized-targets': `${depotNamespace}/*` },
    },
    spec: {
      project: 'default',
      source: { repoURL: 'https://github.com/acme/deploy.git', path: name, targetRevision: FIRST_VERSION },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'apps' },
    },
  };
}

/** One LIST and a WATCH of the Argo CD Applications until all named ones carry the version. */
class RevisionWatch {
  readonly carried = new Set<string>();
  lastAt = 0;
  private controller?: AbortController;
  private resourceVersion = '';
  private stopped = false;
  private finish?: (done: boolean) => void;

  constructor(
    private readonly client: BenchClient,
    private readonly names: Set<string>,
    private readonly version: string,
  ) {}

  async run(deadline: number, signal: AbortSignal): Promise<boolean> {
    const result = new Promise<boolean>((resolve) => (this.finish = resolve));
    const timer = setTimeout(() => this.finish?.(false), Math.max(0, deadline - Date.now()));
    const onAbort = () => this.finish?.(false);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await this.list();
      await this.watch();
      return await result;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  stop(): void {
    this.stopped = true;
    this.controller?.abort();
  }

  private see(app: ArgoApp): void {
    const name = app.metadata.name;
    if (!this.names.has(name)) return;
    if (app.spec?.source?.targetRevision === this.version) {
      if (!this.carried.has(name)) {
        this.carried.add(name);
        this.lastAt = Date.now();
      }
    } else this.carried.delete(name);
    if (this.carried.size === this.names.size) this.finish?.(true);
  }

  private async list(): Promise<void> {
    this.client.count('LIST', 'applications', '', ARGO.group);
    const list = (await this.client.custom.listNamespacedCustomObject({
      ...ARGO,
      namespace: ARGO_NAMESPACE,
      labelSelector: `${ENV_LABEL}=dev`,
    })) as { metadata: { resourceVersion: string }; items: ArgoApp[] };
    this.resourceVersion = list.metadata.resourceVersion;
    for (const app of list.items) this.see(app);
  }

  private async watch(): Promise<void> {
    if (this.stopped) return;
    this.client.count('WATCH', 'applications', '', ARGO.group);
    this.controller = await new Watch(this.client.kc).watch(
      `/apis/${ARGO.group}/${ARGO.version}/namespaces/${ARGO_NAMESPACE}/${ARGO.plural}`,
      { resourceVersion: this.resourceVersion, labelSelector: `${ENV_LABEL}=dev`, allowWatchBookmarks: true },
      (phase: string, obj: ArgoApp) => {
        if (obj?.metadata?.resourceVersion) this.resourceVersion = obj.metadata.resourceVersion;
        if (phase === 'ADDED' || phase === 'MODIFIED') this.see(obj);
      },
      () => {
        // Ended (a timeout, the server): watch again from where it was; a gone version lists again.
        if (this.stopped) return;
        setTimeout(
          () =>
            void this.list()
              .then(() => this.watch())
              .catch(() => undefined),
          200,
        ).unref();
      },
    );
  }
}
