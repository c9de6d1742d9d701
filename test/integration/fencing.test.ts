// Fencing in time: a leader whose event loop stalls past its renew deadline
// starts no write when it runs again, until it has renewed its lease. The
// operator (test entry with hooks) blocks its whole event loop once, right
// after a status write whose history entries it has not sent yet, with more
// reconciles in flight. What the API server stored says whether anything was
// written in between: etcd's revision orders every write, so no Application
// or Event may carry a resourceVersion between the revision read after the
// renew deadline and the revision of the lease's next renewal.
import type { KubeObject } from '../../src/kube/resource.js';
import { Leases } from '../../src/kube/resource.js';
import { Applications } from '../../src/api/resources.js';
import { freshNamespace } from '../controlplane/env.js';
import { cluster } from '../kit/cluster.js';
import { eventually } from '../kit/eventually.js';
import { application } from '../kit/objects.js';
import { runOperator } from '../kit/operator.js';
import type { OperatorProcess } from '../kit/operator-process.js';
import { operatorServiceAccount } from '../kit/operator-rbac.js';
import { twoEnvironments } from '../kit/topologies.js';
import { depotOperatorWithHooks, STALL_END_MESSAGE, STALL_MESSAGE } from '../kit/depot-operator-hooks.js';

const k = cluster();
const RENEW_DEADLINE_MS = 2_000;
const STALL_MS = 6_000;
const APPS = Array.from({ length: 8 }, (_, i) => `app-${i}`);
const Events = {
  group: 'events.k8s.io',
  version: 'v1',
  plural: 'events',
  kind: 'Event',
  namespaced: true,
};

let ns: string;
let operator: OperatorProcess;

beforeAll(async () => {
  ns = await freshNamespace(k.kc, 'fencing');
  await k.apply(ns, twoEnvironments({ targets: { 'dev-1': 'dev', 'prod-1': 'prod' } }));
});

afterAll(async () => {
  await operator?.stop();
  await k.close();
});

function marker(msg: string): { at: number } | undefined {
  const line = operator
    .output()
    .split('\n')
    .find((l) => l.includes(`"msg":"${msg}"`));
  return line ? (JSON.parse(line) as { at: number }) : undefined;
}

const rv = (o: KubeObject) => Number(o.metadata?.resourceVersion);

test('a leader stalled past its renew deadline writes nothing (status, Events) until it has renewed its lease', async () => {
  const leaseNamespace = (await operatorServiceAccount()).namespace;
  const leaseName = `fencing-${ns}`;
  operator = await runOperator(ns, {
    leaderElect: true,
    entry: depotOperatorWithHooks({ stallAfterStatusWriteMs: STALL_MS }),
    args: [
      '--leader-election-id',
      leaseName,
      '--lease-duration',
      '3s',
      '--renew-deadline',
      `${RENEW_DEADLINE_MS}ms`,
      '--retry-period',
      '500ms',
      '--workers',
      '4',
    ],
  });
  await eventually('the operator leads', async () => operator.output().includes('became leader'), 60_000);
  // Every application at once: each status write adds history (Events to send); the first one stalls the loop.
  await k.apply(
    ns,
    APPS.map((name) => application(name, { environmentSets: ['default'], versions: { dev: '1.0.0' } })),
  );
  const stall = await eventually('the operator stalls', async () => marker(STALL_MESSAGE), 60_000);
  // Past the renew deadline of any renewal before the stall: from here on, nothing may be written.
  await eventually(
    'the renew deadline passed',
    async () => Date.now() > stall.at + RENEW_DEADLINE_MS + 200,
    STALL_MS,
  );
  const afterDeadline = Number(
    (await k.client.list(Applications, { namespace: ns })).metadata.resourceVersion,
  );
  const leaseBefore = await k.read(Leases, leaseNamespace, leaseName);
  await eventually('the event loop runs again', async () => marker(STALL_END_MESSAGE), STALL_MS + 30_000);
  // The stalled process takes its lease again (nobody else campaigns): a renewal written after the stall.
  const renewal = await eventually(
    'the lease is renewed after the stall',
    async () => {
      const lease = await k.read(Leases, leaseNamespace, leaseName);
      return rv(lease) > rv(leaseBefore) && lease;
    },
    30_000,
  );
  const renewedAt = rv(renewal);
  expect(renewedAt).toBeGreaterThan(afterDeadline);
  const apps = (await k.client.list(Applications, { namespace: ns })).items;
  const events = (await k.client.list(Events, { namespace: ns })).items;
  const inBetween = [...apps, ...events]
    .filter((o) => rv(o) > afterDeadline && rv(o) < renewedAt)
    .map((o) => `${o.kind} ${o.metadata?.name} (resourceVersion ${rv(o)})`);
  expect(inBetween).toEqual([]);
  // The operator said why it held back, and once it leads again it finishes the work.
  expect(operator.output()).toContain('history entries not sent: the next leader sends them');
  await eventually(
    'every application has its status from the renewed leader',
    async () => (await k.apps(ns)).every((a) => a.status?.environments?.some((e) => e.desired === '1.0.0')),
    60_000,
  );
}, 180_000);
