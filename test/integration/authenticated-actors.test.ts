// Authenticated actors (issue 22 item 4) with Depot's admission policies from
// config/admission: mallory claiming alice's field manager is recorded as
// mallory, her forged stamps are refused, the HTTP API names its caller, a
// Promotion itself; a no-op re-apply writes nothing; without the policies
// (the operator told so) actors are marked unverified.
import { KubeConfig, RbacAuthorizationV1Api, type KubernetesObject } from '@kubernetes/client-node';
import type { Application, HistoryEntry } from '../../src/api/application.js';
import { applyManifests } from '../../src/local/manifests.js';
import { freshNamespace } from '../controlplane/env.js';
import { cluster } from '../kit/cluster.js';
import { eventually } from '../kit/eventually.js';
import { apiBase, serviceAccountToken } from '../kit/http-api.js';
import { application, depotObject, promotion } from '../kit/objects.js';
import { runOperator } from '../kit/operator.js';
import type { OperatorProcess } from '../kit/operator-process.js';
import { twoEnvironments } from '../kit/topologies.js';

const k = cluster();
const { kc } = k;
const ALICE_MANAGER = 'depot-cli.prod.alice@example.com';

/** The test's admin credentials acting as `user` (Impersonate-User, what `kubectl --as` sends). */
function impersonating(user: string): KubeConfig {
  const as = new KubeConfig();
  const admin = kc.getCurrentUser()!;
  as.loadFromOptions({
    clusters: kc.getClusters(),
    users: [{ ...admin, name: user, impersonateUser: user }],
    contexts: [{ name: user, cluster: kc.getCurrentCluster()!.name, user }],
    currentContext: user,
  });
  return as;
}

/** A person who may edit Applications and Promotions in `ns` (not the operator's `attribute`). */
async function editor(ns: string, user: string): Promise<void> {
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  const name = `edit-${user.replace(/[^a-z0-9]/g, '-')}`;
  await rbac.createNamespacedRole({
    namespace: ns,
    body: {
      metadata: { name },
      rules: [
        {
          apiGroups: ['depot.sh'],
          resources: ['applications', 'promotions'],
          verbs: ['get', 'list', 'watch', 'create', 'patch', 'update'],
        },
      ],
    },
  });
  await rbac.createNamespacedRoleBinding({
    namespace: ns,
    body: {
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
    },
  });
}

const prodRequest = (version: string) =>
  ({
    apiVersion: 'depot.sh/v1alpha1',
    kind: 'Application',
    metadata: { name: 'core' },
    spec: { versions: { prod: version } },
  }) as KubernetesObject;

const requested = (a: Application, env: string, to: string): HistoryEntry | undefined =>
  a.status?.history?.find(
    (h) => (h.type === 'Requested' || h.type === 'Promoted') && h.environment === env && h.to === to,
  );

/** mallory applies prod 1.1.0 with alice's field manager; the Application once history records it. */
async function malloryRequestsAsAlice(ns: string): Promise<Application> {
  await applyManifests(impersonating('mallory'), [prodRequest('1.1.0')], {
    fieldManager: ALICE_MANAGER,
    namespace: ns,
  });
  return eventually('the request is in the history', async () => {
    const a = await k.app(ns, 'core');
    return requested(a, 'prod', '1.1.0') && a;
  });
}

async function setUp(prefix: string): Promise<string> {
  const ns = await freshNamespace(kc, prefix);
  await k.apply(ns, [
    ...twoEnvironments(),
    application('core', { environmentSets: ['default'], versions: { dev: '1.0.0' } }),
  ]);
  await editor(ns, 'mallory');
  return ns;
}

describe('with the admission policies', () => {
  let ns: string;
  let operator: OperatorProcess;
  let base: string;

  beforeAll(async () => {
    ns = await setUp('actors');
    operator = await runOperator(ns, { args: ['--api-addr', '127.0.0.1:0'] });
    base = await apiBase(operator);
  }, 120_000);
  afterAll(async () => operator?.stop());

  test("mallory applying with alice's field manager is recorded as mallory; the same apply again writes nothing", async () => {
    const app = await malloryRequestsAsAlice(ns);
    expect(app.spec.requestedBy?.prod).toEqual({ user: 'mallory', version: '1.1.0' });
    const entry = requested(app, 'prod', '1.1.0')!;
    expect(entry.actor).toBe('mallory');
    expect(entry.actorUnverified).toBeUndefined();
    expect(app.status!.environments!.find((e) => e.name === 'prod')!.setBy).toBe('mallory');
    // No field manager owns the stamp: server-side apply never conflicts on it.
    const managed = (app.metadata.managedFields ?? []) as { fieldsV1?: unknown }[];
    const owners = managed.filter((m) => JSON.stringify(m.fieldsV1 ?? {}).includes('f:requestedBy'));
    expect(owners).toEqual([]);

    const before = app.metadata.resourceVersion;
    await applyManifests(impersonating('mallory'), [prodRequest('1.1.0')], {
      fieldManager: ALICE_MANAGER,
      namespace: ns,
    });
    expect((await k.app(ns, 'core')).metadata.resourceVersion).toBe(before);
  }, 60_000);

  test('mallory writing the stamp herself is refused and changes nothing', async () => {
    const before = await k.app(ns, 'core');
    const forged = {
      ...prodRequest('1.1.0'),
      spec: { requestedBy: { prod: { user: 'alice@example.com', version: '1.1.0' } } },
    } as KubernetesObject;
    await expect(
      applyManifests(impersonating('mallory'), [forged], { fieldManager: 'mallory', namespace: ns }),
    ).rejects.toThrow(/spec\.requestedBy is written by admission .*mallory may not set or remove it/);
    // With a new version too: the stamp must name her.
    const withVersion = {
      ...prodRequest('1.1.1'),
      spec: {
        versions: { prod: '1.1.1' },
        requestedBy: { prod: { user: 'alice@example.com', version: '1.1.1' } },
      },
    } as KubernetesObject;
    await expect(
      applyManifests(impersonating('mallory'), [withVersion], { fieldManager: 'mallory', namespace: ns }),
    ).rejects.toThrow(/mallory may not set or remove it/);
    const after = await k.app(ns, 'core');
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(after.spec.requestedBy?.prod).toEqual({ user: 'mallory', version: '1.1.0' });
  }, 60_000);

  test('a rejection is recorded as its authenticated author; mallory cannot name another', async () => {
    const reject = (rejectedBy?: string) =>
      ({
        ...prodRequest('1.1.0'),
        spec: {
          rejectedVersions: [{ version: '0.9.0', reason: 'broken', ...(rejectedBy ? { rejectedBy } : {}) }],
        },
      }) as KubernetesObject;
    await expect(
      applyManifests(impersonating('mallory'), [reject('alice@example.com')], {
        fieldManager: 'depot-reject.0.9.0.alice@example.com',
        namespace: ns,
      }),
    ).rejects.toThrow(/rejectedBy is written by admission .*mallory may not set it/);
    await applyManifests(impersonating('mallory'), [reject()], {
      fieldManager: 'depot-reject.0.9.0.alice@example.com',
      namespace: ns,
    });
    const app = await eventually('the rejection is in the history', async () => {
      const a = await k.app(ns, 'core');
      return a.status?.history?.find((h) => h.type === 'Rejected' && h.to === '0.9.0') && a;
    });
    expect(app.spec.rejectedVersions).toEqual([
      { version: '0.9.0', reason: 'broken', rejectedBy: 'mallory' },
    ]);
    const entry = app.status!.history!.find((h) => h.type === 'Rejected')!;
    expect(entry).toMatchObject({ actor: 'mallory', message: '0.9.0 rejected by mallory: broken' });
    expect(entry.actorUnverified).toBeUndefined();
  }, 60_000);

  test("the HTTP API's write is recorded as the user it authenticated", async () => {
    const token = await serviceAccountToken(kc, ns, 'ci', [
      { apiGroups: ['depot.sh'], resources: ['applications'], verbs: ['get', 'list', 'patch'] },
    ]);
    const res = await fetch(`${base}/namespaces/${ns}/applications/core/environments/dev/version`, {
      method: 'PUT',
      body: JSON.stringify({ version: '1.2.0' }),
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    const user = `system:serviceaccount:${ns}:ci`;
    const app = await eventually('the request is in the history', async () => {
      const a = await k.app(ns, 'core');
      return requested(a, 'dev', '1.2.0') && a;
    });
    expect(app.spec.requestedBy?.dev).toEqual({ user, version: '1.2.0' });
    expect(requested(app, 'dev', '1.2.0')).toMatchObject({ actor: user });
    expect(requested(app, 'dev', '1.2.0')!.actorUnverified).toBeUndefined();
  }, 60_000);

  test("a Promotion's write is recorded as the Promotion", async () => {
    await k.apply(ns, [promotion('dev-to-prod', { from: 'dev', to: 'prod', requireDeployed: false })]);
    const app = await eventually('1.2.0 promoted to prod', async () => {
      const a = await k.app(ns, 'core');
      return requested(a, 'prod', '1.2.0') && a;
    });
    expect(app.spec.requestedBy?.prod).toEqual({ user: 'promotion dev-to-prod', version: '1.2.0' });
    expect(requested(app, 'prod', '1.2.0')).toMatchObject({
      type: 'Promoted',
      actor: 'promotion dev-to-prod',
    });
    expect(requested(app, 'prod', '1.2.0')!.actorUnverified).toBeUndefined();
  }, 60_000);

  test('mallory may add an approval only in her own name', async () => {
    await applyManifests(
      kc,
      [depotObject('Promotion', 'gated', { from: 'dev', to: 'prod', suspend: true })],
      {
        fieldManager: 'test-setup',
        namespace: ns,
      },
    );
    const approval = (approver?: string) =>
      depotObject('Promotion', 'gated', {
        approvals: [{ application: 'core', version: '1.2.0', ...(approver ? { approver } : {}) }],
      });
    await expect(
      applyManifests(impersonating('mallory'), [approval('alice@example.com')], {
        fieldManager: 'depot-approve.core@1.2.0.alice@example.com',
        namespace: ns,
      }),
    ).rejects.toThrow(/mallory may add only approvals whose approver is mallory/);
    // In her own name it is admitted.
    await applyManifests(impersonating('mallory'), [approval('mallory')], {
      fieldManager: 'depot-approve.core@1.2.0.mallory',
      namespace: ns,
    });
  }, 60_000);
});

describe('without the admission policies (as the operator is told)', () => {
  let ns: string;
  let operator: OperatorProcess;

  beforeAll(async () => {
    ns = await setUp('actors-unverified');
    operator = await runOperator(ns, { verifiedActors: false });
  }, 120_000);
  afterAll(async () => operator?.stop());

  test('history still records the request, and marks its actor unverified', async () => {
    const app = await malloryRequestsAsAlice(ns);
    expect(requested(app, 'prod', '1.1.0')).toMatchObject({ actorUnverified: true });
  }, 60_000);
});
