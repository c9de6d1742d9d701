// The agent's loop on a fake clock: polls at the interval, backs off while the
// server fails (delivering nothing meanwhile, undoing nothing), carries on
// with the versions it has when the server is back, and stops only when the
// server is too old.
import type { TargetVersions } from '../api/http.js';
import type { Deliverer, DeliveryRequest } from '../core/delivery.js';
import { FakeClock } from '../kube/testing/fake-clock.js';
import { createLogger } from '../runtime/log.js';
import { Agent } from './agent.js';
import { HubError, ServerTooOldError, type Poll } from './hub-client.js';

const versions: TargetVersions = {
  namespace: 'hub',
  target: 'remote-1',
  environment: 'prod',
  delivery: 'agent',
  items: [{ application: 'web', desired: '1.2.0', deployed: '1.1.0' }],
};

function setup(answers: (() => Poll)[]) {
  const clock = new FakeClock();
  const polls: (string | undefined)[] = [];
  const delivered: DeliveryRequest[] = [];
  const reports: string[] = [];
  const field: { inPlace?: boolean } = {};
  const deliverer: Deliverer = {
    kind: 'argocd',
    deliver: async (r) => (delivered.push(r), { state: 'Delivered', message: 'ok', wrote: false }),
    observe: () => ({ ...field }),
  };
  let i = 0;
  const agent = new Agent({
    hub: {
      poll: async (etag) => {
        polls.push(etag);
        return answers[Math.min(i++, answers.length - 1)]!();
      },
      reportDeployed: async (app, v) => void reports.push(`${app}@${v}`),
    },
    delivery: {
      argocd: {
        applicationNamespace: 'argocd',
        applicationName: '${application}',
        set: { targetRevision: {} },
      },
    },
    deliverers: new Map([['argocd', deliverer]]),
    intervalMs: 10_000,
    jitter: 0,
    backoff: { baseMs: 1_000, maxMs: 8_000 },
    log: createLogger({ level: 'silent' }),
    clock,
    random: () => 0,
  });
  return { clock, agent, polls, delivered, reports, field };
}

const down = () => {
  throw new HubError(undefined, 'cannot reach http://hub: ECONNREFUSED');
};

test('a failing server is retried with backoff; nothing is delivered or undone meanwhile; then it carries on', async () => {
  const { clock, agent, polls, delivered } = setup([
    () => ({ changed: true, etag: '"a"', versions }),
    down,
    down,
    down,
    () => ({ changed: false }),
  ]);
  const stop = new AbortController();
  const running = agent.run(stop.signal);
  await clock.advance(0);
  expect(delivered.map((r) => r.version)).toEqual(['1.2.0']);
  await clock.advance(10_000); // the interval: first failure
  await clock.advance(1_000); // backoff 1 s: second failure
  expect(polls).toHaveLength(3);
  await clock.advance(1_999);
  expect(polls).toHaveLength(3); // the next wait is 2 s
  await clock.advance(1);
  expect(polls).toHaveLength(4);
  expect(delivered).toHaveLength(1); // nothing happened while the server was down
  await clock.advance(4_000); // back: 304, and what was delivered is not delivered again
  expect(polls.at(-1)).toBe('"a"');
  expect(delivered.map((r) => r.version)).toEqual(['1.2.0']);
  stop.abort();
  await running;
});

test('a server too old stops the loop with its one line', async () => {
  const { clock, agent } = setup([
    () => {
      throw new ServerTooOldError('0.2.0');
    },
  ]);
  const stopped = expect(agent.run(new AbortController().signal)).rejects.toThrow(
    'Depot server >= 0.2.0 is required',
  );
  await clock.advance(0);
  await stopped;
});

test('a target whose delivery is not agent gets nothing from the agent (the operator delivers it)', async () => {
  const { clock, agent, delivered } = setup([
    () => ({ changed: true, etag: '"a"', versions: { ...versions, delivery: 'argocd' } }),
  ]);
  const stop = new AbortController();
  const running = agent.run(stop.signal);
  await clock.advance(20_000);
  expect(delivered).toEqual([]);
  stop.abort();
  await running;
});

test('a delivered version is delivered again only when its field was reset', async () => {
  const { clock, agent, delivered, field } = setup([
    () => ({ changed: true, etag: '"a"', versions }),
    () => ({ changed: false }),
  ]);
  const stop = new AbortController();
  const running = agent.run(stop.signal);
  await clock.advance(0);
  await clock.advance(10_000);
  expect(delivered).toHaveLength(1); // in place, or not readable (a Receiver): no second call
  field.inPlace = false; // an external writer reset the field
  await clock.advance(10_000);
  expect(delivered.map((r) => r.version)).toEqual(['1.2.0', '1.2.0']);
  field.inPlace = true;
  await clock.advance(10_000);
  expect(delivered).toHaveLength(2);
  stop.abort();
  await running;
});
