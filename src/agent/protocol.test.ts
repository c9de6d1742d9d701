// Old × new, agent side: the current agent against the recorded answers of
// every released server (test/fixtures/protocol/v1/server-*.json), replayed
// by a small HTTP server; and a newer agent that needs a newer server stops
// with one line. The current agent serves only its own Target: a recorded
// answer altered to name another Target is refused, and the recorded
// override (applicationName) applies only when --allow-override allows it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Deliverer, DeliveryRequest } from '../core/delivery.js';
import { realClock } from '../kube/clock.js';
import { createLogger } from '../runtime/log.js';
import type { ProtocolRecording } from '../../test/fixtures/protocol/exchange.js';
import { recordings } from '../../test/fixtures/protocol/recordings.js';
import { AGENT_TARGET, HUB_NAMESPACE } from '../../test/fixtures/protocol/world.js';
import { Agent, AnswerRefusedError, agentDefaults, argocdLocalDelivery } from './agent.js';
import type { OverrideField } from './overrides.js';
import { HubClient, ServerTooOldError } from './hub-client.js';

/** Answers like the recorded server: by method and path, 304 when If-None-Match is the recorded ETag. */
async function replay(
  rec: ProtocolRecording,
  alter: (body: unknown) => unknown = (b) => b,
): Promise<{ server: Server; url: string; bodies: unknown[] }> {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const path = req.url!.replace(`/api/v1/namespaces/${HUB_NAMESPACE}`, '');
      if (body) bodies.push(JSON.parse(body));
      const candidates = rec.exchanges.filter(
        (e) => e.request.method === req.method && e.request.path === path,
      );
      const tag = req.headers['if-none-match'];
      const ex =
        candidates.find(
          (e) => e.response.status === 304 && tag && e.request.headers['if-none-match'] === tag,
        ) ?? candidates.find((e) => e.response.status !== 304);
      if (!ex) {
        res.writeHead(404, { 'depot-server-version': rec.version, 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'NotFound', message: `not recorded: ${req.method} ${path}` }));
        return;
      }
      res.writeHead(ex.response.status, ex.response.headers);
      res.end(
        ex.response.body === undefined ? undefined : JSON.stringify(alter(structuredClone(ex.response.body))),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

function recordingDeliverer() {
  const requests: DeliveryRequest[] = [];
  const deliverer: Deliverer = {
    kind: 'argocd',
    deliver: async (r) => {
      requests.push(r);
      return { state: 'Delivered', message: `web-prod set to ${r.version}`, wrote: true };
    },
    observe: (r) => ({ deployed: r.version }),
  };
  return { deliverer, requests };
}

const hub = (url: string, extra: Partial<ConstructorParameters<typeof HubClient>[0]> = {}) =>
  new HubClient({ server: url, namespace: HUB_NAMESPACE, target: AGENT_TARGET, token: () => 't', ...extra });

function currentAgent(url: string, deliverer: Deliverer, allowOverride: OverrideField[]): Agent {
  return new Agent({
    hub: hub(url),
    own: { namespace: HUB_NAMESPACE, target: AGENT_TARGET },
    allowOverride,
    delivery: argocdLocalDelivery(),
    deliverers: new Map([['argocd', deliverer]]),
    ...agentDefaults,
    log: createLogger({ level: 'silent' }),
    clock: realClock,
  });
}

describe.each(recordings('server').map((r) => [r.version, r] as const))('against a %s server', (_, rec) => {
  let replayed: Awaited<ReturnType<typeof replay>>;
  beforeEach(async () => (replayed = await replay(rec)));
  afterEach(() => replayed.server.close());

  test('the current agent polls, delivers with the allowed override merged, reports deployed, then gets 304', async () => {
    const { deliverer, requests } = recordingDeliverer();
    const agent = currentAgent(replayed.url, deliverer, ['argocd.applicationName']);
    const signal = new AbortController().signal;
    expect(await agent.round(signal)).toBe(false);
    expect(
      requests.map((r) => [r.application.metadata.name, r.version, r.delivery.argocd?.applicationName]),
    ).toEqual([['web', '1.2.0', 'web-prod']]);
    expect(replayed.bodies).toEqual([{ version: '1.2.0' }]);
    // The recorded ETag: 304; nothing is reported again.
    await agent.round(signal);
    expect(replayed.bodies).toHaveLength(1);
  });

  test('the current agent without --allow-override delivers and reports nothing for the overridden application', async () => {
    const { deliverer, requests } = recordingDeliverer();
    const agent = currentAgent(replayed.url, deliverer, []);
    expect(await agent.round(new AbortController().signal)).toBe(false);
    expect(requests).toEqual([]);
    expect(replayed.bodies).toEqual([]);
  });

  test('an answer altered to name another Target is refused: nothing delivered or reported', async () => {
    replayed.server.close();
    replayed = await replay(rec, (body) =>
      body && typeof body === 'object' && 'target' in body ? { ...body, target: 'staging-1' } : body,
    );
    const { deliverer, requests } = recordingDeliverer();
    const agent = currentAgent(replayed.url, deliverer, ['argocd.applicationName']);
    await expect(agent.round(new AbortController().signal)).rejects.toBeInstanceOf(AnswerRefusedError);
    expect(requests).toEqual([]);
    expect(replayed.bodies).toEqual([]);
  });

  test('an agent that needs a newer server stops with one line', async () => {
    await expect(hub(replayed.url, { minServerVersion: '99.0.0' }).poll(undefined)).rejects.toThrow(
      new ServerTooOldError('99.0.0'),
    );
    expect(new ServerTooOldError('99.0.0').message).toBe('Depot server >= 99.0.0 is required');
  });
});

test('a server without the agent API (404 without a Depot version) is too old; a proxy error is retried', async () => {
  let status = 404;
  const server = createServer((_, res) => {
    res.writeHead(status);
    res.end('nope');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    await expect(hub(url).poll(undefined)).rejects.toBeInstanceOf(ServerTooOldError);
    status = 502;
    await expect(hub(url).poll(undefined)).rejects.toThrow(/502/);
  } finally {
    server.close();
  }
});
