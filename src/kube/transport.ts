// The one door to the API server for request/response calls: our KubeClient
// and client-node's typed APIs (Lease, Event) both send through it. It adds
// what client-node lacks: a client-side rate limit, API request metrics by
// verb/resource/code, and one shared connection pool (client-node builds a
// new undici Agent, hence a new TLS connection, for every request).
import type {
  Configuration,
  HttpLibrary,
  KubeConfig,
  RequestContext,
  ResponseContext,
} from '@kubernetes/client-node';
import {
  IsomorphicFetchHttpLibrary,
  ServerConfiguration,
  createConfiguration,
  wrapHttpLibrary,
} from './client-node.js';
import type { Clock } from './clock.js';
import type { TokenBucket } from './rate-limiter.js';
import { describeRequest } from './request-description.js';

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

/**
 * One undici connection pool shared by every request (or every watch) of a
 * manager. client-node's Agent negotiates HTTP/2 by ALPN (kube-apiserver
 * offers it first), so requests are multiplexed as streams over a few TLS
 * connections, up to the server's SETTINGS_MAX_CONCURRENT_STREAMS each
 * (kube-apiserver: 100 unless --http2-max-streams-per-connection says
 * otherwise); the Agent opens another connection when those are full. Over
 * HTTP/1.1 it opens one connection per request in flight (no limit), so a
 * long watch never makes another request wait for its connection.
 */
export class ConnectionPool {
  private dispatcher: Dispatcher | undefined;

  /** Makes the request use the pooled dispatcher (the first one seen becomes the pool). */
  adopt(ctx: RequestContext): void {
    const own = ctx.getDispatcher();
    if (!own) return;
    this.dispatcher ??= own;
    ctx.setDispatcher(this.dispatcher);
    if (own !== this.dispatcher) void own.close().catch(() => undefined);
  }

  /**
   * The kubeconfig as client-node's Watch sees it: credentials are still
   * applied per call (a bearer token, a token file or an exec plugin stay
   * fresh), but the connection comes from this pool instead of a new Agent.
   */
  authenticating(kubeConfig: KubeConfig): KubeConfig {
    const view = Object.create(kubeConfig) as KubeConfig;
    view.applySecurityAuthentication = async (ctx: RequestContext) => {
      await kubeConfig.applySecurityAuthentication(ctx);
      this.adopt(ctx);
    };
    return view;
  }

  /** Open connections and requests in flight (streams, over HTTP/2), summed over origins. */
  stats(): { connections: number; inFlight: number } {
    const byOrigin = (this.dispatcher as { stats?: Record<string, PoolCounts> } | undefined)?.stats ?? {};
    let connections = 0;
    let inFlight = 0;
    for (const s of Object.values(byOrigin)) {
      connections += s.connected ?? 0;
      inFlight += s.running ?? 0;
    }
    return { connections, inFlight };
  }

  async close(): Promise<void> {
    const d = this.dispatcher;
    this.dispatcher = undefined;
    if (d) await d.close().catch(() => undefined);
  }

  /** Closes at once, ending whatever is still in flight (close() waits for it: a watch never ends by itself). */
  async destroy(): Promise<void> {
    const d = this.dispatcher;
    this.dispatcher = undefined;
    if (d) await d.destroy().catch(() => undefined);
  }
}

/** The part of undici's PoolStats this reads (an Agent's `stats` has one per origin). */
interface PoolCounts {
  connected?: number;
  running?: number;
}

/** The API request metrics the transport records (prom-client's Counter and Histogram fit). */
export interface ApiMetrics {
  apiRequests: { inc(labels: { verb: string; resource: string; code: string }): void };
  apiRequestDuration: { observe(labels: { verb: string; resource: string }, seconds: number): void };
  rateLimitWait: { observe(seconds: number): void };
}

export interface ApiTransportOptions {
  kubeConfig: KubeConfig;
  /** Where request counts and latencies go (the runtime's Prometheus metrics). */
  metrics?: ApiMetrics;
  clock: Clock;
  /** Absent: no client-side limit (leader election uses that, so renewals never queue behind work). */
  limiter?: TokenBucket;
  pool?: ConnectionPool;
  userAgent?: string;
  /** A request with no answer after this long fails (a hung list must not stall an informer). */
  requestTimeoutMs?: number;
  /**
   * Runs right before a write (any verb but GET/HEAD) is sent, after the rate
   * limit's wait, and throws to refuse it: leadership's fence at dispatch.
   */
  writeFence?: (url: string) => void;
}

const READS = new Set<string>(['GET', 'HEAD']);

export class ApiTransport {
  readonly http: HttpLibrary;
  readonly pool: ConnectionPool;
  private readonly base = new IsomorphicFetchHttpLibrary();

  constructor(private readonly opts: ApiTransportOptions) {
    this.pool = opts.pool ?? new ConnectionPool();
    this.http = wrapHttpLibrary({ send: (ctx) => this.send(ctx) });
  }

  get kubeConfig(): KubeConfig {
    return this.opts.kubeConfig;
  }

  /** The same transport without the rate limit, sharing metrics and connections. */
  unlimited(opts: { requestTimeoutMs?: number } = {}): ApiTransport {
    return new ApiTransport({ ...this.opts, ...opts, limiter: undefined, pool: this.pool });
  }

  /** The same transport with a rate budget of its own, sharing metrics and connections. */
  withLimiter(limiter: TokenBucket): ApiTransport {
    return new ApiTransport({ ...this.opts, limiter, pool: this.pool });
  }

  /** The same transport (limit, metrics, connections shared) whose writes pass `fence` at dispatch. */
  fenced(fence: (url: string) => void): ApiTransport {
    return new ApiTransport({ ...this.opts, pool: this.pool, writeFence: fence });
  }

  /** A client-node Configuration for typed APIs: `new CoordinationV1Api(transport.configuration())`. */
  configuration(): Configuration {
    const cluster = this.opts.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    return createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: this.opts.kubeConfig },
      httpApi: this.http,
    });
  }

  /** Applies the kubeconfig's credentials to a request built by hand. */
  async authenticate(ctx: RequestContext): Promise<void> {
    await this.opts.kubeConfig.applySecurityAuthentication(ctx);
  }

  private async send(ctx: RequestContext): Promise<ResponseContext> {
    const { verb, resource } = describeRequest(ctx.getHttpMethod(), ctx.getUrl());
    // Before the rate limit's wait: a request waiting for its turn (up to a
    // thousand queued Events) must not hold the undici Agent client-node built for it.
    this.pool.adopt(ctx);
    if (this.opts.limiter) {
      const waitStart = this.opts.clock.now();
      await this.opts.limiter.acquire();
      this.opts.metrics?.rateLimitWait.observe((this.opts.clock.now() - waitStart) / 1000);
    }
    if (this.opts.writeFence && !READS.has(ctx.getHttpMethod())) this.opts.writeFence(ctx.getUrl());
    if (!ctx.getSignal()) ctx.setSignal(AbortSignal.timeout(this.opts.requestTimeoutMs ?? 60_000));
    if (this.opts.userAgent) ctx.setHeaderParam('User-Agent', this.opts.userAgent);
    const started = performance.now();
    try {
      const res = await this.base.send(ctx).toPromise();
      this.record(verb, resource, String(res.httpStatusCode), started);
      return res;
    } catch (err) {
      this.record(verb, resource, 'error', started);
      throw err;
    }
  }

  private record(verb: string, resource: string, code: string, started: number): void {
    this.opts.metrics?.apiRequests.inc({ verb, resource, code });
    this.opts.metrics?.apiRequestDuration.observe({ verb, resource }, (performance.now() - started) / 1000);
  }
}
