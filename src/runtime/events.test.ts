import type { EventApi } from '../kube/lease-event-clients.js';
import { FakeClock } from '../kube/testing/fake-clock.js';
import { EventRecorder } from './events.js';
import { createLogger } from './log.js';
import { RuntimeMetrics } from './metrics.js';

function newRecorder(api: EventApi, opts: { maxPending?: number; mayRecord?: () => boolean } = {}) {
  const metrics = new RuntimeMetrics({ processMetrics: false });
  const r = new EventRecorder({
    api,
    clock: new FakeClock(),
    log: createLogger({ level: 'silent' }),
    metrics,
    reportingController: 'depot.sh/test',
    reportingInstance: 'test',
    ...opts,
  });
  return { recorder: r, metrics };
}

test('events waiting for the API server are bounded: beyond the bound new ones are dropped and counted', async () => {
  const sent: string[] = [];
  const api = {
    // The API server never answers: every Event stays pending.
    createNamespacedEvent: ({ body }: { body: { note?: string } }) => {
      sent.push(body.note ?? '');
      return new Promise(() => undefined);
    },
  } as unknown as EventApi;
  const { recorder, metrics } = newRecorder(api, { maxPending: 3 });
  const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'ns', name: 'x', uid: 'u' } };
  for (let i = 0; i < 5; i++) recorder.normal(obj, 'Changed', `change ${i}`);
  expect(sent).toEqual(['change 0', 'change 1', 'change 2']);
  const dropped = (await metrics.events.get()).values.find((v) => v.labels.outcome === 'dropped');
  expect(dropped?.value).toBe(2);
});

test('behind the leadership fence an Event is not sent: dropped and counted as fenced', async () => {
  const sent: string[] = [];
  const api = {
    createNamespacedEvent: ({ body }: { body: { note?: string } }) => {
      sent.push(body.note ?? '');
      return Promise.resolve({});
    },
  } as unknown as EventApi;
  let mayWrite = true;
  const { recorder, metrics } = newRecorder(api, { mayRecord: () => mayWrite });
  const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'ns', name: 'x', uid: 'u' } };
  recorder.normal(obj, 'Changed', 'before');
  mayWrite = false;
  recorder.normal(obj, 'Changed', 'after');
  expect(sent).toEqual(['before']);
  const fenced = (await metrics.events.get()).values.find((v) => v.labels.outcome === 'fenced');
  expect(fenced?.value).toBe(1);
});
