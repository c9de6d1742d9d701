// client-node's Watch, hardened for ListWatch: asks for bookmarks (a quiet
// resource rarely needs a relist), refuses to connect once stopped, keeps a
// throwing callback from becoming an unhandled rejection, goes through the rate
// limiter and the request metrics, can trim each object before it is cached,
// and sends its stream through the manager's watch pool (HTTP/2 streams over a
// few shared connections) instead of a TLS connection of its own per watch.
import type { KubeConfig } from '@kubernetes/client-node';
import { Watch } from '../kube/client-node.js';
import { statusCodeOf } from '../kube/errors.js';
import type { ConnectionPool } from '../kube/transport.js';
import type { RuntimeMetrics } from './metrics.js';
import type { TokenBucket } from '../kube/rate-limiter.js';
import type { KubeObject } from '../kube/resource.js';

/**
 * How long a watch may receive nothing before it is dropped and reconnected
 * (client-node's Watch: 30 s; the same value bounds the wait for the
 * response). Longer than the API server's bookmark period (about a minute,
 * k8s.io/apiserver's cacher), so a quiet watch stays one stream: with 30 s,
 * the 5,003 watches of a shard of 1,000 namespaces would reconnect about 167
 * times a second, and did at 99.7 (bench/shard-watches.ts): the manager's
 * whole 100 QPS budget. A dead connection is still found within this time
 * by every stream on it.
 */
export const watchInactivityTimeoutMs = 90_000;

type WatchCallback = (phase: string, apiObj: unknown, watchObj?: unknown) => void;

export class GuardedWatch extends Watch {
  private stopped = false;

  constructor(
    kubeConfig: KubeConfig,
    private readonly hooks: {
      resource: string;
      metrics: RuntimeMetrics;
      limiter?: TokenBucket;
      onCallbackError: (err: unknown) => void;
      /** Applied to each decoded object before the callback (the informer's cache transform). */
      transform?: (obj: KubeObject) => KubeObject;
      /**
       * Where the stream's connection comes from (shared by every watch of a
       * manager). Absent: client-node's own, a new Agent per watch.
       */
      pool?: ConnectionPool;
      inactivityTimeoutMs?: number;
    },
  ) {
    super(hooks.pool ? hooks.pool.authenticating(kubeConfig) : kubeConfig);
    // client-node keeps it in a field its typings call private.
    (this as unknown as { requestTimeoutMs: number }).requestTimeoutMs =
      hooks.inactivityTimeoutMs ?? watchInactivityTimeoutMs;
  }

  stop(): void {
    this.stopped = true;
  }

  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: WatchCallback,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    if (this.stopped) return new AbortController();
    await this.hooks.limiter?.acquire();
    if (this.stopped) return new AbortController();
    const transform = this.hooks.transform;
    const guarded: WatchCallback = (phase, obj, watchObj) => {
      try {
        const kept = transform && phase !== 'ERROR' && isObject(obj) ? transform(obj) : obj;
        const result: unknown = callback(phase, kept, watchObj);
        if (result instanceof Promise) result.catch(this.hooks.onCallbackError);
      } catch (err) {
        this.hooks.onCallbackError(err);
      }
    };
    let connecting = true;
    let failure: unknown;
    const started = performance.now();
    let controller: AbortController;
    try {
      controller = await super.watch(
        path,
        { ...queryParams, allowWatchBookmarks: true },
        guarded,
        (err: unknown) => {
          if (connecting) failure = err ?? new Error('closed while connecting');
          done(err);
        },
      );
      // Stopped while connecting: ListWatch has no controller to abort yet,
      // and a stream left open would also keep the shared pool from closing.
      if (this.stopped) controller.abort();
    } catch (err) {
      // e.g. credentials could not be loaded: report it like a failed connect,
      // never as a rejection ListWatch would leave unhandled.
      failure = err;
      controller = new AbortController();
      done(err);
    }
    connecting = false;
    const code = failure === undefined ? '200' : String(statusCodeOf(failure) ?? 'error');
    this.hooks.metrics.apiRequests.inc({ verb: 'watch', resource: this.hooks.resource, code });
    this.hooks.metrics.apiRequestDuration.observe(
      { verb: 'watch', resource: this.hooks.resource },
      (performance.now() - started) / 1000,
    );
    return controller;
  }
}

function isObject(value: unknown): value is KubeObject {
  return typeof value === 'object' && value !== null;
}
