// The HTTP API of a running `depot operator` with real ServiceAccount tokens,
// checked by the API server (TokenReview, SubjectAccessReview): a token that
// may patch applications sets a version and the history names it; one that
// may not gets 403; no token 401; anonymous reads only with the flag; a
// garbage body 400 and nothing changes; a Promotion's gate answers are served
// to a token that may read promotions.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Application } from '../../src/api/application.js';
import { PromotionViewSchema, TargetVersionsSchema } from '../../src/api/http.js';
import { freePort } from '../../src/local/controlplane/index.js';
import { apiBase, generatedTls, serviceAccountToken, trustApiCa } from '../kit/http-api.js';
import { application, promotion } from '../kit/objects.js';
import { twoEnvironments } from '../kit/topologies.js';
import { cluster } from '../kit/cluster.js';
import { runOperator } from '../kit/operator.js';
import type { OperatorProcess } from '../kit/operator-process.js';
import { eventually } from '../kit/eventually.js';
import { freshNamespace } from '../controlplane/env.js';
import { operatorServiceAccount } from '../kit/operator-rbac.js';

const k = cluster();
const { kc } = k;
const readApp = k.app;

let ns: string;
let operator: OperatorProcess;
let base: string;
let ciToken: string;
let viewerToken: string;
let promotionViewerToken: string;
let gatePort: number;
let tls: Awaited<ReturnType<typeof generatedTls>>;

const url = (path: string) => `${base}/namespaces/${ns}${path}`;
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const putVersion = (version: string, headers: Record<string, string>, body = JSON.stringify({ version })) =>
  fetch(url('/applications/core/environments/dev/version'), {
    method: 'PUT',
    body,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
const errorOf = async (res: Response) => (await res.json()) as { error: string; message: string };

beforeAll(async () => {
  ns = await freshNamespace(kc, 'http');
  // Nothing listens on the gate's port: the gate fails (unreachable) and nothing is promoted.
  // It gates web only: core's status (which the tests below expect unchanged) gets no gate history.
  gatePort = await freePort();
  await k.apply(ns, [
    ...twoEnvironments({ targets: { 'dev-1': 'dev' } }),
    application('core', { environmentSets: ['default'], versions: { dev: '1.0.0' } }),
    application(
      'web',
      { environmentSets: ['default'], versions: { dev: '2.0.0' } },
      { labels: { gated: 'yes' } },
    ),
    promotion('to-prod', {
      from: 'dev',
      to: 'prod',
      selector: { matchLabels: { gated: 'yes' } },
      requireDeployed: false,
      gates: [
        {
          name: 'smoke',
          interval: '5s',
          http: { url: `http://127.0.0.1:${gatePort}/checks/smoke`, timeout: '2s' },
        },
      ],
    }),
  ]);
  const read = { apiGroups: ['depot.sh'], resources: ['applications'], verbs: ['get', 'list'] };
  ciToken = await serviceAccountToken(kc, ns, 'ci', [
    read,
    { apiGroups: ['depot.sh'], resources: ['applications'], verbs: ['patch'] },
  ]);
  viewerToken = await serviceAccountToken(kc, ns, 'viewer', [read]);
  promotionViewerToken = await serviceAccountToken(kc, ns, 'promotion-viewer', [
    { apiGroups: ['depot.sh'], resources: ['promotions'], verbs: ['get', 'list'] },
  ]);
  tls = await generatedTls();
  operator = await runOperator(ns, {
    args: ['--api-addr', '127.0.0.1:0', `--gate-url-allow=http://127.0.0.1:${gatePort}/checks/`, ...tls.args],
  });
  base = await apiBase(operator);
  expect(base).toMatch(/^https:/);
  await trustApiCa(kc, tls.namespace, tls.secret);
  await eventually(
    'core has a status',
    async () => (await readApp(ns, 'core')).status?.targets?.length === 1,
  );
}, 120_000);

afterAll(async () => operator?.stop());

test('a token whose ServiceAccount may patch applications sets a version, and the history names it', async () => {
  const res = await putVersion('1.1.0', bearer(ciToken));
  expect(res.status).toBe(200);
  const user = `system:serviceaccount:${ns}:ci`;
  expect(await res.json()).toEqual({
    application: 'core',
    environment: 'dev',
    version: '1.1.0',
    fieldManager: `depot-cli.dev.${user}`,
  });
  const app = await eventually('the history records the request by the ServiceAccount', async () => {
    const a = await readApp(ns, 'core');
    return (
      a.status?.history?.some((h) => h.type === 'Requested' && h.to === '1.1.0' && h.actor === user) && a
    );
  });
  expect(app.spec.versions).toEqual({ dev: '1.1.0' });
});

test('a token without the permission gets 403, no token 401, a token the API server rejects 401', async () => {
  const before = await readApp(ns, 'core');
  const denied = await putVersion('9.9.9', bearer(viewerToken));
  expect(denied.status).toBe(403);
  expect((await errorOf(denied)).message).toBe(
    `user "system:serviceaccount:${ns}:viewer" may not patch applications.depot.sh "core" in namespace ${ns}`,
  );
  expect((await putVersion('9.9.9', {})).status).toBe(401);
  expect((await putVersion('9.9.9', bearer('not-a-token'))).status).toBe(401);
  // The viewer may read; without a token (anonymous reads are off) nobody may.
  expect((await fetch(url('/applications/core'), { headers: bearer(viewerToken) })).status).toBe(200);
  expect((await fetch(url('/applications/core'))).status).toBe(401);
  expect((await readApp(ns, 'core')).metadata.resourceVersion).toBe(before.metadata.resourceVersion);
});

test('a garbage body gets 400 naming the problem and nothing changes', async () => {
  const before = await readApp(ns, 'core');
  for (const [body, message] of [
    ['{"version": ', /^body: not valid JSON/],
    ['{"version": "not a version"}', /^version: must be a version/],
    ['{"version": "1.2.3", "extra": true}', /^body: unknown field extra$/],
  ] as const) {
    const res = await putVersion('', bearer(ciToken), body);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(message);
  }
  const after: Application = await readApp(ns, 'core');
  expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
});

test("a target's versions carry a strong ETag; polling with If-None-Match gets 304", async () => {
  const first = await fetch(url('/targets/dev-1/versions'), { headers: bearer(viewerToken) });
  expect(first.status).toBe(200);
  expect(TargetVersionsSchema.parse(await first.json()).items[0]?.application).toBe('core');
  const etag = first.headers.get('etag')!;
  const again = await fetch(url('/targets/dev-1/versions'), {
    headers: { ...bearer(viewerToken), 'If-None-Match': etag },
  });
  expect(again.status).toBe(304);
});

test("a Promotion's gate answers are served to a token that may get promotions, refused to one that may not", async () => {
  const view = await eventually('the API serves the failed gate', async () => {
    const res = await fetch(url('/promotions/to-prod'), { headers: bearer(promotionViewerToken) });
    if (res.status !== 200) return false;
    const v = PromotionViewSchema.parse(await res.json());
    return v.results.find((r) => r.application === 'web')?.gates?.[0]?.result === 'Failed' && v;
  });
  expect(view.gates).toEqual([{ name: 'smoke', kind: 'http', interval: '5s' }]);
  const web = view.results.find((r) => r.application === 'web')!;
  expect(web).toMatchObject({ outcome: 'Blocked', version: '2.0.0' });
  expect(web.gates![0]!.message).toMatch(/is unreachable/);
  expect(view.results.map((r) => r.application)).toEqual(['web']);
  const denied = await fetch(url('/promotions'), { headers: bearer(viewerToken) });
  expect(denied.status).toBe(403);
  expect((await errorOf(denied)).message).toBe(
    `user "system:serviceaccount:${ns}:viewer" may not list promotions.depot.sh in namespace ${ns}`,
  );
});

test('a standby replica (not leading) answers reads and writes', async () => {
  // A Lease another identity holds for an hour, in the operator's namespace
  // (its Role allows Leases there only): this replica never leads.
  const operatorNs = (await operatorServiceAccount()).namespace;
  const renewTime = new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
  await k.apply(operatorNs, [
    {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'depot-standby-test' },
      spec: { holderIdentity: 'someone-else', leaseDurationSeconds: 3600, renewTime },
    } as KubernetesObject,
  ]);
  const standby = await runOperator(ns, {
    leaderElect: true,
    args: [
      '--api-addr',
      '127.0.0.1:0',
      '--leader-election-namespace',
      operatorNs,
      '--leader-election-id',
      'depot-standby-test',
      ...tls.args,
    ],
  });
  try {
    const standbyBase = await apiBase(standby);
    const read = await eventually('the standby answers a read', async () => {
      const res = await fetch(`${standbyBase}/namespaces/${ns}/applications/core`, {
        headers: bearer(viewerToken),
      });
      return res.status !== 503 && res;
    });
    expect(read.status).toBe(200);
    const write = await fetch(`${standbyBase}/namespaces/${ns}/applications/core/environments/prod/version`, {
      method: 'PUT',
      body: JSON.stringify({ version: '1.1.0' }),
      headers: { 'Content-Type': 'application/json', ...bearer(ciToken) },
    });
    expect(write.status).toBe(200);
    expect((await readApp(ns, 'core')).spec.versions).toEqual({ dev: '1.1.0', prod: '1.1.0' });
    expect(standby.output()).not.toMatch(/became leader|started leading/i);
  } finally {
    await standby.stop();
  }
}, 120_000);

test('anonymous reads only with --api-anonymous-reads; writes still need a token', async () => {
  await operator.stop();
  operator = await runOperator(ns, {
    args: ['--api-addr', '127.0.0.1:0', '--api-anonymous-reads', ...tls.args],
  });
  base = await apiBase(operator);
  const read = await eventually('an anonymous read answers', async () => {
    const res = await fetch(url('/applications/core'));
    return res.status !== 503 && res;
  });
  expect(read.status).toBe(200);
  expect((await putVersion('9.9.9', {})).status).toBe(401);
}, 60_000);
