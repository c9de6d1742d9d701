// The sink sender against a CloudEvents receiver on loopback (a real HTTP server).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import type { HistoryEntry } from '../api/application.js';
import { HistorySinkSender } from './history-sink.js';

const entry = (id: string): HistoryEntry => ({
  id,
  time: '2026-12-07T12:00:00Z',
  type: 'Requested',
  environment: 'dev',
  to: id,
});
/** Newest first, like status.history. */
const history = (...ids: string[]) => ids.map(entry);
const appObj = (name: string) => ({ metadata: { namespace: 'ns', name } });

let server: Server;
let url: string;
const got: { id: string; source: string }[] = [];
let answer = 202;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (answer < 300) got.push(JSON.parse(body) as { id: string; source: string });
      res.writeHead(answer, answer === 302 ? { location: 'http://127.0.0.1:1/' } : {}).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
beforeEach(() => {
  got.length = 0;
  answer = 202;
});

function setup() {
  let fenced = false;
  const warnings: string[] = [];
  const sender = new HistorySinkSender(
    {
      leadership: () => ({ term: 1, previousLeaderStoppedCleanly: true }),
      log: { info: () => undefined, warn: (_f: unknown, msg: string) => warnings.push(msg) } as never,
      fence: () => {
        if (fenced) throw new Error('fenced');
      },
      metrics: { registry: new Registry() } as never,
    },
    { url, timeoutMs: 2_000, retry: { baseMs: 20, maxMs: 50 }, concurrency: 2 },
  );
  return { sender, warnings, fence: (on: boolean) => (fenced = on) };
}

const until = async (what: string, ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!ok()) throw new Error(`timed out waiting for ${what}`);
};

test('each Application oldest first from its marker, Applications in turn; the marker advances', async () => {
  const { sender } = setup();
  sender.firstSight(appObj('a'), history('a3', 'a2', 'a1'), 'a1');
  sender.firstSight(appObj('b'), history('b2', 'b1'), undefined);
  await until('4 events', () => got.length === 4);
  const ids = got.map((e) => e.id);
  expect(ids.filter((id) => id.startsWith('a'))).toEqual(['a2', 'a3']);
  expect(ids.filter((id) => id.startsWith('b'))).toEqual(['b1', 'b2']);
  expect(ids.slice(0, 2).sort()).toEqual(['a2', 'b1']);
  expect(sender.through(appObj('a'))).toBe('a3');
  expect(sender.through(appObj('b'))).toBe('b2');
  // A later write: only its new entry goes.
  sender.offer(appObj('a'), history('a4', 'a3', 'a2', 'a1'));
  await until('a4', () => got.length === 5);
  expect(got[4]!.id).toBe('a4');
});

test('failures (an error answer, a redirect) are retried with backoff, not skipped', async () => {
  const { sender, warnings } = setup();
  answer = 503;
  sender.firstSight(appObj('c'), history('c2', 'c1'), undefined);
  await until('two failures', () => warnings.length >= 2);
  expect(warnings[0]).toMatch(/audit sink http:\/\/127\.0\.0\.1:\d+\/ answered HTTP 503; trying again later/);
  answer = 302;
  await until('a redirect refused', () => warnings.some((w) => w.includes('redirects are not followed')));
  expect(got).toEqual([]);
  answer = 202;
  await until('both sent', () => got.length === 2);
  expect(got.map((e) => e.id)).toEqual(['c1', 'c2']);
});

test('nothing is sent while the fence says this process may not act', async () => {
  const { sender, fence } = setup();
  fence(true);
  sender.firstSight(appObj('d'), history('d1'), undefined);
  await new Promise((r) => setTimeout(r, 100));
  expect(got).toEqual([]);
  expect(sender.through(appObj('d'))).toBeUndefined();
  fence(false);
  sender.offer(appObj('d'), history('d2', 'd1'));
  await until('both sent', () => got.length === 2);
  expect(got.map((e) => e.id)).toEqual(['d1', 'd2']);
});

test('entries handed over while waiting out a failure wait too, and go once the sink is back', async () => {
  const { sender, warnings } = setup();
  answer = 503;
  sender.firstSight(appObj('e'), history('e1'), undefined);
  await until('a failure', () => warnings.length >= 1);
  sender.firstSight(appObj('f'), history('f1'), undefined);
  sender.offer(appObj('e'), history('e2', 'e1'));
  answer = 202;
  await until('all sent', () => got.length === 3);
  expect(got.map((e) => e.id).filter((id) => id.startsWith('e'))).toEqual(['e1', 'e2']);
  expect(got.map((e) => e.id)).toContain('f1');
});
