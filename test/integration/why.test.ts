// `depot why` on a running operator: exit code 0 when the version is there,
// 1 when it is not (with the planner's reason), 2 when the question has no
// answer (unknown application, no access); and the HTTP API's `lines` are
// exactly what the CLI prints for the same question.
import type { Why } from '../../src/api/http.js';
import { freshNamespace } from '../controlplane/env.js';
import { cluster, envStatus } from '../kit/cluster.js';
import { eventually } from '../kit/eventually.js';
import { apiBase, generatedTls, serviceAccountToken, trustApiCa } from '../kit/http-api.js';
import { impersonating } from '../kit/impersonation.js';
import { application, promotion } from '../kit/objects.js';
import { cliIn, runOperator } from '../kit/operator.js';
import { depotCli, type OperatorProcess } from '../kit/operator-process.js';
import { environments } from '../kit/topologies.js';

const k = cluster();
let ns: string;
let operator: OperatorProcess;
let base: string;
let viewerToken: string;
let cli: ReturnType<typeof cliIn>;

const whyApi = async (path: string) => {
  const res = await fetch(`${base}/namespaces/${ns}/applications/${path}`, {
    headers: { Authorization: `Bearer ${viewerToken}` },
  });
  return { status: res.status, body: (await res.json()) as Why & { message?: string } };
};

beforeAll(async () => {
  ns = await freshNamespace(k.kc, 'why');
  cli = cliIn(ns);
  await k.apply(ns, [
    ...environments(['dev', 'prod'], { targets: { 'dev-1': 'dev', 'prod-1': 'prod' } }),
    application('core', { environmentSets: ['default'], versions: { dev: '1.1.0', prod: '1.0.0' } }),
    promotion('to-prod', { from: 'dev', to: 'prod', requireDeployed: false, approval: { required: true } }),
  ]);
  // What the why route needs: get on the Application, and list on the Promotions and
  // Environments whose approvers, gate answers and freeze windows the answer shows.
  viewerToken = await serviceAccountToken(k.kc, ns, 'viewer', [
    { apiGroups: ['depot.sh'], resources: ['applications'], verbs: ['get'] },
    { apiGroups: ['depot.sh'], resources: ['promotions', 'environments'], verbs: ['list'] },
  ]);
  const tls = await generatedTls();
  operator = await runOperator(ns, { args: ['--api-addr', '127.0.0.1:0', ...tls.args] });
  base = await apiBase(operator);
  await trustApiCa(k.kc, tls.namespace, tls.secret);
  await k.appWhen(ns, 'core', 'core has a status', (a) => envStatus(a, 'prod')?.desired === '1.0.0');
  expect(cli('set-deployed', 'core', 'prod-1', '1.0.0').status).toBe(0);
  await k.appWhen(ns, 'core', 'prod-1 reports 1.0.0', (a) =>
    a.status?.targets?.some((t) => t.name === 'prod-1' && t.deployed === '1.0.0'),
  );
}, 120_000);

afterAll(async () => {
  await operator?.stop();
  await k.close();
});

test('exit 0 when the version is there, 1 with the reason when not; the API answers the same lines', async () => {
  const there = cli('why', 'core', 'prod', '1.0.0');
  expect(there).toMatchObject({ status: 0, stderr: '' });
  expect(there.stdout.split('\n')[0]).toBe('core 1.0.0 in prod: there');

  // The newest known version, 1.1.0, waits for an approval in to-prod.
  const absent = await eventually('the CLI names the approval step', async () => {
    const r = cli('why', 'core', 'prod');
    return r.stdout.includes('  - approval: Promotion to-prod: ApprovalRequired') ? r : undefined;
  });
  expect(absent.status).toBe(1);
  expect(absent.stdout).toContain('core 1.1.0 in prod: not there');

  const api = await whyApi('core/environments/prod/why');
  expect(api.status).toBe(200);
  expect(api.body).toMatchObject({ version: '1.1.0', present: false, requested: '1.0.0', desired: '1.0.0' });
  expect(api.body.lines.map((l) => `${l}\n`).join('')).toBe(absent.stdout);
  const text = await fetch(`${base}/namespaces/${ns}/applications/core/environments/prod/why`, {
    headers: { Authorization: `Bearer ${viewerToken}`, Accept: 'text/plain' },
  });
  expect(await text.text()).toBe(absent.stdout);
  const pinned = await whyApi('core/environments/prod/why?version=1.0.0');
  expect(pinned.body.lines.map((l) => `${l}\n`).join('')).toBe(there.stdout);
}, 120_000);

test('exit 2 with one line for an unknown application or environment and without access; the API says 404', async () => {
  // The API first: spawnSync blocks this process's event loop, so a kept-alive socket the server
  // closed meanwhile would look open to the next fetch.
  expect(await whyApi('nope/environments/prod/why')).toMatchObject({ status: 404 });
  expect(await whyApi('core/environments/qa/why')).toMatchObject({
    status: 404,
    body: { message: 'environment: qa is not an environment of core (dev, prod)' },
  });
  const unknownApp = cli('why', 'nope', 'prod');
  const unknownEnv = cli('why', 'core', 'qa');
  for (const r of [unknownApp, unknownEnv]) {
    expect(r).toMatchObject({ status: 2, stdout: '' });
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  }
  expect(unknownApp.stderr).toContain('application "nope" not found');
  expect(unknownEnv.stderr).toContain('qa is not an environment of core (dev, prod)');
  const stranger = depotCli(impersonating('stranger@example.com').path, ns, 'why', 'core', 'prod');
  expect(stranger).toMatchObject({ status: 2, stdout: '' });
  expect(stranger.stderr.trim().split('\n')).toEqual([expect.stringContaining('forbidden')]);
}, 120_000);
