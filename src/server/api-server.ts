// The HTTP API (/api/v1, spec §5) as a manager runnable on every replica (it
// needs no leadership: reads come from this replica's informer caches, and
// writes are made for a user). Each request: route → namespace served and
// caches synced → authentication (TokenReview) and authorization
// (SubjectAccessReview) → body (JSON, capped) → handler. Reads are cached per
// namespace change with strong ETags (If-None-Match → 304). Every failure is
// a JSON {error, message}; nothing is written on any error; a token is never
// logged.
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
  CLIENT_VERSION_HEADER,
  SERVER_VERSION_HEADER,
  type ErrorBody,
  type ServerInfo,
} from '../api/http.js';
import { Applications, EnvironmentSets, Environments, Promotions, Targets } from '../api/resources.js';
import { DEPOT_VERSION } from '../api/version.js';
import type { RuntimeDeps } from '../runtime/runtime-deps.js';
import { parseAddress } from '../runtime/health.js';
import type { Runnable } from '../runtime/runnable.js';
import { AgentContacts } from './agent-contacts.js';
import { KubeAccessReviewer, type AccessReviewer, type UserInfo } from './access-review.js';
import { HttpError, invalidInput, notFound } from './http-error.js';
import { openApiDocument } from './openapi.js';
import { DEFAULT_BODY_LIMIT, readJsonBody } from './request-body.js';
import { RepresentationCache, ifNoneMatch } from './representations.js';
import { routes as buildRoutes, type Route } from './routes.js';
import { readTls, watchTls, type TlsFiles } from './tls-files.js';
import { VersionWrites } from './version-writes.js';

export interface ApiServerOptions {
  /** "host:port", ":port" or "0" (off). */
  address: string;
  /** Reads without a token (writes always need one). */
  anonymousReads?: boolean;
  tls?: TlsFiles;
  /** How often the TLS files are checked for changes (default 2 s). */
  tlsReloadIntervalMs?: number;
  bodyLimitBytes?: number;
  /** Default: TokenReview + SubjectAccessReview through deps.client, cached briefly. */
  reviewer?: AccessReviewer;
  /** How often an agent's contact is written to its Target at most (keep it well below --agent-silence). */
  agentContactIntervalMs?: number;
}

export const apiServerDefaults = {
  address: ':8082',
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 60_000,
};

interface CompiledRoute {
  route: Route;
  re: RegExp;
  names: string[];
}

const NAMESPACED = new RegExp(`^${API_PREFIX}/namespaces/([^/]+)(/.*)$`);

export class ApiServer implements Runnable {
  readonly name = 'http-api';
  readonly needLeaderElection = false;
  private server: Server | HttpsServer | undefined;
  private stopWatchingTls: (() => void) | undefined;
  private readonly compiled: CompiledRoute[];
  private readonly openapi: Buffer;
  private readonly cache = new RepresentationCache();
  private readonly reviewer: AccessReviewer;
  private readonly contacts: AgentContacts;
  private readonly requests: Counter<'method' | 'route' | 'code'>;
  private readonly durations: Histogram<'method' | 'route'>;
  private listening: ((a: AddressInfo) => void) | undefined;
  /** Resolves with the address once listening (tests and logs). */
  readonly address: Promise<AddressInfo>;

  constructor(
    private readonly deps: RuntimeDeps,
    private readonly opts: ApiServerOptions,
  ) {
    this.reviewer = opts.reviewer ?? new KubeAccessReviewer(deps.client, { now: () => deps.clock.now() });
    const table = buildRoutes({
      informers: deps.informers,
      writes: new VersionWrites(deps),
    });
    this.compiled = table.map((route) => {
      const names: string[] = [];
      const pattern = route.path.replace(/\{([^}]+)\}/g, (_, n: string) => {
        names.push(n);
        return '([^/]+)';
      });
      return { route, re: new RegExp(`^${pattern}$`), names };
    });
    this.contacts = new AgentContacts(deps, opts.agentContactIntervalMs);
    this.openapi = Buffer.from(JSON.stringify(openApiDocument(table)));
    // Informers are created now, before the manager starts them, on every replica.
    for (const resource of [Applications, Environments, Targets, EnvironmentSets, Promotions]) {
      deps.informers.informer(resource).on(({ object }) => {
        const ns = object.metadata?.namespace;
        if (ns) this.cache.bump(ns);
      });
    }
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
    if (this.opts.tls) {
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
    this.deps.log.info(
      {
        address: `${address.address}:${address.port}`,
        tls: Boolean(this.opts.tls),
        anonymousReads: Boolean(this.opts.anonymousReads),
      },
      'HTTP API listening',
    );
    this.listening?.(address);
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    this.stopWatchingTls?.();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 2_000).unref();
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const method = req.method ?? 'GET';
    let routeLabel = 'unknown';
    let user: UserInfo | undefined;
    res.setHeader(SERVER_VERSION_HEADER, DEPOT_VERSION);
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const path = url.pathname;
      if (method === 'GET' && path === `${API_PREFIX}/openapi.json`) {
        routeLabel = 'openapi';
        return this.send(req, res, 200, this.openapi);
      }
      if (method === 'GET' && path === `${API_PREFIX}/version`) {
        routeLabel = 'version';
        const info: ServerInfo = { version: DEPOT_VERSION, protocol: API_PROTOCOL };
        return this.send(req, res, 200, Buffer.from(JSON.stringify(info)));
      }
      const { route, namespace, params } = this.match(method, path);
      routeLabel = route.path;
      user = await this.authenticate(req, route);
      this.checkServed(namespace);
      if (user) {
        const access = route.access({ namespace, params });
        const decision = await this.reviewer.authorize(user, access);
        if (!decision.allowed) {
          const what = `${access.resource}${access.subresource ? `/${access.subresource}` : ''}.depot.sh${access.name ? ` "${access.name}"` : ''}`;
          throw new HttpError(
            403,
            'Forbidden',
            `user "${user.username}" may not ${access.verb} ${what} in namespace ${namespace}${decision.reason ? `: ${decision.reason}` : ''}`,
          );
        }
      }
      let body: unknown;
      if (route.body) {
        const raw = await readJsonBody(req, {
          limit: this.opts.bodyLimitBytes ?? DEFAULT_BODY_LIMIT,
          optional: route.bodyOptional ?? false,
        });
        if (raw !== undefined) {
          const parsed = route.body.safeParse(raw);
          if (!parsed.success) throw invalidInput(parsed.error, 'body');
          body = parsed.data;
        }
      }
      const request = { namespace, params, query: url.searchParams, body, user: user?.username };
      const agentVersion = req.headers[CLIENT_VERSION_HEADER];
      if (route.path === '/targets/{target}/versions' && user && typeof agentVersion === 'string')
        this.contacts.record(namespace, params.target!, agentVersion, user.username);
      const asText = route.text !== undefined && prefersText(req.headers.accept);
      if (route.read) {
        const key = `${route.path}\n${path}\n${[...url.searchParams].sort().join('&')}${asText ? '\ntext' : ''}`;
        const rep = this.cache.get(namespace, key, () => {
          const answer = route.handle(request);
          return asText ? route.text!(answer) : JSON.stringify(answer);
        });
        res.setHeader('ETag', rep.etag);
        res.setHeader('Cache-Control', 'no-cache');
        if (route.text) res.setHeader('Vary', 'Accept');
        if (ifNoneMatch(req.headers['if-none-match'], rep.etag)) return this.send(req, res, 304);
        return this.send(req, res, 200, rep.body, asText ? 'text/plain; charset=utf-8' : undefined);
      }
      const answer = await route.handle(request);
      this.deps.log.info({ method, path, user: user?.username, status: 200, answer }, 'HTTP API write');
      return this.send(req, res, 200, Buffer.from(JSON.stringify(answer)));
    } catch (err) {
      const e =
        err instanceof HttpError
          ? err
          : new HttpError(500, 'InternalError', 'the request failed inside the server; see the operator log');
      if (!(err instanceof HttpError))
        this.deps.log.error({ err, method, route: routeLabel }, 'HTTP API: request failed');
      else if (method !== 'GET')
        this.deps.log.info(
          { method, path: req.url, user: user?.username, status: e.status, message: e.message },
          'HTTP API refused',
        );
      if (e.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
      if (e.status === 429 || e.status === 503) res.setHeader('Retry-After', '1');
      // A body may be left unread: do not keep the connection.
      if (method !== 'GET' && method !== 'HEAD') res.setHeader('Connection', 'close');
      const body: ErrorBody = { error: e.error, message: e.message };
      return this.send(req, res, e.status, Buffer.from(JSON.stringify(body)));
    } finally {
      this.requests.inc({ method, route: routeLabel, code: String(res.statusCode) });
      this.durations.observe({ method, route: routeLabel }, (performance.now() - started) / 1000);
    }
  }

  private match(
    method: string,
    path: string,
  ): { route: Route; namespace: string; params: Record<string, string> } {
    const m = NAMESPACED.exec(path);
    if (!m) throw notFound(`no such path ${path}: see ${API_PREFIX}/openapi.json`);
    const namespace = decode(m[1]!);
    let allowed: string[] = [];
    for (const c of this.compiled) {
      const pm = c.re.exec(m[2]!);
      if (!pm) continue;
      if (c.route.method !== method) {
        allowed.push(c.route.method);
        continue;
      }
      const params = Object.fromEntries(c.names.map((n, i) => [n, decode(pm[i + 1]!)]));
      return { route: c.route, namespace, params };
    }
    if (allowed.length > 0) {
      allowed = [...new Set(allowed)];
      throw new HttpError(
        405,
        'MethodNotAllowed',
        `${method} is not allowed on ${path} (allowed: ${allowed.join(', ')})`,
      );
    }
    throw notFound(`no such path ${path}: see ${API_PREFIX}/openapi.json`);
  }

  /** The namespace is watched by this operator and its caches are complete (never a partial answer). */
  private checkServed(namespace: string): void {
    if (this.deps.namespaces && !this.deps.namespaces.includes(namespace))
      throw notFound(
        `namespace ${namespace} is not served by this Depot operator (it watches ${this.deps.namespaces.join(', ')})`,
      );
    for (const resource of [Applications, Environments, Targets, EnvironmentSets, Promotions]) {
      if (!this.deps.informers.informer(resource).hasSynced())
        throw new HttpError(
          503,
          'Unavailable',
          'the caches of this replica are not synced yet; retry shortly',
        );
    }
  }

  private async authenticate(req: IncomingMessage, route: Route): Promise<UserInfo | undefined> {
    const header = req.headers.authorization;
    if (!header) {
      if (route.read && this.opts.anonymousReads) return undefined;
      throw new HttpError(
        401,
        'Unauthorized',
        route.read
          ? 'Authorization: Bearer <token> is required (anonymous reads are off)'
          : 'Authorization: Bearer <token> is required for writes',
      );
    }
    const m = /^Bearer +(\S+)\s*$/i.exec(header);
    if (!m) throw new HttpError(401, 'Unauthorized', 'the Authorization header must be "Bearer <token>"');
    const user = await this.reviewer.authenticate(m[1]!);
    if (!user)
      throw new HttpError(
        401,
        'Unauthorized',
        'the bearer token was not accepted by the Kubernetes API server',
      );
    return user;
  }

  private send(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    body?: Buffer,
    type = 'application/json',
  ): void {
    if (status === 304 || !body) {
      res.writeHead(status);
      res.end();
      return;
    }
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  }
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw notFound(`"${segment}" is not a valid path segment`);
  }
}

function prefersText(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((t) => t.split(';')[0]!.trim().toLowerCase());
  const text = types.indexOf('text/plain');
  const json = types.indexOf('application/json');
  return text >= 0 && (json < 0 || text < json);
}

function metric<T>(registry: Registry, name: string, make: (r: Registry) => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make(registry);
}
