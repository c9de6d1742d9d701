// The gate evaluator against a loopback server: a call passes the leader's
// fence at dispatch (none is sent while it is closed), an answer is kept and
// requeues the Promotion, a passed answer is asked once per version, a new
// version is asked again, and Events mark changes of outcome only.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PromotionGate } from '../api/promotion.js';
import { MemoryCluster } from '../runtime/testing/memory-cluster.js';
import { memoryDeps } from '../runtime/testing/memory-deps.js';
import { GateEvaluator } from './promotion-gates.js';

let server: Server;
let url: string;
let bodies: string[] = [];
let answer = { status: 200, body: '{"result":"fail","message":"error rate 7%"}' };

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (b: Buffer) => (body += b.toString()));
    req.on('end', () => {
      bodies.push(body);
      res.writeHead(answer.status).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/checks/smoke`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => (bodies = []));

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`not reached: ${JSON.stringify(bodies)}`);
};

test('fenced, kept, asked once per version when passed, Events on changes of outcome', async () => {
  const cluster = new MemoryCluster();
  let leading = false;
  const deps = {
    ...memoryDeps(cluster),
    fence: () => {
      if (!leading) throw new Error('this process is not the leader');
    },
  };
  const gates = new GateEvaluator(deps);
  const queued: string[] = [];
  gates.subscribe((req) => queued.push(`${req.namespace}/${req.name}`));
  const gate: PromotionGate = { name: 'smoke', interval: '1m', http: { url } };
  const promotion = {
    namespace: 'ns',
    name: 'to-prod',
    from: 'staging',
    to: 'prod',
    object: { metadata: { namespace: 'ns', name: 'to-prod' } },
  };
  const candidate = { application: 'web', version: '1.3.0', current: '1.2.0' };
  const answers = () => gates.answersFor('ns', 'to-prod')('web', '1.3.0', gate);
  const now = () => deps.clock.now();

  // Not the leader: nothing is sent, nothing kept; the next reconcile asks again.
  expect(gates.ask(promotion, candidate, [gate], now())).toBeUndefined();
  await new Promise((r) => setTimeout(r, 100));
  expect(bodies).toEqual([]);
  expect(answers()).toBeUndefined();

  leading = true;
  gates.ask(promotion, candidate, [gate], now());
  await until(() => answers() !== undefined);
  expect(answers()).toMatchObject({ result: 'Failed', message: 'error rate 7%' });
  expect(queued).toEqual(['ns/to-prod']);
  expect(bodies).toHaveLength(1);
  // A failed answer is asked again after the interval, not before.
  expect(gates.ask(promotion, candidate, [gate], now())).toBe(now() + 60_000);
  expect(bodies).toHaveLength(1);

  answer = { status: 200, body: '' };
  await deps.clock.advance(60_000);
  gates.ask(promotion, candidate, [gate], now());
  await until(() => answers()?.result === 'Passed');
  // Passed: kept until the version or the gate changes.
  for (let i = 0; i < 3; i++)
    expect(gates.ask(promotion, candidate, [gate], now() + 3_600_000)).toBeUndefined();
  expect(bodies).toHaveLength(2);
  expect(cluster.events.map((e) => `${e.type} ${e.reason}`)).toEqual([
    'Warning GateFailed',
    'Normal GatePassed',
  ]);

  // A new version is a new candidate.
  gates.ask(promotion, { ...candidate, version: '1.3.1' }, [gate], now());
  await until(() => bodies.length === 3);
  expect(JSON.parse(bodies[2]!).version).toBe('1.3.1');
  const text = await deps.metrics.registry.getSingleMetricAsString('depot_promotion_gate_answers_total');
  expect(text).toContain('result="Failed"} 1');
  // A deleted Promotion's answers go with it.
  gates.forget('ns', 'to-prod');
  expect(answers()).toBeUndefined();
});
