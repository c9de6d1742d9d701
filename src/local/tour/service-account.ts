// A ServiceAccount's identity outside a pod: a token from the TokenRequest
// API in a kubeconfig of its own (what the kubelet mounts into a pod), and
// who the API server says that kubeconfig is (a SelfSubjectReview).
import { writeFileSync } from 'node:fs';
import { AuthenticationV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';

/**
 * Writes a kubeconfig for namespace/name's token to `file`. Its context's
 * namespace is the ServiceAccount's, as a pod's mounted namespace file would
 * say (the operator puts its Lease there when no flag names one).
 */
export async function writeServiceAccountKubeconfig(
  admin: KubeConfig,
  sa: { namespace: string; name: string },
  file: string,
  expirationSeconds: number,
): Promise<{ expires?: Date }> {
  const token = await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    name: sa.name,
    namespace: sa.namespace,
    body: { spec: { audiences: [], expirationSeconds } },
  });
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error('the admin kubeconfig has no current cluster');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ ...cluster, name: 'cluster' }],
    users: [{ name: sa.name, token: token.status!.token }],
    contexts: [{ name: sa.name, cluster: 'cluster', user: sa.name, namespace: sa.namespace }],
    currentContext: sa.name,
  });
  writeFileSync(file, kc.exportConfig(), { mode: 0o600 });
  return { expires: token.status?.expirationTimestamp };
}

/** The user name the API server authenticates this kubeconfig as. */
export async function whoAmI(kubeconfig: string): Promise<string> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const review = await kc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
  });
  const user = review.status?.userInfo?.username;
  if (!user) throw new Error(`the API server returned no user for ${kubeconfig}`);
  return user;
}
