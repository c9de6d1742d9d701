// `depot agent` end to end: namespace "hub" runs the operator and its HTTP
// API over TLS (a certificate from a CA made here, trusted with --ca-file), "remote"
// plays the remote cluster with an Argo CD Application. The agent, with its
// own token (audience depot), delivers there, reports what Argo CD deploys and
// shows in the Target's status; a killed server loses and undoes nothing; a
// silent agent makes the Target not Ready; a too-old server stops it; a
// malicious hub (a fake on loopback: the attacker) gets nothing written; an
// http:// hub needs --insecure-http; a token for another audience gets 401.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { AddressInfo, Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthenticationV1Api, KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { Target } from '../../src/api/target.js';
import { Applications, Targets } from '../../src/api/resources.js';
import { freePort } from '../../src/local/controlplane/index.js';
import { projectRoot } from '../../src/local/project-root.js';
import { freshNamespace } from '../controlplane/env.js';
import { argoApp, argoClient } from '../kit/argocd.js';
import { cluster, targetStatus } from '../kit/cluster.js';
import { eventually } from '../kit/eventually.js';
import { gitRepository, GitRepositories } from '../kit/flux.js';
import { application, target } from '../kit/objects.js';
import { environments } from '../kit/topologies.js';
import { agentRoleRules } from '../kit/user-roles.js';
import { apiBase, serviceAccountToken } from '../kit/http-api.js';
import { servingCertificate, type ServingCertificate } from '../kit/serving-certificate.js';
import { startOperator, type OperatorProcess } from '../kit/operator-process.js';

const k = cluster();
const { kc } = k;
const kubeconfig = process.env.DEPOT_TEST_KUBECONFIG!;
const readApp = k.app;
const argo = argoClient(kc);
const bin = join(projectRoot(), 'bin', 'depot.js');

let hub: string;
let remote: string;
let operator: OperatorProcess | undefined;
let agent: ChildProcess | undefined;
let agentOut = '';
let apiAddr: string;
let tokenFile: string;
/** The hub's TLS certificate for 127.0.0.1 and the CA that signed it (trusted with --ca-file). */
let tls: ServingCertificate;

const deployedOn = async (version: string) =>
  targetStatus(await readApp(hub, 'web'), 'remote-1')?.deployed === version;
const revision = async () => (await argo.get(remote, 'web')).spec.source?.targetRevision;
const readTarget = () => k.read<Target>(Targets, hub, 'remote-1');
const setVersion = (version: string) =>
  k.client.patch(Applications, hub, 'web', { spec: { versions: { prod: version } } }, { type: 'merge' });
/** `depot agent` for `target` of the hub, with the agent's token, trusting the hub's certificate: its argv after node. */
const agentArgv = (target: string, server = `https://${apiAddr}`) => [
  bin,
  'agent',
  '--server',
  server,
  '--ca-file',
  tls.ca,
  '--namespace',
  hub,
  '--target',
  target,
  '--token-file',
  tokenFile,
  '--kubeconfig',
  kubeconfig,
];
const startHubOperator = () =>
  startOperator(kubeconfig, hub, {
    args: [
      '--api-addr',
      apiAddr,
      '--api-tls-cert',
      tls.cert,
      '--api-tls-key',
      tls.key,
      '--agent-silence',
      '10s',
    ],
  });

beforeAll(async () => {
  hub = await freshNamespace(kc, 'hub');
  remote = await freshNamespace(kc, 'remote');
  apiAddr = `127.0.0.1:${await freePort()}`;
  tls = await servingCertificate();
  await k.apply(hub, [
    ...environments(['prod']),
    target('remote-1', 'prod', { delivery: { agent: {} } }),
    application('web', { environmentSets: ['default'], versions: { prod: '1.0.0' } }),
  ]);
  await argo.create(
    remote,
    argoApp(
      'web',
      { source: { repoURL: 'https://github.com/acme/web', path: 'deploy', targetRevision: '0.9.0' } },
      `${hub}/remote-1`,
    ),
  );
  // The agents' own identity on the hub: exactly the chart's Roles for the agents of remote-1 and remote-flux.
  const token = await serviceAccountToken(kc, hub, 'depot-agent', [
    ...agentRoleRules(hub, 'remote-1'),
    ...agentRoleRules(hub, 'remote-flux'),
  ]);
  tokenFile = join(mkdtempSync(join(tmpdir(), 'depot-agent-')), 'token');
  writeFileSync(tokenFile, token, { mode: 0o600 });
  operator = startHubOperator();
}, 60_000);

afterAll(async () => {
  agent?.kill('SIGTERM');
  await operator?.stop();
});

function startAgent(): void {
  agent = spawn(
    process.execPath,
    [
      ...agentArgv('remote-1'),
      '--argocd-namespace',
      remote,
      '--interval',
      '1s',
      '--health-addr',
      '127.0.0.1:0',
    ],
    { cwd: projectRoot(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  agent.stdout!.on('data', (b: Buffer) => (agentOut += b.toString()));
  agent.stderr!.on('data', (b: Buffer) => (agentOut += b.toString()));
}

const withOutput = async (fn: () => Promise<void>) => {
  try {
    await fn();
  } catch (err) {
    throw new Error(
      `${(err as Error).message}\nagent output:\n${agentOut.slice(-3000)}\noperator output:\n${operator?.output().slice(-2000)}`,
    );
  }
};

test(
  'the agent moves the version into the remote Argo CD Application and reports what is deployed',
  () =>
    withOutput(async () => {
      startAgent();
      await eventually(
        'the remote Argo CD Application gets 1.0.0',
        async () => (await revision()) === '1.0.0',
        90_000,
      );
      // Argo CD (played by the test) syncs it: the agent reads it back and reports it.
      await argo.reportSynced(remote, 'web');
      await eventually('the hub records 1.0.0 deployed on remote-1', () => deployedOn('1.0.0'));
      const target = await eventually('the Target shows the agent', async () => {
        const t = await readTarget();
        return t.status?.conditions?.find((c) => c.type === 'Ready')?.reason === 'AgentConnected' && t;
      });
      expect(target.status?.agent).toMatchObject({
        version: '0.1.0',
        user: `system:serviceaccount:${hub}:depot-agent`,
      });
      const delivered = await eventually('the hub shows the agent target Delivered', async () => {
        const t = (await readApp(hub, 'web')).status?.targets?.find((x) => x.name === 'remote-1');
        return t?.delivery?.state === 'Delivered' && t;
      });
      expect(delivered.delivery?.message).toBe('the depot agent reports 1.0.0 deployed');
      // The agent's own /readyz (its last poll succeeded) and /metrics.
      const started = JSON.parse(agentOut.split('\n').find((l) => l.includes('"agent started"'))!) as {
        endpoints: string[];
      };
      const health = `http://${started.endpoints[0]}`;
      expect((await fetch(`${health}/readyz`)).status).toBe(200);
      expect(await (await fetch(`${health}/metrics`)).text()).toMatch(
        /depot_agent_polls_total\{result="changed"\} [1-9]/,
      );
      const history = (await readApp(hub, 'web')).status?.history ?? [];
      expect(history.some((h) => h.type === 'Deployed' && h.target === 'remote-1' && h.to === '1.0.0')).toBe(
        true,
      );
    }),
  150_000,
);

test(
  'killing the server mid-poll loses nothing: the delivered version stays, and the next one arrives after the restart',
  () =>
    withOutput(async () => {
      await operator!.stop('SIGKILL');
      await eventually(
        'the agent notices the server is gone',
        async () => /poll or report failed/.test(agentOut),
        30_000,
      );
      await setVersion('1.1.0');
      // While the server is down nothing is undone in the remote cluster.
      await new Promise((r) => setTimeout(r, 3_000));
      expect(await revision()).toBe('1.0.0');
      operator = startHubOperator();
      await eventually(
        '1.1.0 reaches the remote Application',
        async () => (await revision()) === '1.1.0',
        90_000,
      );
      await argo.reportSynced(remote, 'web');
      await eventually('the hub records 1.1.0 deployed', () => deployedOn('1.1.0'), 60_000);
    }),
  200_000,
);

test(
  'a silent agent turns its Target not Ready after --agent-silence',
  () =>
    withOutput(async () => {
      const readyReason = async () =>
        (await readTarget()).status?.conditions?.find((x) => x.type === 'Ready')?.reason;
      await eventually(
        'the Target is Ready while the agent polls',
        async () => (await readyReason()) === 'AgentConnected',
        60_000,
      );
      // Still Ready more than one --agent-silence later: a polling agent's contact is written often enough.
      await new Promise((r) => setTimeout(r, 12_000));
      expect(await readyReason()).toBe('AgentConnected');
      agent!.kill('SIGTERM');
      const ready = await eventually(
        'the Target is not Ready with AgentSilent',
        async () => {
          const c = (await readTarget()).status?.conditions?.find((x) => x.type === 'Ready');
          return c?.reason === 'AgentSilent' && c;
        },
        60_000,
      );
      expect(ready.status).toBe('False');
      expect(ready.message).toMatch(/^no contact from agent for 10s \(last contact /);
      // What was delivered stays Delivered; a new version cannot be and is Failed, saying why.
      expect((await readApp(hub, 'web')).status?.targets?.[0]?.delivery?.state).toBe('Delivered');
      await setVersion('1.2.0');
      const failed = await eventually('the new version is Failed on the silent agent target', async () => {
        const t = (await readApp(hub, 'web')).status?.targets?.find((x) => x.name === 'remote-1');
        return t?.desired === '1.2.0' && t.delivery?.state === 'Failed' && t;
      });
      expect(failed.delivery?.message).toMatch(/^1\.2\.0 not delivered: no contact from agent for 10s/);
    }),
  90_000,
);

test('against a server without the agent API the agent stops with one line', async () => {
  const server = createServer((_, res) => {
    res.writeHead(404);
    res.end('404 page not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as AddressInfo).port;
    // Not spawnSync: this process serves the 404s.
    const child = spawn(
      process.execPath,
      [
        ...agentArgv('remote-1', `http://127.0.0.1:${port}`),
        '--insecure-http',
        '--log-level',
        'silent',
        '--health-addr',
        '0',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    const status = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const res = { status, stderr };
    expect({ status: res.status, stderr: res.stderr }).toEqual({
      status: 1,
      stderr: 'Depot server >= 0.1.0 is required\n',
    });
  } finally {
    server.close();
  }
}, 60_000);

test("an agent with --delivery-file writes a Flux GitRepository with the operator's Flux code", async () => {
  await k.apply(hub, [target('remote-flux', 'prod', { delivery: { agent: {} } })]);
  await k.apply(remote, [
    gitRepository(
      'web',
      { tag: '0.9.0' },
      { annotations: { 'depot.sh/authorized-targets': `${hub}/remote-flux` } },
    ) as KubernetesObject,
  ]);
  const desired = (await readApp(hub, 'web')).spec.versions?.prod;
  const deliveryFile = join(mkdtempSync(join(tmpdir(), 'depot-agent-')), 'delivery.yaml');
  writeFileSync(
    deliveryFile,
    `flux:\n  patch:\n    apiVersion: source.toolkit.fluxcd.io/v1\n    kind: GitRepository\n    name: \${application}\n    namespace: ${remote}\n    field: spec.ref.tag\n`,
  );
  let out = '';
  const flux = spawn(
    process.execPath,
    [...agentArgv('remote-flux'), '--delivery-file', deliveryFile, '--interval', '1s', '--health-addr', '0'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  flux.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  flux.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  try {
    await eventually(
      `the remote GitRepository's spec.ref.tag becomes ${desired}`,
      async () => {
        const repo = await k.read<{ spec: { ref: { tag: string } } }>(GitRepositories, remote, 'web');
        return repo.spec.ref.tag === desired;
      },
      60_000,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\nagent output:\n${out.slice(-3000)}`);
  } finally {
    flux.kill('SIGTERM');
  }
}, 90_000);

/** `depot agent` with these args: its output so far, and its exit code once it exits. */
function spawnAgent(argv: string[]) {
  let out = '';
  const child = spawn(process.execPath, argv, { cwd: projectRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function listen(server: NetServer): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

test('an http:// hub without --insecure-http is refused with one line, before any request', async () => {
  let requests = 0;
  const server = createServer((_, res) => {
    requests++;
    res.writeHead(404);
    res.end();
  });
  const url = `http://127.0.0.1:${await listen(server)}`;
  try {
    const agent = spawnAgent([...agentArgv('remote-1', url), '--health-addr', '0']);
    expect({ status: await agent.exited, output: agent.output() }).toEqual({
      status: 1,
      output: `error: --server ${url}: plain HTTP lets anyone on the way read the token and change the versions; use https:// (--ca-file for a private CA) or add --insecure-http\n`,
    });
    expect(requests).toBe(0);
  } finally {
    server.close();
  }
}, 60_000);

test('without --ca-file the agent does not trust a hub certificate from a private CA; a --ca-file without a certificate is one line', async () => {
  const notPem = join(mkdtempSync(join(tmpdir(), 'depot-agent-')), 'ca.crt');
  writeFileSync(notPem, 'not a certificate\n');
  const bad = spawnAgent([...agentArgv('remote-1'), '--ca-file', notPem, '--health-addr', '0']);
  expect({ status: await bad.exited, output: bad.output() }).toEqual({
    status: 1,
    output: `error: --ca-file ${notPem}: no PEM certificate in it\n`,
  });
  // Without --ca-file the hub's private CA is not trusted: every poll fails, saying why.
  const argv = agentArgv('remote-1');
  argv.splice(argv.indexOf('--ca-file'), 2);
  const untrusting = spawnAgent([...argv, '--argocd-namespace', remote, '--health-addr', '0']);
  try {
    await eventually(
      'the agent cannot verify the hub',
      async () =>
        /cannot reach https:\/\/127\.0\.0\.1:\d+\/: UNABLE_TO_VERIFY_LEAF_SIGNATURE/.test(
          untrusting.output(),
        ),
      30_000,
    );
  } finally {
    untrusting.child.kill('SIGTERM');
  }
}, 60_000);

test('an agent given a hub answer for another Target, or an override it does not allow, writes nothing', async () => {
  // A platform team's Argo CD Application, authorized for the hub's staging Target (served by another agent).
  await argo.create(
    remote,
    argoApp(
      'platform',
      { source: { repoURL: 'https://github.com/acme/platform', path: 'deploy', targetRevision: '3.0.0' } },
      `${hub}/staging`,
    ),
  );
  const before = {
    web: (await argo.get(remote, 'web')).metadata!.resourceVersion,
    platform: (await argo.get(remote, 'platform')).metadata!.resourceVersion,
  };
  // The attacker: a hub (or anyone on the link) that answers what it likes, over TLS with a certificate the agent trusts.
  let answer: object = {
    namespace: hub,
    target: 'staging',
    environment: 'prod',
    delivery: 'agent',
    items: [{ application: 'platform', desired: '6.6.6' }],
  };
  const writes: string[] = [];
  const malicious = createHttpsServer(
    { cert: readFileSync(tls.cert), key: readFileSync(tls.key) },
    (req: IncomingMessage, res: ServerResponse) => {
      if (req.method !== 'GET') writes.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/json', 'depot-server-version': '0.1.0' });
      res.end(JSON.stringify(answer));
    },
  );
  const url = `https://127.0.0.1:${await listen(malicious)}`;
  const agent = spawnAgent([
    ...agentArgv('remote-1', url),
    '--argocd-namespace',
    remote,
    '--interval',
    '1s',
    '--health-addr',
    '0',
  ]);
  try {
    await eventually(
      'the agent refuses the answer for hub/staging',
      async () =>
        agent
          .output()
          .includes(
            `the hub answered for Target ${hub}/staging, but this agent serves ${hub}/remote-1: answer refused`,
          ),
      30_000,
    );
    // Its own Target, but the hub's override redirects the write into a Helm parameter.
    answer = {
      namespace: hub,
      target: 'remote-1',
      environment: 'prod',
      delivery: 'agent',
      items: [
        {
          application: 'web',
          desired: 'evil.example/miner',
          override: { argocd: { set: { helmParameter: 'controller.image.repository' } } },
        },
      ],
    };
    await eventually(
      'the agent refuses the override',
      async () =>
        agent
          .output()
          .includes(
            "evil.example/miner not delivered: the hub's Application overrides argocd.set for this target, which this agent does not allow (--allow-override argocd.set)",
          ),
      30_000,
    );
    expect({
      web: (await argo.get(remote, 'web')).metadata!.resourceVersion,
      platform: (await argo.get(remote, 'platform')).metadata!.resourceVersion,
    }).toEqual(before);
    expect(writes).toEqual([]);
  } catch (err) {
    throw new Error(`${(err as Error).message}\nagent output:\n${agent.output().slice(-3000)}`);
  } finally {
    agent.child.kill('SIGTERM');
    malicious.close();
  }
}, 90_000);

/** GET over TLS trusting the hub's certificate: status and body. */
function getWithToken(url: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      { ca: readFileSync(tls.ca), headers: { Authorization: `Bearer ${token}` }, agent: false },
      (res) => {
        let body = '';
        res.on('data', (b: Buffer) => (body += b.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

test('a token for the API server (the default audience) gets 401 naming depot; one made --audience depot works, and only for Depot', async () => {
  const base = await apiBase(operator!);
  const url = `${base}/namespaces/${hub}/targets/remote-1/versions`;
  const rules = agentRoleRules(hub, 'remote-1');
  const defaultAudience = await serviceAccountToken(kc, hub, 'default-audience', rules, []);
  const depotAudience = await serviceAccountToken(kc, hub, 'depot-audience', rules, ['depot']);
  const refused = await getWithToken(url, defaultAudience);
  expect(refused.status).toBe(401);
  expect(JSON.parse(refused.body)).toEqual({
    error: 'Unauthorized',
    message:
      'the bearer token was not accepted by the Kubernetes API server for the audience depot: request a token for depot (kubectl create token <serviceaccount> --audience depot, or a projected ServiceAccount token with audience: depot)',
  });
  expect((await getWithToken(url, depotAudience)).status).toBe(200);
  // The Depot token is no credential for the API server itself.
  const cluster = kc.getCurrentCluster()!;
  const asDepotToken = new KubeConfig();
  asDepotToken.loadFromOptions({
    clusters: [{ ...cluster, name: 'c' }],
    users: [{ name: 'u', token: depotAudience }],
    contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
    currentContext: 'c',
  });
  await expect(
    asDepotToken.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} }),
  ).rejects.toThrow(/401/);
}, 90_000);
