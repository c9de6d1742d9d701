// Watches through a shared pool when the server speaks only HTTP/1.1 (a
// proxy without HTTP/2, say): no multiplexing, so every open watch must get
// a connection of its own instead of queueing behind another, a request on
// the request pool must not wait for them, and stopping one watch closes
// only its own connection; destroying the pool ends the rest. (Over HTTP/2,
// against the real API server: test/integration/shared-watch-connections.test.ts.)
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { ConfigMaps } from '../kube/resource.js';
import { KubeClient } from '../kube/client.js';
import { realClock } from '../kube/clock.js';
import { ApiTransport, ConnectionPool } from '../kube/transport.js';
import { GuardedWatch } from './guarded-watch.js';
import { RuntimeMetrics } from './metrics.js';

let server: Server;
const sockets = new Set<Socket>();
const openWatches = new Set<ServerResponse>();

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    res.setHeader('Content-Type', 'application/json');
    if (req.url?.includes('watch=true')) {
      // A watch: one event, then the stream stays open.
      openWatches.add(res);
      res.on('close', () => openWatches.delete(res));
      const name = new URL(req.url, 'http://x').pathname.split('/')[4];
      res.write(
        `${JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'cm', namespace: name } } })}\n`,
      );
      return;
    }
    res.end(
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'ns' } }),
    );
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  const { port } = server.address() as AddressInfo;
  kc.loadFromOptions({
    // skipTLSVerify: client-node gives the call an undici Agent of its own (which the pool replaces).
    clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!ok()) throw new Error(`timed out waiting for ${what}`);
}

test('over HTTP/1.1 every watch gets its own pooled connection, requests do not wait, one stops alone', async () => {
  const kc = kubeConfig();
  const metrics = new RuntimeMetrics({ processMetrics: false });
  const pool = new ConnectionPool();
  const seen = new Set<string>();
  const namespaces = ['a', 'b', 'c', 'd', 'e', 'f'];
  const controllers = await Promise.all(
    namespaces.map((ns) =>
      new GuardedWatch(kc, { resource: 'configmaps', metrics, onCallbackError: () => undefined, pool }).watch(
        `/api/v1/namespaces/${ns}/configmaps`,
        {},
        (_phase, obj) => seen.add((obj as { metadata: { namespace: string } }).metadata.namespace),
        () => undefined,
      ),
    ),
  );

  // Each stream delivered its event: none waited for another's connection.
  await until('an event on every watch', () => seen.size === namespaces.length);
  expect(openWatches.size).toBe(namespaces.length);
  expect(sockets.size).toBe(namespaces.length); // what the server sees: a connection per watch
  expect(pool.stats()).toEqual({ connections: namespaces.length, inFlight: namespaces.length });

  // A request on the request pool is answered while every watch stays open.
  const transport = new ApiTransport({ kubeConfig: kc, clock: realClock });
  expect(await new KubeClient(transport).get(ConfigMaps, 'ns', 'a')).toMatchObject({
    metadata: { name: 'a' },
  });
  expect(openWatches.size).toBe(namespaces.length);

  // Stopping one watch ends its stream only.
  controllers[0]!.abort();
  await until('the stopped stream to close', () => openWatches.size === namespaces.length - 1);
  await until('the pool to count it', () => pool.stats().inFlight === namespaces.length - 1);

  // Destroying the pool (the factory's stop, once every watch was stopped) ends whatever is left.
  await pool.destroy();
  await until('every stream to close', () => openWatches.size === 0);
  await transport.pool.close();
});
