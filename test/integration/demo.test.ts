// `make demo` (`depot local demo --exit`) from start to end on a private
// control plane: the operator runs from config/manager's Deployment as its
// ServiceAccount, each step really happens (the demo checks before it says
// so), and nothing is left running. Then the same tour with
// --existing-cluster, where the operator already runs (the kind e2e's way).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { down, readState, up } from '../../src/local/controlplane/index.js';
import { operatorContainer } from '../../src/local/deployment-process.js';
import { applyManifests, loadManifests } from '../../src/local/manifests.js';
import { projectRoot } from '../../src/local/project-root.js';
import {
  applyOperatorRbac,
  deploymentManifest,
  startLocalOperator,
} from '../../src/local/tour/local-operator.js';

const root = projectRoot();
let dir: string;
beforeAll(() => {
  mkdirSync(join(root, '.cache', 'test-runs'), { recursive: true });
  dir = mkdtempSync(join(root, '.cache', 'test-runs', 'demo-'));
});
afterAll(() => {
  down(dir, { purge: true });
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI without blocking this process (a local operator of this process pipes its logs here). */
function depot(
  args: string[],
  timeoutMs = 300_000,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'depot.js'), ...args], { timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** The lines between a step's title and the next step's. */
function section(out: string, title: string): string {
  const start = out.indexOf(`== ${title}`);
  expect(start).toBeGreaterThanOrEqual(0);
  const next = out.indexOf('\n== ', start + 1);
  return out.slice(start, next < 0 ? undefined : next);
}

function expectTheStory(out: string): void {
  const step1 = section(out, 'Step 1');
  expect(step1).toContain('$ depot set-version core dev 1.12.2');
  // Depot writes the version into the Argo CD Application (upstream CRD)...
  expect(step1).toContain(
    'Depot wrote it into the Argo CD Application argocd/core-dev: spec.source.targetRevision = 1.12.2',
  );
  // ...the table marks the drift until Argo CD reports it synced and healthy...
  expect(step1).toMatch(/1\.12\.2 drift: dev-argocd=1\.12\.1/);
  // ...and the deployed version comes back from the Application's status, not from the CLI.
  expect(out).not.toContain('set-deployed');
  expect(step1).toMatch(/Deployed +dev +dev-argocd +1\.12\.1 +1\.12\.2 +argocd/);

  const step2 = section(out, 'Step 2');
  expect(step2).toMatch(/Promoted +staging +1\.12\.0 +1\.12\.2 +promotion dev-to-staging/);
  expect(step2).toMatch(/│ core +│ 1\.12\.2 +│ 1\.12\.2 +│ 1\.11\.3 +│/);

  const step3 = section(out, 'Step 3');
  // The real condition and the real answer of `depot check`, not a paraphrase.
  expect(step3).toContain(
    'condition Compatible=False (RequirementNotMet): prod: dash 2.0.1 requires core >=1.12.0 <2.0.0; prod runs core 1.11.3',
  );
  expect(step3).toMatch(/1\.9\.4 \(2\.0\.1 RequirementNotMet\)/);
  expect(step3).toMatch(
    /CONFLICT\n +dash 2\.0\.1 requires core >=1\.12\.0 <2\.0\.0; prod runs core 1\.11\.3/,
  );
  expect(step3).toContain('core: promoted 1.12.2 from staging to prod');
  expect(step3).toMatch(/Unblocked +prod +1\.9\.4 +2\.0\.1/);
  expect(step3).toContain(
    'Depot wrote it into the Argo CD Application argocd/dash: Helm parameter image.tag = 2.0.1',
  );
  expect(step3).toMatch(/│ dash +│ 2\.0\.1 +│ 2\.0\.1 +│ 2\.0\.1 +│/);

  const step4 = section(out, 'Step 4');
  expect(step4).toContain('core: staging rolled back from 1.12.3 to 1.12.2');
  expect(step4).toMatch(
    /Promotion dev-to-staging, core: Held: held: depot-admin rolled staging back from 1\.12\.3 to 1\.12\.2 .*\(release: depot release core staging\)/,
  );
  expect(step4).toContain('core@1.12.3 (by depot-admin)');
  expect(step4).toMatch(/│ core +│ 1\.12\.3 REJECTED +│ 1\.12\.2 +│ 1\.12\.2 +│/);
  expect(step4).toContain('core: released the hold on 1.12.3 in staging');
  expect(step4).toContain(
    'Promotion dev-to-staging, core: Blocked: rejected by depot-admin: corrupts uploads',
  );
  expect(step4).toMatch(/RolledBack +staging +1\.12\.3 +1\.12\.2 +depot-admin/);

  // One sentence per step, each printed after the demo checked it.
  expect(out.match(/^-> /gm)).toHaveLength(4);
  for (const s of [step1, step2, step3, step4]) expect(s).toMatch(/^-> .+\.$/m);
}

test('make demo runs the operator as its ServiceAccount and tells the whole story', async () => {
  // What an earlier `make demo` left in its state directory (its control plane is made afresh) stops nothing.
  mkdirSync(join(dir, 'argocd-demo', 'gitserver', 'git', 'core-deploy.git'), { recursive: true });
  const res = await depot(['local', 'demo', '--exit', '--dir', dir]);
  expect(res.stderr).not.toMatch(/^error:/m);
  expect(res.status).toBe(0);
  const out = res.stdout;

  // The operator: the Deployment's flags (read from config/manager), its ServiceAccount's identity, leader election.
  const c = operatorContainer(loadManifests(deploymentManifest(root)), 'manager.yaml');
  const argv = out.match(/^ {3}depot (operator .*)$/m)?.[1];
  expect(argv).toBeDefined();
  for (const a of c.argv.filter((a) => !/^--[a-z-]+-addr=/.test(a))) expect(argv!.split(' ')).toContain(a);
  for (const { flag } of c.listen) expect(argv).toMatch(new RegExp(`${flag}=127\\.0\\.0\\.1:\\d+`));
  expect(argv).toContain(`--kubeconfig=${join(dir, 'depot-operator.kubeconfig')}`);
  expect(argv).not.toContain(join(dir, 'kubeconfig '));
  expect(out).toContain(
    `runs as system:serviceaccount:${c.namespace}:${c.serviceAccountName} (SelfSubjectReview`,
  );
  expect(out).toMatch(new RegExp(`it holds the Lease ${c.namespace}/depot-operator as depot-operator-demo`));
  // The HTTP API answered over TLS, its generated certificate checked for the Service's name.
  expect(out).toMatch(
    new RegExp(
      `HTTP API over TLS: https://127\\.0\\.0\\.1:\\d+/api/v1 \\(its certificate, generated into Secret ${c.namespace}/depot-operator-api-tls, checked for depot-operator\\.${c.namespace}\\.svc against `,
    ),
  );

  expectTheStory(out);
  expect(out).toContain('stopped the operator and the control plane.');
  expect(readState(dir)).toBeUndefined();
}, 320_000);

test('--existing-cluster tells the same story where the operator already runs', async () => {
  const state = await up({ dir, log: () => undefined });
  const kc = new KubeConfig();
  kc.loadFromFile(state.kubeconfig);
  await applyManifests(kc, loadManifests(join(root, 'crds')), { fieldManager: 'test' });
  await applyOperatorRbac(kc, root);
  // The cluster's operator: the same process as the demo's, and its Deployment
  // with a ready replica in status (written here: no kubelet runs).
  const op = await startLocalOperator({ admin: kc, root, stateDir: dir, timeoutMs: 60_000 });
  try {
    const deployment = loadManifests(deploymentManifest(root)).find((o) => o.kind === 'Deployment')!;
    await applyManifests(kc, [deployment], { fieldManager: 'test' });
    const { name, namespace } = deployment.metadata as { name: string; namespace: string };
    await kc.makeApiClient(AppsV1Api).patchNamespacedDeploymentStatus({
      name,
      namespace,
      body: [{ op: 'add', path: '/status', value: { replicas: 1, readyReplicas: 1 } }],
    });

    const res = await depot([
      'local',
      'demo',
      '--exit',
      '--existing-cluster',
      '--kubeconfig',
      state.kubeconfig,
    ]);
    expect(res.stderr).not.toMatch(/^error:/m);
    expect(res.status).toBe(0);
    expect(res.stdout).toContain(`1/2 replicas ready, ServiceAccount ${namespace}/depot-operator`);
    expectTheStory(res.stdout);
    expect(res.stdout).toContain('the tour is done; the operator keeps running in the cluster.');
  } finally {
    op.child.kill('SIGTERM');
  }
}, 320_000);

test('--existing-cluster without a kubeconfig is one line, exit 1', async () => {
  const res = await depot(['local', 'demo', '--existing-cluster'], 30_000);
  expect(res.status).toBe(1);
  expect(res.stderr.trim()).toBe('error: --existing-cluster needs --kubeconfig <path>');
});
