// The HTTP API's release-control writes (rollback, release, reject, unreject, approve) on a
// running `depot operator` with real ServiceAccount tokens (TokenReview, SubjectAccessReview):
// allowed with the RBAC kubectl would need, 403 without it, 404 for what does not exist, 409
// when the state changed meanwhile; and the CLI gives the same refusal reason.
import type { Application } from '../../src/api/application.js';
import type { Promotion } from '../../src/api/promotion.js';
import { applyManifests } from '../../src/local/manifests.js';
import { freshNamespace, testKubeConfig } from '../controlplane/env.js';
import { Applications, Promotions } from '../../src/api/resources.js';
import { cluster, envStatus } from '../kit/cluster.js';
import { depotObject as obj } from '../kit/objects.js';
import { eventually } from '../kit/eventually.js';
import { apiBase, generatedTls, serviceAccountToken, trustApiCa } from '../kit/http-api.js';
import { depotCli, startOperator, type OperatorProcess } from '../kit/operator-process.js';
import { operatorKubeconfig } from '../kit/operator-rbac.js';

const kc = testKubeConfig();
const kubeconfig = process.env.DEPOT_TEST_KUBECONFIG!;
const admin = cluster(kc);
const readApp = admin.app;

let ns: string;
let operator: OperatorProcess;
let base: string;
let editorToken: string;
let viewerToken: string;
let approverToken: string;
let editor: string;
let approver: string;

const call = (method: string, path: string, token: string, body?: object) =>
  fetch(`${base}/namespaces/${ns}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
const answer = async (res: Response) => ({
  status: res.status,
  body: (await res.json()) as Record<string, unknown>,
});

/** The editor's call is answered 200 with `expected` as its body. */
async function expectOk(method: string, path: string, body: object, expected: object): Promise<void> {
  expect(await answer(await call(method, path, editorToken, body))).toEqual({ status: 200, body: expected });
}

async function promotion(name: string): Promise<Promotion> {
  return admin.read<Promotion>(Promotions, ns, name);
}

const waiting = (p: Promotion) =>
  p.status?.results?.find((r) => r.application === 'core' && r.reason?.startsWith('ApprovalRequired'));

beforeAll(async () => {
  ns = await freshNamespace(kc, 'http-rc');
  await applyManifests(
    kc,
    [
      obj('Environment', 'dev', {}),
      obj('Environment', 'staging', {}),
      obj('Environment', 'prod', {}),
      obj('EnvironmentSet', 'default', { environments: ['dev', 'staging', 'prod'] }),
      obj('Target', 'dev-1', { environment: 'dev' }),
      obj('Target', 'prod-1', { environment: 'prod' }),
      obj('Application', 'core', { environmentSets: ['default'], versions: { dev: '1.0.0', prod: '1.0.0' } }),
      obj('Promotion', 'to-staging', {
        from: 'dev',
        to: 'staging',
        requireDeployed: false,
        approval: { required: true },
      }),
    ],
    { fieldManager: 'test-setup', namespace: ns },
  );
  const read = {
    apiGroups: ['depot.sh'],
    resources: ['applications', 'promotions'],
    verbs: ['get', 'list'],
  };
  // What kubectl needs for the same writes: patch on the Application, and on the Promotion to approve.
  editorToken = await serviceAccountToken(kc, ns, 'editor', [
    read,
    { apiGroups: ['depot.sh'], resources: ['applications', 'promotions'], verbs: ['patch'] },
  ]);
  viewerToken = await serviceAccountToken(kc, ns, 'viewer', [read]);
  // A second person who may approve (four eyes: the editor cannot approve what the editor requested).
  approverToken = await serviceAccountToken(kc, ns, 'approver', [
    read,
    { apiGroups: ['depot.sh'], resources: ['promotions'], verbs: ['patch'] },
  ]);
  editor = `system:serviceaccount:${ns}:editor`;
  approver = `system:serviceaccount:${ns}:approver`;
  const tls = await generatedTls();
  operator = startOperator(await operatorKubeconfig(), ns, {
    args: ['--api-addr', '127.0.0.1:0', ...tls.args],
  });
  base = await apiBase(operator);
  expect(base).toMatch(/^https:/);
  await trustApiCa(kc, tls.namespace, tls.secret);
  await eventually(
    'core has a status',
    async () => envStatus(await readApp(ns, 'core'), 'prod')?.desired === '1.0.0',
  );
}, 120_000);

afterAll(async () => {
  await operator?.stop();
  await admin.close();
});

test('the viewer may read but gets 403 for every release-control write, and nothing changes', async () => {
  const before = await readApp(ns, 'core');
  const writes: [string, string, object | undefined][] = [
    ['POST', '/applications/core/environments/prod/rollback', { to: '0.9.0' }],
    ['POST', '/applications/core/environments/prod/release', undefined],
    ['POST', '/applications/core/rejections', { version: '1.0.0', reason: 'no' }],
    ['DELETE', '/applications/core/rejections/1.0.0', undefined],
    ['POST', '/promotions/to-staging/approvals', { application: 'core' }],
  ];
  for (const [method, path, body] of writes) {
    const res = await answer(await call(method, path, viewerToken, body));
    expect([path, res.status, res.body.error]).toEqual([path, 403, 'Forbidden']);
    const kind = path.startsWith('/promotions') ? 'promotions' : 'applications';
    expect(res.body.message).toMatch(
      new RegExp(`^user "system:serviceaccount:${ns}:viewer" may not patch ${kind}\\.depot\\.sh`),
    );
  }
  // Nothing written (the operator may write status meanwhile: the spec and its generation tell).
  const after = await readApp(ns, 'core');
  expect([after.metadata.generation, after.spec]).toEqual([before.metadata.generation, before.spec]);
});

test('unknown applications, environments and promotions are 404', async () => {
  const cases: [string, string, object | undefined, string][] = [
    [
      'POST',
      '/applications/ghost/environments/prod/rollback',
      undefined,
      `application "ghost" not found in namespace ${ns}`,
    ],
    [
      'POST',
      '/applications/core/environments/prd/rollback',
      undefined,
      'prd is not an environment of core (dev, staging, prod)',
    ],
    [
      'POST',
      '/applications/ghost/environments/prod/release',
      undefined,
      `application "ghost" not found in namespace ${ns}`,
    ],
    [
      'POST',
      '/applications/ghost/rejections',
      { version: '1.0.0', reason: 'x' },
      `application "ghost" not found in namespace ${ns}`,
    ],
    [
      'DELETE',
      '/applications/ghost/rejections/1.0.0',
      undefined,
      `application "ghost" not found in namespace ${ns}`,
    ],
    [
      'POST',
      '/promotions/nope/approvals',
      { application: 'core' },
      `promotion "nope" not found in namespace ${ns}`,
    ],
  ];
  for (const [method, path, body, message] of cases)
    expect(await answer(await call(method, path, editorToken, body))).toEqual({
      status: 404,
      body: { error: 'NotFound', message },
    });
});

test('approve: 409 for a version not waiting; the waiting one is approved and promoted, naming the user', async () => {
  await eventually('core waits for approval into staging', async () =>
    waiting(await promotion('to-staging')),
  );
  expect(
    await answer(
      await call('POST', '/promotions/to-staging/approvals', editorToken, {
        application: 'core',
        version: '0.9.0',
      }),
    ),
  ).toEqual({
    status: 409,
    body: {
      error: 'Conflict',
      message: 'core 0.9.0 is not waiting for approval in Promotion to-staging (1.0.0 is)',
    },
  });
  await expectOk(
    'POST',
    '/promotions/to-staging/approvals',
    { application: 'core' },
    {
      application: 'core',
      promotion: 'to-staging',
      version: '1.0.0',
      fieldManager: `depot-approve.core@1.0.0.${editor}`,
      approvers: [editor],
      approvalsNeeded: 0,
    },
  );
  expect((await promotion('to-staging')).spec.approvals).toEqual([
    { application: 'core', version: '1.0.0', approver: editor },
  ]);
  const promoted = await eventually('staging gets 1.0.0', async () => {
    const a = await readApp(ns, 'core');
    return envStatus(a, 'staging')?.desired === '1.0.0' && a;
  });
  expect(promoted.status?.history?.find((h) => h.type === 'Promoted')?.message).toContain(
    `approved by ${editor}`,
  );
}, 60_000);

test('rollback, then release: the hold a rollback puts on the Promotion ends; 409 when there is none', async () => {
  // 1.1.0 reaches staging through the gate, then is rolled back there.
  expect(
    (await call('PUT', '/applications/core/environments/dev/version', editorToken, { version: '1.1.0' }))
      .status,
  ).toBe(200);
  await eventually(
    '1.1.0 waits for approval',
    async () => waiting(await promotion('to-staging'))?.version === '1.1.0',
  );
  // The editor requested 1.1.0, so the editor's approval is refused; another person's counts.
  expect(
    await answer(
      await call('POST', '/promotions/to-staging/approvals', editorToken, { application: 'core' }),
    ),
  ).toEqual({
    status: 409,
    body: {
      error: 'Conflict',
      message: `${editor} first requested core 1.1.0, so their approval does not count in Promotion to-staging (spec.approval.allowSelfApproval is false): someone else must approve`,
    },
  });
  expect(
    await answer(
      await call('POST', '/promotions/to-staging/approvals', approverToken, { application: 'core' }),
    ),
  ).toMatchObject({ status: 200, body: { version: '1.1.0', approvers: [approver], approvalsNeeded: 0 } });
  await eventually(
    'staging runs 1.1.0',
    async () => envStatus(await readApp(ns, 'core'), 'staging')?.desired === '1.1.0',
  );

  expect(
    await answer(await call('POST', '/applications/core/environments/staging/release', editorToken)),
  ).toEqual({
    status: 409,
    body: { error: 'Conflict', message: 'core has no hold in staging' },
  });
  await expectOk(
    'POST',
    '/applications/core/environments/staging/rollback',
    { reason: 'errors' },
    {
      application: 'core',
      environment: 'staging',
      version: '1.0.0',
      rolledBackFrom: '1.1.0',
      rejected: false,
      fieldManager: `depot-rollback.staging.${editor}`,
    },
  );
  const app = await readApp(ns, 'core');
  expect(app.spec.versions?.staging).toBe('1.0.0');
  expect(app.metadata.annotations?.['rollback.depot.sh/staging']).toBe('errors');
  await eventually('the Promotion holds core', async () =>
    (await promotion('to-staging')).status?.holds?.some(
      (h) => h.application === 'core' && h.version === '1.1.0',
    ),
  );
  expect(
    await answer(await call('POST', '/applications/core/environments/staging/release', editorToken)),
  ).toEqual({
    status: 200,
    body: {
      application: 'core',
      environment: 'staging',
      version: '1.1.0',
      fieldManager: `depot-release.staging.${editor}`,
    },
  });
  await eventually(
    'the hold is gone',
    async () => ((await promotion('to-staging')).status?.holds ?? []).length === 0,
  );
}, 90_000);

test('reject and unreject; unreject after someone else removed the rejection meanwhile is 409', async () => {
  const rejected = await answer(
    await call('POST', '/applications/core/rejections', editorToken, {
      version: '1.1.0',
      reason: 'leaks memory',
    }),
  );
  expect(rejected).toEqual({
    status: 200,
    body: { application: 'core', version: '1.1.0', fieldManager: `depot-reject.1.1.0.${editor}` },
  });
  // The operator writes it for the caller it authenticated: the stamp names the caller.
  expect((await readApp(ns, 'core')).spec.rejectedVersions).toEqual([
    { version: '1.1.0', reason: 'leaks memory', rejectedBy: editor },
  ]);
  expect(
    await answer(
      await call('POST', '/applications/core/rejections', editorToken, { version: '1.2.0', reason: ' ' }),
    ),
  ).toEqual({
    status: 400,
    body: { error: 'BadRequest', message: 'reason: must say why the version is rejected' },
  });

  // A concurrent change: someone removes the rejection with kubectl.
  await admin.client.patch(Applications, ns, 'core', [{ op: 'remove', path: '/spec/rejectedVersions/0' }], {
    type: 'json',
  });
  expect(await answer(await call('DELETE', '/applications/core/rejections/1.1.0', editorToken))).toEqual({
    status: 409,
    body: { error: 'Conflict', message: '1.1.0 of core is not rejected (rejected: none)' },
  });

  expect(
    (await call('POST', '/applications/core/rejections', editorToken, { version: '1.1.0', reason: 'again' }))
      .status,
  ).toBe(200);
  expect(await answer(await call('DELETE', '/applications/core/rejections/1.1.0', editorToken))).toEqual({
    status: 200,
    body: { application: 'core', version: '1.1.0', fieldManager: `depot-unreject.${editor}` },
  });
  const app = await readApp(ns, 'core');
  expect(app.spec.rejectedVersions).toEqual([]);
  expect(app.metadata.annotations?.['unreject.depot.sh/last']).toBe('1.1.0');
}, 60_000);

describe('the CLI and the HTTP API refuse the same things with the same reason', () => {
  /** The reason after the field each front end names: `version: …` (HTTP), `error: spec.versions.dev: …` (CLI). */
  const reasonOf = (message: string, field: string | undefined) => {
    const prefix = field ? `${field}: ` : '';
    expect(message.startsWith(prefix)).toBe(true);
    return message.slice(prefix.length);
  };

  test.each([
    {
      name: 'a version outside the scheme',
      cli: ['set-version', 'core', 'dev', 'main'],
      http: ['PUT', '/applications/core/environments/dev/version', { version: 'main' }] as const,
      fields: { cli: 'spec.versions.dev', http: 'version' },
      status: 400,
      reason: 'must be a semantic version such as 1.2.3 or v1.2.3-rc.1 (core has versionScheme semver)',
    },
    {
      name: 'an environment the application does not have',
      cli: ['promote', 'core', 'qa'],
      http: ['POST', '/applications/core/environments/qa/promote', undefined] as const,
      fields: {},
      status: 404,
      reason: 'qa is not an environment of core (dev, staging, prod)',
    },
    {
      name: 'a rollback to a rejected version',
      cli: ['rollback', 'core', 'prod', '--to', '0.9.0'],
      http: ['POST', '/applications/core/environments/prod/rollback', { to: '0.9.0' }] as const,
      fields: {},
      status: 409,
      // EDITOR: the editor's user name (known once the tokens are made).
      reason: '0.9.0 is rejected by EDITOR: broken build: depot unreject it first',
    },
  ])(
    '$name',
    async ({ cli, http, fields, status, reason: expected }) => {
      const reason = expected.replace('EDITOR', editor);
      if (reason.includes('rejected by')) {
        const res = await call('POST', '/applications/core/rejections', editorToken, {
          version: '0.9.0',
          reason: 'broken build',
        });
        expect(res.status).toBe(200);
        await eventually('the cache has the rejection', async () => {
          const probe = await answer(await call(http[0], http[1], editorToken, http[2]));
          return probe.status === status && probe;
        });
      }
      const before: Application = await readApp(ns, 'core');
      const viaHttp = await answer(await call(http[0], http[1], editorToken, http[2]));
      const viaCli = depotCli(kubeconfig, ns, ...cli);
      expect(viaHttp.status).toBe(status);
      expect(viaCli.status).toBe(1);
      expect(viaCli.stdout).toBe('');
      expect(viaCli.stderr.endsWith('\n')).toBe(true);
      const cliMessage = viaCli.stderr.slice('error: '.length, -1);
      expect(viaCli.stderr.startsWith('error: ')).toBe(true);
      expect(reasonOf(viaHttp.body.message as string, fields.http)).toBe(reason);
      expect(reasonOf(cliMessage, fields.cli)).toBe(reason);
      const after = await readApp(ns, 'core');
      expect([after.metadata.generation, after.spec]).toEqual([before.metadata.generation, before.spec]);
    },
    60_000,
  );
});
