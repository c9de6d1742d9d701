// What the tour starts from, the same on the local control plane and on an
// existing cluster: the releases in the local Git server and the Argo CD
// Applications the samples deliver to (demo-argocd.ts), and config/samples in
// the demo namespace with the dev soak shortened to seconds.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { DemoArgoCd } from '../demo-argocd.js';
import { applyManifests, loadManifests } from '../manifests.js';

/**
 * The soak of the sample Promotion dev-to-staging in the demo (10m in
 * config/samples). Longer than the real Argo CD needs to sync the three dev
 * Applications before Step 1 (about 20 s here): with 5 s, dev's first version
 * 1.12.1 was promoted to staging before Step 1 asked for 1.12.2.
 */
export const DEMO_SOAK = '40s';

export async function installSamples(
  kc: KubeConfig,
  root: string,
  namespace: string,
  argo: DemoArgoCd,
): Promise<DemoArgoCd> {
  await argo.install();
  await applyManifests(kc, loadManifests(join(root, 'config', 'samples')), {
    fieldManager: 'depot-demo',
    namespace,
  });
  await applyManifests(
    kc,
    [
      {
        apiVersion: 'depot.sh/v1alpha1',
        kind: 'Promotion',
        metadata: { name: 'dev-to-staging' },
        spec: { from: 'dev', to: 'staging', after: DEMO_SOAK },
      } as never,
    ],
    { fieldManager: 'depot-demo', namespace },
  );
  return argo;
}

/**
 * On an existing cluster the tour starts again from the samples: the demo
 * namespace of an earlier run is deleted (and awaited), and so are the demo's
 * Argo CD Applications (their status is what "Argo CD" reported last time).
 */
export async function resetDemo(kc: KubeConfig, namespace: string, timeoutMs: number): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  await new DemoArgoCd(kc, namespace).remove();
  const exists = async () =>
    core.readNamespace({ name: namespace }).then(
      () => true,
      () => false,
    );
  if (await exists()) {
    await core.deleteNamespace({ name: namespace });
    const deadline = Date.now() + timeoutMs;
    while (await exists()) {
      if (Date.now() > deadline)
        throw new Error(
          `namespace ${namespace} of an earlier demo is still terminating after ${timeoutMs / 1000}s (pass another --namespace)`,
        );
      await sleep(500);
    }
  }
  await core.createNamespace({ body: { metadata: { name: namespace } } });
}

export async function ensureNamespace(kc: KubeConfig, name: string): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  try {
    await core.readNamespace({ name });
  } catch {
    await core.createNamespace({ body: { metadata: { name } } });
  }
}
