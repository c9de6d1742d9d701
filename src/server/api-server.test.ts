// The HTTP API over loopback against in-memory caches (as the controllers'
// reconcile tests do) with a reviewer that answers from a table: routes,
// ETags, hardening and writes. test/integration/http-api.test.ts runs the
// same server in the operator with real tokens, TokenReview and
// SubjectAccessReview.
import {
  ApplicationListSchema,
  ApplicationViewSchema,
  PromotionListSchema,
  PromotionViewSchema,
  TargetVersionsSchema,
} from '../api/http.js';
import { Applications, EnvironmentSets, Environments, Promotions, Targets } from '../api/resources.js';
import { app, env, promotion, set, target } from '../core/testing/builders.js';
import { KubeApiError } from '../kube/errors.js';
import { createLogger } from '../runtime/log.js';
import { MemoryCluster } from '../runtime/testing/memory-cluster.js';
import { memoryDeps } from '../runtime/testing/memory-deps.js';
import type { Access, AccessReviewer, UserInfo } from './access-review.js';
import { ApiServer } from './api-server.js';

const users: Record<string, { user: UserInfo; may: (a: Access) => boolean }> = {
  'writer-token': { user: { username: 'ci-bot' }, may: () => true },
  'reader-token': { user: { username: 'viewer' }, may: (a) => a.verb !== 'patch' },
  'app-reader-token': {
    user: { username: 'app-viewer' },
    may: (a) => a.verb !== 'patch' && a.resource === 'applications',
  },
};
const reviewer: AccessReviewer = {
  authenticate: async (token) => users[token]?.user,
  authorize: async (user, access) => ({
    allowed: Object.values(users).some((u) => u.user.username === user.username && u.may(access)),
  }),
};

function world(): MemoryCluster {
  const cluster = new MemoryCluster();
  cluster.add(Environments, env('dev'), env('prod'));
  cluster.add(EnvironmentSets, set('default', ['dev', 'prod']));
  cluster.add(Targets, target('dev-1', 'dev'), target('prod-1', 'prod', { agent: {} }));
  cluster.add(
    Applications,
    app(
      'core',
      { versions: { dev: '1.0.0' } },
      {
        status: {
          environments: [
            { name: 'dev', requested: '1.0.0', desired: '1.0.0' },
            { name: 'prod', desired: '0.9.0' },
          ],
          targets: [
            { name: 'dev-1', environment: 'dev', desired: '1.0.0' },
            { name: 'prod-1', environment: 'prod', desired: '0.9.0', deployed: '0.9.0' },
          ],
        },
      },
    ),
  );
  cluster.add(
    Applications,
    app(
      'dash',
      {
        versions: { dev: '2.0.0' },
        compatibility: [{ when: '>=2.0.0', requires: { application: 'core', versions: '>=1.0.0' } }],
      },
      {
        status: {
          environments: [
            { name: 'dev', requested: '2.0.0', desired: '2.0.0' },
            { name: 'prod', desired: '1.0.0' },
          ],
        },
      },
    ),
  );
  cluster.add(
    Promotions,
    promotion(
      'to-prod',
      {
        from: 'dev',
        to: 'prod',
        gates: [
          { name: 'smoke', interval: '30s', http: { url: 'https://checks.example.com/depot' } },
          {
            name: 'errors',
            prometheus: { address: 'http://prom:9090', query: 'up', condition: '< 0.01' },
          },
        ],
      },
      {
        status: {
          results: [
            {
              application: 'core',
              version: '1.0.0',
              outcome: 'Blocked',
              reason: 'gate smoke failed: HTTP 500: down (asked again within 30s)',
              gates: [
                { name: 'smoke', result: 'Failed', message: 'HTTP 500: down', time: '2026-12-07T10:00:00Z' },
                { name: 'errors', result: 'Pending', message: 'not answered yet' },
              ],
            },
          ],
          conditions: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'Evaluated',
              message: '1 blocked',
              lastTransitionTime: '2026-12-07T10:00:00Z',
            },
          ],
        },
      },
    ),
  );
  return cluster;
}

let cluster: MemoryCluster;
let base: string;
let stop: AbortController;

let logged = '';

async function start(opts: { anonymousReads?: boolean } = {}) {
  cluster = world();
  logged = '';
  const deps = memoryDeps(cluster);
  deps.log = createLogger({
    level: 'debug',
    destination: { write: (line: string) => void (logged += line) },
  });
  const server = new ApiServer(deps, { address: '127.0.0.1:0', reviewer, ...opts });
  stop = new AbortController();
  void server.start(stop.signal);
  const a = await server.address;
  base = `http://127.0.0.1:${a.port}/api/v1`;
}

const ns = (path: string) => `${base}/namespaces/ns${path}`;
const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
const put = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(ns(path), {
    method: 'PUT',
    body,
    headers: { 'Content-Type': 'application/json', ...auth('writer-token'), ...headers },
  });

const errorOf = async (res: Response) => (await res.json()) as { error: string; message: string };

afterEach(() => stop?.abort());

describe('reads', () => {
  beforeEach(() => start());

  test('an application with its versions per environment and target', async () => {
    const res = await fetch(ns('/applications/core'), { headers: auth('reader-token') });
    expect(res.status).toBe(200);
    const body = ApplicationViewSchema.parse(await res.json());
    expect(body.environments.map((e) => [e.name, e.desired])).toEqual([
      ['dev', '1.0.0'],
      ['prod', '0.9.0'],
    ]);
    expect(body.targets.find((t) => t.name === 'prod-1')?.deployed).toBe('0.9.0');
    expect(
      ApplicationListSchema.parse(
        await (await fetch(ns('/applications'), { headers: auth('reader-token') })).json(),
      ).items.map((a) => a.name),
    ).toEqual(['core', 'dash']);
  });

  test('a strong ETag; If-None-Match gets 304 until something in the namespace changes', async () => {
    const first = await fetch(ns('/targets/prod-1/versions'), { headers: auth('reader-token') });
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(TargetVersionsSchema.parse(await first.json())).toMatchObject({
      target: 'prod-1',
      environment: 'prod',
      delivery: 'agent',
      items: [{ application: 'core', desired: '0.9.0', deployed: '0.9.0' }],
    });
    const again = await fetch(ns('/targets/prod-1/versions'), {
      headers: { ...auth('reader-token'), 'If-None-Match': etag },
    });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');

    await cluster.api.patch(
      Applications,
      'ns',
      'core',
      { status: { targets: [{ name: 'prod-1', desired: '1.0.0' }] } },
      { type: 'merge', subresource: 'status' },
    );
    const changed = await fetch(ns('/targets/prod-1/versions'), {
      headers: { ...auth('reader-token'), 'If-None-Match': etag },
    });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  test('unknown objects and paths are 404 with a JSON error naming them', async () => {
    for (const [path, message] of [
      ['/applications/nope', 'application "nope" not found in namespace ns'],
      ['/environments/qa/versions', 'environment "qa" not found in namespace ns'],
      ['/targets/nope/versions', 'target "nope" not found in namespace ns'],
    ] as const) {
      const res = await fetch(ns(path), { headers: auth('reader-token') });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(await res.json()).toEqual({ error: 'NotFound', message });
    }
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
  });

  test("promotions: gates by name and kind, each application's gate answers; unknown query parameters 400", async () => {
    const one = await fetch(ns('/promotions/to-prod'), { headers: auth('reader-token') });
    expect(one.status).toBe(200);
    const view = PromotionViewSchema.parse(await one.json());
    expect(view).toMatchObject({
      name: 'to-prod',
      from: 'dev',
      to: 'prod',
      suspended: false,
      ready: { status: 'True', reason: 'Evaluated' },
      gates: [
        { name: 'smoke', kind: 'http', interval: '30s' },
        { name: 'errors', kind: 'prometheus' },
      ],
    });
    // Where a gate calls is in the spec, not in the view.
    expect(JSON.stringify(view)).not.toContain('checks.example.com');
    expect(view.results[0]!.gates).toEqual([
      { name: 'smoke', result: 'Failed', message: 'HTTP 500: down', time: '2026-12-07T10:00:00Z' },
      { name: 'errors', result: 'Pending', message: 'not answered yet' },
    ]);
    const list = PromotionListSchema.parse(
      await (await fetch(ns('/promotions'), { headers: auth('reader-token') })).json(),
    );
    expect(list.items.map((p) => p.name)).toEqual(['to-prod']);
    const missing = await fetch(ns('/promotions/nope'), { headers: auth('reader-token') });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: 'NotFound',
      message: 'promotion "nope" not found in namespace ns',
    });
    const unknown = await fetch(ns('/promotions?limit=1'), { headers: auth('reader-token') });
    expect(unknown.status).toBe(400);
    expect((await errorOf(unknown)).message).toMatch(/^unknown query parameter "limit"/);
    // The same SubjectAccessReview as kubectl: get (one) or list (all) on promotions.
    for (const [path, verb] of [
      ['/promotions/to-prod', 'get promotions.depot.sh "to-prod"'],
      ['/promotions', 'list promotions.depot.sh'],
    ] as const) {
      const denied = await fetch(ns(path), { headers: auth('app-reader-token') });
      expect(denied.status).toBe(403);
      expect((await errorOf(denied)).message).toBe(`user "app-viewer" may not ${verb} in namespace ns`);
    }
  });

  test('history: limit and environment; a bad limit is 400 naming the field', async () => {
    const bad = await fetch(ns('/applications/core/history?limit=ten'), { headers: auth('reader-token') });
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).message).toMatch(/^limit: must be a whole number/);
  });

  test('compatibility: which known versions work with the given ones, as JSON or one per line', async () => {
    const res = await fetch(ns('/compatibility/dash?with=core@0.9.0'), { headers: auth('reader-token') });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      application: 'dash',
      with: ['core@0.9.0'],
      versions: ['1.0.0'],
      incompatible: [{ version: '2.0.0' }],
    });
    const text = await fetch(ns('/compatibility/dash?with=core@1.0.0'), {
      headers: { ...auth('reader-token'), Accept: 'text/plain' },
    });
    expect(text.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await text.text()).toBe('2.0.0\n1.0.0\n');
  });

  test('check: SUCCESS, or CONFLICT with the reasons; bad input 400 naming the field, unknown application 404', async () => {
    const ok = await fetch(ns('/check?app=core@1.0.0&app=dash@2.0.0'), { headers: auth('reader-token') });
    expect(await ok.json()).toMatchObject({ result: 'SUCCESS', reasons: [] });
    const conflict = await fetch(ns('/check?app=core@0.9.0&app=dash@2.0.0'), {
      headers: { ...auth('reader-token'), Accept: 'text/plain' },
    });
    const lines = (await conflict.text()).trim().split('\n');
    expect(lines[0]).toBe('CONFLICT');
    expect(lines[1]).toMatch(/dash 2\.0\.0 requires core >=1\.0\.0/);
    const bad = await fetch(ns('/check?app=core'), { headers: auth('reader-token') });
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).message).toBe('app: "core" is not APP@VERSION, e.g. core@1.11.0');
    const invalid = await fetch(ns('/check?app=core@main'), { headers: auth('reader-token') });
    expect(invalid.status).toBe(400);
    expect((await errorOf(invalid)).message).toMatch(/^app: core@main: "main" is not a semver version/);
    const unknown = await fetch(ns('/check?app=nope@1.0.0'), { headers: auth('reader-token') });
    expect(unknown.status).toBe(404);
  });

  test('the OpenAPI description lists every route with its schemas', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/namespaces/{ns}/applications',
        '/api/v1/namespaces/{ns}/applications/{app}/environments/{env}/version',
        '/api/v1/namespaces/{ns}/targets/{target}/versions',
        '/api/v1/namespaces/{ns}/check',
        '/api/v1/namespaces/{ns}/promotions',
        '/api/v1/namespaces/{ns}/promotions/{promotion}',
      ]),
    );
    const put = doc.paths['/api/v1/namespaces/{ns}/applications/{app}/environments/{env}/version']!.put as {
      requestBody: { content: { 'application/json': { schema: { $ref: string } } } };
    };
    expect(put.requestBody.content['application/json'].schema.$ref).toBe(
      '#/components/schemas/SetVersionBody',
    );
    const body = (
      doc as unknown as {
        components: {
          schemas: Record<string, { required: string[]; properties: { version: { pattern: string } } }>;
        };
      }
    ).components.schemas.SetVersionBody!;
    expect(body.required).toEqual(['version']);
    expect(new RegExp(body.properties.version.pattern).test('1.2.3')).toBe(true);
    // Every reference resolves, and no schema is only a reference to itself.
    const schemas = (doc as unknown as { components: { schemas: Record<string, unknown> } }).components
      .schemas;
    for (const [, name] of JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g))
      expect(schemas[name!]).toBeDefined();
    expect(schemas.Error).toMatchObject({ type: 'object', required: ['error', 'message'] });
  });
});

describe('authentication', () => {
  test('without a token reads are 401 unless anonymous reads are on; writes always need one', async () => {
    await start();
    const res = await fetch(ns('/applications'));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect((await errorOf(res)).error).toBe('Unauthorized');
    stop.abort();

    await start({ anonymousReads: true });
    expect((await fetch(ns('/applications'))).status).toBe(200);
    const write = await fetch(ns('/applications/core/environments/dev/version'), {
      method: 'PUT',
      body: '{"version":"1.1.0"}',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(write.status).toBe(401);
    expect(cluster.writes).toEqual([]);
  });

  test('an unknown token is 401; a user without the permission is 403 naming the verb and resource', async () => {
    await start();
    expect(
      (await put('/applications/core/environments/dev/version', '{"version":"1.1.0"}', auth('stolen')))
        .status,
    ).toBe(401);
    const denied = await put(
      '/applications/core/environments/dev/version',
      '{"version":"1.1.0"}',
      auth('reader-token'),
    );
    expect(denied.status).toBe(403);
    expect((await errorOf(denied)).message).toBe(
      'user "viewer" may not patch applications.depot.sh "core" in namespace ns',
    );
    expect(cluster.writes).toEqual([]);
  });
});

describe('writes', () => {
  beforeEach(() => start());

  test("set a version: server-side apply with the CLI's field manager naming the user", async () => {
    const res = await put('/applications/core/environments/prod/version', '{"version":"1.0.0"}');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      application: 'core',
      environment: 'prod',
      version: '1.0.0',
      fieldManager: 'depot-cli.prod.ci-bot',
    });
    expect(cluster.writes).toMatchObject([
      { verb: 'patch', patchType: 'apply', fieldManager: 'depot-cli.prod.ci-bot' },
    ]);
    expect(
      cluster.get<{ spec: { versions: Record<string, string> } }>(Applications, 'ns', 'core')!.spec.versions,
    ).toEqual({ dev: '1.0.0', prod: '1.0.0' });
  });

  test('report a deployed version and promote', async () => {
    expect((await put('/applications/core/targets/dev-1/deployed', '{"version":"1.0.0"}')).status).toBe(200);
    const promoted = await fetch(ns('/applications/core/environments/prod/promote'), {
      method: 'POST',
      headers: auth('writer-token'),
    });
    expect(promoted.status).toBe(200);
    expect(await promoted.json()).toMatchObject({
      environment: 'prod',
      version: '1.0.0',
      from: 'dev',
      fieldManager: 'depot-promote.prod.ci-bot',
    });
    expect(cluster.writes.map((w) => [w.subresource ?? 'spec', w.fieldManager])).toEqual([
      ['status', 'depot-cli.deployed.ci-bot'],
      ['spec', 'depot-promote.prod.ci-bot'],
    ]);
  });

  test.each([
    ['garbage', 'garbage', 400, /^body: not valid JSON/],
    ['a missing field', '{}', 400, /^version: is required$/],
    ['an unknown field', '{"version":"1.0.0","versoin":"x"}', 400, /^body: unknown field versoin$/],
    ['an invalid version', '{"version":"not a version"}', 400, /^version: must be a version/],
    [
      'a version that is not semver for a semver application',
      '{"version":"main"}',
      400,
      /^version: must be a semantic version/,
    ],
  ])('%s is 400 naming the field, and nothing is written', async (_, body, status, message) => {
    const res = await put('/applications/core/environments/dev/version', body);
    expect(res.status).toBe(status);
    expect((await errorOf(res)).message).toMatch(message);
    expect(cluster.writes).toEqual([]);
  });

  test('unknown environment or target is 404; wrong content type 415; oversized body 413', async () => {
    const env = await put('/applications/core/environments/qa/version', '{"version":"1.0.0"}');
    expect(env.status).toBe(404);
    expect((await errorOf(env)).message).toBe('qa is not an environment of core (dev, prod)');
    const tgt = await put('/applications/core/targets/nope/deployed', '{"version":"1.0.0"}');
    expect(tgt.status).toBe(404);
    const type = await put('/applications/core/environments/dev/version', 'version=1.0.0', {
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    expect(type.status).toBe(415);
    const big = await put(
      '/applications/core/environments/dev/version',
      JSON.stringify({ version: '1.0.0', pad: 'x'.repeat(70_000) }),
    );
    expect(big.status).toBe(413);
    expect((await errorOf(big)).error).toBe('PayloadTooLarge');
    expect(cluster.writes).toEqual([]);
  });

  test("a write the API server's admission refuses is 422 with its message", async () => {
    const patch = cluster.api.patch;
    cluster.api.patch = async () => {
      throw new KubeApiError(
        422,
        'Application.depot.sh "core" is invalid: spec.versions: Too many: 65',
        'Invalid',
      );
    };
    try {
      const res = await put('/applications/core/environments/dev/version', '{"version":"1.2.0"}');
      expect(res.status).toBe(422);
      expect(await errorOf(res)).toEqual({
        error: 'Invalid',
        message:
          'the API server refused the write of application "core": Application.depot.sh "core" is invalid: spec.versions: Too many: 65',
      });
    } finally {
      cluster.api.patch = patch;
    }
  });

  test('writes and refusals are logged with the user, never with the token', async () => {
    await put('/applications/core/environments/dev/version', '{"version":"1.3.0"}');
    await put('/applications/core/environments/dev/version', '{"version":"1.3.0"}', auth('stolen'));
    await put('/applications/core/environments/dev/version', 'garbage');
    expect(logged).toMatch(/"user":"ci-bot"/);
    expect(logged).toMatch(/"status":401/);
    expect(logged).not.toMatch(/writer-token|stolen/);
  });

  test('a method the path does not have is 405', async () => {
    const res = await fetch(ns('/applications/core'), { method: 'DELETE', headers: auth('writer-token') });
    expect(res.status).toBe(405);
  });
});
