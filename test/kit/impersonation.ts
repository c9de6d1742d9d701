// Acting as another person on the test control plane: a kubeconfig whose user
// impersonates them (`as:`, the Impersonate-User header, as `kubectl --as`),
// and a Role in the test namespace granting those people what they need.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  KubeConfig,
  RbacAuthorizationV1Api,
  type V1PolicyRule,
  type RbacV1Subject,
} from '@kubernetes/client-node';
import { testKubeConfig } from '../controlplane/env.js';

/** The test kubeconfig acting as `user`: the API server authenticates the admin, then authorizes and records `user`. */
export function impersonating(user: string): { kc: KubeConfig; path: string } {
  const base = testKubeConfig();
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: base.clusters,
    contexts: base.contexts,
    currentContext: base.currentContext,
    users: base.users.map((u) => ({ ...u, impersonateUser: user })),
  });
  const path = join(mkdtempSync(join(tmpdir(), 'depot-as-')), 'kubeconfig');
  writeFileSync(path, kc.exportConfig(), { mode: 0o600 });
  return { kc, path };
}

/** A Role in `ns` with `rules`, bound to the given users. */
export async function grantUsers(
  kc: KubeConfig,
  ns: string,
  name: string,
  users: string[],
  rules: V1PolicyRule[],
): Promise<void> {
  const subjects = users.map((u) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: u }));
  await grantRole(kc, ns, name, subjects, rules);
}

/** A Role `name` in `ns` with `rules` and a RoleBinding of the same name to `subjects`. */
export async function grantRole(
  kc: KubeConfig,
  ns: string,
  name: string,
  subjects: RbacV1Subject[],
  rules: V1PolicyRule[],
): Promise<void> {
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  await rbac.createNamespacedRole({ namespace: ns, body: { metadata: { name }, rules } });
  await rbac.createNamespacedRoleBinding({
    namespace: ns,
    body: {
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects,
    },
  });
}
