// The world of argocd_e2e_latency: the bench's own control plane with the real Argo CD
// (src/local/argocd.ts) syncing from the local Git server a repository with one tagged
// release per version (a ConfigMap naming it). One Depot Application, Environment `dev` and
// its Target delivering into the Argo CD Application `web` (automated sync), watched object by
// object. The scenario starts the operator, with default flags.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { ensureArgocdBinaries, startArgocd, type RunningArgocd } from '../src/local/argocd.js';
import { configMapRelease, createRepository } from '../src/local/git-releases.js';
import { startGitServer, type GitServer } from '../src/local/git-server.js';
import { applyManifests } from '../src/local/manifests.js';
import { BenchCluster } from './cluster.js';
import { DEPOT_GROUP, DEPOT_VERSION, type DepotObject } from './bench-client.js';
import type { OperatorProcess } from './operator-process.js';
import type { RunEnv } from './scenario.js';

export const REAL_ARGO_NAMESPACE = 'argocd';
/** Where Argo CD syncs the ConfigMap to. */
export const SYNC_NAMESPACE = 'bench-apps';
export const APP = 'web';
export const ENVIRONMENT = 'dev';
/** argocd-cm timeout.reconciliation (and the controller's --app-resync): the harness's default. */
export const RECONCILIATION_S = 10;
export const ARGO_APPLICATIONS = { group: 'argoproj.io', version: 'v1alpha1', plural: 'applications' };

/** 1.0.0, then one release per change: 1.0.1 … 1.0.<changes>. */
export function releaseVersions(changes: number): string[] {
  return Array.from({ length: changes + 1 }, (_, i) => `1.0.${i}`);
}

export class ArgocdRealWorld {
  operator?: OperatorProcess;

  private constructor(
    readonly env: RunEnv,
    readonly cluster: BenchCluster,
    readonly namespace: string,
    readonly git: GitServer,
    readonly argocd: RunningArgocd,
    /** Commit of each release tag. */
    readonly commits: Map<string, string>,
  ) {}

  static async setup(env: RunEnv, o: { namespace: string; changes: number }): Promise<ArgocdRealWorld> {
    const say = (line: string) => env.log(`[argocd] ${line}`);
    // Built before the control plane starts: a first build takes minutes.
    const binaries = await ensureArgocdBinaries(say);
    const controlplane = join(env.benchDir, 'controlplane');
    const cluster = await BenchCluster.start(env.root, controlplane, env.log);
    // Under the control plane's directory: the watchdog stops every process
    // whose command line names it (the Git server); Argo CD's processes die
    // with this one (DEPOT_PARENT_PID).
    const dir = join(controlplane, 'argocd-real');
    rmSync(dir, { recursive: true, force: true });
    let git: GitServer | undefined;
    let argocd: RunningArgocd | undefined;
    try {
      git = await startGitServer({ dir: join(dir, 'gitserver'), log: say });
      argocd = await startArgocd(cluster.kc, {
        kubeconfig: cluster.kubeconfig,
        dir: join(dir, 'argocd'),
        binaries,
        namespace: REAL_ARGO_NAMESPACE,
        reconciliationSeconds: RECONCILIATION_S,
        log: say,
      });
      const repo = createRepository(git, APP);
      const commits = new Map<string, string>();
      for (const version of releaseVersions(o.changes))
        commits.set(
          version,
          repo.release(configMapRelease({ name: APP, namespace: SYNC_NAMESPACE, version }), version),
        );
      say(`released ${commits.size} tagged versions of ${repo.url}`);
      await cluster.client.createNamespace(SYNC_NAMESPACE);
      await cluster.client.createNamespace(o.namespace);
      await applyManifests(cluster.kc, [argoApplication(repo.url, o.namespace)], {
        fieldManager: 'depot-bench',
        namespace: REAL_ARGO_NAMESPACE,
      });
      for (const [plural, body] of depotObjects(o.namespace))
        await cluster.client.create(plural, o.namespace, body);
      return new ArgocdRealWorld(env, cluster, o.namespace, git, argocd, commits);
    } catch (err) {
      await argocd?.stop();
      await git?.stop();
      cluster.stop();
      throw err;
    }
  }

  /** The Argo CD module version scripts/build-argocd.sh builds (test/argocd/go/go.mod). */
  get argocdVersion(): string {
    const mod = readFileSync(join(this.env.root, 'test', 'argocd', 'go', 'go.mod'), 'utf8');
    return /github\.com\/argoproj\/argo-cd\/v3 (v\S+)/.exec(mod)?.[1] ?? 'unknown';
  }

  async ensureOperator(deadline: number): Promise<OperatorProcess> {
    if (this.operator?.running) return this.operator;
    const op = await this.env.startOperator(this.cluster.kubeconfig, []);
    this.operator = op;
    if ((await op.waitReady(deadline, this.env.signal)) === undefined)
      throw new Error(`the operator was not ready within the scenario's bound (log: ${op.logPath})`);
    return op;
  }

  /** Last lines of Argo CD's and the operator's logs, for a failure message. */
  logTails(lines = 8): string {
    const argo = ['argocd-application-controller', 'argocd-repo-server']
      .map((c) => `--- ${c} (${this.argocd.logs})\n${this.argocd.tail(c, lines)}`)
      .join('\n');
    return `${argo}\n--- operator (${this.operator?.logPath ?? 'not started'})\n${this.operator?.logTail(lines) ?? ''}`;
  }

  async teardown(): Promise<void> {
    await this.operator?.stop('SIGKILL');
    await this.argocd.stop();
    await this.git.stop();
    this.cluster.stop();
  }
}

/** The Argo CD Application Depot delivers to: automated sync, opted in for the Target. */
function argoApplication(repoURL: string, depotNamespace: string): KubernetesObject {
  return {
    apiVersion: `${ARGO_APPLICATIONS.group}/${ARGO_APPLICATIONS.version}`,
    kind: 'Application',
    metadata: {
      name: APP,
      namespace: REAL_ARGO_NAMESPACE,
      annotations: { 'depot.sh/authorized-targets': `${depotNamespace}/${ENVIRONMENT}` },
    },
    spec: {
      project: 'default',
      source: { repoURL, path: '.', targetRevision: releaseVersions(0)[0] },
      destination: { server: 'https://kubernetes.default.svc', namespace: SYNC_NAMESPACE },
      syncPolicy: { automated: {} },
    },
  } as KubernetesObject;
}

function depotObjects(namespace: string): [string, DepotObject][] {
  const meta = (name: string) => ({ name, namespace });
  const apiVersion = `${DEPOT_GROUP}/${DEPOT_VERSION}`;
  return [
    ['environments', { apiVersion, kind: 'Environment', metadata: meta(ENVIRONMENT), spec: {} }],
    [
      'targets',
      {
        apiVersion,
        kind: 'Target',
        metadata: meta(ENVIRONMENT),
        spec: {
          environment: ENVIRONMENT,
          delivery: { argocd: { applicationNamespace: REAL_ARGO_NAMESPACE, applicationName: APP } },
        },
      },
    ],
    [
      'applications',
      {
        apiVersion,
        kind: 'Application',
        metadata: meta(APP),
        spec: { environments: [{ name: ENVIRONMENT }], versions: { [ENVIRONMENT]: releaseVersions(0)[0] } },
      },
    ],
  ];
}
