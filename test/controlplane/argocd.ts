// The real Argo CD for the integration tests (src/local/argocd.ts) against the shared test
// control plane, syncing from a local Git and Helm chart server. One per test file: start it
// in beforeAll, stop it in afterAll. It watches its own fresh namespace only, so tests that
// write Applications' status themselves are untouched. Its CRDs go over the fixtures' only
// when its Application CRD is the same file; otherwise it refuses to start.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { ensureArgocdBinaries, startArgocd, type RunningArgocd } from '../../src/local/argocd.js';
import { startGitServer, type GitServer } from '../../src/local/git-server.js';
import { upstreamCrdDir } from './paths.js';

export interface RealArgocd {
  argocd: RunningArgocd;
  git: GitServer;
  /** Argo CD's namespace (its Applications go there). */
  namespace: string;
  /** The helm CLI (for publishing charts). */
  helm: string;
  stop(): Promise<void>;
}

const say = (line: string) => process.stderr.write(`[argocd] ${line}\n`);

function assertCompatibleCrd(crdDir: string): void {
  const fixture = join(upstreamCrdDir(), 'argocd', 'application-crd.yaml');
  const built = join(crdDir, 'application-crd.yaml');
  if (existsSync(fixture) && readFileSync(fixture, 'utf8') !== readFileSync(built, 'utf8'))
    throw new Error(
      `the Application CRD of the built Argo CD (${built}) differs from ${fixture}, which the other integration tests use on the same control plane: run the real-Argo-CD tests on a control plane of their own, or update the fixture`,
    );
}

export async function startRealArgocd(
  kc: KubeConfig,
  opts: { applicationSet?: boolean; reconciliationSeconds?: number } = {},
): Promise<RealArgocd> {
  const kubeconfig = process.env.DEPOT_TEST_KUBECONFIG;
  if (!kubeconfig) throw new Error('DEPOT_TEST_KUBECONFIG is not set: run integration tests through jest');
  const binaries = await ensureArgocdBinaries(say);
  assertCompatibleCrd(binaries.crdDir);
  const base = process.env.DEPOT_TEST_CONTROLPLANE_DIR ?? tmpdir();
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, 'argocd-'));
  const git = await startGitServer({ dir: join(dir, 'gitserver'), log: say });
  const namespace = `argocd-real-${randomBytes(3).toString('hex')}`;
  try {
    const argocd = await startArgocd(kc, {
      kubeconfig,
      dir,
      binaries,
      namespace,
      applicationSet: opts.applicationSet ?? false,
      reconciliationSeconds: opts.reconciliationSeconds ?? 5,
      log: say,
    });
    return {
      argocd,
      git,
      namespace,
      helm: join(binaries.helmBin, 'helm'),
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
