// The delivery machinery on its own, with a scripted integration: backoff
// per target, one attempt per target at a time, no attempt for what the
// status already records delivered, Reapplied after a revert.
import type { Target } from '../../api/target.js';
import type { PlannedTarget } from '../../core/application/targets.js';
import type {
  Deliverer,
  DeliveryObservation,
  DeliveryOutcome,
  DeliveryRequest,
} from '../../core/delivery.js';
import { app } from '../../core/testing/builders.js';
import { FakeClock } from '../../kube/testing/fake-clock.js';
import { createLogger } from '../../runtime/log.js';
import { RuntimeMetrics } from '../../runtime/metrics.js';
import { MemoryCluster } from '../../runtime/testing/memory-cluster.js';
import { deliveryMetrics } from './metrics.js';
import { DeliveryTracker } from './tracker.js';
import { WatchedObjects } from './watched-objects.js';

const target = (name: string): Target =>
  ({
    apiVersion: 'depot.sh/v1alpha1',
    kind: 'Target',
    metadata: { name, namespace: 'ns' },
    spec: { environment: 'prod', delivery: { argocd: {} } },
  }) as Target;

const flush = () => new Promise((resolve) => setImmediate(resolve));

class Scripted implements Deliverer {
  kind = 'argocd' as const;
  calls: string[] = [];
  outcomes = new Map<string, DeliveryOutcome>();
  hold = new Map<string, Promise<void>>();
  observation: DeliveryObservation = {};
  fieldWriters?: (r: DeliveryRequest) => Promise<string[]>;
  contestRemedy?: string;
  async deliver(r: DeliveryRequest): Promise<DeliveryOutcome> {
    const t = r.target.metadata.name;
    this.calls.push(`${t}@${r.version}`);
    await this.hold.get(t);
    return this.outcomes.get(t) ?? { state: 'Delivered', message: 'ok', wrote: true };
  }
  observe(): DeliveryObservation {
    return this.observation;
  }
}

function setup() {
  const clock = new FakeClock(Date.parse('2026-11-20T12:00:00Z'));
  const scripted = new Scripted();
  const metrics = new RuntimeMetrics({ processMetrics: false });
  const tracker = new DeliveryTracker(
    new Map([['argocd', scripted]]),
    new WatchedObjects(new MemoryCluster()),
    { clock, log: createLogger({ level: 'silent' }), metrics: deliveryMetrics(metrics) },
    { retry: { baseMs: 1000, maxMs: 8000 }, concurrency: 4, inlineWaitMs: 0 },
  );
  const requeued: string[] = [];
  tracker.subscribe((req) => requeued.push(req.name));
  const signal = new AbortController().signal;
  const a = app('core');
  const dispatch = (planned: PlannedTarget[], wait = 0) =>
    tracker.dispatch(a, planned, new Date(clock.now()), signal, { wait });
  return { clock, scripted, tracker, dispatch, requeued, metrics };
}

const planned = (name: string, desired: string, previous?: PlannedTarget['previous']): PlannedTarget => ({
  target: target(name),
  environment: 'prod',
  desired,
  previous,
});

test('a failing target retries with capped exponential backoff; the other target is delivered meanwhile', async () => {
  const { clock, scripted, dispatch, metrics } = setup();
  scripted.outcomes.set('bad', { state: 'Failed', message: 'HTTP 500' });
  const both = [planned('bad', '1.0.0'), planned('good', '1.0.0')];
  expect((await dispatch(both)).deliveries.get('bad')?.state).toBe('Pending');
  await flush();
  let r = await dispatch(both);
  expect(r.deliveries.get('good')).toMatchObject({ state: 'Delivered', attempts: 1 });
  expect(r.deliveries.get('bad')).toMatchObject({ state: 'Failed', message: 'HTTP 500', attempts: 1 });
  const delays: number[] = [];
  for (let i = 0; i < 5; i++) {
    delays.push(r.nextAt! - clock.now());
    await clock.advance(r.nextAt! - clock.now());
    await dispatch(both);
    await flush();
    r = await dispatch(both);
  }
  expect(delays).toEqual([1000, 2000, 4000, 8000, 8000]);
  expect(scripted.calls.filter((c) => c.startsWith('good'))).toEqual(['good@1.0.0']);
  const counted = await metrics.registry.getSingleMetricAsString('depot_deliveries_total');
  expect(counted).toContain('depot_deliveries_total{kind="argocd",outcome="Failed"} 6');
  expect(counted).toContain('depot_deliveries_total{kind="argocd",outcome="Delivered"} 1');

  // It recovers with no manual step, and then nothing more is attempted.
  scripted.outcomes.delete('bad');
  await clock.advance(r.nextAt! - clock.now());
  await dispatch(both);
  await flush();
  r = await dispatch(both);
  expect(r.deliveries.get('bad')).toMatchObject({ state: 'Delivered', attempts: 7 });
  expect(r.nextAt).toBeUndefined();
  const calls = scripted.calls.length;
  await clock.advance(60_000);
  await dispatch(both);
  await flush();
  expect(scripted.calls).toHaveLength(calls);
});

test('one attempt per target at a time: a newer version waits for the one in flight', async () => {
  const { scripted, dispatch, requeued } = setup();
  let release!: () => void;
  scripted.hold.set('t', new Promise((resolve) => (release = resolve)));
  await dispatch([planned('t', '1.0.0')]);
  await flush();
  expect((await dispatch([planned('t', '2.0.0')])).deliveries.get('t')?.state).toBe('Pending');
  await flush();
  expect(scripted.calls).toEqual(['t@1.0.0']);
  release();
  await flush();
  expect(requeued).toContain('core');
  // The stale outcome is dropped; the requeued dispatch starts 2.0.0.
  expect((await dispatch([planned('t', '2.0.0')])).deliveries.get('t')?.state).toBe('Pending');
  await flush();
  expect(scripted.calls).toEqual(['t@1.0.0', 't@2.0.0']);
  expect((await dispatch([planned('t', '2.0.0')])).deliveries.get('t')).toMatchObject({
    state: 'Delivered',
    attempts: 1,
  });
});

/** Target t as the status records it: 1.0.0 Delivered (before this process, e.g. before an upgrade). */
const recordedDelivered = {
  name: 't',
  environment: 'prod',
  desired: '1.0.0',
  delivery: {
    state: 'Delivered' as const,
    message: 'ok',
    attempts: 1,
    lastAttempt: '2026-11-20T11:00:00.000Z',
  },
};

test('recorded Delivered (an upgrade) but refused by the consent rules now: Failed with the refusal, no Reapplied, nothing else read', async () => {
  const { scripted, dispatch } = setup();
  const previous = recordedDelivered;
  const refused = 'Argo CD Application argocd/core authorizes Target ns/t for its version fields only';
  scripted.observation = { refused };
  scripted.outcomes.set('t', { state: 'Failed', message: refused, waitForChange: true });
  // Shown Failed at once, before the attempt that records it.
  expect((await dispatch([planned('t', '1.0.0', previous)])).deliveries.get('t')).toMatchObject({
    state: 'Failed',
    message: refused,
  });
  await flush();
  const r = await dispatch([planned('t', '1.0.0', previous)]);
  expect(scripted.calls).toEqual(['t@1.0.0']);
  expect(r.deliveries.get('t')).toMatchObject({ state: 'Failed', message: refused, attempts: 2 });
  expect(r.reports.size).toBe(0);
  expect(r.entries).toEqual([]);
});

test('what the status records delivered is not attempted again; a revert is re-applied as Reapplied', async () => {
  const { scripted, dispatch, metrics } = setup();
  const previous = recordedDelivered;
  scripted.observation = { inPlace: true, deployed: '0.9.0' };
  const r = await dispatch([planned('t', '1.0.0', previous)]);
  await flush();
  expect(scripted.calls).toEqual([]);
  expect(r.deliveries.get('t')).toEqual(previous.delivery);
  expect(r.reports.get('t')).toEqual({ version: '0.9.0', actor: 'argocd' });

  scripted.observation = { inPlace: false };
  scripted.outcomes.set('t', { state: 'Delivered', message: 'set', wrote: true, found: 'main' });
  await dispatch([planned('t', '1.0.0', previous)]);
  await flush();
  scripted.observation = { inPlace: true };
  const after = await dispatch([planned('t', '1.0.0', previous)]);
  expect(scripted.calls).toEqual(['t@1.0.0']);
  expect(after.entries).toEqual([
    expect.objectContaining({ type: 'Reapplied', target: 't', from: 'main', to: '1.0.0' }),
  ]);
  expect(await metrics.registry.getSingleMetricAsString('depot_delivery_reapplied_total')).toContain(
    'depot_delivery_reapplied_total{kind="argocd"} 1',
  );
});

test("the deployment system's own failure on the delivered version shows the target Failed with its message, with no new attempt", async () => {
  const { scripted, dispatch } = setup();
  await dispatch([planned('t', '9.9.9')]);
  await flush();
  expect((await dispatch([planned('t', '9.9.9')])).deliveries.get('t')).toMatchObject({ state: 'Delivered' });
  scripted.observation = {
    inPlace: true,
    failure: 'Flux reports GitRepository ns/core Ready=False (GitOperationFailed): no tag v9.9.9',
  };
  const failing = (await dispatch([planned('t', '9.9.9')])).deliveries.get('t');
  expect(failing).toMatchObject({
    state: 'Failed',
    message:
      'Flux reports GitRepository ns/core Ready=False (GitOperationFailed): no tag v9.9.9; delivered: ok',
  });
  await flush();
  expect(scripted.calls).toEqual(['t@9.9.9']);
  // Flux recovers (the tag is pushed): Delivered again, still no new attempt.
  scripted.observation = { inPlace: true };
  expect((await dispatch([planned('t', '9.9.9')])).deliveries.get('t')).toMatchObject({ state: 'Delivered' });
  expect(scripted.calls).toEqual(['t@9.9.9']);
});

test('an attempt that finishes while its dispatch waits is in its record and re-queues nothing; a later one re-queues', async () => {
  const { scripted, dispatch, requeued } = setup();
  scripted.hold.set('slow', new Promise(() => undefined)); // never finishes within the wait
  let release!: () => void;
  scripted.hold.set('late', new Promise((resolve) => (release = resolve)));
  const record = await dispatch([planned('fast', '1.0.0'), planned('late', '1.0.0')], 50);
  expect(record.deliveries.get('fast')).toMatchObject({ state: 'Delivered', attempts: 1 });
  expect(record.deliveries.get('late')?.state).toBe('Pending');
  // The record does not change when the late attempt finishes afterwards.
  release();
  await flush();
  expect(record.deliveries.get('late')?.state).toBe('Pending');
  expect(Object.isFrozen(record)).toBe(true);
  // The fast outcome was recorded by the dispatch that waited for it; the late one re-queues.
  expect(requeued).toEqual(['core']);
});

test('observe reads what is known without starting an attempt', async () => {
  const { scripted, tracker, clock } = setup();
  scripted.observation = { deployed: '0.9.0' };
  const a = app('core');
  const record = tracker.observe(a, [planned('t', '1.0.0')], new Date(clock.now()));
  expect(record.deliveries.get('t')).toMatchObject({ state: 'Pending', attempts: 0 });
  expect(record.reports.get('t')).toEqual({ version: '0.9.0', actor: 'argocd' });
  await flush();
  expect(scripted.calls).toEqual([]);
});

test('a writer that keeps resetting the field: re-applied at once, then after growing delays, then Contested naming it; tried again when the spec changes', async () => {
  const { clock, scripted, dispatch } = setup();
  scripted.fieldWriters = async () => ['argocd-applicationset-controller'];
  scripted.contestRemedy = 'Use ignoreApplicationDifferences.';
  scripted.outcomes.set('t', {
    state: 'Delivered',
    message: 'App a/b spec.source.targetRevision set to 1.0.0',
    wrote: true,
    found: '0.9.0',
  });
  const t = [planned('t', '1.0.0')];
  await dispatch(t);
  await flush();
  const writeTimes: number[] = [];
  let spec = 1;
  // Every 500 ms the other writer resets what Depot wrote since its last reset.
  for (let i = 0, seen = 0; i < 40; i++) {
    if (scripted.calls.length > seen) {
      seen = scripted.calls.length;
      writeTimes.push(clock.now());
      scripted.observation = { inPlace: false, current: '0.9.0', spec: String(++spec) };
    }
    if ((await dispatch(t)).deliveries.get('t')?.state === 'Contested') break;
    await flush();
    // Depot's write is in the cache at once.
    if (scripted.calls.length > seen) scripted.observation = { inPlace: true, spec: String(++spec) };
    await clock.advance(500);
  }
  // Reset 1 (500 ms after the write): re-applied at once; reset 2: after 1 s; reset 3:
  // after 2 s; reset 4: Contested, no write.
  expect(scripted.calls).toHaveLength(4);
  const gaps = writeTimes.slice(1).map((w, i) => w - writeTimes[i]!);
  expect(gaps).toEqual([500, 1500, 2500]);
  const r = await dispatch(t);
  expect(r.deliveries.get('t')).toMatchObject({ state: 'Contested' });
  expect(r.deliveries.get('t')?.message).toBe(
    "App a/b spec.source.targetRevision was reset to 0.9.0 4 times in a row by argocd-applicationset-controller (the field's manager in metadata.managedFields): Depot stopped re-applying 1.0.0; it tries again when the object's spec changes, at the latest in 8s. Use ignoreApplicationDifferences.",
  );
  // Nothing happens while the object stays as it is (short of the longest delay).
  const before = scripted.calls.length;
  await clock.advance(3000);
  await dispatch(t);
  await flush();
  expect(scripted.calls).toHaveLength(before);
  // The spec changed: one more try.
  scripted.observation = { inPlace: false, current: '0.9.0', spec: 'changed' };
  await dispatch(t);
  await flush();
  expect(scripted.calls).toHaveLength(before + 1);
});

test('a dispatch gives its worker back while it waits, and time queued behind other attempts is not counted', async () => {
  const clock = new FakeClock(Date.parse('2026-11-20T12:00:00Z'));
  const scripted = new Scripted();
  const tracker = new DeliveryTracker(
    new Map([['argocd', scripted]]),
    new WatchedObjects(new MemoryCluster()),
    {
      clock,
      log: createLogger({ level: 'silent' }),
      metrics: deliveryMetrics(new RuntimeMetrics({ processMetrics: false })),
    },
    { retry: { baseMs: 1000, maxMs: 8000 }, concurrency: 1, inlineWaitMs: 50 },
  );
  tracker.subscribe(() => undefined);
  const signal = new AbortController().signal;
  const a = app('core');
  // The only slot is taken for 300 ms (real time): the next attempt queues behind it.
  scripted.hold.set('slow', new Promise((resolve) => setTimeout(resolve, 300)));
  await tracker.dispatch(a, [planned('slow', '1.0.0')], new Date(clock.now()), signal, { wait: 0 });
  let yielded = 0;
  const record = await tracker.dispatch(
    a,
    [planned('slow', '1.0.0'), planned('fast', '1.0.0')],
    new Date(clock.now()),
    signal,
    {
      yieldWorker: () => {
        yielded++;
        return () => Promise.resolve();
      },
    },
  );
  expect(yielded).toBe(1);
  // Queued 300 ms, then delivered within its 50 ms: in this record, no second pass needed.
  expect(record.deliveries.get('fast')?.state).toBe('Delivered');
  // Nothing waited on: the worker is kept.
  await tracker.dispatch(
    a,
    [planned('slow', '1.0.0'), planned('fast', '1.0.0')],
    new Date(clock.now()),
    signal,
    {
      yieldWorker: () => {
        yielded++;
        return () => Promise.resolve();
      },
    },
  );
  expect(yielded).toBe(1);
});
