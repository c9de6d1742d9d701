// The operator's identity in integration tests, from ONE place
// (operatorRbacManifests): its ServiceAccount, ClusterRole, binding and Lease
// Role, installed with unique names into a fresh namespace, and a kubeconfig
// with a TokenRequest token of that ServiceAccount. The operator gets exactly
// the packaged permissions; the tests' own writes stay admin.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CoreV1Api,
  KubeConfig,
  RbacAuthorizationV1Api,
  type KubernetesObject,
  type V1PolicyRule,
} from '@kubernetes/client-node';
import { applyManifests } from '../../src/local/manifests.js';
import { freshNamespace, testKubeConfig } from '../controlplane/env.js';
import { renderChart } from './helm.js';

const rbacKinds = new Set(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);

/**
 * The operator's RBAC as the packaging ships it: the Helm chart rendered with
 * every integration and the HTTP API on (config/rbac is the same rendering
 * with the defaults; config-manifests.test.ts checks they do not drift).
 */
export async function operatorRbacManifests(values: object = {}): Promise<KubernetesObject[]> {
  return renderChart({
    integrations: { argocd: true, flux: true },
    api: { enabled: true },
    ...values,
  }).filter((o) => rbacKinds.has(o.kind ?? ''));
}

type Binding = KubernetesObject & {
  roleRef: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
};
type RoleObject = KubernetesObject & { rules?: V1PolicyRule[] };

/** The ServiceAccount, the ClusterRole and the leader-election Role bound to it (found by their bindings). */
export interface OperatorRbac {
  serviceAccount: KubernetesObject;
  clusterRole: RoleObject;
  leaderElectionRole: RoleObject;
  /** The Role for the HTTP API's generated certificate (its Secret). */
  apiTlsRole: RoleObject;
  /** Everything else that comes with them (the bindings). */
  objects: KubernetesObject[];
}

export async function operatorRbac(values: object = {}): Promise<OperatorRbac> {
  const all = await operatorRbacManifests(values);
  const sas = all.filter((o) => o.kind === 'ServiceAccount');
  if (sas.length !== 1)
    throw new Error(`expected one ServiceAccount in the operator's RBAC, found ${sas.length}`);
  const sa = sas[0]!;
  const boundTo = (bindingKind: string, roleKind: string, which: (r: RoleObject) => boolean = () => true) => {
    const names = all
      .filter((o): o is Binding => o.kind === bindingKind)
      .filter((b) => b.subjects?.some((s) => s.kind === 'ServiceAccount' && s.name === sa.metadata?.name))
      .filter((b) => b.roleRef.kind === roleKind)
      .map((b) => b.roleRef.name);
    const roles = all.filter(
      (o) => o.kind === roleKind && names.includes(o.metadata?.name ?? '') && which(o as RoleObject),
    );
    if (roles.length !== 1)
      throw new Error(
        `expected one ${roleKind} bound to the operator's ServiceAccount, found ${roles.length}`,
      );
    return roles[0] as RoleObject;
  };
  const clusterRole = boundTo('ClusterRoleBinding', 'ClusterRole');
  const leaderElectionRole = boundTo('RoleBinding', 'Role', (r) =>
    (r.rules ?? []).some((rule) => rule.resources?.includes('leases')),
  );
  const apiTlsRole = boundTo('RoleBinding', 'Role', (r) =>
    (r.rules ?? []).some((rule) => rule.resources?.includes('secrets')),
  );
  return {
    serviceAccount: sa,
    clusterRole,
    leaderElectionRole,
    apiTlsRole,
    objects: all.filter((o) => o !== sa && o !== clusterRole && o !== leaderElectionRole && o !== apiTlsRole),
  };
}

/** The operator's ServiceAccount installed in its own namespace, and a kubeconfig with its token. */
export interface OperatorIdentity {
  /** The operator's namespace: the ServiceAccount, the leader-election Role and the Lease live here. */
  namespace: string;
  /** A kubeconfig file: the ServiceAccount's token, context namespace = `namespace` (the Lease's default). */
  kubeconfig: string;
  /** system:serviceaccount:<namespace>:<name> */
  user: string;
  clusterRole: string;
  /** Deletes the cluster-scoped objects (the namespace stays, like every test namespace). */
  remove: () => Promise<void>;
}

export interface InstallOptions {
  /** Changes the ClusterRole's rules before they are installed (e.g. without one rule). */
  clusterRoleRules?: (rules: V1PolicyRule[]) => V1PolicyRule[];
  leaderElectionRules?: (rules: V1PolicyRule[]) => V1PolicyRule[];
  apiTlsRules?: (rules: V1PolicyRule[]) => V1PolicyRule[];
  namespacePrefix?: string;
  /** More chart values the RBAC is rendered with (e.g. shards). */
  chartValues?: object;
}

/** Installs the operator's RBAC into a fresh namespace (cluster-wide names suffixed with it). */
export async function installOperatorRbac(opts: InstallOptions = {}): Promise<OperatorIdentity> {
  const kc = testKubeConfig();
  const rbac = await operatorRbac(opts.chartValues);
  const namespace = await freshNamespace(kc, opts.namespacePrefix ?? 'depot-system');
  const clusterWide = (kind?: string) => kind === 'ClusterRole' || kind === 'ClusterRoleBinding';
  const objects = [
    rbac.serviceAccount,
    rbac.clusterRole,
    rbac.leaderElectionRole,
    rbac.apiTlsRole,
    ...rbac.objects,
  ].map((o) => {
    const obj = structuredClone(o) as Binding & RoleObject;
    if (clusterWide(obj.kind)) obj.metadata!.name += `-${namespace}`;
    else obj.metadata = { ...obj.metadata, namespace };
    for (const s of obj.subjects ?? []) if (s.kind === 'ServiceAccount') s.namespace = namespace;
    if (obj.roleRef?.kind === 'ClusterRole') obj.roleRef.name += `-${namespace}`;
    if (o === rbac.clusterRole && opts.clusterRoleRules) obj.rules = opts.clusterRoleRules(obj.rules ?? []);
    if (o === rbac.leaderElectionRole && opts.leaderElectionRules)
      obj.rules = opts.leaderElectionRules(obj.rules ?? []);
    if (o === rbac.apiTlsRole && opts.apiTlsRules) obj.rules = opts.apiTlsRules(obj.rules ?? []);
    return obj;
  });
  await applyManifests(kc, objects, { fieldManager: 'test-setup' });
  const name = rbac.serviceAccount.metadata!.name!;
  const token = await kc.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    name,
    namespace,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const cluster = kc.getCurrentCluster()!;
  const sa = new KubeConfig();
  sa.loadFromOptions({
    clusters: [{ name: 'test', server: cluster.server, caData: cluster.caData, skipTLSVerify: false }],
    users: [{ name, token: token.status!.token }],
    contexts: [{ name: 'test', cluster: 'test', user: name, namespace }],
    currentContext: 'test',
  });
  const file = join(mkdtempSync(join(tmpdir(), 'depot-sa-')), 'kubeconfig');
  writeFileSync(file, sa.exportConfig(), { mode: 0o600 });
  const clusterRole = `${rbac.clusterRole.metadata!.name!}-${namespace}`;
  return {
    namespace,
    kubeconfig: file,
    user: `system:serviceaccount:${namespace}:${name}`,
    clusterRole,
    remove: async () => {
      const api = kc.makeApiClient(RbacAuthorizationV1Api);
      for (const o of objects) {
        const gone = (p: Promise<unknown>) => p.catch(() => undefined);
        if (o.kind === 'ClusterRoleBinding')
          await gone(api.deleteClusterRoleBinding({ name: o.metadata!.name! }));
        if (o.kind === 'ClusterRole') await gone(api.deleteClusterRole({ name: o.metadata!.name! }));
      }
    },
  };
}

let shared: Promise<OperatorIdentity> | undefined;

/**
 * The operator's ServiceAccount for one test file, installed once: what the
 * delivery and promotion tests run the operator as (leader election, when on,
 * takes its Lease in the ServiceAccount's namespace, which its Role allows).
 */
export function operatorServiceAccount(): Promise<OperatorIdentity> {
  shared ??= installOperatorRbac();
  return shared;
}

/** The kubeconfig of operatorServiceAccount(): pass it to startOperator. */
export async function operatorKubeconfig(): Promise<string> {
  return (await operatorServiceAccount()).kubeconfig;
}
