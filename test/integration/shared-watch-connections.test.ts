// Watches share connections: a shard-like informer factory watching 110
// namespaces (one ConfigMap watch each, added the way a shard adds the
// namespaces it holds) reaches the real API server through a TCP proxy that
// counts connections. Every watch is a live HTTP/2 stream on a couple of
// shared connections (client-node alone opens one TLS connection per watch);
// events arrive on every stream; stopping one stream leaves the connection
// and the other streams alone; cutting every connection makes every watch
// reconnect and catch up; quiet streams are not reconnected every 30 s.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { testKubeConfig } from '../controlplane/env.js';
import { eventually } from '../kit/eventually.js';
import { ApiTransport } from '../../src/kube/transport.js';
import { KubeClient } from '../../src/kube/client.js';
import { ConfigMaps } from '../../src/kube/resource.js';
import { realClock } from '../../src/kube/clock.js';
import { InformerFactory } from '../../src/runtime/informer-factory.js';
import { RuntimeMetrics } from '../../src/runtime/metrics.js';

const NAMESPACES = 110;
// kube-apiserver's default SETTINGS_MAX_CONCURRENT_STREAMS (k8s.io/apiserver
// secure_serving.go, when --http2-max-streams-per-connection is 0).
const STREAMS_PER_CONNECTION = 100;

/** A TCP proxy to the API server: TLS passes through untouched; it counts and can cut connections. */
class CountingProxy {
  accepted = 0;
  readonly live = new Set<Socket>();
  private constructor(private readonly server: Server) {}

  static async start(target: URL): Promise<CountingProxy> {
    const server = createServer();
    const proxy = new CountingProxy(server);
    server.on('connection', (client) => {
      proxy.accepted++;
      const upstream = connect(Number(target.port), target.hostname);
      const pair = [client, upstream];
      proxy.live.add(client);
      const end = () => {
        proxy.live.delete(client);
        for (const s of pair) s.destroy();
      };
      for (const s of pair) s.on('error', end).on('close', end);
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  cutAll(): void {
    for (const s of this.live) s.destroy();
  }

  async stop(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const admin = testKubeConfig();
const core = admin.makeApiClient(CoreV1Api);
const prefix = `shw-${Date.now().toString(36)}`;
const namespaces = Array.from({ length: NAMESPACES }, (_, i) => `${prefix}-${i}`);
let proxy: CountingProxy;
let factory: InformerFactory;
let transport: ApiTransport;
let metrics: RuntimeMetrics;

async function watchesConnected(): Promise<number> {
  const { values } = await metrics.apiRequests.get();
  return values
    .filter((v) => v.labels.verb === 'watch' && v.labels.code === '200')
    .reduce((n, v) => n + v.value, 0);
}

function throughProxy(kc: KubeConfig, port: number): KubeConfig {
  const cluster = kc.getCurrentCluster()!;
  const viaProxy = new KubeConfig();
  viaProxy.loadFromOptions({
    clusters: [{ ...cluster, server: `https://127.0.0.1:${port}` }],
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
  return viaProxy;
}

async function createEverywhere(names: string[], configMap: string): Promise<void> {
  for (let i = 0; i < names.length; i += 25)
    await Promise.all(
      names.slice(i, i + 25).map((namespace) =>
        core.createNamespacedConfigMap({
          namespace,
          body: { metadata: { name: configMap }, data: { at: configMap } },
        }),
      ),
    );
}

beforeAll(async () => {
  for (let i = 0; i < namespaces.length; i += 25)
    await Promise.all(
      namespaces.slice(i, i + 25).map((name) => core.createNamespace({ body: { metadata: { name } } })),
    );
  const server = new URL(admin.getCurrentCluster()!.server);
  expect(server.hostname).toBe('127.0.0.1'); // the serving certificate names it, whatever the port
  proxy = await CountingProxy.start(server);
  const kc = throughProxy(admin, proxy.port);
  metrics = new RuntimeMetrics({ processMetrics: false });
  transport = new ApiTransport({ kubeConfig: kc, metrics, clock: realClock });
  factory = new InformerFactory({
    kubeConfig: kc,
    client: new KubeClient(transport),
    metrics,
    log: pino({ level: 'silent' }),
    clock: realClock,
    dynamicNamespaces: true,
  });
}, 120_000);

afterAll(async () => {
  await factory?.stop();
  await transport?.pool.close();
  await proxy?.stop();
  await Promise.all(namespaces.map((name) => core.deleteNamespace({ name }).catch(() => undefined)));
}, 120_000);

test('110 namespace watches are streams on a few shared connections, each gets its events, one stops alone, all come back after the connections are cut', async () => {
  const configMaps = factory.informer(ConfigMaps);
  factory.start();
  for (const ns of namespaces) factory.watchNamespace(ns);
  expect(await configMaps.waitForSync()).toBe(true);

  // Every watch connected (counted by the runtime's own request metrics), on a few connections.
  await eventually('every watch connected', async () => (await watchesConnected()) >= NAMESPACES);
  const perPool = Math.ceil(NAMESPACES / STREAMS_PER_CONNECTION) + 1;
  // What the API server sees: the watch pool's connections and the request pool's (the lists), nothing per watch.
  expect(proxy.accepted).toBeLessThanOrEqual(2 * perPool);
  expect(proxy.live.size).toBeLessThanOrEqual(2 * perPool);
  // The watch pool's own account: every watch a stream in flight, over at most perPool connections.
  await eventually('every watch streaming', async () => factory.watchPool.stats().inFlight === NAMESPACES);
  expect(factory.watchPool.stats().connections).toBeLessThanOrEqual(perPool);

  // Events arrive on every stream.
  await createEverywhere(namespaces, 'ping-1');
  await eventually('ping-1 in every namespace', async () =>
    namespaces.every((ns) => configMaps.get(ns, 'ping-1') !== undefined),
  );

  // Stopping one namespace's watch cancels that stream only: no connection is
  // closed or opened, and the other streams keep delivering.
  const [stopped, ...kept] = namespaces as [string, ...string[]];
  const acceptedBefore = proxy.accepted;
  const connectsBefore = await watchesConnected();
  const watchConnections = factory.watchPool.stats().connections;
  await factory.unwatchNamespace(stopped);
  await eventually(
    'the stopped stream ended',
    async () => factory.watchPool.stats().inFlight === kept.length,
  );
  await createEverywhere(namespaces, 'ping-2');
  await eventually('ping-2 in every kept namespace', async () =>
    kept.every((ns) => configMaps.get(ns, 'ping-2') !== undefined),
  );
  expect(configMaps.list(stopped)).toEqual([]);
  expect(proxy.accepted).toBe(acceptedBefore);
  expect(await watchesConnected()).toBe(connectsBefore); // no other watch had to reconnect
  expect(factory.watchPool.stats().connections).toBe(watchConnections);

  // Cutting every connection: every watch on them reconnects, still sharing
  // a few connections, and catches up on what happened meanwhile.
  proxy.cutAll();
  await createEverywhere(kept, 'ping-3');
  await eventually(
    'ping-3 in every kept namespace after the cut',
    async () => kept.every((ns) => configMaps.get(ns, 'ping-3') !== undefined),
    120_000,
  );
  await eventually(
    'every kept watch streaming again',
    async () => factory.watchPool.stats().inFlight === kept.length,
    120_000,
  );
  expect(factory.watchPool.stats().connections).toBeLessThanOrEqual(perPool);
  expect(proxy.live.size).toBeLessThanOrEqual(2 * perPool);

  // Quiet streams stay open: nothing reconnects in 40 s without events
  // (client-node's 30 s inactivity timeout alone would reconnect every one).
  const connectsBeforeQuiet = await watchesConnected();
  await sleep(40_000);
  expect((await watchesConnected()) - connectsBeforeQuiet).toBe(0);
  expect(factory.watchPool.stats().inFlight).toBe(kept.length);
}, 300_000);
