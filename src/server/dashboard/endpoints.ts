// The dashboard's endpoints on the HTTP API's server: the page at / (when
// --ui), GET /api/v1/dashboard/config, the event stream
// GET /api/v1/dashboard/events and
// GET /api/v1/namespaces/{ns}/dashboard/permissions. They authenticate with
// the API's bearer-token rules (stages.ts) and authorize with its reviewer.
// In `depot dashboard` (local) every request is the kubeconfig's user, and
// requests are refused unless their Host is the loopback address the server
// listens on (DNS rebinding) and, for writes, their Origin is that address (CSRF).
import type { BlockList } from 'node:net';
import {
  DASHBOARD_CONFIG_PATH,
  DASHBOARD_EVENTS_PATH,
  DashboardPermissionsSchema,
  type DashboardConfig,
} from '../../api/dashboard.js';
import { API_PREFIX } from '../../api/http.js';
import type { RuntimeDeps } from '../../runtime/runtime-deps.js';
import type { AccessReviewer, UserInfo } from '../access-review.js';
import { badRequest, HttpError, notFound } from '../http-error.js';
import { authenticateRequest, bearerToken, checkServed, type Exchange, type Reply } from '../stages.js';
import { permissions } from './access.js';
import type { DashboardFeed } from './feed.js';
import { PAGE_HEADERS, type StaticUi } from './static-ui.js';
import { serveStream, type StreamOptions } from './stream.js';

export interface DashboardEndpointsOptions {
  reviewer: AccessReviewer;
  anonymousReads: boolean;
  trustedProxies?: BlockList;
  /** The page; undefined: --ui=false (only the API endpoints). */
  ui?: StaticUi;
  /** `depot dashboard`: the kubeconfig's user, and the loopback host:port requests must name. */
  local?: { user: UserInfo; hosts: () => string[] };
  stream?: StreamOptions;
}

const PERMISSIONS = new RegExp(`^${API_PREFIX}/namespaces/([^/]+)/dashboard/permissions$`);

/** An answer, or the stream was served (the response is already written). */
export type DashboardReply = Reply | 'streamed';

export class DashboardEndpoints {
  constructor(
    private readonly deps: Pick<RuntimeDeps, 'namespaces' | 'informers'>,
    private readonly feed: DashboardFeed,
    private readonly opts: DashboardEndpointsOptions,
  ) {}

  /** Answers the dashboard's paths; undefined for the API's other paths. */
  async serve(x: Exchange): Promise<DashboardReply | undefined> {
    const url = new URL(x.req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (this.opts.local) this.checkLocalRequest(x);
    if (path === DASHBOARD_CONFIG_PATH) {
      x.routeLabel = 'dashboard/config';
      onlyGet(x);
      return json(this.config());
    }
    if (path === DASHBOARD_EVENTS_PATH) {
      x.routeLabel = 'dashboard/events';
      onlyGet(x);
      return this.events(x, url);
    }
    const m = PERMISSIONS.exec(path);
    if (m) {
      x.routeLabel = 'dashboard/permissions';
      onlyGet(x);
      return this.permissions(x, decodeURIComponent(m[1]!), url);
    }
    if (path.startsWith(`${API_PREFIX}/`) || path === API_PREFIX) return undefined;
    return this.page(x, path);
  }

  config(): DashboardConfig {
    if (this.opts.local)
      return {
        mode: 'local',
        user: this.opts.local.user.username,
        login: { tokenRequired: false, accepts: 'your kubeconfig credentials (depot dashboard runs as you)' },
      };
    const audiences = this.opts.reviewer.audiences ?? [];
    const first = audiences[0] ?? 'depot';
    return {
      mode: 'in-cluster',
      login: {
        tokenRequired: !this.opts.anonymousReads,
        accepts: `A Kubernetes bearer token made for the audience ${audiences.length > 1 ? `${audiences.join(' or ')}` : first} (kubectl create token <serviceaccount> --audience ${first}), or the Authorization header of an authenticating proxy in front of Depot. It is kept in this page's memory only.`,
      },
    };
  }

  private async viewer(x: Exchange) {
    const auth = await authenticateRequest(x.req, true, {
      reviewer: this.opts.reviewer,
      anonymousReads: this.opts.anonymousReads,
      trustedProxies: this.opts.trustedProxies,
      localUser: this.opts.local?.user,
    });
    x.user = auth.user;
    x.origin = auth.origin;
    return auth;
  }

  private async events(x: Exchange, url: URL): Promise<DashboardReply> {
    for (const name of url.searchParams.keys())
      if (name !== 'namespace')
        throw badRequest(
          `unknown query parameter ${JSON.stringify(name.slice(0, 64))}: the events take namespace`,
        );
    const viewer = await this.viewer(x);
    if (!this.feed.synced())
      throw new HttpError(503, 'Unavailable', 'the caches of this replica are not synced yet; retry shortly');
    const token = bearerToken(x.req);
    const { reviewer } = this.opts;
    await serveStream(x.req, x.res, this.feed, reviewer, viewer, url.searchParams.getAll('namespace'), {
      ...this.opts.stream,
      stillValid:
        token && !this.opts.local
          ? async () =>
              (await reviewer.authenticate(token, viewer.origin))?.username === viewer.user?.username
          : undefined,
    });
    return 'streamed';
  }

  private async permissions(x: Exchange, namespace: string, url: URL): Promise<DashboardReply> {
    for (const name of url.searchParams.keys())
      if (name !== 'application' && name !== 'promotion')
        throw badRequest(
          `unknown query parameter ${JSON.stringify(name.slice(0, 64))}: the permissions take application and promotion`,
        );
    const application = url.searchParams.get('application');
    if (!application) throw badRequest('application: required, e.g. ?application=core');
    const viewer = await this.viewer(x);
    checkServed(this.deps, namespace);
    const answer = await permissions(
      this.opts.reviewer,
      viewer,
      namespace,
      application,
      url.searchParams.get('promotion') ?? undefined,
    );
    return json(DashboardPermissionsSchema.parse(answer));
  }

  private page(x: Exchange, path: string): Reply {
    x.routeLabel = 'ui';
    const ui = this.opts.ui;
    if (!ui)
      throw notFound(`no such path ${path}: the dashboard is off (--ui=false); the API is at ${API_PREFIX}`);
    if (x.method !== 'GET' && x.method !== 'HEAD')
      throw new HttpError(
        405,
        'MethodNotAllowed',
        `${x.method} is not allowed on ${path} (allowed: GET, HEAD)`,
      );
    if (!ui.present)
      throw notFound(`the dashboard's page is not built in ${ui.dir}: run npm run build:ui (make build)`);
    const file = ui.file(path);
    if (!file) throw notFound(`no such path ${path}`);
    for (const [k, v] of Object.entries(PAGE_HEADERS)) x.res.setHeader(k, v);
    x.res.setHeader('ETag', file.etag);
    x.res.setHeader('Cache-Control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    if (x.req.headers['if-none-match'] === file.etag) return { status: 304 };
    return { status: 200, body: file.body, type: file.type };
  }

  /** DNS rebinding: the Host must be the loopback address served; CSRF: a write's Origin must be it too. */
  private checkLocalRequest(x: Exchange): void {
    const hosts = this.opts.local!.hosts();
    const host = x.req.headers.host ?? '';
    if (!hosts.includes(host))
      throw new HttpError(
        403,
        'Forbidden',
        `Host "${host.slice(0, 100)}" is not this dashboard (${hosts[0]}): refused to protect against DNS rebinding`,
      );
    if (x.method === 'GET' || x.method === 'HEAD') return;
    const origin = x.req.headers.origin;
    if (!origin || !hosts.some((h) => origin === `http://${h}`))
      throw new HttpError(
        403,
        'Forbidden',
        `a write must come from the dashboard's page (Origin http://${hosts[0]}), not ${origin ? `"${origin.slice(0, 100)}"` : 'without an Origin'}`,
      );
  }
}

function onlyGet(x: Exchange): void {
  if (x.method !== 'GET')
    throw new HttpError(405, 'MethodNotAllowed', `${x.method} is not allowed here (allowed: GET)`);
}

function json(value: unknown): Reply {
  return { status: 200, body: Buffer.from(JSON.stringify(value)) };
}
