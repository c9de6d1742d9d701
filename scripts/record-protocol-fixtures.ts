// Records the agent protocol of this Depot version into
// test/fixtures/protocol/v1/{agent,server}-<version>.json: the current agent
// talking to the current ApiServer on an in-memory hub (first poll, 304 poll,
// deployed report, poll after it). Run once per release; older files stay, so
// the tests replay every released version: npx tsx scripts/record-protocol-fixtures.ts
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HubClient } from '../src/agent/hub-client.js';
import { DEPOT_VERSION } from '../src/api/version.js';
import { memoryDeps } from '../src/runtime/testing/memory-deps.js';
import { ApiServer } from '../src/server/api-server.js';
import type { Exchange, ProtocolRecording } from '../test/fixtures/protocol/exchange.js';
import {
  AGENT_TARGET,
  AGENT_TOKEN,
  AGENT_USER,
  HUB_NAMESPACE,
  protocolWorld,
} from '../test/fixtures/protocol/world.js';

const keptRequestHeaders = ['user-agent', 'depot-client-version', 'if-none-match', 'content-type', 'accept'];
const keptResponseHeaders = ['content-type', 'etag', 'depot-server-version'];

const server = new ApiServer(memoryDeps(protocolWorld()), {
  address: '127.0.0.1:0',
  reviewer: {
    authenticate: async (token) => (token === AGENT_TOKEN ? { username: AGENT_USER } : undefined),
    authorize: async () => ({ allowed: true }),
  },
});
const stop = new AbortController();
void server.start(stop.signal);
const { port } = await server.address;
const base = `http://127.0.0.1:${port}`;
const prefix = `/api/v1/namespaces/${HUB_NAMESPACE}`;

const exchanges: Exchange[] = [];
let step = '';
const recording: typeof fetch = async (input, init) => {
  const url = new URL(String(input));
  const headers = Object.fromEntries(
    Object.entries((init?.headers ?? {}) as Record<string, string>)
      .map(([k, v]) => [k.toLowerCase(), v])
      .filter(([k]) => keptRequestHeaders.includes(k!)),
  );
  const res = await fetch(input, init);
  const text = await res.clone().text();
  exchanges.push({
    step,
    request: {
      method: init?.method ?? 'GET',
      path: url.pathname.slice(prefix.length) + url.search,
      headers,
      ...(init?.body ? { body: JSON.parse(String(init.body)) } : {}),
    },
    response: {
      status: res.status,
      headers: Object.fromEntries(
        keptResponseHeaders.flatMap((h) => (res.headers.get(h) ? [[h, res.headers.get(h)!]] : [])),
      ),
      ...(text ? { body: JSON.parse(text) } : {}),
    },
  });
  return res;
};

const hub = new HubClient({
  server: base,
  namespace: HUB_NAMESPACE,
  target: AGENT_TARGET,
  token: () => AGENT_TOKEN,
  fetch: recording,
});
step = 'first poll';
const first = await hub.poll(undefined);
step = 'poll with the ETag: unchanged';
await hub.poll(first.changed ? first.etag : undefined);
step = 'report the deployed version';
await hub.reportDeployed('web', '1.2.0');
step = 'poll after the report';
await hub.poll(first.changed ? first.etag : undefined);
stop.abort();

const file: ProtocolRecording = {
  version: DEPOT_VERSION,
  recorded: new Date().toISOString().slice(0, 10),
  exchanges,
};
const dir = join(import.meta.dirname, '..', 'test', 'fixtures', 'protocol', 'v1');
for (const who of ['agent', 'server'])
  writeFileSync(join(dir, `${who}-${DEPOT_VERSION}.json`), `${JSON.stringify(file, null, 2)}\n`);
process.stdout.write(`recorded ${exchanges.length} exchanges of ${DEPOT_VERSION} in ${dir}\n`);
process.exit(0);
