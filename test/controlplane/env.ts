// What an integration test needs from the shared control plane.
import { randomBytes } from 'node:crypto';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';

export function testKubeConfig(): KubeConfig {
  const path = process.env.DEPOT_TEST_KUBECONFIG;
  if (!path)
    throw new Error('DEPOT_TEST_KUBECONFIG is not set: run integration tests through jest (global setup)');
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

/** Creates a namespace with a random name for one test file or case. */
export async function freshNamespace(kc: KubeConfig, prefix = 't'): Promise<string> {
  const name = `${prefix}-${randomBytes(4).toString('hex')}`;
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
  return name;
}
