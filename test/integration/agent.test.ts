// `depot agent` end to end: namespace "hub" runs the operator and its HTTP
// API, "remote" plays the remote cluster with an Argo CD Application. The
// agent, with its own token, delivers there, reports what Argo CD deploys and
// shows in the Target's status; a killed server loses and undoes nothing; a
// silent agent makes the Target not Ready; a too-old server stops it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
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
import { serviceAccountToken } from '../kit/http-api.js';
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

const deployedOn = async (version: string) =>
  targetStatus(await readApp(hub, 'web'), 'remote-1')?.deployed === version;
const revision = async () => (await argo.get(remote, 'web')).spec.source?.targetRevision;
const readTarget = () => k.read<Target>(Targets, hub, 'remote-1');
const setVersion = (version: string) =>
  k.client.patch(Applications, hub, 'web', { spec: { versions: { prod: version } } }, { type: 'merge' });
/** `depot agent` for `target` of the hub, with the agent's token: its argv after node. */
const agentArgv = (target: string, server = `http://${apiAddr}`) => [
  bin,
  'agent',
  '--server',
  server,
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
  startOperator(kubeconfig, hub, { args: ['--api-addr', apiAddr, '--agent-silence', '10s'] });

beforeAll(async () => {
  hub = await freshNamespace(kc, 'hub');
  remote = await freshNamespace(kc, 'remote');
  apiAddr = `127.0.0.1:${await freePort()}`;
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
      [...agentArgv('remote-1', `http://127.0.0.1:${port}`), '--log-level', 'silent', '--health-addr', '0'],
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
