// Prometheus metrics of the runtime, in one registry per manager (never the
// global one, so several managers can live in one process, as in tests).
// Names follow controller-runtime's, under the depot_ prefix.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class RuntimeMetrics {
  readonly registry = new Registry();

  readonly reconcileTotal = new Counter({
    name: 'depot_reconcile_total',
    help: 'Reconciles per controller and result (success, requeue_after, error, terminal).',
    labelNames: ['controller', 'result'] as const,
    registers: [this.registry],
  });
  readonly reconcileErrors = new Counter({
    name: 'depot_reconcile_errors_total',
    help: 'Reconciles that failed (threw) per controller.',
    labelNames: ['controller'] as const,
    registers: [this.registry],
  });
  readonly reconcileTerminalErrors = new Counter({
    name: 'depot_reconcile_terminal_errors_total',
    help: 'Reconciles that failed in a way retrying cannot fix (e.g. a write rejected as invalid), reported once and not retried, per controller.',
    labelNames: ['controller'] as const,
    registers: [this.registry],
  });
  readonly reconcileDuration = new Histogram({
    name: 'depot_reconcile_duration_seconds',
    help: 'How long one reconcile took, per controller.',
    labelNames: ['controller'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  readonly queueDepth = new Gauge({
    name: 'depot_workqueue_depth',
    help: 'Keys waiting to be reconciled (ready, not delayed), per controller.',
    labelNames: ['name'] as const,
    registers: [this.registry],
  });
  readonly queueDelayed = new Gauge({
    name: 'depot_workqueue_delayed',
    help: 'Keys waiting for a time (requeueAfter or retry backoff), per controller.',
    labelNames: ['name'] as const,
    registers: [this.registry],
  });
  readonly queueAdds = new Counter({
    name: 'depot_workqueue_adds_total',
    help: 'Keys added to the work queue (after deduplication), per controller.',
    labelNames: ['name'] as const,
    registers: [this.registry],
  });
  readonly queueRetries = new Counter({
    name: 'depot_workqueue_retries_total',
    help: 'Keys re-queued with backoff after a failed reconcile, per controller.',
    labelNames: ['name'] as const,
    registers: [this.registry],
  });
  readonly queueLatency = new Histogram({
    name: 'depot_workqueue_queue_duration_seconds',
    help: 'How long a key waited in the queue before a worker took it, per controller.',
    labelNames: ['name'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60],
    registers: [this.registry],
  });

  readonly apiRequests = new Counter({
    name: 'depot_api_requests_total',
    help: 'Requests to the Kubernetes API server by verb, resource and HTTP code ("error" when no response).',
    labelNames: ['verb', 'resource', 'code'] as const,
    registers: [this.registry],
  });
  readonly apiRequestDuration = new Histogram({
    name: 'depot_api_request_duration_seconds',
    help: 'Latency of requests to the Kubernetes API server (watches: until connected).',
    labelNames: ['verb', 'resource'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly rateLimitWait = new Histogram({
    name: 'depot_api_rate_limiter_wait_seconds',
    help: 'Time requests waited for the client-side rate limiter (QPS/burst).',
    buckets: [0.001, 0.01, 0.1, 0.5, 1, 5, 10],
    registers: [this.registry],
  });

  private readonly pools = new Map<string, () => { connections: number; inFlight: number }>();
  readonly apiConnections = new Gauge({
    name: 'depot_api_connections',
    help: 'Open connections to the Kubernetes API server, by pool (requests, watches); over HTTP/2 many requests share one.',
    labelNames: ['pool'] as const,
    registers: [this.registry],
    collect: () => {
      for (const [pool, stats] of this.pools) this.apiConnections.set({ pool }, stats().connections);
    },
  });
  readonly apiInFlight = new Gauge({
    name: 'depot_api_requests_in_flight',
    help: 'Requests to the Kubernetes API server in flight, by pool (every open watch is one: an HTTP/2 stream).',
    labelNames: ['pool'] as const,
    registers: [this.registry],
    collect: () => {
      for (const [pool, stats] of this.pools) this.apiInFlight.set({ pool }, stats().inFlight);
    },
  });

  /** Reports a connection pool's connections and requests in flight under the label `pool`. */
  observePool(pool: string, stats: () => { connections: number; inFlight: number }): void {
    this.pools.set(pool, stats);
  }

  readonly informerSynced = new Gauge({
    name: 'depot_informer_synced',
    help: '1 once the informer cache of a resource has listed, else 0.',
    labelNames: ['resource'] as const,
    registers: [this.registry],
  });
  readonly informerWatches = new Gauge({
    name: 'depot_informer_watches',
    help: 'List/watch streams the running informers of a resource keep open (one per namespace, or one for all).',
    labelNames: ['resource'] as const,
    registers: [this.registry],
  });
  readonly informerRestarts = new Counter({
    name: 'depot_informer_restarts_total',
    help: 'Times a stopped list/watch was restarted after an error.',
    labelNames: ['resource'] as const,
    registers: [this.registry],
  });
  readonly informerHandlerErrors = new Counter({
    name: 'depot_informer_handler_errors_total',
    help: 'Event handlers or map functions that threw (the event was skipped, the informer kept running).',
    labelNames: ['resource'] as const,
    registers: [this.registry],
  });

  readonly leader = new Gauge({
    name: 'depot_leader',
    help: '1 while this process holds the leader lease (or runs without leader election), else 0.',
    labelNames: ['lease'] as const,
    registers: [this.registry],
  });
  readonly leaderTransitions = new Counter({
    name: 'depot_leader_transitions_total',
    help: 'Times this process became leader or stopped being leader.',
    labelNames: ['lease', 'to'] as const,
    registers: [this.registry],
  });

  readonly events = new Counter({
    name: 'depot_events_total',
    help: 'Kubernetes Events recorded: created, aggregated into a series, or dropped.',
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly unhandledRejections = new Counter({
    name: 'depot_unhandled_rejections_total',
    help: 'Promise rejections nobody handled (logged; the process keeps running).',
    registers: [this.registry],
  });

  constructor(opts: { processMetrics?: boolean } = {}) {
    if (opts.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }
}
