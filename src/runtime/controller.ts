// Runs one ControllerSpec: informer events → keys → work queue → workers →
// reconcile. Events are always subscribed (so the caches stay warm for a
// standby), but keys are only queued while the controller runs, i.e. while
// this process leads.
import { apiErrorMessage, isConflict } from './api-errors.js';
import type { BackoffOptions } from './backoff.js';
import type { Clock, TimerHandle } from './clock.js';
import type { Informer } from './informer.js';
import type { InformerFactory } from './informer-factory.js';
import { reconcileLogger, type Logger } from './log.js';
import type { RuntimeMetrics } from './metrics.js';
import { WorkQueue } from './queue.js';
import type { ControllerSpec } from './reconciler.js';
import { keyOf, parseKey, requestKey } from './resource.js';
import { NotLeaderError } from './writes.js';

export interface ControllerRuntimeOptions {
  informers: InformerFactory;
  metrics: RuntimeMetrics;
  log: Logger;
  clock: Clock;
  workers: number;
  resyncPeriodMs: number;
  backoff: BackoffOptions;
}

export class Controller {
  readonly name: string;
  readonly primary: Informer;
  private readonly watched: Informer[];
  private queue: WorkQueue | undefined;
  private workers: Promise<void>[] = [];
  private abort: AbortController | undefined;
  private resyncTimer: TimerHandle | undefined;
  private reconcileSeq = 0;
  private readonly log: Logger;

  constructor(
    private readonly spec: ControllerSpec,
    private readonly rt: ControllerRuntimeOptions,
  ) {
    this.name = spec.name;
    this.log = rt.log.child({ controller: spec.name });
    const { resource, labelSelector, fieldSelector, filter } = spec.primary;
    this.primary = rt.informers.informer(resource, { labelSelector, fieldSelector });
    this.primary.on((event) => {
      if (!filter || filter(event)) this.enqueue(keyOf(event.object));
    });
    this.watched = [this.primary];
    for (const watch of spec.watches ?? []) {
      const informer = rt.informers.informer(watch.resource, {
        labelSelector: watch.labelSelector,
        fieldSelector: watch.fieldSelector,
      });
      informer.on((event) => {
        // Runs inside the informer's guarded dispatch: a throwing map function is logged and skipped.
        for (const req of watch.map(event.object, event.type)) this.enqueue(requestKey(req));
      });
      this.watched.push(informer);
    }
  }

  get running(): boolean {
    return this.queue !== undefined && !this.queue.isShutDown;
  }

  /** Queues a key by hand (e.g. from another controller); ignored while not running. */
  enqueue(key: string): void {
    if (key) this.queue?.add(key);
  }

  /** Waits for the caches, queues every primary object, starts the workers. */
  async start(signal: AbortSignal): Promise<boolean> {
    if (this.running) return true;
    for (const informer of this.watched) {
      if (!(await informer.waitForSync(signal))) return false;
    }
    if (signal.aborted) return false;
    const name = this.name;
    const m = this.rt.metrics;
    const queue = new WorkQueue({
      clock: this.rt.clock,
      backoff: this.rt.backoff,
      observer: {
        depth: (ready, delayed) => {
          m.queueDepth.set({ name }, ready);
          m.queueDelayed.set({ name }, delayed);
        },
        added: () => m.queueAdds.inc({ name }),
        retried: () => m.queueRetries.inc({ name }),
        waited: (ms) => m.queueLatency.observe({ name }, ms / 1000),
      },
    });
    this.queue = queue;
    this.abort = new AbortController();
    for (const obj of this.primary.list()) queue.add(keyOf(obj));
    const workers = Math.max(1, this.spec.workers ?? this.rt.workers);
    this.workers = Array.from({ length: workers }, () => this.work(queue, this.abort!.signal));
    this.scheduleResync(queue);
    this.log.info({ workers, queued: queue.len() }, 'controller started');
    return true;
  }

  /**
   * Stops taking keys. With drain, in-flight reconciles finish normally;
   * without, their signal aborts (leadership lost). Resolves when none runs.
   */
  async stop(opts: { drain: boolean }): Promise<void> {
    const queue = this.queue;
    if (!queue) return;
    this.resyncTimer?.cancel();
    queue.shutDown();
    if (!opts.drain) this.abort?.abort();
    await Promise.all(this.workers);
    this.workers = [];
    this.queue = undefined;
    this.log.info({ drained: opts.drain }, 'controller stopped');
  }

  /** Aborts in-flight reconciles of a stopping controller (shutdown grace period over). */
  abortInFlight(): void {
    this.abort?.abort();
  }

  private scheduleResync(queue: WorkQueue): void {
    const period = this.spec.resyncPeriodMs ?? this.rt.resyncPeriodMs;
    if (!(period > 0)) return;
    const jittered = period * (0.9 + 0.2 * Math.random());
    this.resyncTimer = this.rt.clock.setTimer(() => {
      if (queue.isShutDown) return;
      for (const obj of this.primary.list()) queue.add(keyOf(obj));
      this.scheduleResync(queue);
    }, jittered);
  }

  private async work(queue: WorkQueue, signal: AbortSignal): Promise<void> {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await this.process(queue, key, signal);
      } finally {
        queue.done(key);
      }
    }
  }

  /** One reconcile with its bookkeeping; never throws. */
  private async process(queue: WorkQueue, key: string, signal: AbortSignal): Promise<void> {
    const req = parseKey(key);
    const log = reconcileLogger(this.rt.log, this.name, req, ++this.reconcileSeq);
    const m = this.rt.metrics;
    const started = performance.now();
    try {
      const result = await this.spec.reconciler.reconcile(req, { log, signal });
      queue.forget(key);
      const after = result?.requeueAfterMs;
      if (after !== undefined && after > 0) queue.addAfter(key, after);
      m.reconcileTotal.inc({ controller: this.name, result: after ? 'requeue_after' : 'success' });
      log.debug({ durationMs: Math.round(performance.now() - started), requeueAfterMs: after }, 'reconciled');
    } catch (err) {
      m.reconcileTotal.inc({ controller: this.name, result: 'error' });
      if (signal.aborted || err instanceof NotLeaderError) {
        log.info({ err: String(err) }, 'reconcile interrupted: no longer leading');
        return;
      }
      m.reconcileErrors.inc({ controller: this.name });
      const retryInMs = queue.addRateLimited(key);
      const failures = queue.failuresOf(key);
      // A conflict means someone else wrote first: expected under contention, not a bug.
      if (isConflict(err))
        log.warn(
          { err: apiErrorMessage(err), retryInMs, failures },
          'reconcile lost a write race; will retry',
        );
      else log.error({ err, retryInMs, failures }, 'reconcile failed; will retry');
    } finally {
      m.reconcileDuration.observe({ controller: this.name }, (performance.now() - started) / 1000);
    }
  }
}
