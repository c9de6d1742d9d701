// The dashboard's endpoints over loopback against in-memory caches, with a
// reviewer answering from a table (as api-server.test.ts): the stream's
// snapshot, deltas, ids and resume, per-user namespaces, permissions, the
// page's headers, and the local mode's Host and Origin checks.
// test/ui/ runs the same server in the operator against a real cluster.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DashboardConfigSchema,
  DashboardDeltasSchema,
  DashboardPermissionsSchema,
  DashboardSnapshotSchema,
  type DashboardDelta,
  type DashboardSnapshot,
} from '../../api/dashboard.js';
import type { Application } from '../../api/application.js';
import { Applications, EnvironmentSets, Environments, Promotions } from '../../api/resources.js';
import { app, env, promotion, set } from '../../core/testing/builders.js';
import { MemoryCluster } from '../../runtime/testing/memory-cluster.js';
import { memoryDeps } from '../../runtime/testing/memory-deps.js';
import type { Access, AccessReviewer, UserInfo } from '../access-review.js';
import { ApiServer, type ApiServerOptions } from '../api-server.js';
import { followSse, type SseEvent } from '../../client/sse-events.js';

const users: Record<string, { user: UserInfo; may: (a: Access) => boolean }> = {
  'admin-token': { user: { username: 'admin' }, may: () => true },
  'viewer-token': { user: { username: 'viewer' }, may: (a) => a.verb !== 'patch' && a.namespace === 'ns' },
  'rows-token': {
    user: { username: 'rows-only' },
    may: (a) => a.verb !== 'patch' && a.resource === 'applications',
  },
};
const reviews: Access[] = [];
const reviewer: AccessReviewer = {
  audiences: ['depot'],
  authenticate: async (token) => users[token]?.user,
  authorize: async (user, access) => {
    reviews.push(access);
    const entry = Object.values(users).find((u) => u.user.username === user.username);
    return entry?.may(access) ? { allowed: true } : { allowed: false, reason: 'no RBAC rule' };
  },
};

const status = (desired: string): Application['status'] => ({
  environments: [
    { name: 'dev', requested: desired, desired },
    { name: 'prod', desired: '0.9.0' },
  ],
});

function world(): MemoryCluster {
  const c = new MemoryCluster();
  c.add(Environments, env('dev'), env('prod'));
  c.add(EnvironmentSets, set('default', ['dev', 'prod']));
  c.add(Applications, app('core', { versions: { dev: '1.0.0' } }, { status: status('1.0.0') }));
  c.add(Promotions, promotion('to-prod', { from: 'dev', to: 'prod' }));
  // Another namespace the viewer may not read.
  c.add(Applications, {
    ...app('secret', {}, { status: status('3.0.0') }),
    metadata: { name: 'secret', namespace: 'other', generation: 1 },
  } as Application);
  return c;
}

let cluster: MemoryCluster;
let server: ApiServer;
let origin: string;
let stop: AbortController;

async function start(opts: Partial<ApiServerOptions> = {}) {
  cluster = world();
  server = new ApiServer(memoryDeps(cluster), {
    address: '127.0.0.1:0',
    reviewer,
    dashboard: { feed: { coalesceMs: 1 } },
    ...opts,
  });
  stop = new AbortController();
  void server.start(stop.signal);
  const a = await server.address;
  origin = `http://127.0.0.1:${a.port}`;
}
afterEach(() => stop?.abort());

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Opens the stream and collects its events; `until` waits for one matching. */
async function stream(token: string, query = '', headers: Record<string, string> = {}) {
  const abort = new AbortController();
  const res = await fetch(`${origin}/api/v1/dashboard/events${query}`, {
    headers: { ...auth(token), ...headers },
    signal: abort.signal,
  });
  const events: SseEvent[] = [];
  const waiters: { match: (e: SseEvent) => boolean; resolve: (e: SseEvent) => void }[] = [];
  const done = res.ok
    ? followSse(res.body!, (e) => {
        events.push(e);
        for (const w of waiters.splice(0)) {
          if (w.match(e)) w.resolve(e);
          else waiters.push(w);
        }
      })
    : Promise.resolve();
  return {
    res,
    events,
    until: (match: (e: SseEvent) => boolean) =>
      new Promise<SseEvent>((resolve) => {
        const seen = events.find(match);
        if (seen) resolve(seen);
        else waiters.push({ match, resolve });
      }),
    close: async () => {
      abort.abort();
      await done.catch(() => undefined);
    },
  };
}

const snapshotOf = (e: SseEvent): DashboardSnapshot => DashboardSnapshotSchema.parse(JSON.parse(e.data));
const deltasOf = (e: SseEvent): DashboardDelta[] => DashboardDeltasSchema.parse(JSON.parse(e.data));

function setDev(version: string) {
  const current = cluster.get<Application>(Applications, 'ns', 'core')!;
  cluster.add(Applications, { ...structuredClone(current), status: status(version) });
}

describe('the event stream', () => {
  beforeEach(() => start());

  it('refuses a request without a token with the API rule, as JSON', async () => {
    const res = await fetch(`${origin}/api/v1/dashboard/events`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'Unauthorized' });
  });

  it('sends a snapshot of the namespaces the user may read, then one row delta per change', async () => {
    const s = await stream('viewer-token');
    expect(s.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(s.res.headers.get('x-accel-buffering')).toBe('no');
    const first = await s.until((e) => e.event === 'snapshot');
    const snap = snapshotOf(first);
    expect(snap.namespaces.map((n) => n.namespace)).toEqual(['ns']);
    expect(snap.namespaces[0]!.environments).toEqual(['dev', 'prod']);
    expect(snap.namespaces[0]!.promotions.map((p) => p.name)).toEqual(['to-prod']);
    expect(snap.rows.map((r) => `${r.namespace}/${r.name}`)).toEqual(['ns/core']);
    expect(first.id).toMatch(/^[0-9a-f]+\.\d+$/);

    setDev('1.1.0');
    const next = await s.until((e) => e.event === 'delta');
    const deltas = deltasOf(next);
    expect(deltas).toHaveLength(1);
    expect(deltas[0]).toMatchObject({
      op: 'row',
      row: { name: 'core', cells: { dev: { desired: '1.1.0' } } },
    });
    expect(next.data.length).toBeLessThan(1024);
    const [epoch, seq] = first.id!.split('.');
    expect(next.id).toBe(`${epoch}.${Number(seq) + 1}`);
    await s.close();
  });

  it('never sends rows of a namespace the user may not read', async () => {
    const s = await stream('viewer-token');
    await s.until((e) => e.event === 'snapshot');
    cluster.add(Applications, {
      ...app('secret', {}, { status: status('3.1.0') }),
      metadata: { name: 'secret', namespace: 'other', generation: 2 },
    } as Application);
    setDev('1.2.0');
    const d = await s.until((e) => e.event === 'delta');
    expect(deltasOf(d).map((x) => (x.op === 'row' ? x.row.namespace : x.op))).toEqual(['ns']);
    await s.close();
  });

  it('leaves out the Promotions of a user who may list only Applications', async () => {
    const s = await stream('rows-token', '?namespace=ns');
    const snap = snapshotOf(await s.until((e) => e.event === 'snapshot'));
    expect(snap.namespaces).toEqual([{ namespace: 'ns', environments: ['dev', 'prod'], promotions: [] }]);
    await s.close();
  });

  it('resumes after a known id with the deltas since, and sends a snapshot for an unknown one', async () => {
    const s = await stream('admin-token');
    const snap = await s.until((e) => e.event === 'snapshot');
    await s.close();
    setDev('1.3.0');
    await new Promise((r) => setTimeout(r, 20));
    const resumed = await stream('admin-token', '', { 'Last-Event-ID': snap.id! });
    const first = await resumed.until(() => true);
    expect(first.event).toBe('delta');
    expect(deltasOf(first)[0]).toMatchObject({ op: 'row', row: { cells: { dev: { desired: '1.3.0' } } } });
    await resumed.close();
    const fresh = await stream('admin-token', '', { 'Last-Event-ID': 'cafe.12' });
    expect((await fresh.until(() => true)).event).toBe('snapshot');
    await fresh.close();
  });

  it('shows a namespace that appears later to a user who may read it, in full', async () => {
    const s = await stream('admin-token');
    await s.until((e) => e.event === 'snapshot');
    cluster.add(Applications, {
      ...app('web', {}, { status: status('5.0.0') }),
      metadata: { name: 'web', namespace: 'late', generation: 1 },
    } as Application);
    const d = await s.until((e) => e.event === 'delta' && e.data.includes('"late"'));
    expect(deltasOf(d).map((x) => x.op)).toEqual(['namespace', 'row']);
    await s.close();
  });
});

describe('config and permissions', () => {
  beforeEach(() => start());

  it('says a token is needed and which', async () => {
    const config = DashboardConfigSchema.parse(
      await (await fetch(`${origin}/api/v1/dashboard/config`)).json(),
    );
    expect(config).toMatchObject({ mode: 'in-cluster', login: { tokenRequired: true } });
    expect(config.login.accepts).toContain('--audience depot');
  });

  it('answers each action from a review of the route it calls, with the reason when refused', async () => {
    const url = `${origin}/api/v1/namespaces/ns/dashboard/permissions?application=core&promotion=to-prod`;
    reviews.length = 0;
    const viewer = DashboardPermissionsSchema.parse(
      await (await fetch(url, { headers: auth('viewer-token') })).json(),
    );
    expect(viewer.actions.setVersion).toEqual({
      allowed: false,
      reason: 'user "viewer" may not patch applications.depot.sh "core" in namespace ns: no RBAC rule',
    });
    expect(viewer.actions.approve.reason).toContain('patch promotions.depot.sh "to-prod"');
    expect(reviews).toContainEqual({
      verb: 'patch',
      resource: 'promotions',
      namespace: 'ns',
      name: 'to-prod',
    });
    const admin = DashboardPermissionsSchema.parse(
      await (await fetch(url, { headers: auth('admin-token') })).json(),
    );
    expect(Object.values(admin.actions).every((a) => a.allowed)).toBe(true);
    const missing = await fetch(`${origin}/api/v1/namespaces/ns/dashboard/permissions`, {
      headers: auth('admin-token'),
    });
    expect(missing.status).toBe(400);
  });
});

describe('the page', () => {
  function builtUi(): string {
    const dir = mkdtempSync(join(tmpdir(), 'depot-ui-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(
      join(dir, 'index.html'),
      '<!doctype html><script type="module" src="./assets/app-abc123.js"></script>',
    );
    writeFileSync(join(dir, 'assets', 'app-abc123.js'), 'console.log(1)');
    return dir;
  }

  it('serves index.html and hashed assets under a strict CSP, the assets immutable', async () => {
    await start({ uiDir: builtUi() });
    const page = await fetch(`${origin}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const asset = await fetch(`${origin}/assets/app-abc123.js`);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await asset.text()).toBe('console.log(1)');
    expect((await fetch(`${origin}/assets/../../etc/passwd`)).status).toBe(404);
    expect(
      (await fetch(`${origin}/`, { headers: { 'If-None-Match': page.headers.get('etag')! } })).status,
    ).toBe(304);
  });

  it('is off with --no-ui, while the API answers', async () => {
    await start({ uiDir: builtUi(), ui: false });
    const res = await fetch(`${origin}/`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { message: string }).message).toContain('--ui=false');
    expect((await fetch(`${origin}/api/v1/version`)).status).toBe(200);
  });
});

describe('depot dashboard (local)', () => {
  beforeEach(() => start({ local: { user: { username: 'alice' }, reviewer } }));

  it('acts as the kubeconfig user without a token', async () => {
    const config = DashboardConfigSchema.parse(
      await (await fetch(`${origin}/api/v1/dashboard/config`)).json(),
    );
    expect(config).toMatchObject({ mode: 'local', user: 'alice', login: { tokenRequired: false } });
  });

  it('refuses another Host (DNS rebinding) and a write from another Origin (CSRF)', async () => {
    const { port } = await server.address;
    const { request } = await import('node:http');
    const status = (method: string, path: string, headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end(method === 'GET' ? undefined : '{"version":"1.0.1"}');
      });
    const write = '/api/v1/namespaces/ns/applications/core/environments/dev/version';
    expect(await status('GET', '/api/v1/dashboard/config', { Host: 'evil.example:80' })).toBe(403);
    expect(await status('GET', '/api/v1/dashboard/config', { Host: `localhost:${port}` })).toBe(200);
    expect(
      await status('PUT', write, {
        Host: `127.0.0.1:${port}`,
        Origin: 'http://evil.example',
        'Content-Type': 'application/json',
      }),
    ).toBe(403);
    expect(
      await status('PUT', write, { Host: `127.0.0.1:${port}`, 'Content-Type': 'application/json' }),
    ).toBe(403);
  });
});
