// The HTTP API (/api/v1, docs/http-api.md) as a runnable on every replica
// (reads from this replica's caches; writes are made for a user). Each request
// runs the stages of stages.ts: match → authenticate → served → authorize →
// body → handle. Reads carry strong ETags (304); every failure is JSON
// {error, message}, writes nothing, and a token is never logged.
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Counter, Histogram, type Registry } from 'prom-client';
import {
  API_PREFIX,
  API_PROTOCOL,
  SERVER_VERSION_HEADER,
  type ErrorBody,
  type ServerInfo,
} from '../api/http.js';
import { DEPOT_VERSION } from '../api/version.js';
import type { RuntimeDeps } from '../runtime/runtime-deps.js';
import { parseAddress } from '../runtime/health.js';
import type { Runnable } from '../runtime/runnable.js';
import { AgentContacts } from './agent-contacts.js';
import { KubeAccessReviewer, type AccessReviewer, type UserInfo } from './access-review.js';
import { DashboardEndpoints } from './dashboard/endpoints.js';
import { DashboardFeed, type FeedOptions } from './dashboard/feed.js';
import { defaultUiDir, StaticUi } from './dashboard/static-ui.js';
import type { StreamOptions } from './dashboard/stream.js';
import { trustedProxies } from './client-address.js';
import type { KubeApi } from '../kube/client.js';
import type { ReviewCacheOptions } from './review-cache.js';
import type { ReviewLimits } from './review-admission.js';
import { HttpError } from './http-error.js';
import { openApiDocument } from './openapi.js';
import { DEFAULT_BODY_LIMIT } from './request-body.js';
import { RepresentationCache } from './representations.js';
import { routes as buildRoutes } from './routes.js';
import {
  agentContactStage,
  authenticateStage,
  authorizeStage,
  bodyStage,
  handleStage,
  matchStage,
  SERVED_RESOURCES,
  servedStage,
  type Exchange,
  type Reply,
  type Stage,
} from './stages.js';
import { readTls, watchTls, type TlsFiles } from './tls-files.js';
import { VersionWrites } from './version-writes.js';
import { CertificateSecret, type CertificateSecretOptions } from './api-certificate-secret.js';
import { shardApiCa } from './shard-api-ca.js';
import { shardProxyStage } from './shard-proxy.js';

export interface ApiServerOptions {
  /** "host:port", ":port" or "0" (off). */
  address: string;
  /** Reads without a token (writes always need one). */
  anonymousReads?: boolean;
  tls?: TlsFiles;
  /** A certificate this server issues itself and shares with the other replicas through a Secret. */
  tlsSecret?: CertificateSecretOptions;
  /** How often the TLS files are checked for changes (default 2 s). */
  tlsReloadIntervalMs?: number;
  bodyLimitBytes?: number;
  /** Bytes of read answers kept for ETags (default DEFAULT_REPRESENTATION_CACHE_BYTES). */
  cacheBytes?: number;
  /** Default: TokenReview + SubjectAccessReview through reviewClient, cached and limited. */
  reviewer?: AccessReviewer;
  /** The audiences a token must be made for (default depot); for the default reviewer. */
  tokenAudiences?: readonly string[];
  /** The client of the reviews, with a rate budget of its own (default: deps.client, the reconciles'). */
  reviewClient?: Pick<KubeApi, 'create'>;
  /** The review cache (bytes, lifetimes) and the limits of new reviews. */
  reviewCache?: Partial<Omit<ReviewCacheOptions, 'now'>>;
  reviewLimits?: ReviewLimits;
  /** CIDRs of proxies whose X-Forwarded-For names the client (for the per-address limit). */
  trustedProxies?: string[];
  /** How often an agent's contact is written to its Target at most (keep it well below --agent-silence). */
  agentContactIntervalMs?: number;
  /** Depot's admission policies are installed (--verified-actors): writes name the authenticated user in the actor stamps. */
  verifiedActors?: boolean;
  /** Shards: pass a request for another shard's namespace to it (ca: a PEM file, or `secret`: tlsSecret's ca.crt). */
  shardApi?: { urlTemplate: string; ca?: string };
  /** Serve the dashboard's page at / (--ui, default true); its API endpoints are always served. */
  ui?: boolean;
  /** Where the page is (default: dist/ui next to this code). */
  uiDir?: string;
  /** The dashboard's feed and streams (tests and benchmarks tune them). */
  dashboard?: { feed?: FeedOptions; stream?: StreamOptions };
  /**
   * `depot dashboard`: every request is this user (no token is read), authorized by `reviewer`
   * (SelfSubjectAccessReview with the user's credentials); Host and Origin must be the loopback address served.
   */
  local?: { user: UserInfo; reviewer: AccessReviewer };
}

export const apiServerDefaults = {
  address: ':8082',
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 60_000,
};

export class ApiServer implements Runnable {
  readonly name = 'http-api';
  readonly needLeaderElection = false;
  private server: Server | HttpsServer | undefined;
  private stopWatchingTls: (() => void) | undefined;
  /** Each request runs these in order, until one answers (stages.ts). */
  private readonly stages: Stage[];
  private readonly requests: Counter<'method' | 'route' | 'code'>;
  private readonly durations: Histogram<'method' | 'route'>;
  /** The dashboard's state, kept from the informers (its page and streams). */
  readonly feed: DashboardFeed;
  private readonly dashboard: DashboardEndpoints;
  private hosts: string[] = [];
  private listening: ((a: AddressInfo) => void) | undefined;
  /** Resolves with the address once listening (tests and logs). */
  readonly address: Promise<AddressInfo>;

  constructor(
    private readonly deps: RuntimeDeps,
    private readonly opts: ApiServerOptions,
  ) {
    const reviewer =
      opts.local?.reviewer ??
      opts.reviewer ??
      new KubeAccessReviewer(opts.reviewClient ?? deps.client, {
        audiences: opts.tokenAudiences,
        cache: opts.reviewCache,
        limits: opts.reviewLimits,
        now: () => deps.clock.now(),
      });
    const table = buildRoutes({
      informers: deps.informers,
      writes: new VersionWrites(deps, { verifiedActors: opts.verifiedActors }),
      now: () => new Date(deps.clock.now()),
    });
    const openapi = Buffer.from(JSON.stringify(openApiDocument(table)));
    const version = Buffer.from(
      JSON.stringify({ version: DEPOT_VERSION, protocol: API_PROTOCOL } satisfies ServerInfo),
    );
    const cache = new RepresentationCache({ maxBytes: opts.cacheBytes, registry: deps.metrics.registry });
    // Informers are created now, before the manager starts them, on every replica.
    for (const resource of SERVED_RESOURCES) {
      deps.informers.informer(resource).on(({ object }) => {
        const ns = object.metadata?.namespace;
        if (ns) cache.bump(ns);
      });
    }
    const proxies = trustedProxies(opts.trustedProxies ?? []);
    this.feed = new DashboardFeed(deps.informers, opts.dashboard?.feed);
    this.dashboard = new DashboardEndpoints(deps, this.feed, {
      reviewer,
      anonymousReads: opts.anonymousReads ?? false,
      trustedProxies: proxies,
      ui: opts.ui === false ? undefined : new StaticUi(opts.uiDir ?? defaultUiDir()),
      local: opts.local && { user: opts.local.user, hosts: () => this.hosts },
      stream: opts.dashboard?.stream,
    });
    this.stages = [
      matchStage(table, [
        { path: `${API_PREFIX}/openapi.json`, label: 'openapi', body: () => openapi },
        { path: `${API_PREFIX}/version`, label: 'version', body: () => version },
      ]),
      ...(deps.shard && opts.shardApi
        ? [
            shardProxyStage(deps.shard, {
              urlTemplate: opts.shardApi.urlTemplate,
              ca: shardApiCa(deps, opts.shardApi.ca, opts.tlsSecret),
            }),
          ]
        : []),
      authenticateStage(reviewer, opts.anonymousReads ?? false, proxies, opts.local?.user),
      servedStage(deps),
      authorizeStage(reviewer),
      agentContactStage(reviewer, new AgentContacts(deps, opts.agentContactIntervalMs), deps.log),
      bodyStage(opts.bodyLimitBytes ?? DEFAULT_BODY_LIMIT),
      handleStage({ cache, log: deps.log }),
    ];
    this.requests = metric(
      deps.metrics.registry,
      'depot_http_requests_total',
      (registry) =>
        new Counter({
          name: 'depot_http_requests_total',
          help: 'HTTP API requests per method, route and status code.',
          labelNames: ['method', 'route', 'code'] as const,
          registers: [registry],
        }),
    );
    this.durations = metric(
      deps.metrics.registry,
      'depot_http_request_duration_seconds',
      (registry) =>
        new Histogram({
          name: 'depot_http_request_duration_seconds',
          help: 'How long HTTP API requests took, per method and route.',
          labelNames: ['method', 'route'] as const,
          buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
          registers: [registry],
        }),
    );
    this.address = new Promise((resolve) => (this.listening = resolve));
  }

  async start(signal: AbortSignal): Promise<void> {
    const where = parseAddress(this.opts.address);
    if (!where) return;
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.serve(req, res);
    let server: Server | HttpsServer;
    if (this.opts.tlsSecret) {
      const https = await this.serveSecretCertificate(this.opts.tlsSecret, handler, signal);
      if (!https) return;
      server = https;
    } else if (this.opts.tls) {
      const https = createHttpsServer(readTls(this.opts.tls), handler);
      this.stopWatchingTls = watchTls(
        this.opts.tls,
        (pair) => https.setSecureContext(pair),
        this.deps.log,
        this.opts.tlsReloadIntervalMs,
      );
      server = https;
    } else {
      server = createHttpServer(handler);
    }
    server.headersTimeout = apiServerDefaults.headersTimeoutMs;
    server.requestTimeout = apiServerDefaults.requestTimeoutMs;
    server.keepAliveTimeout = apiServerDefaults.keepAliveTimeoutMs;
    server.timeout = apiServerDefaults.idleTimeoutMs;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(where.port, where.host, () => resolve());
    });
    const address = server.address() as AddressInfo;
    this.hosts = [`127.0.0.1:${address.port}`, `localhost:${address.port}`, `[::1]:${address.port}`];
    this.deps.log.info(
      {
        address: `${address.address}:${address.port}`,
        tls: this.opts.tlsSecret ? 'generated' : this.opts.tls ? 'files' : false,
        anonymousReads: Boolean(this.opts.anonymousReads),
      },
      'HTTP API listening',
    );
    if (!this.opts.tls && !this.opts.tlsSecret)
      this.deps.log.warn(
        'HTTP API: plain HTTP (no --api-tls-* flag): bearer tokens and answers cross the network in clear',
      );
    this.listening?.(address);
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    this.stopWatchingTls?.();
    this.feed.stop();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 2_000).unref();
    });
  }

  /**
   * An HTTPS server with the Secret's certificate (issued first when missing),
   * kept current in the background; undefined when stopped before the first one.
   */
  private async serveSecretCertificate(
    opts: CertificateSecretOptions,
    handler: (req: IncomingMessage, res: ServerResponse) => void,
    signal: AbortSignal,
  ): Promise<HttpsServer | undefined> {
    // Until the server exists the first pair is kept for it; later ones replace its context.
    const serving: { https?: HttpsServer } = {};
    let first: { cert: string; key: string } | undefined;
    const keeper = new CertificateSecret(this.deps.client, opts, this.deps.clock, this.deps.log, (pair) => {
      if (serving.https) serving.https.setSecureContext(pair);
      else first = pair;
    });
    while (!first) {
      try {
        await keeper.sync();
      } catch (err) {
        this.deps.log.error(
          { err: (err as Error).message, secret: keeper.where },
          'HTTP API: no TLS certificate yet; retrying in 5s',
        );
        await this.deps.clock.sleep(5_000, signal);
      }
      if (signal.aborted) return undefined;
    }
    serving.https = createHttpsServer(first, handler);
    void keeper.keep(signal);
    return serving.https;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const x: Exchange = { req, res, method: req.method ?? 'GET', routeLabel: 'unknown' };
    res.setHeader(SERVER_VERSION_HEADER, DEPOT_VERSION);
    try {
      const dashboard = await this.dashboard.serve(x);
      if (dashboard === 'streamed') return;
      if (dashboard) return this.send(req, res, dashboard);
      for (const stage of this.stages) {
        const reply = await stage(x);
        if (reply) return this.send(req, res, reply);
      }
      throw new Error('no stage of the HTTP API answered');
    } catch (err) {
      return this.send(req, res, this.refusal(x, err));
    } finally {
      this.requests.inc({ method: x.method, route: x.routeLabel, code: String(res.statusCode) });
      this.durations.observe({ method: x.method, route: x.routeLabel }, (performance.now() - started) / 1000);
    }
  }

  /** Any failure as the JSON error body; one not meant for the user (not an HttpError) is a logged 500. */
  private refusal(x: Exchange, err: unknown): Reply {
    const { req, res, method } = x;
    const e =
      err instanceof HttpError
        ? err
        : new HttpError(500, 'InternalError', 'the request failed inside the server; see the operator log');
    if (!(err instanceof HttpError))
      this.deps.log.error({ err, method, route: x.routeLabel }, 'HTTP API: request failed');
    else if (method !== 'GET')
      this.deps.log.info(
        { method, path: req.url, user: x.user?.username, status: e.status, message: e.message },
        'HTTP API refused',
      );
    if (e.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
    if (e.status === 429 || e.status === 503) res.setHeader('Retry-After', '1');
    // A body may be left unread: do not keep the connection.
    if (method !== 'GET' && method !== 'HEAD') res.setHeader('Connection', 'close');
    const body: ErrorBody = { error: e.error, message: e.message };
    return { status: e.status, body: Buffer.from(JSON.stringify(body)) };
  }

  private send(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
    const { status, body, type = 'application/json' } = reply;
    if (status === 304 || !body) {
      res.writeHead(status);
      res.end();
      return;
    }
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  }
}

function metric<T>(registry: Registry, name: string, make: (r: Registry) => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make(registry);
}
