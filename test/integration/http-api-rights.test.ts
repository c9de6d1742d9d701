// Per-target rights and fair limits of the HTTP API (issue 23), on the real
// control plane with the operator from dist/: the agent of edge-1, with
// exactly the chart's Role for it, cannot report staging's deployed version
// nor patch status with its token; a viewer's polls record no contact; and a
// flood of made-up tokens, from another address or from the agent's own,
// leaves a real `depot agent` at zero refused polls.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Agent as HttpAgent, request } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { CLIENT_VERSION_HEADER } from '../../src/api/http.js';
import { Targets } from '../../src/api/resources.js';
import type { Target } from '../../src/api/target.js';
import { freePort } from '../../src/local/controlplane/index.js';
import { projectRoot } from '../../src/local/project-root.js';
import { freshNamespace } from '../controlplane/env.js';
import { argoApp, argoClient } from '../kit/argocd.js';
import { cluster } from '../kit/cluster.js';
import { eventually } from '../kit/eventually.js';
import { serviceAccountToken } from '../kit/http-api.js';
import { application, target } from '../kit/objects.js';
import { startOperator, type OperatorProcess } from '../kit/operator-process.js';
import { environments } from '../kit/topologies.js';
import { agentRoleRules, userRoleRules } from '../kit/user-roles.js';

const k = cluster();
const { kc } = k;
const kubeconfig = process.env.DEPOT_TEST_KUBECONFIG!;

let hub: string;
let remote: string;
let apiAddr: string;
let base: string;
let operator: OperatorProcess | undefined;
let agentToken: string;
let viewerToken: string;

beforeAll(async () => {
  hub = await freshNamespace(kc, 'rights');
  remote = await freshNamespace(kc, 'rights-remote');
  apiAddr = `127.0.0.1:${await freePort()}`;
  base = `http://${apiAddr}/api/v1/namespaces/${hub}`;
  await k.apply(hub, [
    ...environments(['staging', 'prod']),
    target('staging', 'staging', { delivery: { agent: {} } }),
    target('edge-1', 'prod', { delivery: { agent: {} } }),
    application('web', { environmentSets: ['default'], versions: { staging: '1.1.0', prod: '1.0.0' } }),
  ]);
  await argoClient(kc).create(
    remote,
    argoApp(
      'web',
      { source: { repoURL: 'https://github.com/acme/web', path: 'deploy', targetRevision: '0.9.0' } },
      `${hub}/edge-1`,
    ),
  );
  agentToken = await serviceAccountToken(kc, hub, 'agent-edge-1', agentRoleRules(hub, 'edge-1'));
  viewerToken = await serviceAccountToken(kc, hub, 'viewer', userRoleRules('viewer'));
  operator = startOperator(kubeconfig, hub, { args: ['--api-addr', apiAddr] });
  await eventually(
    'the HTTP API serves',
    async () => {
      const res = await fetch(`${base}/applications`, {
        headers: { Authorization: `Bearer ${viewerToken}` },
      });
      return res.status === 200;
    },
    60_000,
  );
}, 180_000);

afterAll(async () => {
  await operator?.stop();
});

const bearer = (token: string, extra: Record<string, string> = {}) => ({
  Authorization: `Bearer ${token}`,
  ...extra,
});
const report = (token: string, targetName: string, version: string) =>
  fetch(`${base}/applications/web/targets/${targetName}/deployed`, {
    method: 'PUT',
    headers: bearer(token, { 'Content-Type': 'application/json' }),
    body: JSON.stringify({ version }),
  });
const deployedOn = async (targetName: string) =>
  (await k.app(hub, 'web')).status?.targets?.find((t) => t.name === targetName)?.deployed;

test("the agent of edge-1 reports edge-1's deployed version, not staging's (403)", async () => {
  const refused = await report(agentToken, 'staging', '1.1.0');
  expect(refused.status).toBe(403);
  expect(((await refused.json()) as { message: string }).message).toBe(
    `user "system:serviceaccount:${hub}:agent-edge-1" may not update targets/report.depot.sh "staging" in namespace ${hub}`,
  );
  expect(await deployedOn('staging')).toBeUndefined();
  // A viewer reports nothing either.
  expect((await report(viewerToken, 'edge-1', '1.0.0')).status).toBe(403);
  const allowed = await report(agentToken, 'edge-1', '1.0.0');
  expect(allowed.status).toBe(200);
  expect(await deployedOn('edge-1')).toBe('1.0.0');
});

test("the agent's token cannot patch Application or Target status with the API server (kubectl's request)", async () => {
  // kubectl needs a token for the API server's own audience: the agent's Depot token is none.
  const forApiServer = await kc.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    name: 'agent-edge-1',
    namespace: hub,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const cluster = kc.getCurrentCluster()!;
  const asAgent = new KubeConfig();
  asAgent.loadFromOptions({
    clusters: [cluster],
    users: [{ name: 'agent', token: forApiServer.status!.token! }],
    contexts: [{ name: 'agent', cluster: cluster.name, user: 'agent' }],
    currentContext: 'agent',
  });
  const api = asAgent.makeApiClient(CustomObjectsApi);
  const patchStatus = (plural: string, name: string) =>
    api
      .patchNamespacedCustomObjectStatus({
        group: 'depot.sh',
        version: 'v1alpha1',
        namespace: hub,
        plural,
        name,
        body: [{ op: 'add', path: '/status/history', value: [] }],
      })
      .then(
        () => 200,
        (err: { code?: number }) => err.code,
      );
  expect(await patchStatus('applications', 'web')).toBe(403);
  expect(await patchStatus('targets', 'edge-1')).toBe(403);
  expect(await patchStatus('targets', 'staging')).toBe(403);
  // What it may do: read the applications.
  await expect(
    api.getNamespacedCustomObject({
      group: 'depot.sh',
      version: 'v1alpha1',
      namespace: hub,
      plural: 'applications',
      name: 'web',
    }),
  ).resolves.toMatchObject({ metadata: { name: 'web' } });
});

test('polls with depot-client-version record a contact only for a user who may report for that Target', async () => {
  const poll = (token: string, targetName: string, version: string) =>
    fetch(`${base}/targets/${targetName}/versions`, {
      headers: bearer(token, { [CLIENT_VERSION_HEADER]: version }),
    });
  // A viewer, and the agent of edge-1 on staging: answered, but no contact.
  expect((await poll(viewerToken, 'staging', '6.6.6')).status).toBe(200);
  expect((await poll(agentToken, 'staging', '6.6.7')).status).toBe(200);
  // The agent of edge-1 on edge-1: recorded (after the refusals above were decided).
  expect((await poll(agentToken, 'edge-1', '0.1.0')).status).toBe(200);
  const edge = await eventually('the contact of the agent of edge-1', async () => {
    const t = await k.read<Target>(Targets, hub, 'edge-1');
    return t.status?.agent && t;
  });
  expect(edge.status?.agent).toMatchObject({
    version: '0.1.0',
    user: `system:serviceaccount:${hub}:agent-edge-1`,
  });
  expect((await k.read<Target>(Targets, hub, 'staging')).status?.agent).toBeUndefined();
});

/** Sends `perSecond` requests with made-up tokens from `localAddress` for `seconds`; the status counts. */
async function flood(
  localAddress: string,
  perSecond: number,
  seconds: number,
): Promise<Record<number, number>> {
  const agent = new HttpAgent({ keepAlive: true, maxSockets: 64, localAddress });
  const [host, port] = apiAddr.split(':');
  const counts: Record<number, number> = {};
  const sent: Promise<void>[] = [];
  const send = () =>
    new Promise<void>((resolve) => {
      const req = request(
        {
          host,
          port: Number(port),
          agent,
          path: `/api/v1/namespaces/${hub}/targets/edge-1/versions`,
          headers: { Authorization: `Bearer ${randomBytes(24).toString('base64url')}` },
        },
        (res) => {
          counts[res.statusCode ?? 0] = (counts[res.statusCode ?? 0] ?? 0) + 1;
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', () => {
        counts[0] = (counts[0] ?? 0) + 1;
        resolve();
      });
      req.end();
    });
  const tick = 50;
  const started = Date.now();
  for (let n = 0; Date.now() - started < seconds * 1000; n++) {
    for (let i = 0; i < (perSecond * tick) / 1000; i++) sent.push(send());
    await new Promise((r) => setTimeout(r, Math.max(0, started + (n + 1) * tick - Date.now())));
  }
  await Promise.all(sent);
  agent.destroy();
  return counts;
}

test('a flood of made-up tokens, from another address or from its own, leaves a real agent at zero refused polls', async () => {
  // A token of the agent's ServiceAccount that the HTTP API has not reviewed yet.
  const fresh = await kc.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    name: 'agent-edge-1',
    namespace: hub,
    body: { spec: { audiences: ['depot'], expirationSeconds: 3600 } },
  });
  const tokenFile = join(mkdtempSync(join(tmpdir(), 'depot-rights-')), 'token');
  writeFileSync(tokenFile, fresh.status!.token!, { mode: 0o600 });
  let out = '';
  let agent: ChildProcess | undefined;
  const metrics = async () => {
    const started = out.split('\n').find((l) => l.includes('"agent started"'));
    const endpoint = (JSON.parse(started!) as { endpoints: string[] }).endpoints[0];
    const text = await (await fetch(`http://${endpoint}/metrics`)).text();
    const count = (result: string) =>
      Number(new RegExp(`depot_agent_polls_total\\{result="${result}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
    return { polls: count('changed') + count('unchanged'), errors: count('error') };
  };
  try {
    // From 127.0.0.2; the agent (from 127.0.0.1) starts during the flood, with a token not reviewed yet.
    const other = flood('127.0.0.2', 200, 20);
    await new Promise((r) => setTimeout(r, 2_000));
    agent = spawn(
      process.execPath,
      [
        join(projectRoot(), 'bin', 'depot.js'),
        'agent',
        '--server',
        `http://${apiAddr}`,
        // Loopback only: the flood is about review limits, not transport.
        '--insecure-http',
        '--namespace',
        hub,
        '--target',
        'edge-1',
        '--token-file',
        tokenFile,
        '--kubeconfig',
        kubeconfig,
        '--argocd-namespace',
        remote,
        '--interval',
        '1s',
        '--health-addr',
        '127.0.0.1:0',
      ],
      { cwd: projectRoot(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    agent.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    agent.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    // Argo CD (played by the test) syncs what the agent delivered: the agent reports it during the flood.
    await eventually(
      'the agent delivers 1.0.0',
      async () => (await argoClient(kc).get(remote, 'web')).spec.source?.targetRevision === '1.0.0',
      60_000,
    );
    await argoClient(kc).reportSynced(remote, 'web');
    const fromOther = await other;
    const first = await eventually('the agent serves its metrics', metrics);
    // From the agent's own address, its token known by now.
    const fromSame = await flood('127.0.0.1', 200, 20);
    const second = await metrics();
    const context = `polls ${first.polls}, ${second.polls}; agent output:\n${out.slice(-3000)}\nflood from 127.0.0.2: ${JSON.stringify(fromOther)}, from 127.0.0.1: ${JSON.stringify(fromSame)}`;
    expect({ context, first: first.errors, second: second.errors }).toEqual({ context, first: 0, second: 0 });
    // The floods were real and limited: most made-up tokens were refused before any review.
    expect({ context, refused: (fromOther[429] ?? 0) > 3_000 && (fromSame[429] ?? 0) > 3_000 }).toEqual({
      context,
      refused: true,
    });
    // The agent polled all along (every 1 s, or 2 s while Argo CD has not synced): more than 5 polls in each phase.
    const polls = [first.polls, second.polls - first.polls];
    expect({ context, polls: polls.every((n) => n > 5) }).toEqual({ context, polls: true });
    expect(out).not.toMatch(/poll or report failed/);
    expect((await argoClient(kc).get(remote, 'web')).spec.source?.targetRevision).toBe('1.0.0');
  } finally {
    agent?.kill('SIGTERM');
  }
}, 180_000);
