// The operator as the chart installs it, run as a local process: config/'s
// Namespace and RBAC applied, a token of the Deployment's ServiceAccount, and
// the command line and environment of its `operator` container
// (deployment-process.ts). Only one replica runs here; leader election stays
// on, with the Lease in the Deployment's namespace, as in the cluster.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoordinationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { freePort } from '../controlplane/index.js';
import { localProcess, operatorContainer, type OperatorContainer } from '../deployment-process.js';
import { applyManifests, loadManifests } from '../manifests.js';
import { writeServiceAccountKubeconfig, whoAmI } from './service-account.js';
import { tourApi, type TourApi } from './api-tls.js';

export interface LocalOperator {
  child: ChildProcess;
  container: OperatorContainer;
  logPath: string;
  kubeconfig: string;
  /** Who the API server says the operator's kubeconfig is. */
  identity: string;
  podName: string;
  /** namespace/name of the Lease the process holds. */
  lease: string;
  /** Why the process exited, once it has. */
  exited(): string | undefined;
  /** The HTTP API over TLS, checked with the CA of the certificate the operator generated. */
  api?: TourApi;
}

export function deploymentManifest(root: string): string {
  return join(root, 'config', 'manager', 'manager.yaml');
}

/**
 * The Namespaces of config/manager, everything in config/rbac and the
 * admission policies that stamp authenticated actors (config/admission).
 */
export async function applyOperatorRbac(kc: KubeConfig, root: string): Promise<void> {
  const namespaces = loadManifests(deploymentManifest(root)).filter((o) => o.kind === 'Namespace');
  await applyManifests(
    kc,
    [
      ...namespaces,
      ...loadManifests(join(root, 'config', 'rbac')),
      ...loadManifests(join(root, 'config', 'admission')),
    ],
    { fieldManager: 'depot-demo' },
  );
}

export async function startLocalOperator(opts: {
  admin: KubeConfig;
  root: string;
  stateDir: string;
  timeoutMs: number;
}): Promise<LocalOperator> {
  const manifest = deploymentManifest(opts.root);
  const container = operatorContainer(loadManifests(manifest), 'config/manager/manager.yaml');
  const kubeconfig = join(opts.stateDir, `${container.serviceAccountName}.kubeconfig`);
  await writeServiceAccountKubeconfig(
    opts.admin,
    { namespace: container.namespace, name: container.serviceAccountName },
    kubeconfig,
    24 * 3600,
  );
  const identity = await whoAmI(kubeconfig);
  const ports: Record<string, number> = {};
  for (const { flag } of container.listen) ports[flag] = await freePort();
  const podName = `${container.deployment.split('/')[1]}-demo`;
  const proc = localProcess(container, { kubeconfig, podName, ports });

  mkdirSync(join(opts.stateDir, 'logs'), { recursive: true });
  const logPath = join(opts.stateDir, 'logs', 'operator.log');
  const log = createWriteStream(logPath, { flags: 'a' });
  // The environment of the container, not the user's kubeconfig.
  const env = { ...process.env, ...proc.env };
  delete env.KUBECONFIG;
  const child = spawn(process.execPath, [join(opts.root, 'bin', 'depot.js'), ...proc.args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  let exit: string | undefined;
  child.once('exit', (code, signal) => (exit = `the operator exited (${signal ?? `code ${code}`})`));
  const exited = () => exit;

  const deadline = Date.now() + opts.timeoutMs;
  const failed = (what: string) => {
    child.kill('SIGTERM');
    return new Error(
      `starting the operator: ${exit ?? `timed out after ${opts.timeoutMs / 1000}s`} waiting for ${what}; see ${logPath}`,
    );
  };
  if (proc.readinessUrl) {
    while (!(await ok(proc.readinessUrl))) {
      if (exit || Date.now() > deadline) throw failed(`its readiness probe ${proc.readinessUrl}`);
      await sleep(200);
    }
  }
  const leases = opts.admin.makeApiClient(CoordinationV1Api);
  for (;;) {
    const list = await leases.listNamespacedLease({ namespace: container.namespace });
    const held = list.items.find((l) => l.spec?.holderIdentity === podName);
    if (held) {
      const lease = `${container.namespace}/${held.metadata!.name}`;
      const apiPort = ports['--api-addr'];
      const api =
        apiPort === undefined
          ? undefined
          : await tourApi(opts.admin, container, apiPort, opts.stateDir, deadline).catch((err: Error) => {
              throw failed(err.message);
            });
      return {
        child,
        container,
        logPath,
        kubeconfig,
        identity,
        podName,
        lease,
        exited,
        ...(api ? { api } : {}),
      };
    }
    if (exit || Date.now() > deadline) throw failed(`a Lease in ${container.namespace} held by ${podName}`);
    await sleep(200);
  }
}

async function ok(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}
