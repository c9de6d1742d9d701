// Shards on the real control plane: two shards (`--shard a`, `--shard b`, the
// built operator as its packaged ServiceAccount with the chart's shard RBAC)
// over three namespaces chosen by their depot.sh/shard label. Each shard
// writes only its namespaces (the status writes' field managers name the
// shard); a namespace relabelled under a running bulk change is handed over
// through its Lease with every history entry and promotion present once; a
// shard's leader killed with SIGKILL is replaced by its standby.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { Application } from '../../src/api/application.js';
import { Promotions } from '../../src/api/resources.js';
import { Leases, type KubeObject } from '../../src/kube/resource.js';
import { namespaceLeaseName, shardLabel } from '../../src/runtime/shard-decision.js';
import { Namespaces } from '../../src/runtime/shard-membership.js';
import { freshNamespace } from '../controlplane/env.js';
import { cluster, envStatus } from '../kit/cluster.js';
import { eventually } from '../kit/eventually.js';
import { application, promotion } from '../kit/objects.js';
import { FAST_LEADER_ELECTION } from '../kit/operator.js';
import { depotCli, startOperator, type OperatorProcess } from '../kit/operator-process.js';
import { installOperatorRbac, type OperatorIdentity } from '../kit/operator-rbac.js';
import { environments } from '../kit/topologies.js';
import { depotOperatorWithHooks, PAUSE_MESSAGE } from '../kit/depot-operator-hooks.js';

interface LogLine {
  msg?: string;
  inFlight?: number;
  from?: string;
  time?: string;
  namespace?: string;
}

/** The JSON log lines of a process about a namespace. */
const logOf = (op: OperatorProcess, ns: string): LogLine[] =>
  op
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{') && l.includes(ns))
    .map((l) => JSON.parse(l) as LogLine);

const k = cluster();
const APPS = ['app-0', 'app-1', 'app-2', 'app-3'];
const leaseId = `shards-${randomBytes(3).toString('hex')}`;
const operators: OperatorProcess[] = [];
let identity: OperatorIdentity;
let nsA: string;
let nsB: string;
let nsC: string;

const PAUSE_MS = 3_000;

/** Shard a's promotions pause between their writes and their status update: a handover must wait for them. */
function runShard(shard: string, replica: number): OperatorProcess {
  const op = startOperator(identity.kubeconfig, [nsA, nsB, nsC].join(','), {
    leaderElect: true,
    ...(shard === 'a' ? { entry: depotOperatorWithHooks({ pauseAfterPromotionWritesMs: PAUSE_MS }) } : {}),
    verifiedActors: false,
    args: [
      '--shard',
      shard,
      '--leader-election-id',
      leaseId,
      '--identity',
      `${shard}-${replica}`,
      ...FAST_LEADER_ELECTION,
    ],
  });
  operators.push(op);
  return op;
}

async function label(ns: string, shard: string): Promise<void> {
  await k.client.patch(
    Namespaces,
    '',
    ns,
    { metadata: { labels: { [shardLabel]: shard } } },
    { type: 'merge' },
  );
}

const holder = async (ns: string) =>
  (
    (await k.client.get(Leases, identity.namespace, namespaceLeaseName(ns))) as
      (KubeObject & { spec?: { holderIdentity?: string } }) | undefined
  )?.spec?.holderIdentity;

/** The shard field managers that wrote an object (depot-operator-shard-<name>). */
function shardManagers(obj: KubeObject): string[] {
  const entries = (obj.metadata?.managedFields ?? []) as { manager?: string }[];
  return [
    ...new Set(entries.map((e) => e.manager ?? '').filter((m) => m.startsWith('depot-operator-shard-'))),
  ].sort();
}

const promotedTo = (version: string) => (a: Application) =>
  envStatus(a, 'prod')?.desired === version && a.status?.observedGeneration === a.metadata?.generation;

const entries = (a: Application, type: string, env: string, to: string) =>
  (a.status?.history ?? []).filter((h) => h.type === type && h.environment === env && h.to === to);

beforeAll(async () => {
  identity = await installOperatorRbac({
    chartValues: { shards: ['a', 'b'] },
    namespacePrefix: 'shards-sys',
  });
  nsA = await freshNamespace(k.kc, 'shard-a');
  nsB = await freshNamespace(k.kc, 'shard-b');
  nsC = await freshNamespace(k.kc, 'shard-c');
  await label(nsA, 'a');
  await label(nsB, 'b');
  await label(nsC, 'a');
  for (const ns of [nsA, nsB, nsC])
    await k.apply(ns, [
      ...environments(['dev', 'prod']),
      promotion('dev-to-prod', { from: 'dev', to: 'prod', requireDeployed: false }),
      ...APPS.map((name) => application(name, { environmentSets: ['default'], versions: { dev: '1.0.0' } })),
    ]);
  runShard('a', 1);
  runShard('a', 2);
  runShard('b', 1);
}, 120_000);

afterAll(async () => {
  await Promise.all(operators.map((o) => o.stop()));
  if (process.env.DEPOT_TEST_SHARD_LOGS)
    operators.forEach((o, i) => writeFileSync(`${process.env.DEPOT_TEST_SHARD_LOGS}-${i}.log`, o.output()));
  await identity?.remove();
  await k.close();
});

test('each shard holds, reconciles and writes only the namespaces its label chooses', async () => {
  for (const ns of [nsA, nsB, nsC])
    for (const app of APPS)
      await k.appWhen(ns, app, `${ns}/${app} promoted to prod`, promotedTo('1.0.0'), 180_000);
  expect(await holder(nsA)).toBe('a');
  expect(await holder(nsB)).toBe('b');
  expect(await holder(nsC)).toBe('a');
  for (const [ns, shard] of [
    [nsA, 'a'],
    [nsB, 'b'],
    [nsC, 'a'],
  ] as const) {
    for (const app of await k.apps(ns)) expect(shardManagers(app)).toEqual([`depot-operator-shard-${shard}`]);
    const promo = await k.read<KubeObject>(Promotions, ns, 'dev-to-prod');
    expect(shardManagers(promo)).toEqual([`depot-operator-shard-${shard}`]);
  }
}, 300_000);

test('a namespace relabelled under a bulk change moves with every history entry and promotion, once', async () => {
  // The relabel lands while shard a's promotion is between its writes and its status update.
  const leaderOfA = () => operators.slice(0, 2).find((o) => o.output().includes('"msg":"became leader"'))!;
  const pausesBefore = logOf(leaderOfA(), nsC).filter((l) => l.msg === PAUSE_MESSAGE).length;
  await k.apply(
    nsC,
    APPS.map((name) => application(name, { environmentSets: ['default'], versions: { dev: '2.0.0' } })),
    'ci',
  );
  await eventually(
    "shard a's promotion is in flight",
    async () => logOf(leaderOfA(), nsC).filter((l) => l.msg === PAUSE_MESSAGE).length > pausesBefore,
    30_000,
  );
  await label(nsC, 'b');
  for (const app of APPS)
    await k.appWhen(nsC, app, `${nsC}/${app} promoted to 2.0.0`, promotedTo('2.0.0'), 90_000);
  await eventually('shard b holds the relabelled namespace', async () => (await holder(nsC)) === 'b', 30_000);
  // The handover waited for the paused reconcile, and b took the namespace only after a released it.
  const a = logOf(leaderOfA(), nsC);
  expect(a.find((l) => l.msg === 'namespace moves to another shard: draining')?.inFlight).toBeGreaterThan(0);
  // Each process logs after its write returned: wait for the lines, their order proves nothing.
  await eventually('shard a logged its release', async () =>
    logOf(leaderOfA(), nsC).some((l) => l.msg === 'namespace drained and released'),
  );
  // b took the Lease a had released, not one a still held.
  const acquired = await eventually('shard b logged its acquisition', async () =>
    logOf(operators[2]!, nsC).find((l) => l.msg === 'namespace acquired'),
  );
  expect(acquired.from).toBe('released');
  for (const app of await k.apps(nsC)) {
    const name = app.metadata!.name!;
    expect([name, entries(app, 'Requested', 'dev', '2.0.0').length]).toEqual([name, 1]);
    expect([name, entries(app, 'Promoted', 'prod', '2.0.0').length]).toEqual([name, 1]);
    expect([name, entries(app, 'Promoted', 'prod', '1.0.0').length]).toEqual([name, 1]);
    const ids = (app.status?.history ?? []).map((h) => h.id);
    expect(new Set(ids).size).toBe(ids.length);
  }
  // After the handover only shard b reconciles it: a change now is written by b alone.
  await k.apply(
    nsC,
    [application('app-0', { environmentSets: ['default'], versions: { dev: '2.1.0' } })],
    'ci',
  );
  const moved = await k.appWhen(nsC, 'app-0', 'app-0 promoted to 2.1.0', promotedTo('2.1.0'), 60_000);
  const statusManagers = (
    (moved.metadata?.managedFields ?? []) as { manager?: string; subresource?: string }[]
  )
    .filter((e) => e.subresource === 'status')
    .map((e) => e.manager);
  expect(statusManagers).toContain('depot-operator-shard-b');
  // Shard a's status entry, if any remains, is from before the move: it owns no field b wrote since.
  expect(entries(moved, 'Promoted', 'prod', '2.1.0')).toHaveLength(1);
  // Shard a never touched namespace b.
  for (const app of await k.apps(nsB)) expect(shardManagers(app)).toEqual(['depot-operator-shard-b']);
  // `depot get shards` says who holds what.
  const cli = depotCli(
    process.env.DEPOT_TEST_KUBECONFIG!,
    nsA,
    'get',
    'shards',
    '--operator-namespace',
    identity.namespace,
    '-o',
    'json',
  );
  expect(cli.stderr).toBe('');
  const listed = JSON.parse(cli.stdout) as {
    namespaces: { namespace: string; shard: string; holder?: string; state: string }[];
  };
  const row = (ns: string) => listed.namespaces.find((r) => r.namespace === ns);
  expect(row(nsA)).toMatchObject({ shard: 'a', holder: 'a', state: 'held' });
  expect(row(nsB)).toMatchObject({ shard: 'b', holder: 'b', state: 'held' });
  expect(row(nsC)).toMatchObject({ shard: 'b', holder: 'b', state: 'held' });
}, 180_000);

test("a shard's leader killed with SIGKILL is replaced by its standby, which keeps the namespaces", async () => {
  const leaderLease = async () =>
    (
      (await k.client.get(Leases, identity.namespace, `${leaseId}-a`)) as
        (KubeObject & { spec?: { holderIdentity?: string } }) | undefined
    )?.spec?.holderIdentity;
  const leader = await leaderLease();
  expect(['a-1', 'a-2']).toContain(leader);
  const victim = operators[leader === 'a-1' ? 0 : 1]!;
  await victim.stop('SIGKILL');
  await eventually(
    'the standby leads shard a',
    async () => {
      const now = await leaderLease();
      return now && now !== leader ? now : undefined;
    },
    60_000,
  );
  await k.apply(
    nsA,
    [application('app-1', { environmentSets: ['default'], versions: { dev: '3.0.0' } })],
    'ci',
  );
  const app = await k.appWhen(
    nsA,
    'app-1',
    'app-1 promoted to 3.0.0 by the standby',
    promotedTo('3.0.0'),
    60_000,
  );
  expect(entries(app, 'Promoted', 'prod', '3.0.0')).toHaveLength(1);
  expect(shardManagers(app)).toEqual(['depot-operator-shard-a']);
  expect(await holder(nsA)).toBe('a');
}, 120_000);
