// The transport's write fence: checked at dispatch, after the rate limit's
// wait, for writes only; a refused write never reaches the server.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from './client.js';
import { ConfigMaps } from './resource.js';
import { ApiTransport } from './transport.js';
import { realClock } from './clock.js';
import { TokenBucket } from './rate-limiter.js';

let server: Server;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.method ?? '');
    res.setHeader('Content-Type', 'application/json');
    res.end(
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'ns' } }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  const { port } = server.address() as AddressInfo;
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

test('a fenced transport checks its fence when a write is dispatched, after the rate limit, and never for reads', async () => {
  seen.length = 0;
  // One token a second, none left: the write waits for the limiter, and the fence closes meanwhile.
  const limiter = new TokenBucket({ qps: 1, burst: 1 }, realClock);
  const base = new ApiTransport({ kubeConfig: kubeConfig(), clock: realClock, limiter });
  let open = true;
  const checks: boolean[] = [];
  const client = new KubeClient(
    base.fenced(() => {
      checks.push(open);
      if (!open) throw new Error('not the leader');
    }),
  );
  await client.get(ConfigMaps, 'ns', 'a');
  expect(checks).toEqual([]);
  const write = client.patch(
    ConfigMaps,
    'ns',
    'a',
    { data: { k: 'v' } },
    { type: 'merge', fieldManager: 't' },
  );
  open = false;
  await expect(write).rejects.toThrow('not the leader');
  expect(checks).toEqual([false]);
  expect(seen).toEqual(['GET']);
  await base.pool.close();
});
