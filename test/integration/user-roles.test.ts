// The chart's roles for Depot's users (templates/user-roles.yaml) and agents
// (templates/agent-roles.yaml), checked by the API server's own authorizer:
// bound in one namespace, each allows what its comment says and nothing more; with aggregateToDefaultRoles,
// Kubernetes' `view` and `edit` roles include them (on a private control
// plane with kube-controller-manager, whose aggregation controller does it).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  AuthorizationV1Api,
  KubeConfig,
  RbacAuthorizationV1Api,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { down, up } from '../../src/local/controlplane/index.js';
import { applyManifests } from '../../src/local/manifests.js';
import { projectRoot } from '../../src/local/project-root.js';
import { freshNamespace, testKubeConfig } from '../controlplane/env.js';
import { eventually } from '../kit/eventually.js';
import { renderChart } from '../kit/helm.js';

const userRoles = (values: object = {}) =>
  renderChart(values).filter(
    (o) => o.kind === 'ClusterRole' && /-(viewer|editor)$/.test(o.metadata?.name ?? ''),
  );

/** Whether `user` may do `verb` on depot.sh `resource` in `namespace`, as the API server decides. */
function authorizer(kc: KubeConfig) {
  const api = kc.makeApiClient(AuthorizationV1Api);
  /** `resource` as plural[/subresource][:name]. */
  return async (user: string, verb: string, resource: string, namespace: string): Promise<boolean> => {
    const [path = '', name] = resource.split(':');
    const [plural, subresource] = path.split('/');
    const review = await api.createSubjectAccessReview({
      body: {
        spec: {
          user,
          resourceAttributes: { namespace, verb, group: 'depot.sh', resource: plural, subresource, name },
        },
      },
    });
    return review.status?.allowed === true;
  };
}

async function bind(kc: KubeConfig, namespace: string, user: string, clusterRole: string): Promise<void> {
  await kc.makeApiClient(RbacAuthorizationV1Api).createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name: `${user}-${clusterRole}`.slice(0, 63) },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
    },
  });
}

test('the chart renders viewer and editor roles labelled for aggregation, and agent Roles per Target', () => {
  const labels = (values: object = {}) =>
    Object.fromEntries(
      userRoles(values).map((r) => [
        r.metadata!.name,
        Object.keys(r.metadata!.labels ?? {}).filter((l) => l.startsWith('rbac.authorization.k8s.io/')),
      ]),
    );
  expect(labels()).toEqual({
    'depot-operator-viewer': ['rbac.authorization.k8s.io/aggregate-to-view'],
    'depot-operator-editor': [
      'rbac.authorization.k8s.io/aggregate-to-edit',
      'rbac.authorization.k8s.io/aggregate-to-admin',
    ],
  });
  expect(Object.values(labels({ rbac: { aggregateToDefaultRoles: false } })).flat()).toEqual([]);
  expect(userRoles({ rbac: { userRoles: false } })).toEqual([]);
  const agents = renderChart({
    rbac: {
      agents: [
        { namespace: 'team-a', target: 'edge-1', serviceAccount: 'agent-edge-1' },
        { namespace: 'team-a', target: 'staging', serviceAccount: 'agent', serviceAccountNamespace: 'ops' },
      ],
    },
  }).filter((o) => /-agent-/.test(o.metadata?.name ?? ''));
  expect(agents.map((o) => `${o.kind}/${o.metadata!.namespace}/${o.metadata!.name}`).sort()).toEqual([
    'Role/team-a/depot-operator-agent-edge-1',
    'Role/team-a/depot-operator-agent-staging',
    'RoleBinding/team-a/depot-operator-agent-edge-1',
    'RoleBinding/team-a/depot-operator-agent-staging',
  ]);
  const staging = agents.find((o) => o.kind === 'RoleBinding' && o.metadata!.name!.endsWith('-staging'));
  expect((staging as unknown as { subjects: unknown[] }).subjects).toEqual([
    { kind: 'ServiceAccount', name: 'agent', namespace: 'ops' },
  ]);
  // No role the chart renders patches status for users or agents.
  const all = renderChart({ rbac: { agents: [{ namespace: 'a', target: 't', serviceAccount: 's' }] } });
  const statusRules = all
    .filter((o) => o.metadata?.name !== 'depot-operator')
    .flatMap((o) => (o as { rules?: { resources?: string[] }[] }).rules ?? [])
    .filter((r) => r.resources?.some((res) => res.endsWith('/status')));
  expect(statusRules).toEqual([]);
});

describe('bound in a namespace, each role allows what it is for and nothing more', () => {
  const kc = testKubeConfig();
  const may = authorizer(kc);
  const suffix = randomBytes(3).toString('hex');
  const prefix = `depot-ur-${suffix}`;
  let ns: string;
  let other: string;

  beforeAll(async () => {
    [ns, other] = [await freshNamespace(kc, 'user-roles'), await freshNamespace(kc, 'user-roles-other')];
    await applyManifests(kc, userRoles({ fullnameOverride: prefix }) as KubernetesObject[], {
      fieldManager: 'test-setup',
    });
    await bind(kc, ns, `alice-${suffix}`, `${prefix}-viewer`);
    await bind(kc, ns, `bob-${suffix}`, `${prefix}-editor`);
    // carol: the agent of edge-1, with the chart's Role for it.
    const agentObjects = renderChart({
      fullnameOverride: prefix,
      rbac: { agents: [{ namespace: ns, target: 'edge-1', serviceAccount: `carol-${suffix}` }] },
    }).filter((o) => /-agent-/.test(o.metadata?.name ?? ''));
    await applyManifests(kc, agentObjects as KubernetesObject[], { fieldManager: 'test-setup' });
  });

  afterAll(async () => {
    const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
    for (const role of ['viewer', 'editor'])
      await rbac.deleteClusterRole({ name: `${prefix}-${role}` }).catch(() => undefined);
  });

  const cases: [string, string, string, boolean][] = [
    ['alice', 'list', 'applications', true],
    ['alice', 'watch', 'promotions', true],
    ['alice', 'get', 'targets', true],
    ['alice', 'patch', 'applications', false],
    ['alice', 'patch', 'applications/status', false],
    ['bob', 'patch', 'applications', true],
    ['bob', 'create', 'promotions', true],
    ['bob', 'delete', 'targets', true],
    ['bob', 'patch', 'applications/status', false],
    ['carol', 'list', 'applications', true],
    ['carol', 'update', 'targets/report:edge-1', true],
    ['carol', 'update', 'targets/report:staging', false],
    ['carol', 'update', 'targets/report', false],
    ['carol', 'patch', 'applications/status', false],
    ['carol', 'patch', 'targets/status:edge-1', false],
    ['carol', 'patch', 'applications', false],
    ['carol', 'list', 'targets', false],
    ['alice', 'update', 'targets/report:edge-1', false],
    ['bob', 'update', 'targets/report:edge-1', false],
  ];
  test.each(cases)('%s may %s %s: %s', async (user, verb, resource, allowed) => {
    const subject = user === 'carol' ? `system:serviceaccount:${ns}:carol-${suffix}` : `${user}-${suffix}`;
    expect(await may(subject, verb, resource, ns)).toBe(allowed);
    // A RoleBinding grants nothing in another namespace.
    expect(await may(subject, verb, resource, other)).toBe(false);
  });
});

test("with aggregation, Kubernetes' view and edit roles include the viewer and editor roles", async () => {
  const runs = join(projectRoot(), '.cache', 'test-runs');
  mkdirSync(runs, { recursive: true });
  const dir = mkdtempSync(join(runs, 'user-roles-'));
  try {
    const state = await up({ dir, controllerManager: true });
    const kc = new KubeConfig();
    kc.loadFromFile(state.kubeconfig);
    const may = authorizer(kc);
    await applyManifests(kc, userRoles() as KubernetesObject[], { fieldManager: 'test-setup' });
    await bind(kc, 'default', 'dave', 'edit');
    await bind(kc, 'default', 'erin', 'view');
    await eventually('the edit role to include patch of Depot applications', async () =>
      (await may('dave', 'patch', 'applications', 'default')) ? true : undefined,
    );
    expect(await may('dave', 'create', 'promotions', 'default')).toBe(true);
    await eventually('the view role to include list of Depot targets', async () =>
      (await may('erin', 'list', 'targets', 'default')) ? true : undefined,
    );
    expect(await may('erin', 'patch', 'applications', 'default')).toBe(false);
  } finally {
    down(dir, { purge: true });
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
