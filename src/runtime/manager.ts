// The manager owns everything a Depot operator process runs: the API
// transport, shared informers, controllers, leader election, Events, the
// operational endpoints, and the order of a graceful shutdown:
//   stop taking work → finish in-flight reconciles → flush Events →
//   release the lease (a standby takes over at once) → stop watches.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import { eventApi, leaseApi } from '../kube/lease-event-clients.js';
import type { AddressInfo } from 'node:net';
import type { BackoffOptions } from './backoff.js';
import { realClock, type Clock } from '../kube/clock.js';
import { Controller } from './controller.js';
import type { RuntimeDeps, LeadershipTerm } from './runtime-deps.js';
import type { Runnable } from './runnable.js';
import type { AggregatorOptions } from './event-aggregator.js';
import { EventRecorder } from './events.js';
import { Endpoints, type Readiness } from './health.js';
import { ApiTransport } from '../kube/transport.js';
import { Informer } from './informer.js';
import { InformerFactory } from './informer-factory.js';
import { InvalidObjectReporter } from './invalid-object.js';
import { KubeClient } from '../kube/client.js';
import { LeaderElector, validateLeaderElection, type LeaderElectionConfig } from './leader.js';
import { createLogger, type Logger } from './log.js';
import { RuntimeMetrics } from './metrics.js';
import { TokenBucket, type RateLimiterOptions } from '../kube/rate-limiter.js';
import type { ControllerSpec } from './reconciler.js';
import { Leases, type KubeObject } from '../kube/resource.js';
import { StatusWriter } from './status-writer.js';
import { NotLeaderError, ObjectWriter } from './writes.js';
import { ShardMembership } from './shard-membership.js';
import { shardFencedNamespace, shardLeaderElection } from './shard-fence.js';

export interface ManagerOptions {
  kubeConfig: KubeConfig;
  /** Watched namespaces; undefined or empty: all. */
  namespaces?: string[];
  /** Default concurrent reconciles per controller. */
  workers?: number;
  /** Default period of full re-queues; 0 disables. */
  resyncPeriodMs?: number;
  /** Per-key retry backoff after a failed reconcile. */
  retryBackoff?: BackoffOptions;
  /** Client-side rate limit of API requests (leader election is exempt). */
  qps?: number;
  burst?: number;
  /** Client-side rate limit of Event requests, apart from the other requests' (qps/burst). */
  eventQps?: number;
  eventBurst?: number;
  /** Lease settings; undefined: no leader election (this process always reconciles). */
  leaderElection?: Omit<LeaderElectionConfig, 'identity'>;
  /** This process's name in the Lease and in Events; default hostname_random. */
  identity?: string;
  /** host:port for /healthz, /readyz and /metrics ("0" = off). */
  healthAddress?: string;
  metricsAddress?: string;
  /** How long SIGTERM waits for in-flight reconciles. */
  shutdownTimeoutMs?: number;
  /** Field manager of the status writer and of the writer in deps.status. */
  fieldManager?: string;
  reportingController?: string;
  eventAggregation?: Partial<AggregatorOptions>;
  log?: Logger;
  clock?: Clock;
  metrics?: RuntimeMetrics;
  /**
   * Shards (needs leader election): this process caches and writes only the
   * namespaces its shard holds; the leader Lease becomes `<leaseName>-<shard>`.
   */
  shard?: string;
}

export const managerDefaults = {
  workers: 2,
  resyncPeriodMs: 10 * 60_000,
  retryBackoff: { baseMs: 500, maxMs: 5 * 60_000 } satisfies BackoffOptions,
  // Client-side limit of API requests (apart from Events). 20/30, controller-runtime's
  // default, made every bulk change wait 50 s per 1,000 applications on the client
  // (bench/README.md); the API server protects itself with priority and fairness.
  qps: 100,
  burst: 200,
  eventQps: 10,
  eventBurst: 25,
  /** How long a graceful stop waits for pending Events. */
  eventFlushTimeoutMs: 2_000,
  shutdownTimeoutMs: 30_000,
  fieldManager: 'depot-operator',
  reportingController: 'depot.sh/operator',
};

export class Manager {
  readonly deps: RuntimeDeps;
  readonly metrics: RuntimeMetrics;
  readonly log: Logger;
  readonly identity: string;
  private readonly clock: Clock;
  private readonly transport: ApiTransport;
  private readonly informers: InformerFactory;
  private readonly events: EventRecorder;
  private readonly elector: LeaderElector | undefined;
  /** Shards: the namespaces this shard holds (undefined: every watched namespace is ours). */
  readonly shard: ShardMembership | undefined;
  private readonly endpoints: Endpoints;
  private readonly controllers: Controller[] = [];
  private readonly runnables: Runnable[] = [];
  /** Runnables that are running, by the promise that settles when they stop. */
  private readonly running = new Set<Promise<void>>();
  /** Aborted when the manager stops (runnables that run on every replica). */
  private readonly life = new AbortController();
  /** Leadership changes run one after another, in order. */
  private transition: Promise<void> = Promise.resolve();
  private term: AbortController | undefined;
  private leadership: LeadershipTerm = { term: 0, previousLeaderStoppedCleanly: false };
  private phase: 'new' | 'running' | 'stopping' | 'stopped' = 'new';

  constructor(private readonly opts: ManagerOptions) {
    this.clock = opts.clock ?? realClock;
    this.log = opts.log ?? createLogger();
    this.metrics = opts.metrics ?? new RuntimeMetrics();
    this.identity = opts.identity ?? `${hostname()}_${randomBytes(4).toString('hex')}`;
    const limiter = new TokenBucket(
      { qps: opts.qps ?? managerDefaults.qps, burst: opts.burst ?? managerDefaults.burst },
      this.clock,
    );
    this.transport = new ApiTransport({
      kubeConfig: opts.kubeConfig,
      metrics: this.metrics,
      clock: this.clock,
      limiter,
      userAgent: 'depot-operator',
    });
    const client = new KubeClient(this.transport);
    this.informers = new InformerFactory({
      kubeConfig: opts.kubeConfig,
      client,
      limiter,
      metrics: this.metrics,
      log: this.log,
      clock: this.clock,
      namespaces: opts.namespaces?.length ? opts.namespaces : undefined,
      dynamicNamespaces: opts.shard !== undefined,
    });
    this.metrics.observePool('requests', () => this.transport.pool.stats());
    this.metrics.observePool('watches', () => this.informers.watchPool.stats());
    // One fence for every write and side effect of the leader: leading, and renewed within the renew deadline;
    // with shards, also holding the namespace written to.
    const fence = (namespace?: string) => {
      if (this.elector && !this.elector.mayWrite()) throw new NotLeaderError();
      if (namespace) this.shard?.fence(namespace);
    };
    const dispatchFence = (url: string) => fence(shardFencedNamespace(url));
    // Events have a budget of their own, so that they never wait in front of
    // reconcile writes (client-go's recorder sends them apart, and drops).
    const eventTransport = new ApiTransport({
      kubeConfig: opts.kubeConfig,
      metrics: this.metrics,
      clock: this.clock,
      limiter: new TokenBucket(
        {
          qps: opts.eventQps ?? managerDefaults.eventQps,
          burst: opts.eventBurst ?? managerDefaults.eventBurst,
        },
        this.clock,
      ),
      pool: this.transport.pool,
      userAgent: 'depot-operator',
      writeFence: dispatchFence,
    });
    this.events = new EventRecorder({
      api: eventApi(new KubeClient(eventTransport)),
      clock: this.clock,
      log: this.log,
      metrics: this.metrics,
      reportingController: opts.reportingController ?? managerDefaults.reportingController,
      reportingInstance: this.identity,
      aggregation: opts.eventAggregation,
      mayRecord: () => !this.elector || this.elector.mayWrite(),
    });
    if (opts.shard !== undefined && !opts.leaderElection)
      throw new Error('shards need leader election (--shard with --no-leader-elect)');
    if (opts.leaderElection)
      this.elector = this.makeElector(shardLeaderElection(opts.leaderElection, opts.shard));
    else this.metrics.leader.set({ lease: '' }, 1);

    // Writes made for a user (an HTTP API on every replica) are not fenced by leadership.
    // A fenced writer checks before its work and again at dispatch, after the rate limit's wait.
    const fencedClient = new KubeClient(this.transport.fenced(dispatchFence));
    // Delivery writes wait on the delivery dispatcher's concurrency, not behind the reconciles' QPS (as Events).
    const deliveryClient = new KubeClient(
      this.transport.withLimiter(new TokenBucket({ qps: 0, burst: 0 }, this.clock)).fenced(dispatchFence),
    );
    const writer = (fieldManager: string, opts: { fenced?: boolean; budget?: 'delivery' } = {}) =>
      new ObjectWriter({
        client: opts.fenced === false ? client : opts.budget === 'delivery' ? deliveryClient : fencedClient,
        informers: this.informers,
        fieldManager,
        ...(opts.fenced === false ? {} : { fence }),
      });
    const status = new StatusWriter(writer(opts.fieldManager ?? managerDefaults.fieldManager));
    if (opts.shard !== undefined && opts.leaderElection)
      this.shard = new ShardMembership({
        name: opts.shard,
        leaseNamespace: opts.leaderElection.leaseNamespace,
        leaderElectionId: opts.leaderElection.leaseName,
        informers: this.informers,
        writer: writer('depot-shard'),
        clock: this.clock,
        log: this.log,
        registry: this.metrics.registry,
        candidates: opts.namespaces?.length ? opts.namespaces : undefined,
        reconcilesIn: (ns) => this.controllers.reduce((n, c) => n + c.reconcilesIn(ns), 0),
      });
    this.deps = {
      informers: this.informers,
      client,
      writer,
      status,
      events: this.events,
      invalid: new InvalidObjectReporter(status, this.events, this.clock),
      log: this.log,
      clock: this.clock,
      metrics: this.metrics,
      namespaces: opts.namespaces?.length ? opts.namespaces : undefined,
      identity: this.identity,
      leadership: () => this.leadership,
      fence,
      ...(this.shard ? { shard: this.shard } : {}),
    };
    this.endpoints = new Endpoints({
      addresses: [opts.healthAddress ?? '0', opts.metricsAddress ?? '0'],
      ready: () => this.readiness(),
      registry: this.metrics.registry,
    });
  }

  /** Registers controllers (before start). */
  add(...specs: ControllerSpec[]): void {
    if (this.phase !== 'new') throw new Error('controllers must be added before the manager starts');
    const names = new Set(this.controllers.map((c) => c.name));
    for (const spec of specs) {
      if (names.has(spec.name)) throw new Error(`two controllers are named ${spec.name}`);
      names.add(spec.name);
      this.controllers.push(
        new Controller(spec, {
          informers: this.informers,
          metrics: this.metrics,
          log: this.log,
          clock: this.clock,
          workers: this.opts.workers ?? managerDefaults.workers,
          resyncPeriodMs: this.opts.resyncPeriodMs ?? managerDefaults.resyncPeriodMs,
          backoff: this.opts.retryBackoff ?? managerDefaults.retryBackoff,
          events: this.events,
          ...(this.shard ? { admits: (ns: string) => this.shard!.admits(ns) } : {}),
        }),
      );
    }
  }

  /** Registers runnables (before start): an HTTP API on every replica, a loop only on the leader. */
  addRunnable(...runnables: Runnable[]): void {
    if (this.phase !== 'new') throw new Error('runnables must be added before the manager starts');
    this.runnables.push(...runnables);
  }

  /** Starts endpoints, informers and leader election; returns the endpoint addresses. */
  async start(): Promise<AddressInfo[]> {
    if (this.phase !== 'new') throw new Error('the manager was already started');
    this.phase = 'running';
    if (this.shard) this.runnables.unshift(this.shard);
    const addresses = await this.endpoints.start();
    this.informers.start();
    this.events.start();
    this.log.info(
      {
        identity: this.identity,
        controllers: this.controllers.map((c) => c.name),
        namespaces: this.deps.namespaces ?? (this.shard ? `shard ${this.shard.shard}` : 'all'),
        leaderElection: this.opts.leaderElection
          ? `${this.opts.leaderElection.leaseNamespace}/${this.opts.leaderElection.leaseName}`
          : 'off',
        endpoints: addresses.map((a) => `${a.address}:${a.port}`),
      },
      'manager started',
    );
    for (const r of this.runnables) if (!r.needLeaderElection) this.run(r, this.life.signal);
    if (this.elector) this.elector.start();
    else this.startLeading();
    return addresses;
  }

  isLeader(): boolean {
    return this.elector ? this.elector.isLeader() : this.phase === 'running';
  }

  readiness(): Readiness {
    const problems: string[] = [];
    if (this.phase !== 'running') problems.push(`manager is ${this.phase}`);
    for (const id of this.informers.unsynced()) problems.push(`cache not synced: ${id}`);
    if (this.elector && this.elector.currentState === 'stopped') problems.push('leader election stopped');
    return { ok: problems.length === 0, problems };
  }

  /** Graceful stop; safe to call more than once. */
  async stop(reason = 'stop requested'): Promise<void> {
    if (this.phase === 'stopping' || this.phase === 'stopped') return this.transition;
    const wasNew = this.phase === 'new';
    this.phase = 'stopping';
    if (wasNew) {
      this.phase = 'stopped';
      return;
    }
    this.log.info({ reason }, 'shutting down');
    this.term?.abort(); // a pending start (waiting for caches) gives up
    this.life.abort();
    const drained = Promise.all([this.stopControllers(true), Promise.allSettled([...this.running])]);
    const timeout = this.opts.shutdownTimeoutMs ?? managerDefaults.shutdownTimeoutMs;
    const inTime = await Promise.race([
      drained.then(() => true),
      this.clock.sleep(timeout).then(() => false),
    ]);
    if (!inTime) {
      this.log.warn({ timeoutMs: timeout }, 'in-flight reconciles did not finish in time; aborting them');
      for (const c of this.controllers) c.abortInFlight();
    }
    // Hand the lease over first: a standby must not wait for best-effort Events.
    await this.elector?.release();
    const flushed = await Promise.race([
      this.events.stop().then(() => true),
      this.clock.sleep(managerDefaults.eventFlushTimeoutMs).then(() => false),
    ]);
    if (!flushed) this.log.warn('pending Events were not all sent before shutdown (best-effort; dropped)');
    await this.informers.stop();
    await this.endpoints.stop();
    await this.transport.pool.close();
    this.phase = 'stopped';
    this.log.info('stopped');
  }

  /** A client with a rate budget of its own, apart from the reconciles' (the HTTP API's reviews). */
  budgetedClient(budget: RateLimiterOptions): KubeClient {
    return new KubeClient(this.transport.withLimiter(new TokenBucket(budget, this.clock)));
  }

  private makeElector(le: Omit<LeaderElectionConfig, 'identity'>): LeaderElector {
    validateLeaderElection(le);
    // A lease request must not hang past the renew deadline (client-go bounds it the same way).
    const unlimited = this.transport.unlimited({ requestTimeoutMs: le.renewDeadlineMs });
    const leaseInformer = new Informer<KubeObject>({
      resource: Leases,
      namespaces: [le.leaseNamespace],
      fieldSelector: `metadata.name=${le.leaseName}`,
      kubeConfig: this.opts.kubeConfig,
      client: new KubeClient(unlimited),
      metrics: this.metrics,
      log: this.log,
      clock: this.clock,
    });
    return new LeaderElector({
      ...le,
      identity: this.identity,
      api: leaseApi(new KubeClient(unlimited)),
      clock: this.clock,
      log: this.log,
      metrics: this.metrics,
      leaseInformer,
      onStartedLeading: (how) => this.startLeading(how),
      onStoppedLeading: () => {
        // Stop at once: no new reconciles, in-flight ones are aborted and their writes fenced.
        this.term?.abort();
        void this.stopControllers(false);
      },
    });
  }

  /**
   * `how` the lease was taken: from a holder that released it or a new lease
   * (a clean handover), or after it expired (the previous leader crashed).
   * Without leader election nothing tells a crash from a clean stop.
   */
  private startLeading(how?: string): void {
    const term = new AbortController();
    this.term = term;
    this.leadership = {
      term: this.leadership.term + 1,
      previousLeaderStoppedCleanly: how === 'free' || how === 'created',
    };
    this.transition = this.transition.then(async () => {
      for (const c of this.controllers) {
        if (term.signal.aborted || this.phase !== 'running') return;
        await c.start(term.signal);
      }
      for (const r of this.runnables)
        if (r.needLeaderElection && !term.signal.aborted) this.run(r, term.signal);
    });
  }

  /** Runs a runnable until `signal` aborts; a failure is logged, never thrown at the manager. */
  private run(r: Runnable, signal: AbortSignal): void {
    const done = r.start(signal).then(
      () => this.log.info({ runnable: r.name }, 'runnable stopped'),
      (err: unknown) => this.log.error({ runnable: r.name, err }, 'runnable failed'),
    );
    this.running.add(done);
    void done.finally(() => this.running.delete(done));
  }

  private stopControllers(drain: boolean): Promise<void> {
    this.transition = this.transition.then(async () => {
      await Promise.all(this.controllers.map((c) => c.stop({ drain })));
    });
    return this.transition;
  }
}
