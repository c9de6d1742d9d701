// The stages one at a time, on a bare exchange (api-server.test.ts runs them
// all over loopback): what each adds, and what each refuses with which status.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { AccessReviewer } from './access-review.js';
import { HttpError } from './http-error.js';
import type { Route } from './routes.js';
import type { AgentContacts } from './agent-contacts.js';
import { agentContactStage, authenticateStage, authorizeStage, matchStage, type Exchange } from './stages.js';

const route = (method: Route['method'], path: string, read = method === 'GET'): Route => ({
  method,
  path,
  summary: path,
  access: ({ namespace, params }) => ({
    verb: read ? 'get' : 'patch',
    resource: 'applications',
    namespace,
    ...(params.app ? { name: params.app } : {}),
  }),
  response: z.unknown(),
  read,
  handle: () => ({}),
});
const table = [
  {
    ...route('GET', '/applications/{app}/why'),
    alsoNeeds: ({ namespace }: { namespace: string }) => [
      { verb: 'list' as const, resource: 'promotions' as const, namespace },
    ],
  },
  {
    ...route('GET', '/applications/{app}'),
    query: { x: { description: 'x' }, w: { description: 'w', repeated: true } },
  },
  route('PUT', '/applications/{app}/versions/{env}'),
  route('GET', '/targets/{target}/versions'),
];
const fixed = [{ path: '/api/v1/version', label: 'version', body: () => Buffer.from('{}') }];

function exchange(method: string, url: string, headers: Record<string, string> = {}): Exchange {
  return {
    req: { url, headers, socket: { remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage,
    res: {} as ServerResponse,
    method,
    routeLabel: 'unknown',
  };
}

async function refusal(run: () => unknown): Promise<{ status: number; message: string }> {
  try {
    await run();
  } catch (err) {
    if (err instanceof HttpError) return { status: err.status, message: err.message };
    throw err;
  }
  throw new Error('the stage did not refuse');
}

describe('match', () => {
  const match = matchStage(table, fixed);

  test('a route: its namespace and decoded params, and its path as the metrics label', () => {
    const x = exchange('GET', '/api/v1/namespaces/team-a/applications/my%20app?x=1');
    expect(match(x)).toBeUndefined();
    expect(x.match).toMatchObject({ namespace: 'team-a', params: { app: 'my app' } });
    expect(x.match!.url.searchParams.get('x')).toBe('1');
    expect(x.routeLabel).toBe('/applications/{app}');
  });

  test('an unknown query parameter, or a single one given twice, is a 400 naming it', async () => {
    const base = '/api/v1/namespaces/team-a/applications/web';
    expect(await refusal(() => match(exchange('GET', `${base}?x=1&cachebuster=7`)))).toEqual({
      status: 400,
      message: 'unknown query parameter "cachebuster": GET /applications/{app} takes x, w',
    });
    expect(await refusal(() => match(exchange('PUT', `${base}/versions/prod?x=1`)))).toEqual({
      status: 400,
      message: 'unknown query parameter "x": PUT /applications/{app}/versions/{env} takes none',
    });
    expect(await refusal(() => match(exchange('GET', `${base}?x=1&x=2`)))).toEqual({
      status: 400,
      message: 'query parameter x is given more than once',
    });
    expect(await refusal(() => match(exchange('GET', `${base}?toString=1`)))).toMatchObject({ status: 400 });
    expect(match(exchange('GET', `${base}?w=1&w=2&x=3`))).toBeUndefined();
  });

  test('a fixed endpoint is answered at once to GET only', async () => {
    const x = exchange('GET', '/api/v1/version');
    expect(match(x)).toEqual({ status: 200, body: Buffer.from('{}') });
    expect(x.routeLabel).toBe('version');
    expect((await refusal(() => match(exchange('PUT', '/api/v1/version')))).status).toBe(404);
  });

  test('404 for an unknown path or a bad segment, 405 naming the methods the path has', async () => {
    expect(await refusal(() => match(exchange('GET', '/api/v1/namespaces/a/nothing')))).toEqual({
      status: 404,
      message: 'no such path /api/v1/namespaces/a/nothing: see /api/v1/openapi.json',
    });
    expect(
      (await refusal(() => match(exchange('GET', '/api/v1/namespaces/a/applications/%E0')))).status,
    ).toBe(404);
    expect(await refusal(() => match(exchange('POST', '/api/v1/namespaces/a/applications/core')))).toEqual({
      status: 405,
      message: 'POST is not allowed on /api/v1/namespaces/a/applications/core (allowed: GET)',
    });
  });
});

describe('authenticate and authorize', () => {
  const reviewer: AccessReviewer = {
    authenticate: async (token) => (token === 'good' ? { username: 'ci-bot' } : undefined),
    authorize: async (_user, access) =>
      access.verb === 'get' ? { allowed: true } : { allowed: false, reason: 'no RBAC rule' },
  };
  const matched = (method: string, url: string, headers: Record<string, string> = {}) => {
    const x = exchange(method, url, headers);
    matchStage(table, fixed)(x);
    return x;
  };
  const read = '/api/v1/namespaces/a/applications/core';
  const write = '/api/v1/namespaces/a/applications/core/versions/dev';

  test('anonymous reads only when allowed; writes always need a token', async () => {
    const x = matched('GET', read);
    expect(await authenticateStage(reviewer, true)(x)).toBeUndefined();
    expect(x.user).toBeUndefined();
    expect((await refusal(() => authenticateStage(reviewer, false)(matched('GET', read)))).status).toBe(401);
    expect(await refusal(() => authenticateStage(reviewer, true)(matched('PUT', write)))).toEqual({
      status: 401,
      message: 'Authorization: Bearer <token> is required for writes',
    });
  });

  test('a token the API server does not accept, or not a bearer token, is 401', async () => {
    const bad = matched('GET', read, { authorization: 'Bearer nope' });
    expect((await refusal(() => authenticateStage(reviewer, true)(bad))).status).toBe(401);
    const basic = matched('GET', read, { authorization: 'Basic abc' });
    expect((await refusal(() => authenticateStage(reviewer, true)(basic))).message).toBe(
      'the Authorization header must be "Bearer <token>"',
    );
  });

  test('the user is asked for the access the route maps to; a refusal is 403 naming it', async () => {
    const x = matched('PUT', write, { authorization: 'Bearer good' });
    await authenticateStage(reviewer, false)(x);
    expect(x.user).toEqual({ username: 'ci-bot' });
    expect(await refusal(() => authorizeStage(reviewer)(x))).toEqual({
      status: 403,
      message: 'user "ci-bot" may not patch applications.depot.sh "core" in namespace a: no RBAC rule',
    });
    const r = matched('GET', read, { authorization: 'Bearer good' });
    await authenticateStage(reviewer, false)(r);
    expect(await authorizeStage(reviewer)(r)).toBeUndefined();
  });

  test('a route that also shows other kinds needs each of their reads too', async () => {
    const x = matched('GET', '/api/v1/namespaces/a/applications/core/why', { authorization: 'Bearer good' });
    await authenticateStage(reviewer, false)(x);
    expect(await refusal(() => authorizeStage(reviewer)(x))).toEqual({
      status: 403,
      message: 'user "ci-bot" may not list promotions.depot.sh in namespace a: no RBAC rule',
    });
  });
});

describe('agent contacts', () => {
  const poll = '/api/v1/namespaces/a/targets/edge-1/versions';
  const run = async (user: string, headers: Record<string, string>) => {
    const asked: unknown[] = [];
    const recorded: unknown[][] = [];
    const reviewer: AccessReviewer = {
      authenticate: async () => ({ username: user }),
      authorize: async (u, access, origin) => {
        asked.push({ access, origin });
        return { allowed: u.username === 'agent' && access.name === 'edge-1' };
      },
    };
    const contacts = { record: (...args: unknown[]) => recorded.push(args) } as unknown as AgentContacts;
    const x = exchange('GET', poll, { authorization: 'Bearer t', ...headers });
    matchStage(table, fixed)(x);
    await authenticateStage(reviewer, false)(x);
    expect(agentContactStage(reviewer, contacts, { debug: () => undefined } as never)(x)).toBeUndefined();
    await new Promise((r) => setImmediate(r));
    return { asked, recorded };
  };

  test('a poll with depot-client-version is recorded only for a user who may report for that Target', async () => {
    const agent = await run('agent', { 'depot-client-version': '0.1.0' });
    expect(agent.asked).toEqual([
      {
        access: {
          verb: 'update',
          resource: 'targets',
          subresource: 'report',
          namespace: 'a',
          name: 'edge-1',
        },
        origin: { address: '127.0.0.1', tokenHash: expect.any(String) },
      },
    ]);
    expect(agent.recorded).toEqual([['a', 'edge-1', '0.1.0', 'agent']]);
    expect((await run('viewer', { 'depot-client-version': '0.1.0' })).recorded).toEqual([]);
    expect(await run('agent', {})).toEqual({ asked: [], recorded: [] });
  });
});
