// What the HTTP API tests share: ServiceAccount tokens from the TokenRequest
// API (audience depot) with a Role in the test namespace, and the address the operator's HTTP
// API logged when it started listening.
import {
  CoreV1Api,
  RbacAuthorizationV1Api,
  type KubeConfig,
  type V1PolicyRule,
} from '@kubernetes/client-node';
import { eventually } from './eventually.js';
import type { OperatorProcess } from './operator-process.js';

/** A ServiceAccount in `ns` allowed `rules` there, and a token for it made for `audiences` (Depot's by default). */
export async function serviceAccountToken(
  kc: KubeConfig,
  ns: string,
  name: string,
  rules: V1PolicyRule[],
  audiences: string[] = ['depot'],
): Promise<string> {
  const core = kc.makeApiClient(CoreV1Api);
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name } } });
  if (rules.length > 0) {
    await rbac.createNamespacedRole({ namespace: ns, body: { metadata: { name }, rules } });
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
        subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
      },
    });
  }
  const token = await core.createNamespacedServiceAccountToken({
    name,
    namespace: ns,
    body: { spec: { audiences, expirationSeconds: 3600 } },
  });
  return token.status!.token!;
}

/** http://127.0.0.1:PORT/api/v1 of an operator started with `--api-addr 127.0.0.1:0`. */
export async function apiBase(operator: OperatorProcess, scheme = 'http'): Promise<string> {
  return eventually(
    'the operator logs that its HTTP API listens',
    async () => {
      const line = operator
        .output()
        .split('\n')
        .find((l) => l.includes('"HTTP API listening"'));
      if (!line) return undefined;
      const { address } = JSON.parse(line) as { address: string };
      return `${scheme}://127.0.0.1:${address.split(':').pop()}/api/v1`;
    },
    60_000,
  );
}
