// The Receiver POST passes the leadership fence at dispatch: a replica whose
// lease is not fresh sends no byte to the receiver.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callReceiver } from './receiver-client.js';

let server: Server;
let posts = 0;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    posts++;
    req.resume();
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook/x`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const payload = { application: 'web', environment: 'prod', target: 'edge', version: '1.2.3' };
const target = { namespace: 'ns', name: 'edge' };

test('a Receiver POST is sent while the fence is open and refused, unsent, when it is closed', async () => {
  let open = true;
  const io = {
    get: () => Promise.resolve(undefined),
    fence: () => {
      if (!open) throw new Error('this process is not the leader');
    },
  };
  const opts = { allow: [url.replace('/hook/x', '/hook/')], timeoutMs: 2000 };
  const signal = new AbortController().signal;
  await expect(
    callReceiver(io, { url, type: 'generic' }, payload, target, opts, signal),
  ).resolves.toMatchObject({
    state: 'Delivered',
  });
  expect(posts).toBe(1);
  open = false;
  await expect(callReceiver(io, { url, type: 'generic' }, payload, target, opts, signal)).rejects.toThrow(
    'not the leader',
  );
  expect(posts).toBe(1);
});
