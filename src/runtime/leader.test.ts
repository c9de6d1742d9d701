// The leader elector against an in-memory Lease API and a fake clock.
import type { CoordinationV1Api, V1Lease } from '@kubernetes/client-node';
import { pino } from 'pino';
import type { Informer } from './informer.js';
import { LeaderElector } from './leader.js';
import type { KubeObject } from '../kube/resource.js';
import { RuntimeMetrics } from './metrics.js';
import { FakeClock, flushPromises } from '../kube/testing/fake-clock.js';

const apiError = (code: number) => Object.assign(new Error(`HTTP ${code}`), { code });

/** One Lease in memory, with optimistic concurrency like the API server. */
class FakeLeaseApi {
  lease: V1Lease | undefined;
  private rv = 0;
  down = false;
  hang = false;
  writes = 0;

  private async gate(): Promise<void> {
    if (this.hang) await new Promise(() => undefined);
    if (this.down) throw new Error('connect ECONNREFUSED');
  }
  async readNamespacedLease(): Promise<V1Lease> {
    await this.gate();
    if (!this.lease) throw apiError(404);
    return structuredClone(this.lease);
  }
  async createNamespacedLease({ body }: { body: V1Lease }): Promise<V1Lease> {
    await this.gate();
    if (this.lease) throw apiError(409);
    return this.store(body);
  }
  async replaceNamespacedLease({ body }: { body: V1Lease }): Promise<V1Lease> {
    await this.gate();
    if (body.metadata?.resourceVersion !== this.lease?.metadata?.resourceVersion) throw apiError(409);
    return this.store(body);
  }
  /** Someone else writes the lease. */
  set(spec: V1Lease['spec']): void {
    this.store({ metadata: { name: 'l', namespace: 'ns' }, spec });
  }
  holder(): string | undefined {
    return this.lease?.spec?.holderIdentity;
  }
  private store(body: V1Lease): V1Lease {
    this.writes++;
    this.lease = structuredClone({
      ...body,
      metadata: { ...body.metadata, resourceVersion: String(++this.rv) },
    });
    return structuredClone(this.lease);
  }
}

function elector(api: FakeLeaseApi, clock: FakeClock, identity = 'me', leaseInformer?: unknown) {
  const events: string[] = [];
  const metrics = new RuntimeMetrics({ processMetrics: false });
  const e = new LeaderElector({
    leaseName: 'l',
    leaseNamespace: 'ns',
    identity,
    leaseDurationMs: 15_000,
    renewDeadlineMs: 10_000,
    retryPeriodMs: 2_000,
    api: api as unknown as CoordinationV1Api,
    clock,
    log: pino({ level: 'silent' }),
    metrics,
    ...(leaseInformer ? { leaseInformer: leaseInformer as Informer<KubeObject> } : {}),
    onStartedLeading: () => events.push('started'),
    onStoppedLeading: () => events.push('stopped'),
  });
  return { e, events, metrics };
}

test('with no lease, the candidate creates it and leads; the leader renews every retry period', async () => {
  const api = new FakeLeaseApi();
  const clock = new FakeClock();
  const { e, events, metrics } = elector(api, clock);
  e.start();
  await flushPromises();
  expect(e.isLeader()).toBe(true);
  expect(events).toEqual(['started']);
  expect(api.holder()).toBe('me');
  expect((await metrics.leader.get()).values[0]?.value).toBe(1);
  const writes = api.writes;
  await clock.advance(6_000);
  expect(api.writes).toBe(writes + 3);
  expect(events).toEqual(['started']);
  await e.release();
});

test('a leader that cannot renew within the renew deadline stops leading at once, before the lease expires', async () => {
  const api = new FakeLeaseApi();
  const clock = new FakeClock();
  const { e, events, metrics } = elector(api, clock);
  e.start();
  await flushPromises();
  api.down = true;
  await clock.advance(9_000);
  expect(e.isLeader()).toBe(true);
  await clock.advance(1_000);
  expect(e.isLeader()).toBe(false);
  expect(events).toEqual(['started', 'stopped']);
  expect((await metrics.leader.get()).values[0]?.value).toBe(0);
  // The API server is back and nobody took over: it leads again.
  api.down = false;
  await clock.advance(2_000);
  expect(events).toEqual(['started', 'stopped', 'started']);
  await e.release();
});

test('after a stalled event loop the leader may start no write, before its deadline timer has even run', async () => {
  const api = new FakeLeaseApi();
  const clock = new FakeClock();
  const { e, events } = elector(api, clock);
  e.start();
  await flushPromises();
  expect(e.mayWrite()).toBe(true);
  clock.stall(9_999);
  expect(e.mayWrite()).toBe(true);
  clock.stall(1);
  // The state still says leader (no timer ran during the stall); the fence judges by the clock.
  expect(e.isLeader()).toBe(true);
  expect(e.mayWrite()).toBe(false);
  expect(events).toEqual(['started']);
  await e.release();
});

test('a candidate may not write', async () => {
  const api = new FakeLeaseApi();
  api.set({ holderIdentity: 'other', leaseDurationSeconds: 15 });
  const clock = new FakeClock();
  const { e } = elector(api, clock);
  e.start();
  await flushPromises();
  expect(e.isLeader()).toBe(false);
  expect(e.mayWrite()).toBe(false);
  await e.release();
});

test('the renew deadline holds even when a renewal request hangs', async () => {
  const api = new FakeLeaseApi();
  const clock = new FakeClock();
  const { e, events } = elector(api, clock);
  e.start();
  await flushPromises();
  api.hang = true;
  await clock.advance(10_000);
  expect(events).toEqual(['started', 'stopped']);
  expect(e.isLeader()).toBe(false);
});

test('a standby respects a live lease and takes it over once it has not changed for the lease duration', async () => {
  const api = new FakeLeaseApi();
  api.set({ holderIdentity: 'other', leaseDurationSeconds: 15, leaseTransitions: 2 });
  const clock = new FakeClock();
  const { e, events } = elector(api, clock);
  e.start();
  await clock.advance(11_000);
  api.set({ holderIdentity: 'other', leaseDurationSeconds: 15, leaseTransitions: 2 }); // a renewal, seen at the 12 s poll
  await clock.advance(15_999); // 26.999 s: 15 s after the renewal was seen minus 1 ms
  expect(events).toEqual([]);
  expect(api.holder()).toBe('other');
  await clock.advance(1); // the next round is scheduled exactly at expiry, not at the next poll
  expect(events).toEqual(['started']);
  expect(api.holder()).toBe('me');
  expect(api.lease?.spec?.leaseTransitions).toBe(3);
  await e.release();
});

test('a leader that finds another holder on renewal stops leading at once', async () => {
  const api = new FakeLeaseApi();
  const clock = new FakeClock();
  const { e, events } = elector(api, clock);
  e.start();
  await flushPromises();
  api.set({ holderIdentity: 'usurper', leaseDurationSeconds: 15, leaseTransitions: 1 });
  await clock.advance(2_000);
  expect(events).toEqual(['started', 'stopped']);
  await e.release();
  expect(api.holder()).toBe('usurper'); // never released what it does not hold
});

test('release hands the lease over: another candidate acquires it at its next round', async () => {
  const api = new FakeLeaseApi();
  const clock = new FakeClock();
  const leader = elector(api, clock, 'a');
  leader.e.start();
  await flushPromises();
  const standby = elector(api, clock, 'b');
  standby.e.start();
  await flushPromises();
  expect(standby.e.isLeader()).toBe(false);
  await leader.e.release();
  expect(api.holder()).toBeFalsy();
  expect(api.lease?.spec?.leaseDurationSeconds).toBe(1);
  await clock.advance(2_000);
  expect(standby.e.isLeader()).toBe(true);
  expect(api.holder()).toBe('b');
  await standby.e.release();
});

test('a standby counts the lease duration from the renewal it hears on the watch, not from its next poll', async () => {
  const api = new FakeLeaseApi();
  api.set({ holderIdentity: 'other', leaseDurationSeconds: 15, leaseTransitions: 2 });
  const clock = new FakeClock();
  const handlers: ((e: { type: string; object: V1Lease }) => void)[] = [];
  const watch = {
    on: (h: (e: { type: string; object: V1Lease }) => void) => {
      handlers.push(h);
      return () => undefined;
    },
    start: () => undefined,
    stop: async () => undefined,
  };
  const { e, events } = elector(api, clock, 'me', watch);
  e.start();
  await clock.advance(11_000);
  // A renewal at 11 s, heard on the watch at once (the next poll is at 12 s).
  api.set({ holderIdentity: 'other', leaseDurationSeconds: 15, leaseTransitions: 2 });
  for (const h of handlers) h({ type: 'update', object: structuredClone(api.lease!) });
  await clock.advance(14_999); // 25.999 s: 15 s after the renewal minus 1 ms
  expect(events).toEqual([]);
  await clock.advance(1); // 26 s: the lease expired 15 s after the renewal (a poll-based view says 27 s)
  expect(events).toEqual(['started']);
  expect(api.holder()).toBe('me');
  await e.release();
});
