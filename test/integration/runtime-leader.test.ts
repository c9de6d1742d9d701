// Leader election between operator processes: exactly one reconciles; a
// standby takes over within the lease duration when the leader is killed
// (kill -9), and within 2 s when the leader stops on SIGTERM after finishing
// its in-flight reconcile and releasing the lease (the runtime issue's bounds,
// asserted as upper bounds on the measured handover: see the margins below).
import { CoordinationV1Api } from '@kubernetes/client-node';
import { freshNamespace, testKubeConfig } from '../controlplane/env.js';
import { eventually } from '../kit/eventually.js';
import { ConfigMaps } from '../../src/kube/resource.js';
import { sum } from '../kit/metrics-text.js';
import { ProbeProcess } from '../kit/probe-process.js';
import { inputConfigMap, outputs, setInput, testClient, type TestClient } from '../kit/test-client.js';

const kc = testKubeConfig();
const kubeconfig = process.env.DEPOT_TEST_KUBECONFIG!;
const leaseDurationMs = 6_000;
/** The runtime issue: a SIGTERM'd leader hands over within 2 s. */
const SIGTERM_HANDOVER_MS = 2_000;
/**
 * What a kill -9 handover may take beyond the lease duration, and why: the
 * standby counts the lease duration from the leader's last renewal as it
 * hears it on its watch (the event's latency), then reads the Lease once
 * before it writes its acquireTime. Both are requests to a local API server.
 * `make test` runs two test files at once on 2 cores, and the watch event and
 * the requests then take longer: 500 ms was exceeded once (6,716 ms after the
 * renewal with a 6,000 ms lease); 1,500 ms covers that load. The kill itself
 * comes after the last renewal, so from the kill the handover is shorter.
 */
const LEASE_LATENCY_MS = 1_500;
let ns: string;
let tc: TestClient;
const processes: ProbeProcess[] = [];

beforeAll(async () => {
  ns = await freshNamespace(kc, 'leader');
  tc = testClient(kc);
});

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  await tc?.close();
});

async function start(identity: string): Promise<ProbeProcess> {
  const p = await ProbeProcess.start({
    kubeconfig,
    identity,
    args: [
      '--namespaces',
      ns,
      '--leader-election-namespace',
      ns,
      '--leader-election-id',
      'probe',
      '--lease-duration',
      `${leaseDurationMs}ms`,
      '--renew-deadline',
      '4s',
      '--retry-period',
      '1s',
    ],
  });
  processes.push(p);
  return p;
}

const leases = kc.makeApiClient(CoordinationV1Api);
const holder = async () => (await leaseTimes()).holder;
const reconciles = async (p: ProbeProcess) => sum(await p.metrics(), 'probe_reconciles_total');
const isLeader = async (p: ProbeProcess) => sum(await p.metrics(), 'depot_leader') === 1;

interface LeaseTimes {
  holder: string;
  acquireTime?: number;
  renewTime?: number;
}

/** The Lease's holder and times (MicroTime, written by the processes on this machine's clock). */
async function leaseTimes(): Promise<LeaseTimes> {
  const spec = (await leases.readNamespacedLease({ name: 'probe', namespace: ns })).spec;
  const time = (v: unknown) =>
    v instanceof Date ? v.getTime() : v === undefined || v === null ? undefined : Date.parse(String(v));
  return {
    holder: spec?.holderIdentity ?? '',
    acquireTime: time(spec?.acquireTime),
    renewTime: time(spec?.renewTime),
  };
}

/** When `identity` acquired the lease: the acquireTime it wrote (not when this test's poll saw it). */
async function acquiredAt(identity: string): Promise<number> {
  const lease = await eventually(
    `${identity} to hold the lease`,
    async () => {
      const l = await leaseTimes();
      return l.holder === identity ? l : undefined;
    },
    60_000,
    50,
  );
  return lease.acquireTime!;
}

test('exactly one process reconciles; kill -9 and SIGTERM of the leader hand over to a standby', async () => {
  const a = await start('a');
  await eventually('a to lead', async () => (await holder()) === 'a');
  const b = await start('b');
  await eventually('b to be ready as a standby', () => b.ready());

  for (const i of [1, 2, 3]) await tc.client.create(ConfigMaps, inputConfigMap(ns, `cm${i}`, `v${i}`));
  await eventually('outputs written by a', async () => {
    const o = await outputs(tc.client, ns);
    return [1, 2, 3].every((i) => o[`cm${i}`]?.output === `v${i}` && o[`cm${i}`]?.writer === 'a');
  });
  expect(await reconciles(a)).toBeGreaterThanOrEqual(3);
  expect(await reconciles(b)).toBe(0);
  expect(await isLeader(a)).toBe(true);
  expect(await isLeader(b)).toBe(false);

  // kill -9: no release; b takes over once the lease has not been renewed for its duration.
  const killedAt = Date.now();
  a.signal('SIGKILL');
  const lastRenewal = await leaseTimes();
  expect(lastRenewal.holder).toBe('a');
  const takeover = await acquiredAt('b');
  const afterKill = takeover - killedAt;
  const afterRenewal = takeover - lastRenewal.renewTime!;
  process.stderr.write(
    `[measure] leader: kill -9 → standby leads after ${afterKill} ms, ${afterRenewal} ms after the last renewal (lease duration ${leaseDurationMs} ms)\n`,
  );
  expect(afterRenewal).toBeGreaterThanOrEqual(leaseDurationMs); // never before the lease expired
  expect(afterRenewal).toBeLessThanOrEqual(leaseDurationMs + LEASE_LATENCY_MS);
  expect(afterKill).toBeLessThanOrEqual(leaseDurationMs + LEASE_LATENCY_MS);
  await setInput(tc.client, ns, 'cm1', 'after-kill');
  await eventually('b to reconcile', async () => (await outputs(tc.client, ns)).cm1?.writer === 'b');

  // SIGTERM: b finishes the reconcile it is in, releases the lease, and c takes over at once.
  const c = await start('c');
  await eventually('c to be ready as a standby', () => c.ready());
  await setInput(tc.client, ns, 'cm2', 'slow:1000:drained');
  await eventually('b to start the slow reconcile', async () =>
    b.logs().some((l) => l.msg === 'probe: slow reconcile started'),
  );
  expect(await reconciles(c)).toBe(0);
  const termAt = Date.now();
  b.signal('SIGTERM');
  const afterTerm = (await acquiredAt('c')) - termAt;
  process.stderr.write(
    `[measure] leader: SIGTERM (with a 1 s reconcile in flight) → standby leads after ${afterTerm} ms\n`,
  );
  // Includes finishing the reconcile in flight (up to 1 s) before the lease is released.
  expect(afterTerm).toBeLessThanOrEqual(SIGTERM_HANDOVER_MS);
  expect(await b.exited).toEqual({ code: 0, signal: null });
  expect(b.logs().map((l) => l.msg)).toEqual(expect.arrayContaining(['released the lease', 'stopped']));
  const o = await outputs(tc.client, ns);
  expect(o.cm2).toEqual({ output: 'drained', writer: 'b' }); // the in-flight reconcile finished its write
  await setInput(tc.client, ns, 'cm3', 'after-term');
  await eventually('c to reconcile', async () => (await outputs(tc.client, ns)).cm3?.writer === 'c');
  expect(c.output()).not.toMatch(/unhandled/i);
}, 120_000);
