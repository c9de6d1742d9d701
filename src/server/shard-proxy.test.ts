// The shard proxy stage against real HTTP servers on loopback: the request
// goes as it is (method, path, query, token, body) to the holding shard, the
// answer comes back as it is, and a passed request is never passed again.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SHARD_HOP_HEADER, shardProxyStage, type ShardDirectory } from './shard-proxy.js';
import type { Exchange, Reply } from './stages.js';

interface Seen {
  method?: string;
  url?: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let upstream: Server;
let front: Server;
let seen: Seen | undefined;
let frontPort = 0;

const directory: ShardDirectory = {
  shard: 'a',
  holderOf: (ns) => ({ 'team-a': 'a', 'team-b': 'b', moving: '' })[ns],
  wantedOf: (ns) => ({ 'team-a': 'a', 'team-b': 'b', moving: 'b' })[ns],
};

/** A front server running only the stage; answers 299 when the stage lets the request through. */
function serveStage(upstreamPort: number): Server {
  const stage = shardProxyStage(directory, {
    urlTemplate: `http://127.0.0.1:${upstreamPort}/?shard={shard}`,
  });
  return createServer((req, res) => {
    const namespace = /\/namespaces\/([^/]+)/.exec(req.url ?? '')?.[1];
    const x = {
      req,
      res,
      method: req.method ?? 'GET',
      routeLabel: 'r',
      ...(namespace ? { match: { namespace } } : {}),
    } as unknown as Exchange;
    Promise.resolve(stage(x)).then(
      (reply: Reply | undefined) => {
        if (!reply) return res.writeHead(299).end();
        res.writeHead(reply.status, reply.type ? { 'content-type': reply.type } : {});
        res.end(reply.body);
      },
      (err: { status?: number; message: string }) => res.writeHead(err.status ?? 500).end(err.message),
    );
  });
}

beforeAll(async () => {
  upstream = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen = { method: req.method, url: req.url, headers: req.headers, body };
      res.writeHead(201, { 'content-type': 'application/json', etag: '"v1"' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  front = serveStage((upstream.address() as AddressInfo).port);
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
  frontPort = (front.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((r) => front.close(r));
  await new Promise((r) => upstream.close(r));
});

function send(method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  return new Promise<{ status: number; body: string; headers: IncomingMessage['headers'] }>(
    (resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: frontPort, method, path, headers }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
      });
      req.on('error', reject);
      req.end(body);
    },
  );
}

beforeEach(() => (seen = undefined));

test("a request for another shard's namespace goes to it as it is, and its answer comes back", async () => {
  const body = JSON.stringify({ version: '1.2.3' });
  const res = await send(
    'PUT',
    '/api/v1/namespaces/team-b/applications/x/environments/dev/version?dryRun=All',
    { authorization: 'Bearer t0ken', 'content-type': 'application/json' },
    body,
  );
  expect(res).toMatchObject({ status: 201, body: '{"ok":true}' });
  expect(res.headers.etag).toBe('"v1"');
  expect(seen).toMatchObject({
    method: 'PUT',
    url: '/api/v1/namespaces/team-b/applications/x/environments/dev/version?dryRun=All',
    body,
  });
  expect(seen!.headers).toMatchObject({ authorization: 'Bearer t0ken', [SHARD_HOP_HEADER]: '1' });
  expect(seen!.headers['x-forwarded-for']).toBe('127.0.0.1');
});

test('a namespace this shard holds is answered here; a moving one goes to the shard its label chooses', async () => {
  expect((await send('GET', '/api/v1/namespaces/team-a/applications')).status).toBe(299);
  expect(seen).toBeUndefined();
  expect((await send('GET', '/api/v1/namespaces/moving/applications')).status).toBe(201);
  expect(seen?.url).toBe('/api/v1/namespaces/moving/applications');
});

test('a request already passed once is not passed again: 503, retry', async () => {
  const res = await send('GET', '/api/v1/namespaces/team-b/applications', { [SHARD_HOP_HEADER]: '1' });
  expect(res.status).toBe(503);
  expect(res.body).toBe('namespace team-b is moving between shards; retry shortly');
  expect(seen).toBeUndefined();
});
