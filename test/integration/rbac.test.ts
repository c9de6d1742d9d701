// The operator runs with nothing but the permissions of config/rbac: the
// ServiceAccount's own token (TokenRequest), leader election on, a version
// promoted end to end. And the role is minimal: what it must not do is denied.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AuthorizationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import type { Application } from '../../src/api/application.js';
import { applyManifests, loadManifests } from '../../src/local/manifests.js';
import { projectRoot } from '../../src/local/project-root.js';
import { freshNamespace, testKubeConfig } from '../controlplane/env.js';
import { argoApp, argoClient } from './support/argocd.js';
import { eventually } from './support/eventually.js';
import { depotCli, startOperator } from './support/operator-process.js';

const kc = testKubeConfig();
const objects = kc.makeApiClient(CustomObjectsApi);

/** config/rbac with the operator's namespace and unique cluster-wide names for this test. */
function rbacFor(namespace: string, suffix: string): KubernetesObject[] {
  return loadManifests(join(projectRoot(), 'config', 'rbac')).map((o) => {
    const obj = structuredClone(o) as KubernetesObject & {
      subjects?: { namespace?: string }[];
      roleRef?: { kind: string; name: string };
    };
    if (obj.metadata?.namespace) obj.metadata.namespace = namespace;
    for (const s of obj.subjects ?? []) s.namespace = namespace;
    if (obj.kind === 'ClusterRole' || obj.kind === 'ClusterRoleBinding') obj.metadata!.name += `-${suffix}`;
    if (obj.roleRef?.kind === 'ClusterRole') obj.roleRef.name += `-${suffix}`;
    return obj;
  });
}

async function serviceAccountKubeconfig(namespace: string): Promise<string> {
  const token = await kc.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    name: 'depot-operator',
    namespace,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const cluster = kc.getCurrentCluster()!;
  const sa = new KubeConfig();
  sa.loadFromOptions({
    clusters: [{ name: 'test', server: cluster.server, caData: cluster.caData, skipTLSVerify: false }],
    users: [{ name: 'depot-operator', token: token.status!.token }],
    contexts: [{ name: 'test', cluster: 'test', user: 'depot-operator' }],
    currentContext: 'test',
  });
  const file = join(mkdtempSync(join(tmpdir(), 'depot-sa-')), 'kubeconfig');
  writeFileSync(file, sa.exportConfig(), { mode: 0o600 });
  return file;
}

test('the operator works with exactly the permissions of config/rbac, and they deny what it does not need', async () => {
  const system = await freshNamespace(kc, 'depot-system');
  const ns = await freshNamespace(kc, 'rbac');
  const argoNs = await freshNamespace(kc, 'rbac-argocd');
  const argo = argoClient(kc);
  await argo.create(
    argoNs,
    argoApp(
      'web',
      { source: { repoURL: 'https://github.com/acme/web.git', path: '.', targetRevision: 'main' } },
      `${ns}/dev-argocd`,
    ),
  );
  await applyManifests(kc, rbacFor(system, system), { fieldManager: 'test-setup' });
  const saKubeconfig = await serviceAccountKubeconfig(system);

  const obj = (kind: string, name: string, spec: object): KubernetesObject =>
    ({ apiVersion: 'depot.sh/v1alpha1', kind, metadata: { name }, spec }) as KubernetesObject;
  await applyManifests(
    kc,
    [
      obj('Environment', 'dev', {}),
      obj('Environment', 'staging', {}),
      obj('EnvironmentSet', 'default', { environments: ['dev', 'staging'] }),
      obj('Target', 'dev-1', { environment: 'dev' }),
      // Delivery into an Argo CD Application (upstream CRD) in another namespace.
      obj('Target', 'dev-argocd', {
        environment: 'dev',
        delivery: { argocd: { applicationNamespace: argoNs } },
      }),
      obj('Application', 'web', {
        environmentSets: ['default'],
        versions: { dev: '1.0.0', staging: '1.0.0' },
      }),
      obj('Promotion', 'dev-to-staging', { from: 'dev', to: 'staging', requireDeployed: false }),
    ],
    { fieldManager: 'test-setup', namespace: ns },
  );

  // Leader election on; the ClusterRole covers every namespace, the operator watches the test one.
  const operator = startOperator(saKubeconfig, ns, {
    leaderElect: true,
    args: [
      '--leader-election-namespace',
      system,
      '--lease-duration',
      '6s',
      '--renew-deadline',
      '4s',
      '--retry-period',
      '1s',
    ],
  });
  try {
    expect(
      depotCli(process.env.DEPOT_TEST_KUBECONFIG!, ns, 'set-version', 'web', 'dev', '1.1.0').status,
    ).toBe(0);
    const app = await eventually(
      'web 1.1.0 promoted to staging by the operator running as the ServiceAccount',
      async () => {
        const a = (await objects.getNamespacedCustomObject({
          group: 'depot.sh',
          version: 'v1alpha1',
          namespace: ns,
          plural: 'applications',
          name: 'web',
        })) as Application;
        return a.status?.environments?.find((e) => e.name === 'staging')?.desired === '1.1.0' && a;
      },
      90_000,
    );
    expect(app.status!.history!.some((h) => h.type === 'Promoted' && h.to === '1.1.0')).toBe(true);
    await eventually('1.1.0 delivered into the Argo CD Application', async () => {
      return (await argo.get(argoNs, 'web')).spec.source?.targetRevision === '1.1.0';
    });
    expect(operator.output()).not.toMatch(/forbidden/i);
  } catch (err) {
    throw new Error(`${(err as Error).message}\noperator output:\n${operator.output().slice(-3000)}`);
  } finally {
    await operator.stop();
  }

  // Minimal: what the operator never does is denied to its ServiceAccount.
  const user = `system:serviceaccount:${system}:depot-operator`;
  const can = async (attrs: {
    verb: string;
    group: string;
    resource: string;
    namespace?: string;
    subresource?: string;
  }) =>
    (
      await kc.makeApiClient(AuthorizationV1Api).createSubjectAccessReview({
        body: { spec: { user, resourceAttributes: attrs } },
      })
    ).status!.allowed;
  expect(await can({ verb: 'list', group: 'depot.sh', resource: 'applications' })).toBe(true);
  // Changed on purpose (Argo CD delivery): Argo CD Applications may be watched and patched.
  expect(
    await can({ verb: 'patch', group: 'argoproj.io', resource: 'applications', namespace: argoNs }),
  ).toBe(true);
  for (const denied of [
    { verb: 'delete', group: 'depot.sh', resource: 'applications', namespace: ns },
    { verb: 'create', group: 'depot.sh', resource: 'applications', namespace: ns },
    { verb: 'patch', group: 'depot.sh', resource: 'promotions', namespace: ns },
    { verb: 'get', group: '', resource: 'secrets', namespace: ns },
    { verb: 'create', group: 'coordination.k8s.io', resource: 'leases', namespace: ns },
    // Argo CD: nothing but Applications, never created or deleted.
    { verb: 'create', group: 'argoproj.io', resource: 'applications', namespace: argoNs },
    { verb: 'delete', group: 'argoproj.io', resource: 'applications', namespace: argoNs },
    { verb: 'update', group: 'argoproj.io', resource: 'applications', namespace: argoNs },
    { verb: 'patch', group: 'argoproj.io', resource: 'applicationsets', namespace: argoNs },
    { verb: 'get', group: 'argoproj.io', resource: 'appprojects', namespace: argoNs },
  ]) {
    expect({ ...denied, allowed: await can(denied) }).toEqual({ ...denied, allowed: false });
  }
}, 150_000);
