// The real Argo CD as plain processes (what its Procfile does), for the integration tests and
// the tour: in-process Redis, repo-server, application controller (and the
// applicationset-controller when asked), from the scripts/build-argocd.sh binary, against a
// control plane given by its kubeconfig. CRDs come from the built module; the settings it
// needs are written here. Free loopback ports; every process dies with its starter.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { ensureBinaries, freePort, isAlive } from './controlplane/index.js';
import { applyManifests, loadManifests, waitForCrds } from './manifests.js';
import { projectRoot } from './project-root.js';

export interface ArgocdBinaries {
  /** Holds `argocd` (the multi-call binary) and `kustomize`. */
  bin: string;
  /** Holds `helm` (scripts/build-helm.sh). */
  helmBin: string;
  /** Argo CD's CRDs, from the module that was built. */
  crdDir: string;
}

/** Builds (once) or finds Argo CD, kustomize and helm; progress lines go to `log`. */
export async function ensureArgocdBinaries(log: (line: string) => void = () => {}): Promise<ArgocdBinaries> {
  const scripts = join(projectRoot(), 'scripts');
  const bin = await ensureBinaries(log, { script: join(scripts, 'build-argocd.sh') });
  const helmBin = await ensureBinaries(log, { script: join(scripts, 'build-helm.sh') });
  return { bin, helmBin, crdDir: join(bin, '..', 'crds') };
}

export interface ArgocdOptions {
  kubeconfig: string;
  /** Where logs and the repo-server's working directories go. */
  dir: string;
  binaries: ArgocdBinaries;
  /** The namespace Argo CD runs in and watches for Applications (created if missing). */
  namespace: string;
  /** Also run the applicationset-controller. */
  applicationSet?: boolean;
  /**
   * How often Argo CD compares every Application with Git even when nothing
   * changed (argocd-cm timeout.reconciliation). A tag pushed after an
   * Application named it is only seen then. Default 10 s.
   */
  reconciliationSeconds?: number;
  log?: (line: string) => void;
}

export interface RunningArgocd {
  namespace: string;
  pids: Record<string, number>;
  logs: string;
  /** The last lines of a component's log, for failure messages. */
  tail(component: string, lines?: number): string;
  /** Stops every process (SIGTERM, SIGKILL after 5 s) and waits for them. */
  stop(): Promise<void>;
}

const PART_OF = { 'app.kubernetes.io/part-of': 'argocd' };

/** argocd-cm, argocd-secret, argocd-rbac-cm and the default AppProject. */
export function argocdSettings(namespace: string, reconciliationSeconds: number): KubernetesObject[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'argocd-cm', namespace, labels: PART_OF },
      data: {
        'timeout.reconciliation': `${reconciliationSeconds}s`,
        'timeout.reconciliation.jitter': '0s',
      },
    } as KubernetesObject,
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'argocd-secret', namespace, labels: PART_OF },
      stringData: { 'server.secretkey': randomBytes(24).toString('base64') },
    } as KubernetesObject,
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'argocd-rbac-cm', namespace, labels: PART_OF },
    } as KubernetesObject,
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AppProject',
      metadata: { name: 'default', namespace },
      spec: {
        sourceRepos: ['*'],
        destinations: [{ server: '*', namespace: '*' }],
        clusterResourceWhitelist: [{ group: '*', kind: '*' }],
      },
    } as KubernetesObject,
  ];
}

/** Installs Argo CD's CRDs from the built module (server-side apply: the Application CRD is too big for client-side apply). */
export async function installArgocdCrds(kc: KubeConfig, crdDir: string): Promise<void> {
  if (!existsSync(crdDir))
    throw new Error(`Argo CD's CRDs are missing from ${crdDir}: run scripts/build-argocd.sh`);
  const crds = loadManifests(crdDir).filter((m) => m.kind === 'CustomResourceDefinition');
  await applyManifests(kc, crds, { fieldManager: 'depot-argocd' });
  await waitForCrds(
    kc,
    crds.map((c) => c.metadata!.name!),
  );
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export async function startArgocd(kc: KubeConfig, opts: ArgocdOptions): Promise<RunningArgocd> {
  const log = opts.log ?? (() => {});
  const { bin, helmBin, crdDir } = opts.binaries;
  const ns = opts.namespace;
  const logs = join(opts.dir, 'logs');
  const work = join(opts.dir, 'work');
  for (const d of [logs, work, join(work, 'tls'), join(work, 'ssh'), join(work, 'tmp'), join(work, 'helm')])
    mkdirSync(d, { recursive: true });

  await installArgocdCrds(kc, crdDir);
  await applyManifests(kc, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }], {
    fieldManager: 'depot-argocd',
  });
  await applyManifests(kc, argocdSettings(ns, opts.reconciliationSeconds ?? 10), {
    fieldManager: 'depot-argocd',
    namespace: ns,
  });

  const ports = {
    redis: await freePort(),
    repo: await freePort(),
    repoMetrics: await freePort(),
    controllerMetrics: await freePort(),
    appsetMetrics: await freePort(),
    appsetProbe: await freePort(),
    appsetWebhook: await freePort(),
  };
  const children = new Map<string, ChildProcess>();
  const logOf = (c: string) => join(logs, `${c}.log`);
  const tail = (c: string, lines = 15) =>
    existsSync(logOf(c)) ? readFileSync(logOf(c), 'utf8').trim().split('\n').slice(-lines).join('\n') : '';
  const baseEnv = {
    ...process.env,
    // git, helm and kustomize for the repo-server; `argocd` for GIT_ASKPASS.
    PATH: [bin, helmBin, process.env.PATH ?? ''].join(':'),
    KUBECONFIG: opts.kubeconfig,
    ARGOCD_FAKE_IN_CLUSTER: 'true',
    DEPOT_PARENT_PID: String(process.pid),
    HOME: work,
    TMPDIR: join(work, 'tmp'),
  };
  const start = (component: string, args: string[], env: Record<string, string> = {}) => {
    const out = openSync(logOf(component), 'a');
    const child = spawn(join(bin, component), args, {
      stdio: ['ignore', out, out],
      env: { ...baseEnv, ARGOCD_BINARY_NAME: component, ...env },
    });
    closeSync(out);
    children.set(component, child);
    log(`started ${component} (pid ${child.pid})`);
  };
  const redis = `127.0.0.1:${ports.redis}`;
  const repo = `127.0.0.1:${ports.repo}`;

  const running: RunningArgocd = {
    namespace: ns,
    pids: {},
    logs,
    tail,
    stop: async () => {
      const all = [...children.values()].filter((c) => c.exitCode === null && c.signalCode === null);
      await Promise.all(
        all.map(async (c) => {
          const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
          c.kill('SIGTERM');
          const killer = setTimeout(() => c.kill('SIGKILL'), 5_000);
          await exited;
          clearTimeout(killer);
        }),
      );
    },
  };
  const ready = async (component: string, port: number) => {
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const child = children.get(component)!;
      if (!isAlive(child.pid))
        throw new Error(
          `Argo CD's ${component} exited during start-up; last lines of ${logOf(component)}:\n${tail(component)}`,
        );
      if (await listening(port)) return;
      await sleep(200);
    }
    throw new Error(`Argo CD's ${component} did not listen on ${port} within 120 s; see ${logOf(component)}`);
  };

  try {
    start('argocd-redis', [], { ARGOCD_REDIS_ADDR: redis });
    await ready('argocd-redis', ports.redis);
    start(
      'argocd-repo-server',
      [
        '--address=127.0.0.1',
        `--port=${ports.repo}`,
        `--metrics-address=127.0.0.1`,
        `--metrics-port=${ports.repoMetrics}`,
        `--redis=${redis}`,
        // Upstream ties it to the reconciliation timeout: a tag pushed later is seen by the next comparison.
        `--revision-cache-expiration=${opts.reconciliationSeconds ?? 10}s`,
        '--disable-tls',
        // Its default CA path would ask for client certificates, which --disable-tls refuses.
        '--client-ca-path=',
        '--loglevel=info',
      ],
      {
        ARGOCD_GPG_ENABLED: 'false',
        ARGOCD_TLS_DATA_PATH: join(work, 'tls'),
        ARGOCD_SSH_DATA_PATH: join(work, 'ssh'),
        HELM_CACHE_HOME: join(work, 'helm', 'cache'),
        HELM_CONFIG_HOME: join(work, 'helm', 'config'),
        HELM_DATA_HOME: join(work, 'helm', 'data'),
      },
    );
    await ready('argocd-repo-server', ports.repo);
    start('argocd-application-controller', [
      `--kubeconfig=${opts.kubeconfig}`,
      `--namespace=${ns}`,
      `--redis=${redis}`,
      `--repo-server=${repo}`,
      '--repo-server-plaintext',
      `--metrics-port=${ports.controllerMetrics}`,
      '--status-processors=4',
      '--operation-processors=2',
      `--app-resync=${opts.reconciliationSeconds ?? 10}`,
      // A repository error becomes a ComparisonError only after this grace
      // period (upstream default 180 s); the reconciliation period keeps it short here.
      `--repo-error-grace-period-seconds=${opts.reconciliationSeconds ?? 10}`,
      '--loglevel=info',
    ]);
    await ready('argocd-application-controller', ports.controllerMetrics);
    if (opts.applicationSet) {
      start('argocd-applicationset-controller', [
        `--kubeconfig=${opts.kubeconfig}`,
        `--namespace=${ns}`,
        `--argocd-repo-server=${repo}`,
        '--repo-server-plaintext',
        `--metrics-addr=127.0.0.1:${ports.appsetMetrics}`,
        `--probe-addr=127.0.0.1:${ports.appsetProbe}`,
        `--webhook-addr=127.0.0.1:${ports.appsetWebhook}`,
        '--loglevel=info',
      ]);
      await ready('argocd-applicationset-controller', ports.appsetProbe);
    }
  } catch (err) {
    await running.stop();
    throw err;
  }
  for (const [c, child] of children) running.pids[c] = child.pid!;
  return running;
}
