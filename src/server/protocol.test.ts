// Old × new, server side: the requests every released agent sent
// (test/fixtures/protocol/v1/agent-*.json) replayed against the current
// server on the same hub state: each gets the status it got then, and an
// answer that holds everything the old agent read (fields are only added
// within v1). A recorded 304 may become 200 when the representation grew.
import { recordings } from '../../test/fixtures/protocol/recordings.js';
import { AGENT_TOKEN, AGENT_USER, HUB_NAMESPACE, protocolWorld } from '../../test/fixtures/protocol/world.js';
import { memoryDeps } from '../runtime/testing/memory-deps.js';
import { ApiServer } from './api-server.js';

describe.each(recordings('agent').map((r) => [r.version, r] as const))('requests of a %s agent', (_, rec) => {
  test('are served by the current server', async () => {
    const server = new ApiServer(memoryDeps(protocolWorld()), {
      address: '127.0.0.1:0',
      reviewer: {
        authenticate: async (token) => (token === AGENT_TOKEN ? { username: AGENT_USER } : undefined),
        authorize: async () => ({ allowed: true }),
      },
    });
    const stop = new AbortController();
    void server.start(stop.signal);
    try {
      const { port } = await server.address;
      for (const ex of rec.exchanges) {
        const res = await fetch(
          `http://127.0.0.1:${port}/api/v1/namespaces/${HUB_NAMESPACE}${ex.request.path}`,
          {
            method: ex.request.method,
            headers: { ...ex.request.headers, Authorization: `Bearer ${AGENT_TOKEN}` },
            ...(ex.request.body === undefined ? {} : { body: JSON.stringify(ex.request.body) }),
          },
        );
        const text = await res.text();
        const what = `${ex.step}: ${ex.request.method} ${ex.request.path}`;
        if (ex.response.status === 304) {
          expect({ what, status: res.status === 200 ? 304 : res.status }).toEqual({ what, status: 304 });
          continue;
        }
        expect({ what, status: res.status }).toEqual({ what, status: ex.response.status });
        expect(JSON.parse(text)).toMatchObject(ex.response.body as object);
      }
    } finally {
      stop.abort();
    }
  });
});
