// The informer around a fake ListWatch: restarts after errors with growing
// delays, stays synced, isolates throwing handlers, serves cache reads,
// indexes and our own writes.
import { KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { pino } from 'pino';
import { ApiTransport } from '../kube/transport.js';
import { Informer } from './informer.js';
import { KubeClient } from '../kube/client.js';
import type { ListWatchLike } from './list-watch-source.js';
import { RuntimeMetrics } from './metrics.js';
import { ConfigMaps } from '../kube/resource.js';
import { FakeClock, flushPromises } from '../kube/testing/fake-clock.js';

type Verb = 'add' | 'update' | 'delete' | 'error' | 'connect';

class FakeListWatch implements ListWatchLike<KubernetesObject> {
  readonly objects = new Map<string, KubernetesObject>();
  readonly handlers = new Map<Verb, Array<(x: never) => void>>();
  starts = 0;
  /** Results of successive start() calls; once empty, starts succeed. */
  outcomes: Array<'ok' | 'error'> = [];

  on(verb: Verb, cb: (x: never) => void): void {
    this.handlers.set(verb, [...(this.handlers.get(verb) ?? []), cb]);
  }
  async start(): Promise<void> {
    this.starts++;
    if ((this.outcomes.shift() ?? 'ok') === 'error') this.fail(new Error('connect ECONNREFUSED'));
  }
  async stop(): Promise<void> {}
  fail(err: unknown): void {
    for (const cb of this.handlers.get('error') ?? []) (cb as (e: unknown) => void)(err);
  }
  emit(type: 'add' | 'update' | 'delete', obj: KubernetesObject): void {
    const key = `${obj.metadata?.namespace}/${obj.metadata?.name}`;
    if (type === 'delete') this.objects.delete(key);
    else this.objects.set(key, obj);
    for (const cb of this.handlers.get(type) ?? []) (cb as (o: KubernetesObject) => void)(obj);
  }
  get(name: string, namespace?: string): KubernetesObject | undefined {
    return this.objects.get(`${namespace}/${name}`);
  }
  list(namespace?: string): KubernetesObject[] {
    return [...this.objects.values()].filter((o) => !namespace || o.metadata?.namespace === namespace);
  }
}

function setup() {
  const clock = new FakeClock();
  const metrics = new RuntimeMetrics({ processMetrics: false });
  const kubeConfig = new KubeConfig();
  const fakes: FakeListWatch[] = [];
  const informer = new Informer({
    resource: ConfigMaps,
    kubeConfig,
    client: new KubeClient(new ApiTransport({ kubeConfig, metrics, clock })),
    metrics,
    log: pino({ level: 'silent' }),
    clock,
    restartBackoff: { baseMs: 100, maxMs: 1_000 },
    makeListWatch: () => {
      const fake = new FakeListWatch();
      fakes.push(fake);
      return fake;
    },
  });
  return { clock, metrics, informer, lw: fakes[0]! };
}

const cm = (name: string, rv: string, data: Record<string, string> = {}, namespace = 'a') =>
  ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { namespace, name, resourceVersion: rv },
    data,
  }) as KubernetesObject;

test('a stopped list/watch is restarted with growing delays until it connects, then counts as synced', async () => {
  const { clock, metrics, informer, lw } = setup();
  lw.outcomes = ['error', 'error', 'error'];
  informer.start();
  await flushPromises();
  expect(lw.starts).toBe(1);
  expect(informer.hasSynced()).toBe(false);
  await clock.advance(100);
  expect(lw.starts).toBe(2);
  await clock.advance(199);
  expect(lw.starts).toBe(2); // second delay is 200 ms
  await clock.advance(1);
  expect(lw.starts).toBe(3);
  await clock.advance(400);
  expect(lw.starts).toBe(4);
  expect(informer.hasSynced()).toBe(true);
  expect((await metrics.informerRestarts.get()).values[0]?.value).toBe(3);

  // A later failure (e.g. the API server restarts) restarts from the base delay again.
  lw.fail(new Error('other side closed'));
  await clock.advance(100);
  expect(lw.starts).toBe(5);
  expect(informer.hasSynced()).toBe(true);
  await informer.stop();
  lw.fail(new Error('aborted'));
  await clock.advance(10_000);
  expect(lw.starts).toBe(5); // no restart after stop
});

test('a throwing handler neither escapes into ListWatch nor stops the other handlers', async () => {
  const { informer, lw, metrics } = setup();
  const seen: string[] = [];
  informer.on(() => {
    throw new Error('bug in a map function');
  });
  informer.on((e) => seen.push(`${e.type}:${e.object.metadata?.name}`));
  informer.start();
  expect(() => lw.emit('add', cm('x', '1'))).not.toThrow();
  lw.emit('delete', cm('x', '1'));
  expect(seen).toEqual(['add:x', 'delete:x']);
  expect((await metrics.informerHandlerErrors.get()).values[0]?.value).toBe(2);
});

test('cache reads: get, list by namespace, list all, and secondary indexes kept current', async () => {
  const { informer, lw } = setup();
  informer.start();
  await flushPromises();
  lw.emit('add', cm('x', '1', { env: 'dev' }));
  lw.emit('add', cm('y', '2', { env: 'prod' }, 'b'));
  informer.addIndex('env', (o) => [String((o.data as Record<string, string>).env)]);
  lw.emit('add', cm('z', '3', { env: 'dev' }, 'b'));
  expect(informer.get('a', 'x')?.metadata?.resourceVersion).toBe('1');
  expect(informer.get('a', 'nope')).toBeUndefined();
  expect(
    informer
      .list('b')
      .map((o) => o.metadata?.name)
      .sort(),
  ).toEqual(['y', 'z']);
  expect(informer.list().length).toBe(3);
  expect(
    informer
      .byIndex('env', 'dev')
      .map((o) => o.metadata?.name)
      .sort(),
  ).toEqual(['x', 'z']);
  lw.emit('update', cm('x', '4', { env: 'prod' }));
  expect(informer.byIndex('env', 'dev').map((o) => o.metadata?.name)).toEqual(['z']);
  lw.emit('delete', cm('z', '3', { env: 'dev' }, 'b'));
  expect(informer.byIndex('env', 'dev')).toEqual([]);
  expect(() => informer.byIndex('nope', 'x')).toThrow(/no index/);
});

test('our own write is read back before its watch event arrives', async () => {
  const { informer, lw } = setup();
  informer.start();
  lw.emit('add', cm('x', '1', { v: 'old' }));
  informer.beginWrite('a', 'x').finish(cm('x', '2', { v: 'ours' }) as never);
  expect((informer.get('a', 'x')?.data as Record<string, string>).v).toBe('ours');
  expect((informer.list('a')[0]?.data as Record<string, string>).v).toBe('ours');
  lw.emit('update', cm('x', '2', { v: 'ours' }));
  lw.emit('update', cm('x', '3', { v: 'later' }));
  expect((informer.get('a', 'x')?.data as Record<string, string>).v).toBe('later');
});

test('waitForSync resolves on sync, or false when aborted first', async () => {
  const { informer, lw, clock } = setup();
  lw.outcomes = ['error'];
  const abort = new AbortController();
  const aborted = informer.waitForSync(abort.signal);
  const synced = informer.waitForSync();
  informer.start();
  abort.abort();
  await expect(aborted).resolves.toBe(false);
  await clock.advance(100);
  await expect(synced).resolves.toBe(true);
});
