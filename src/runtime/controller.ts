// Runs one ControllerSpec: informer events → keys → work queue → workers →
// reconcile. Events are always subscribed (so the caches stay warm for a
// standby), but keys are only queued while the controller runs, i.e. while
// this process leads.
import { apiErrorMessage, isConflict } from '../kube/errors.js';
import type { BackoffOptions } from './backoff.js';
import type { Clock, TimerHandle } from '../kube/clock.js';
import type { EventRecorder } from './events.js';
import type { Informer } from './informer.js';
import type { InformerFactory } from './informer-factory.js';
import { reconcileLogger, type Logger } from './log.js';
import type { RuntimeMetrics } from './metrics.js';
import { WorkQueue } from './queue.js';
import { addSpread, resyncSpreadMs } from './resync-spread.js';
import type { ControllerSpec } from './reconciler.js';
import { keyOf, parseKey, requestKey, type Request } from '../kube/resource.js';
import { isInvalid, isTerminal, TerminalError } from './terminal-error.js';
import { NotLeaderError } from './writes.js';

/** What a failed reconcile leads to. */
export type FailureHandling = 'interrupted' | 'terminal' | 'terminal-repeated' | 'conflict' | 'retry';

export function failureHandling(err: unknown, aborted: boolean): FailureHandling {
  if (aborted || err instanceof NotLeaderError) return 'interrupted';
  if (isTerminal(err)) return err.repeated ? 'terminal-repeated' : 'terminal';
  if (isInvalid(err)) return 'terminal';
  if (isConflict(err)) return 'conflict';
  return 'retry';
}

export interface ControllerRuntimeOptions {
  informers: InformerFactory;
  metrics: RuntimeMetrics;
  log: Logger;
  clock: Clock;
  workers: number;
  resyncPeriodMs: number;
  backoff: BackoffOptions;
  /** Where terminal failures are reported as Warning Events. */
  events?: EventRecorder;
  /** Shards: false for a namespace this process does not own (or is handing over): its keys are dropped. */
  admits?: (namespace: string) => boolean;
}

export class Controller {
  readonly name: string;
  readonly primary: Informer;
  private readonly watched: Informer[];
  private queue: WorkQueue | undefined;
  /** Worker loops, and loops that gave their worker to a new loop while their reconcile waits (yieldWorker). */
  private readonly workers = new Set<Promise<void>>();
  /** Reconciles working at once (--workers); one that waits outside frees its slot meanwhile. */
  private slots = new WorkerSlots(1);
  private abort: AbortController | undefined;
  private resyncTimer: TimerHandle | undefined;
  /** The slices of a resync still to be queued. */
  private resyncSlices: TimerHandle | undefined;
  private reconcileSeq = 0;
  private readonly log: Logger;
  /** Reconciles running now, by namespace (a shard hands a namespace over only when it has none). */
  private readonly inFlight = new Map<string, number>();

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
    for (const trigger of spec.triggers ?? []) trigger.subscribe((req) => this.enqueue(requestKey(req)));
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
    this.slots = new WorkerSlots(workers);
    for (let i = 0; i < workers; i++) this.addWorker(queue, this.abort.signal);
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
    this.resyncSlices?.cancel();
    queue.shutDown();
    if (!opts.drain) this.abort?.abort();
    while (this.workers.size > 0) await Promise.all([...this.workers]);
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
      // Spread over at most a tenth of the period, so it ends before the next resync.
      const keys = this.primary.list().map(keyOf);
      this.resyncSlices = addSpread(keys, (key) => queue.add(key), this.rt.clock, resyncSpreadMs(period));
      this.scheduleResync(queue);
    }, jittered);
  }

  private addWorker(queue: WorkQueue, signal: AbortSignal): void {
    const loop: Promise<void> = this.work(queue, signal).finally(() => this.workers.delete(loop));
    this.workers.add(loop);
  }

  private async work(queue: WorkQueue, signal: AbortSignal): Promise<void> {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      await this.slots.acquire();
      // A reconcile that waits outside frees its slot, hands its loop's place to a new
      // loop, takes a slot again when its wait is over, and ends with its key.
      let yielded = false;
      let holding = true;
      const resume = async () => {
        if (holding) return;
        await this.slots.acquire();
        holding = true;
      };
      const yieldWorker = () => {
        if (yielded || queue.isShutDown) return resume;
        yielded = true;
        holding = false;
        this.slots.release();
        this.addWorker(queue, signal);
        return resume;
      };
      try {
        await this.process(queue, key, signal, yieldWorker);
      } finally {
        if (holding) this.slots.release();
        queue.done(key);
      }
      if (yielded) return;
    }
  }

  /** Logs a terminal failure once, counts it and reports it on the object. */
  private reportTerminal(req: Request, err: unknown, log: Logger): void {
    const terminal = isTerminal(err) ? err : undefined;
    const message = errorText(err);
    this.rt.metrics.reconcileTerminalErrors.inc({ controller: this.name });
    log.error({ err: message }, 'reconcile failed for good: not retried until the object changes');
    const regarding = terminal?.regarding ?? this.primary.get(req.namespace, req.name);
    if (regarding)
      this.rt.events?.warning(regarding, terminal?.reason ?? 'ReconcileFailed', message, 'Reconcile');
  }

  /** Reconciles of this namespace running now. */
  reconcilesIn(namespace: string): number {
    return this.inFlight.get(namespace) ?? 0;
  }

  /** One reconcile with its bookkeeping; never throws. */
  private async process(
    queue: WorkQueue,
    key: string,
    signal: AbortSignal,
    yieldWorker: () => () => Promise<void>,
  ): Promise<void> {
    const req = parseKey(key);
    if (req.namespace && this.rt.admits && !this.rt.admits(req.namespace)) {
      queue.forget(key); // another shard owns it now (or is about to)
      return;
    }
    const ns = req.namespace;
    this.inFlight.set(ns, (this.inFlight.get(ns) ?? 0) + 1);
    try {
      await this.reconcileOnce(queue, key, req, signal, yieldWorker);
    } finally {
      const left = (this.inFlight.get(ns) ?? 1) - 1;
      if (left > 0) this.inFlight.set(ns, left);
      else this.inFlight.delete(ns);
    }
  }

  private async reconcileOnce(
    queue: WorkQueue,
    key: string,
    req: Request,
    signal: AbortSignal,
    yieldWorker: () => () => Promise<void>,
  ): Promise<void> {
    const log = reconcileLogger(this.rt.log, this.name, req, ++this.reconcileSeq);
    const m = this.rt.metrics;
    const started = performance.now();
    try {
      const result = await this.spec.reconciler.reconcile(req, { log, signal, yieldWorker });
      queue.forget(key);
      const after = result?.requeueAfterMs;
      if (after !== undefined && after > 0) queue.addAfter(key, after);
      m.reconcileTotal.inc({ controller: this.name, result: after ? 'requeue_after' : 'success' });
      log.debug({ durationMs: Math.round(performance.now() - started), requeueAfterMs: after }, 'reconciled');
    } catch (err) {
      const handling = failureHandling(err, signal.aborted);
      const terminal = handling === 'terminal' || handling === 'terminal-repeated';
      m.reconcileTotal.inc({ controller: this.name, result: terminal ? 'terminal' : 'error' });
      if (handling === 'interrupted') {
        log.info({ err: String(err) }, 'reconcile interrupted: no longer leading');
        return;
      }
      if (terminal) {
        // Retrying cannot help: no backoff, no requeue; a change or a resync runs it again.
        queue.forget(key);
        if (handling === 'terminal') this.reportTerminal(req, err, log);
        else log.debug({ err: errorText(err) }, 'reconcile failed as before (already reported)');
        return;
      }
      m.reconcileErrors.inc({ controller: this.name });
      const retryInMs = queue.addRateLimited(key);
      const failures = queue.failuresOf(key);
      // A conflict means someone else wrote first: expected under contention, not a bug.
      if (handling === 'conflict')
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

function errorText(err: unknown): string {
  return err instanceof TerminalError ? err.message : apiErrorMessage(err);
}

/** A counting semaphore of worker slots, granted in order. */
class WorkerSlots {
  private readonly waiting: (() => void)[] = [];

  constructor(private free: number) {}

  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}
