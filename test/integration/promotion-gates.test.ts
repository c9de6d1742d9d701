// Promotion gates on the real control plane: an `http` gate served on
// loopback by a small server playing the user's check. While it is
// unreachable nothing is promoted; it answers pending (the version waits),
// then fail (refused with the gate's message), then pass (promoted). Each
// call is signed with the Secret's token and names the candidate. Gates the
// API server can judge are refused at admission; a URL outside
// --gate-url-allow makes the Promotion not Ready, naming the gate and field.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Promotion } from '../../src/api/promotion.js';
import { Promotions } from '../../src/api/resources.js';
import { Secrets } from '../../src/kube/resource.js';
import { EventsV1Api } from '@kubernetes/client-node';
import { freePort } from '../../src/local/controlplane/index.js';
import { scrape, sum } from '../kit/metrics-text.js';
import { freshNamespace } from '../controlplane/env.js';
import { cluster } from '../kit/cluster.js';
import { eventually } from '../kit/eventually.js';
import { tokenSecret } from '../kit/flux.js';
import { application, promotion } from '../kit/objects.js';
import { runOperator } from '../kit/operator.js';
import type { OperatorProcess } from '../kit/operator-process.js';
import { environments } from '../kit/topologies.js';

const k = cluster();
const TOKEN = 'gate-token-s3cret';
let ns: string;
let operator: OperatorProcess;
let server: Server;
let port: number;
let answer: { status: number; body: string } = { status: 200, body: '{"result":"pending"}' };
const calls: { body: string; signature: string | undefined; status: number }[] = [];
let metricsUrl: string;

const gateUrl = () => `http://127.0.0.1:${port}/checks/smoke`;
const result = async (name: string) =>
  (await k.read<Promotion>(Promotions, ns, name)).status?.results?.find((r) => r.application === 'web');
const prodVersion = async () => (await k.app(ns, 'web')).spec.versions!.prod;

function listen(): Promise<void> {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (b: Buffer) => (body += b.toString()));
    req.on('end', () => {
      calls.push({
        body,
        signature: req.headers['x-signature'] as string | undefined,
        status: answer.status,
      });
      res.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(answer.body);
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
}

beforeAll(async () => {
  // A free port, closed again: the gate is unreachable until the test listens on it.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));

  ns = await freshNamespace(k.kc, 'gates');
  await k.client.create(Secrets, tokenSecret('gate-token', ns, TOKEN));
  await k.apply(ns, [
    ...environments(['staging', 'prod']),
    application('web', { environmentSets: ['default'], versions: { staging: '1.3.0', prod: '1.2.0' } }),
    promotion('to-prod', {
      from: 'staging',
      to: 'prod',
      requireDeployed: false,
      gates: [
        {
          name: 'smoke',
          interval: '2s',
          http: { url: gateUrl(), secretRef: { name: 'gate-token', key: 'token' }, timeout: '2s' },
        },
      ],
    }),
  ]);
  metricsUrl = `http://127.0.0.1:${await freePort()}`;
  operator = await runOperator(ns, {
    args: [
      `--gate-url-allow=http://127.0.0.1:${port}/checks/`,
      '--metrics-addr',
      metricsUrl.slice('http://'.length),
    ],
  });
}, 120_000);

afterAll(async () => {
  await operator?.stop();
  await new Promise<void>((resolve) => (server?.listening ? server.close(() => resolve()) : resolve()));
  await k.close();
});

test('unreachable: nothing promoted; pending waits; fail is refused with its message; pass promotes', async () => {
  const unreachable = await eventually('the unreachable gate is reported', async () => {
    const r = await result('to-prod');
    return r?.gates?.[0]?.result === 'Failed' && r;
  });
  expect(unreachable).toMatchObject({
    version: '1.3.0',
    outcome: 'Blocked',
    reason: expect.stringMatching(
      /^gate smoke failed: http:\/\/127\.0\.0\.1:\d+\/… \(spec\.gates\[0\]\.http\.url of Promotion .*\) is unreachable: ECONNREFUSED/,
    ),
  });
  expect(await prodVersion()).toBe('1.2.0');

  await listen();
  const pending = await eventually('the pending answer is reported', async () => {
    const r = await result('to-prod');
    return r?.gates?.[0]?.result === 'Pending' && r.gates[0].message === 'pending' && r;
  });
  expect(pending).toMatchObject({
    outcome: 'Waiting',
    reason: 'gate smoke is pending: pending (asked again within 2s)',
  });
  expect(await prodVersion()).toBe('1.2.0');
  // The call names the candidate and is signed with the Secret's token.
  const call = calls[0]!;
  expect(JSON.parse(call.body)).toEqual({
    application: 'web',
    namespace: ns,
    version: '1.3.0',
    from: 'staging',
    to: 'prod',
    promotion: 'to-prod',
  });
  expect(call.signature).toBe(`sha256=${createHmac('sha256', TOKEN).update(call.body).digest('hex')}`);

  // A failed answer, echoing the token: refused with the message, the token removed.
  answer = { status: 200, body: `{"result":"fail","message":"error rate 7% (token ${TOKEN})"}` };
  const failed = await eventually('the failed answer is reported', async () => {
    const r = await result('to-prod');
    return r?.outcome === 'Blocked' && r.reason?.includes('error rate') && r;
  });
  expect(failed.reason).toBe('gate smoke failed: error rate 7% (token [redacted]) (asked again within 2s)');
  expect(JSON.stringify(await k.read(Promotions, ns, 'to-prod'))).not.toContain(TOKEN);
  expect(await prodVersion()).toBe('1.2.0');

  // A failed answer is not final: the gate is asked again and passes.
  answer = { status: 204, body: '' };
  await eventually('1.3.0 promoted after the gate passed', async () => (await prodVersion()) === '1.3.0');
  expect(calls.every((c) => JSON.parse(c.body).version === '1.3.0')).toBe(true);
  // A passed answer is kept: the gate was asked once after it started passing.
  expect(calls.filter((c) => c.status === 204)).toHaveLength(1);
  // Events when the outcome changes, and metrics by gate and result.
  await eventually('GateFailed and GatePassed Events on the Promotion', async () => {
    const events = await k.kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: ns });
    const on = (reason: string) =>
      events.items.filter((e) => e.reason === reason && e.regarding?.name === 'to-prod');
    return (
      on('GateFailed').some((e) => e.type === 'Warning' && e.note?.includes('error rate 7%')) &&
      on('GatePassed').some((e) => e.type === 'Normal' && e.note?.includes('web 1.3.0'))
    );
  });
  // History on the Application: one entry per change of outcome, not one per ask.
  const app = await k.appWhen(ns, 'web', 'a GatePassed entry', (a) =>
    a.status?.history?.some((h) => h.type === 'GatePassed'),
  );
  const gateEntries = app.status!.history!.filter((h) => h.type === 'GatePassed' || h.type === 'GateFailed');
  expect(gateEntries.map((h) => h.type)).toEqual(['GatePassed', 'GateFailed']);
  expect(gateEntries[1]).toMatchObject({
    environment: 'prod',
    to: '1.3.0',
    actor: 'promotion to-prod',
    message: expect.stringMatching(
      /^gate smoke of Promotion to-prod failed: .* is unreachable: ECONNREFUSED/,
    ),
  });
  expect(gateEntries[0]!.message).toBe('gate smoke of Promotion to-prod passed: passed (HTTP 204)');
  const samples = await scrape(metricsUrl);
  for (const r of ['Passed', 'Pending', 'Failed'])
    expect(
      sum(samples, 'depot_promotion_gate_answers_total', { promotion: 'to-prod', gate: 'smoke', result: r }),
    ).toBeGreaterThan(0);
}, 120_000);

test('a gate URL outside --gate-url-allow: Ready=False naming the gate and field, never called', async () => {
  const before = calls.length;
  await k.apply(ns, [
    promotion('elsewhere', {
      from: 'staging',
      to: 'prod',
      requireDeployed: false,
      gates: [{ name: 'outside', http: { url: `http://127.0.0.1:${port}/other/check` } }],
    }),
  ]);
  const ready = await eventually('elsewhere is not Ready', async () => {
    const c = (await k.read<Promotion>(Promotions, ns, 'elsewhere')).status?.conditions?.find(
      (x) => x.type === 'Ready',
    );
    return c?.status === 'False' && c;
  });
  expect(ready).toMatchObject({
    reason: 'GateNotAllowed',
    message: `spec.gates[0].http.url (gate outside): http://127.0.0.1:${port}/… is under none of the prefixes allowed by --gate-url-allow; nothing is promoted`,
  });
  expect(calls.length).toBe(before);
});

test.each([
  ['an unknown kind', { name: 'q', datadog: { query: 'up' } }, /datadog: field not declared in schema/],
  ['no kind', { name: 'q' }, /exactly one of http, prometheus must be set/],
  [
    'a URL that is not http(s)',
    { name: 'q', http: { url: 'ftp://checks/x' } },
    /must be an http or https URL/,
  ],
  [
    'an interval that does not parse',
    { name: 'q', interval: 'soon', http: { url: 'http://checks/x' } },
    /Go duration/,
  ],
])('%s is refused at admission', async (_what, gate, message) => {
  await expect(
    k.apply(ns, [promotion('bad', { from: 'staging', to: 'prod', gates: [gate as never] })]),
  ).rejects.toThrow(message);
});
