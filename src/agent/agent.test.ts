// The agent's loop on a fake clock: polls at the interval, backs off while the
// server fails (delivering nothing meanwhile, undoing nothing), carries on
// with the versions it has when the server is back, and stops only when the
// server is too old; it serves only its own Target and applies the hub's
// overrides only where --allow-override allows them.
import type { TargetVersions } from '../api/http.js';
import type { Deliverer, DeliveryRequest } from '../core/delivery.js';
import { FakeClock } from '../kube/testing/fake-clock.js';
import { createLogger } from '../runtime/log.js';
import { Agent, argocdLocalDelivery, foreignAnswer } from './agent.js';
import type { OverrideField } from './overrides.js';
import { HubError, ServerTooOldError, type Poll } from './hub-client.js';

const versions: TargetVersions = {
  namespace: 'hub',
  target: 'remote-1',
  environment: 'prod',
  delivery: 'agent',
  items: [{ application: 'web', desired: '1.2.0', deployed: '1.1.0' }],
};

function setup(answers: (() => Poll)[], allowOverride: OverrideField[] = []) {
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
  const logs: string[] = [];
  const agent = new Agent({
    own: { namespace: 'hub', target: 'remote-1' },
    allowOverride,
    hub: {
      poll: async (etag) => {
        polls.push(etag);
        return answers[Math.min(i++, answers.length - 1)]!();
      },
      reportDeployed: async (app, v) => void reports.push(`${app}@${v}`),
    },
    delivery: argocdLocalDelivery(),
    deliverers: new Map([['argocd', deliverer]]),
    intervalMs: 10_000,
    jitter: 0,
    backoff: { baseMs: 1_000, maxMs: 8_000 },
    log: createLogger({ level: 'warn', destination: { write: (line: string) => void logs.push(line) } }),
    clock,
    random: () => 0,
  });
  return { clock, agent, polls, delivered, reports, field, logs };
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

describe('an answer for another Target', () => {
  test.each([
    ['another target', { target: 'staging-1' }, 'hub/staging-1'],
    ['another namespace', { namespace: 'platform' }, 'platform/remote-1'],
  ])('(%s) is refused and logged: nothing delivered, reported or kept', async (_, other, named) => {
    const { clock, agent, polls, delivered, reports, logs } = setup([
      () => ({ changed: true, etag: '"evil"', versions: { ...versions, ...other } }),
    ]);
    const stop = new AbortController();
    const running = agent.run(stop.signal);
    await clock.advance(0);
    await clock.advance(1_000); // a failed round: retried after the backoff
    expect(delivered).toEqual([]);
    expect(reports).toEqual([]);
    // The refused answer's ETag is not sent again: a 304 cannot revive it.
    expect(polls).toEqual([undefined, undefined]);
    expect(agent.lastError).toBe(
      foreignAnswer({ ...versions, ...other }, { namespace: 'hub', target: 'remote-1' }),
    );
    expect(logs.join('')).toContain(
      `the hub answered for Target ${named}, but this agent serves hub/remote-1: answer refused`,
    );
    stop.abort();
    await running;
  });

  test('is refused after good answers: the versions kept from before are dropped too', async () => {
    const { clock, agent, delivered } = setup([
      () => ({ changed: true, etag: '"a"', versions }),
      () => ({ changed: true, etag: '"b"', versions: { ...versions, target: 'staging-1' } }),
    ]);
    const stop = new AbortController();
    const running = agent.run(stop.signal);
    await clock.advance(0);
    expect(delivered).toHaveLength(1);
    await clock.advance(10_000);
    await clock.advance(1_000);
    expect(delivered).toHaveLength(1);
    expect(agent.lastError).toMatch(/answer refused/);
    stop.abort();
    await running;
  });
});

describe("the hub's overrides", () => {
  const overridden: TargetVersions = {
    ...versions,
    items: [
      {
        application: 'web',
        desired: '1.2.0',
        override: {
          argocd: { applicationNamespace: 'platform', set: { helmParameter: 'controller.image.repository' } },
        },
      },
      { application: 'api', desired: '2.0.0' },
    ],
  };

  test('are not applied by default: that application is not delivered, the others are', async () => {
    const { clock, agent, delivered, logs } = setup([
      () => ({ changed: true, etag: '"a"', versions: overridden }),
    ]);
    expect(await agent.round(new AbortController().signal)).toBe(false);
    await clock.advance(0);
    expect(delivered.map((r) => r.application.metadata.name)).toEqual(['api']);
    expect(logs.join('')).toContain(
      "1.2.0 not delivered: the hub's Application overrides argocd.applicationNamespace, argocd.set for this target, which this agent does not allow (--allow-override argocd.applicationNamespace,argocd.set)",
    );
  });

  test('apply only when every field they set is allowed', async () => {
    const partly = setup([() => ({ changed: true, etag: '"a"', versions: overridden })], ['argocd.set']);
    await partly.agent.round(new AbortController().signal);
    expect(partly.delivered.map((r) => r.application.metadata.name)).toEqual(['api']);

    const allowed = setup(
      [() => ({ changed: true, etag: '"a"', versions: overridden })],
      ['argocd.set', 'argocd.applicationNamespace'],
    );
    await allowed.agent.round(new AbortController().signal);
    expect(allowed.delivered.map((r) => [r.application.metadata.name, r.delivery.argocd])).toEqual([
      [
        'web',
        {
          applicationNamespace: 'platform',
          applicationName: '${application}',
          set: { helmParameter: 'controller.image.repository' },
        },
      ],
      [
        'api',
        { applicationNamespace: 'argocd', applicationName: '${application}', set: { targetRevision: {} } },
      ],
    ]);
  });

  test('of another delivery kind change nothing here and are not refused', async () => {
    const flux: TargetVersions = {
      ...versions,
      items: [{ application: 'web', desired: '1.2.0', override: { flux: { patch: { name: 'other' } } } }],
    };
    const { agent, delivered } = setup([() => ({ changed: true, etag: '"a"', versions: flux })]);
    await agent.round(new AbortController().signal);
    expect(delivered.map((r) => r.delivery.argocd?.applicationNamespace)).toEqual(['argocd']);
  });
});
