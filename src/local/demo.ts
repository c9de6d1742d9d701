// `make demo`: with no cluster at all, start the local control plane, install
// the CRDs and the samples, run the operator, and show versions flowing: CI
// requests a new build in dev, Depot writes it into the dev Argo CD
// Application (upstream CRD), the version table marks the drift until Argo
// CD reports it synced and healthy, and the dev-to-staging Promotion moves
// it to staging after its soak time. Narrated with the real CLI commands a
// user would type. There is no Argo CD controller here: the demo writes the
// Application's status the way Argo CD's application controller does.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { Application } from '../api/application.js';
import type { KubeObject } from '../kube/resource.js';
import { DepotClient } from '../client/depot-client.js';
import { Applications } from '../api/resources.js';
import { down, up } from './controlplane.js';
import { applyManifests, loadManifests, withNamespace } from './manifests.js';
import { ARGOCD_NAMESPACE, DemoArgoCd } from './demo-argocd.js';
import { localOperatorArgv } from './operator-argv.js';
import { projectRoot } from './project-root.js';

export interface DemoOptions {
  dir: string;
  namespace: string;
  /** Exit once the samples have converged (DEMO_EXIT=1) instead of watching until Ctrl-C. */
  exitWhenConverged: boolean;
  timeoutMs: number;
}

const say = (line = '') => process.stdout.write(`${line}\n`);

export async function runDemo(opts: DemoOptions): Promise<void> {
  const root = projectRoot();
  say('== Depot demo: a real kube-apiserver + etcd on loopback, no cluster needed');
  // Every run tells the same story from the samples: start from empty data.
  down(opts.dir, { purge: true });
  const state = await up({ dir: opts.dir, log: (l) => process.stderr.write(`   ${l}\n`) });
  say(`   kubeconfig: ${state.kubeconfig}`);
  const kc = new KubeConfig();
  kc.loadFromFile(state.kubeconfig);
  await ensureNamespace(kc, opts.namespace);

  say(`== Installing the CRDs and the samples (config/samples) into namespace ${opts.namespace}`);
  await applyManifests(kc, loadManifests(join(root, 'crds')), { fieldManager: 'depot-demo' });
  const argo = new DemoArgoCd(kc, opts.namespace);
  await argo.install();
  await applyManifests(kc, loadManifests(join(root, 'config', 'samples')), {
    fieldManager: 'depot-demo',
    namespace: opts.namespace,
  });
  // The sample soaks 10 minutes in dev; the demo shortens it so it finishes in seconds.
  await applyManifests(
    kc,
    [
      {
        apiVersion: 'depot.sh/v1alpha1',
        kind: 'Promotion',
        metadata: { name: 'dev-to-staging' },
        spec: { from: 'dev', to: 'staging', after: '5s' },
      } as never,
    ],
    { fieldManager: 'depot-demo', namespace: opts.namespace },
  );

  const operator = startOperator(root, state.kubeconfig, opts.namespace, state.dir);
  const stop = () => operator.kill('SIGTERM');
  process.once('SIGINT', () => {
    stop();
    say(
      `\nstopped the operator; the control plane keeps running (\`depot local down --dir ${opts.dir}\` stops it)`,
    );
    process.exit(130);
  });
  try {
    const client = DepotClient.forKubeConfig(withNamespace(kc, opts.namespace), opts.namespace);
    const deadline = Date.now() + opts.timeoutMs;

    say('== The operator computes every application × environment (desired version per cell)');
    const cli = (...args: string[]) => runCli(root, state.kubeconfig, opts.namespace, args);
    await waitFor(
      client,
      deadline,
      (apps) => apps.length === 3 && apps.every((a) => (a.status?.environments?.length ?? 0) === 3),
    );
    await argo.waitForRevision('core-dev', '1.12.1', deadline);
    say(`== Argo CD (played by the demo) syncs the dev Applications: Synced, Healthy`);
    for (const app of ['core', 'dash', 'ide']) await argo.sync(`${app}-dev`);
    await waitFor(client, deadline, (list) => deployed(list, 'core', 'dev-argocd') === '1.12.1');
    cli('get', 'applications');

    say('\n== CI built core 1.12.2 and requests it in dev');
    cli('set-version', 'core', 'dev', '1.12.2');
    await waitFor(client, deadline, (list) => desired(list, 'core', 'dev') === '1.12.2');
    await argo.waitForRevision('core-dev', '1.12.2', deadline);
    say(
      `== Depot wrote it into the Argo CD Application ${ARGOCD_NAMESPACE}/core-dev: spec.source.targetRevision = ${await argo.revision('core-dev')}`,
    );
    say('== Argo CD has not synced it yet: the table marks the drift (desired ≠ deployed)');
    cli('get', 'applications');
    say('\n== Argo CD syncs core-dev; Depot reads the deployed version back from its status');
    await argo.sync('core-dev');
    await waitFor(client, deadline, (list) => deployed(list, 'core', 'dev-argocd') === '1.12.2');
    say('== Promotion dev-to-staging moves it to staging after its soak time (5s in the demo)');
    await waitFor(client, deadline, (list) => desired(list, 'core', 'staging') === '1.12.2');
    cli('get', 'applications');
    say('\n== The audit trail of core');
    cli('history', 'core', '--limit', '8');
    say('\nconverged: core 1.12.2 went dev → staging through the Promotion.');
    if (opts.exitWhenConverged) {
      stop();
      down(state.dir, { purge: true });
      say('stopped the operator and the control plane.');
      return;
    }
    say(
      `The operator keeps running (logs: ${join(state.dir, 'logs', 'operator.log')}). Try, in another shell:`,
    );
    say(`  export KUBECONFIG=${state.kubeconfig}`);
    say(`  bin/depot history core -n ${opts.namespace}`);
    say(`  bin/depot get applications -n ${opts.namespace}`);
    say(`  bin/depot promote core prod -n ${opts.namespace}`);
    say('Press Ctrl-C to stop.');
    await new Promise<void>((resolve) => operator.once('exit', () => resolve()));
  } finally {
    stop();
  }
}

async function ensureNamespace(kc: KubeConfig, name: string): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  try {
    await core.readNamespace({ name });
  } catch {
    await core.createNamespace({ body: { metadata: { name } } });
  }
}

function startOperator(root: string, kubeconfig: string, namespace: string, dir: string): ChildProcess {
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const log = createWriteStream(join(dir, 'logs', 'operator.log'), { flags: 'a' });
  const child = spawn(process.execPath, localOperatorArgv(kubeconfig, namespace), {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  say(
    `== Started the operator (pid ${child.pid}; logs and audit lines in ${join(dir, 'logs', 'operator.log')})`,
  );
  return child;
}

function runCli(root: string, kubeconfig: string, namespace: string, args: string[]): void {
  say(`$ depot ${args.join(' ')}`);
  const res = spawnSync(
    process.execPath,
    [join(root, 'bin', 'depot.js'), ...args, '-n', namespace, '--kubeconfig', kubeconfig],
    {
      encoding: 'utf8',
    },
  );
  process.stdout.write(res.stdout.replace(/^/gm, '  ').replace(/ {2}$/, ''));
  if (res.status !== 0) throw new Error(`depot ${args[0]} failed: ${res.stderr.trim()}`);
}

async function apps(client: DepotClient): Promise<Application[]> {
  return client.list<Application & KubeObject>(Applications);
}

function deployed(list: Application[], app: string, target: string): string | undefined {
  return list.find((a) => a.metadata.name === app)?.status?.targets?.find((t) => t.name === target)?.deployed;
}

function desired(list: Application[], app: string, env: string): string | undefined {
  return list.find((a) => a.metadata.name === app)?.status?.environments?.find((e) => e.name === env)
    ?.desired;
}

async function waitFor(
  client: DepotClient,
  deadline: number,
  done: (apps: Application[]) => boolean,
): Promise<void> {
  while (Date.now() < deadline) {
    if (done(await apps(client))) return;
    await sleep(500);
  }
  throw new Error('the demo did not converge in time; see the operator log');
}
