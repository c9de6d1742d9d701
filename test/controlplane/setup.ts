// Starts one real control plane (etcd + kube-apiserver) for the whole
// integration run (and builds Flux's notification-controller once), installs Depot's CRDs and the upstream Argo CD / Flux CRDs
// from ../shared/fixtures/crds, and hands the kubeconfig to the test workers
// through DEPOT_TEST_KUBECONFIG.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { ensureBinaries, up } from '../../src/local/controlplane/index.js';
import { applyManifests, loadManifests } from '../../src/local/manifests.js';
import { projectRoot } from '../../src/local/project-root.js';
import { upstreamCrdDir } from './paths.js';

const say = (line: string) => process.stderr.write(`[controlplane] ${line}\n`);

/**
 * The MutatingAdmissionPolicy answers 503 for a kind until the API server's
 * type converter has it (OpenAPI is polled every 5 s): wait for a server-side
 * dry run of an Application to pass, so that no test sees that window.
 */
async function admissionReady(kc: KubeConfig): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  const probe = {
    apiVersion: 'depot.sh/v1alpha1',
    kind: 'Application',
    metadata: { name: 'admission-ready', namespace: 'default' },
    spec: { versions: { dev: '1.0.0' } },
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await api.create(probe, undefined, 'All');
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`Applications are not admitted yet: ${String(err)}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

export default async function globalSetup(): Promise<void> {
  const root = projectRoot();
  const t0 = Date.now();
  const bin = await ensureBinaries(say);
  // Flux's notification-controller serves the Receivers of the Flux delivery tests.
  const fluxBin = await ensureBinaries(say, { script: join(root, 'scripts', 'build-flux.sh') });
  const buildMs = Date.now() - t0;
  const coldFile = join(bin, '..', 'build-seconds');
  const coldSeconds = existsSync(coldFile) ? Number(readFileSync(coldFile, 'utf8').trim()) : undefined;

  const runs = join(root, '.cache', 'test-runs');
  mkdirSync(runs, { recursive: true });
  const dir = mkdtempSync(join(runs, 'run-'));
  const t1 = Date.now();
  const state = await up({ dir, bin, log: say });
  const startMs = Date.now() - t1;

  // If this Jest process dies without its teardown (Ctrl-C, kill), the
  // watchdog stops the control plane so no orphan processes are left.
  const watchdog = spawn(
    process.execPath,
    [join(root, 'test', 'controlplane', 'watchdog.js'), String(process.pid), dir],
    {
      detached: true,
      stdio: 'ignore',
    },
  );
  watchdog.unref();

  const kc = new KubeConfig();
  kc.loadFromFile(state.kubeconfig);
  const t2 = Date.now();
  const crdPaths = [join(root, 'crds'), upstreamCrdDir()].filter((p) => existsSync(p));
  await applyManifests(kc, loadManifests(...crdPaths), { fieldManager: 'depot-test-setup' });
  // Depot's admission policies (authenticated actors), as config/ ships them: every test runs with them.
  await applyManifests(kc, loadManifests(join(root, 'config', 'admission')), {
    fieldManager: 'depot-test-setup',
  });
  await admissionReady(kc);
  const crdMs = Date.now() - t2;

  const timings = { binariesMs: buildMs, coldBuildSeconds: coldSeconds, startMs, crdInstallMs: crdMs };
  writeFileSync(join(root, '.cache', 'controlplane-timings.json'), JSON.stringify(timings));
  say(
    `binaries ${buildMs > 60_000 ? `built in ${(buildMs / 60_000).toFixed(1)} min now` : `ready in ${(buildMs / 1000).toFixed(1)} s (cached)`}` +
      `${coldSeconds !== undefined ? ` (their build took ${(coldSeconds / 60).toFixed(1)} min)` : ''}; ` +
      `start ${(startMs / 1000).toFixed(1)} s (warm); CRDs installed in ${(crdMs / 1000).toFixed(1)} s`,
  );

  process.env.DEPOT_TEST_KUBECONFIG = state.kubeconfig;
  process.env.DEPOT_TEST_CONTROLPLANE_DIR = dir;
  process.env.DEPOT_TEST_WATCHDOG_PID = String(watchdog.pid);
  process.env.DEPOT_TEST_FLUX_BIN = fluxBin;
}
