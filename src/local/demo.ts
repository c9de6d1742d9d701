// `make demo` (`depot local demo`): Depot's story narrated with the CLI
// commands a user types (tour/steps.ts), on a fresh local control plane with
// the operator run as the chart's Deployment and ServiceAccount, or with
// --existing-cluster where the chart installed it (the kind e2e). The real
// Argo CD runs here and syncs from a local Git server (demo-argocd.ts).
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { DepotClient } from '../client/depot-client.js';
import { startDemoArgoCd, type DemoArgoCd } from './demo-argocd.js';
import { down, up } from './controlplane/index.js';
import { demoDashboard } from './demo-dashboard.js';
import { operatorContainer } from './deployment-process.js';
import { applyManifests, loadManifests, waitForCrds, withNamespace } from './manifests.js';
import { projectRoot } from './project-root.js';
import { ensureNamespace, installSamples, resetDemo } from './tour/install.js';
import { applyOperatorRbac, deploymentManifest, startLocalOperator } from './tour/local-operator.js';
import { tellTheStory } from './tour/steps.js';
import { say, Tour } from './tour/tour.js';

export interface DemoOptions {
  dir: string;
  namespace: string;
  /** Exit once the story is told (DEMO_EXIT=1) instead of running until Ctrl-C. */
  exitWhenDone: boolean;
  /** Each step's deadline. */
  stepTimeoutMs: number;
  /** Run against this cluster's kubeconfig, where the chart installed the operator. */
  existingCluster?: { kubeconfig: string; deployment?: string };
}

export async function runDemo(opts: DemoOptions): Promise<void> {
  if (opts.existingCluster) return runOnExistingCluster(opts, opts.existingCluster);
  say('== Depot demo: a real kube-apiserver + etcd on loopback, no cluster needed');
  // Every run tells the same story from the samples: start from empty data.
  down(opts.dir, { purge: true });
  const state = await up({ dir: opts.dir, log: (l) => process.stderr.write(`   ${l}\n`) });
  say(`   kubeconfig: ${state.kubeconfig}`);
  try {
    await runLocal(opts, state.dir, state.kubeconfig);
  } catch (err) {
    // Nothing keeps running after a failed demo; the logs stay for a look.
    down(state.dir);
    say(`stopped the operator and the control plane; their logs are in ${join(state.dir, 'logs')}`);
    throw err;
  }
}

async function runLocal(opts: DemoOptions, dir: string, kubeconfig: string): Promise<void> {
  const root = projectRoot();
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  say(
    "== Installing the CRDs (crds/), the operator's Namespace and RBAC (config/rbac), the admission policies (config/admission)",
  );
  await applyManifests(kc, loadManifests(join(root, 'crds')), { fieldManager: 'depot-demo' });
  await applyOperatorRbac(kc, root);
  const op = await startLocalOperator({ admin: kc, root, stateDir: dir, timeoutMs: opts.stepTimeoutMs });
  let stopDashboard = () => undefined as void;
  const stop = () => {
    stopDashboard();
    op.child.kill('SIGTERM');
  };
  try {
    say(
      `== Started the operator as Deployment ${op.container.deployment} runs it, one replica (the Deployment has ${op.container.replicas}):`,
    );
    say(`   depot ${op.child.spawnargs.slice(2).join(' ')}`);
    say(
      `   runs as ${op.identity} (SelfSubjectReview with its kubeconfig, a TokenRequest token), not the admin`,
    );
    say(`   leader election on: it holds the Lease ${op.lease} as ${op.podName}`);
    say(`   logs and audit lines: ${op.logPath}`);
    if (op.api)
      say(
        `   HTTP API over TLS: ${op.api.url} (its certificate, generated into Secret ${op.api.secret}, checked for ${op.api.servername} against ${op.api.caFile})`,
      );
    process.once('SIGINT', () => {
      stop();
      say(
        `\nstopped the operator; the control plane keeps running (\`depot local down --dir ${opts.dir}\` stops it)`,
      );
      process.exit(130);
    });
    await tell(kc, kubeconfig, root, opts, dir, op.logPath, op.exited);
    const dashboard = await demoDashboard(root, kubeconfig, opts.namespace, opts.exitWhenDone);
    stopDashboard = dashboard.stop;
    if (opts.exitWhenDone) {
      dashboard.stop();
      stop();
      down(dir, { purge: true });
      say('stopped the operator and the control plane.');
      return;
    }
    say(
      `The operator keeps running (logs: ${op.logPath}; its token is valid for 24 hours). Try, in another shell:`,
    );
    say(`  export KUBECONFIG=${kubeconfig}`);
    say(`  bin/depot get applications -n ${opts.namespace}`);
    say(`  bin/depot get promotions -n ${opts.namespace}`);
    say(`  bin/depot unreject core 1.12.3 -n ${opts.namespace}`);
    say(`  bin/depot history core -n ${opts.namespace}`);
    say(`  bin/depot dashboard -n ${opts.namespace}   (or open ${dashboard.url})`);
    say('Press Ctrl-C to stop.');
    await new Promise<void>((resolve) => op.child.once('exit', () => resolve()));
  } finally {
    stop();
  }
}

async function runOnExistingCluster(
  opts: DemoOptions,
  cluster: { kubeconfig: string; deployment?: string },
): Promise<void> {
  const root = projectRoot();
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  say(`== Depot demo on the cluster of ${cluster.kubeconfig} (context ${kc.getCurrentContext()})`);
  const c = operatorContainer(loadManifests(deploymentManifest(root)), 'config/manager/manager.yaml');
  const deployment = cluster.deployment ?? c.deployment;
  const [namespace, name] = deployment.split('/') as [string, string];
  say(`== Waiting for the Depot CRDs and the Deployment ${deployment} (installed by the chart) to be ready`);
  await waitForCrds(
    kc,
    loadManifests(join(root, 'crds')).map((o) => o.metadata!.name!),
    opts.stepTimeoutMs,
  );
  const apps = kc.makeApiClient(AppsV1Api);
  const deadline = Date.now() + opts.stepTimeoutMs;
  for (;;) {
    const d = await apps.readNamespacedDeployment({ name, namespace }).catch(() => undefined);
    const ready = d?.status?.readyReplicas ?? 0;
    if (d && ready >= 1) {
      say(
        `   ${ready}/${d.spec?.replicas ?? 1} replicas ready, ServiceAccount ${namespace}/${d.spec?.template.spec?.serviceAccountName ?? 'default'}`,
      );
      break;
    }
    if (Date.now() > deadline)
      throw new Error(
        `setup: timed out after ${opts.stepTimeoutMs / 1000}s waiting for Deployment ${deployment} to have a ready replica${d ? '' : ' (it does not exist)'}`,
      );
    await sleep(1000);
  }
  await resetDemo(kc, opts.namespace, opts.stepTimeoutMs);
  const runDir = join(root, '.cache', 'demo-existing-cluster');
  await tell(kc, cluster.kubeconfig, root, opts, runDir, `kubectl logs -n ${namespace} deployment/${name}`);
  say('the tour is done; the operator keeps running in the cluster.');
}

async function tell(
  kc: KubeConfig,
  kubeconfig: string,
  root: string,
  opts: DemoOptions,
  dir: string,
  operatorHint: string,
  operatorExited?: () => string | undefined,
): Promise<void> {
  say(
    '== Starting Argo CD v3.6 (application controller, repo-server, Redis) and a local Git + Helm chart server',
  );
  const run = await startDemoArgoCd({
    kc,
    kubeconfig,
    dir: join(dir, 'argocd-demo'),
    depotNamespace: opts.namespace,
    log: (l) => process.stderr.write(`   ${l}\n`),
  });
  try {
    say(
      `   Argo CD watches namespace argocd; its logs: ${run.argocd.logs}; Git: ${run.git.url}/git/<app>-deploy.git`,
    );
    await tellWithArgo(kc, kubeconfig, root, opts, operatorHint, operatorExited, run.argo);
  } finally {
    await run.stop();
  }
}

async function tellWithArgo(
  kc: KubeConfig,
  kubeconfig: string,
  root: string,
  opts: DemoOptions,
  operatorHint: string,
  operatorExited: (() => string | undefined) | undefined,
  argoCd: DemoArgoCd,
): Promise<void> {
  say(
    `== Installing the releases into Git, the Argo CD Applications and the samples (config/samples) into ${opts.namespace}`,
  );
  await ensureNamespace(kc, opts.namespace);
  const argo = await installSamples(kc, root, opts.namespace, argoCd);
  const client = DepotClient.forKubeConfig(withNamespace(kc, opts.namespace), opts.namespace);
  const tour = new Tour({
    root,
    kubeconfig,
    namespace: opts.namespace,
    client,
    argo,
    stepTimeoutMs: opts.stepTimeoutMs,
    operatorHint,
    operatorExited,
  });
  await tellTheStory(tour);
  say(
    '\nThe whole story ran: CI → dev → staging, a blocked request released by its requirement, a bad version rolled back and rejected.',
  );
}
