// Runs Flux's real controllers (scripts/build-flux.sh, DEPOT_TEST_FLUX_BIN) as processes
// against the test control plane, each on free loopback ports and watching only its own
// namespace, so tests that write Flux status themselves run beside them untouched.
// CRDs come from the built modules; those the shared fixtures also have must be identical
// (an error otherwise), so only the missing kinds are added (docs/delivery-flux.md).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { freePort } from '../../src/local/controlplane/index.js';
import { applyManifests, loadManifests, waitForCrds } from '../../src/local/manifests.js';
import { projectRoot } from '../../src/local/project-root.js';
import { upstreamCrdDir } from './paths.js';

export const FLUX_CONTROLLERS = [
  'source-controller',
  'kustomize-controller',
  'helm-controller',
  'notification-controller',
] as const;
export type FluxControllerName = (typeof FLUX_CONTROLLERS)[number];

export interface FluxController {
  name: string;
  pid: number | undefined;
  output: () => string;
  stop: () => Promise<void>;
}

function fluxBin(): string {
  const bin = process.env.DEPOT_TEST_FLUX_BIN;
  if (!bin)
    throw new Error('DEPOT_TEST_FLUX_BIN is not set: run integration tests through jest (global setup)');
  return bin;
}

async function waitReady(name: string, child: ReturnType<typeof spawn>, health: number, out: () => string) {
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}):\n${out().slice(-3000)}`);
    try {
      if ((await fetch(`http://127.0.0.1:${health}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`${name} did not become ready in 90 s:\n${out().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Starts one Flux controller binary watching only `namespace`, with its
 * metrics and health endpoints on free loopback ports and leader election
 * off; resolves once its /readyz answers. `args` are its own flags.
 */
export async function startFluxController(
  name: FluxControllerName,
  kubeconfig: string,
  namespace: string,
  args: string[] = [],
): Promise<FluxController> {
  const [metrics, health] = [await freePort(), await freePort()];
  const child = spawn(
    join(fluxBin(), name),
    [
      `--metrics-addr=127.0.0.1:${metrics}`,
      `--health-addr=127.0.0.1:${health}`,
      '--enable-leader-election=false',
      '--watch-all-namespaces=false',
      '--log-encoding=console',
      ...args,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, KUBECONFIG: kubeconfig, RUNTIME_NAMESPACE: namespace },
    },
  );
  let out = '';
  const keep = (b: Buffer) => {
    out += b.toString();
    // Keep the end: a long test must not grow this without bound.
    if (out.length > 400_000) out = out.slice(-200_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGTERM');
    await exited;
  };
  try {
    await waitReady(name, child, health, () => out);
  } catch (err) {
    await stop();
    throw err;
  }
  return { name, pid: child.pid, output: () => out, stop };
}

export interface Flux {
  /** http://127.0.0.1:<port>: a Receiver's URL is this + its status.webhookPath. */
  receiverBase: string;
  controllers: FluxController[];
  /** The last lines of every controller's log, for a failing test's message. */
  logs: (lines?: number) => string;
  stop: () => Promise<void>;
}

/**
 * source-, kustomize-, helm- and notification-controller for one namespace.
 * source-controller serves its artifacts on a free loopback port (the other
 * controllers download them from the advertised address) from a temporary
 * storage directory removed by stop().
 */
export async function startFlux(kubeconfig: string, namespace: string): Promise<Flux> {
  const storage = mkdtempSync(join(tmpdir(), 'depot-flux-storage-'));
  const started: FluxController[] = [];
  const stop = async () => {
    await Promise.all(started.map((c) => c.stop()));
    rmSync(storage, { recursive: true, force: true });
  };
  try {
    // A failed reconcile (a tag not pushed yet) is retried within seconds, not
    // after Flux's default backoff of up to 15 minutes.
    const retry = ['--min-retry-delay=500ms', '--max-retry-delay=5s'];
    const storagePort = await freePort();
    started.push(
      await startFluxController('source-controller', kubeconfig, namespace, [
        `--storage-path=${storage}`,
        `--storage-addr=127.0.0.1:${storagePort}`,
        `--storage-adv-addr=127.0.0.1:${storagePort}`,
        ...retry,
      ]),
    );
    started.push(await startFluxController('kustomize-controller', kubeconfig, namespace, retry));
    started.push(await startFluxController('helm-controller', kubeconfig, namespace, retry));
    const receiver = await freePort();
    started.push(
      await startFluxController('notification-controller', kubeconfig, namespace, [
        `--receiverAddr=127.0.0.1:${receiver}`,
        `--events-addr=127.0.0.1:${await freePort()}`,
      ]),
    );
    return {
      receiverBase: `http://127.0.0.1:${receiver}`,
      controllers: started,
      logs: (lines = 40) =>
        started
          .map((c) => `--- ${c.name} ---\n${c.output().split('\n').slice(-lines).join('\n')}`)
          .join('\n'),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The config/crd/bases directories of the Flux controllers' modules in test/flux/go (from Go's module cache). */
export function fluxModuleCrdDirs(): string[] {
  const mod = join(projectRoot(), 'test', 'flux', 'go');
  const res = spawnSync(
    'go',
    ['list', '-m', '-f', '{{.Dir}}', ...FLUX_CONTROLLERS.map((c) => `github.com/fluxcd/${c}`)],
    { cwd: mod, encoding: 'utf8' },
  );
  if (res.status !== 0)
    throw new Error(`go list -m in ${mod} failed (is scripts/build-flux.sh done?): ${res.stderr}`);
  const dirs = res.stdout
    .trim()
    .split('\n')
    .map((d) => join(d, 'config', 'crd', 'bases'));
  for (const d of dirs) if (!existsSync(d)) throw new Error(`no CRDs in ${d}`);
  return dirs;
}

/**
 * Installs the Flux CRDs from the built modules. A CRD the shared fixtures
 * also hold is applied only when identical, so parallel tests that use the
 * fixtures see no schema change; one that differs stays as the fixture has
 * it and is returned (at the pinned versions: notification-controller
 * v1.9.3's Provider, whose type enum lacks two values the newer fixture has;
 * Depot does not use Providers).
 */
export async function installFluxCrds(kc: KubeConfig): Promise<{ keptFixture: string[] }> {
  const fixtures = join(upstreamCrdDir(), 'flux');
  const files: string[] = [];
  const keptFixture: string[] = [];
  for (const dir of fluxModuleCrdDirs())
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
      const fixture = join(fixtures, file);
      if (existsSync(fixture) && readFileSync(fixture, 'utf8') !== readFileSync(join(dir, file), 'utf8'))
        keptFixture.push(file);
      else files.push(join(dir, file));
    }
  await applyManifests(kc, loadManifests(...files), { fieldManager: 'depot-test-setup' });
  const crdName = (file: string) => {
    const [group, plural] = file
      .replace(/^.*\//, '')
      .replace(/\.yaml$/, '')
      .split('_');
    return `${plural}.${group}`;
  };
  await waitForCrds(kc, files.map(crdName));
  return { keptFixture };
}
