// Delivery per (application, target), beside the application controller:
// review() runs inside its reconcile and answers at once from memory (the
// state of each target, the deployed versions read back, Reapplied entries),
// starting the attempts that are due in the background. An attempt that
// finishes re-queues the application, whose reconcile (the only writer of
// its status) records the outcome. So one slow or failing target never
// delays another or the application's other work.
//
// - One attempt per target at a time: a newer version waits for the
//   attempt in flight, so an older version is never written after a newer.
// - Failed and Pending retry with capped exponential backoff per target
//   (--delivery-retry-base-delay doubling up to --delivery-retry-max-delay);
//   a delivered version resets it. A failure only a change of the object can
//   fix (missing, not authorized, no such source) retries when a watched
//   object of the application changes, else after the longest delay.
// - Idempotent: a target recorded Delivered is attempted again only when its
//   integration sees the field no longer holds the version (a revert); the
//   attempt that writes it again adds a Reapplied history entry. A writer
//   that keeps resetting it is met with growing delays and, after a few
//   resets in a row, the target is Contested (core/delivery-contest.ts).
import pLimit from 'p-limit';
import type { Application, DeliveryState } from '../../api/application.js';
import type { DeliveryKind } from '../../api/delivery.js';
import {
  CONTEST_THRESHOLD,
  contestedMessage,
  contestedObjectChanged,
  reapplied,
  resetSeen,
  type Contest,
} from '../../core/delivery-contest.js';
import type { NewEntry } from '../../core/application/history.js';
import type { DeployedReport } from '../../core/application/plan.js';
import type { PlannedTarget } from '../../core/application/targets.js';
import {
  deliveryKind,
  effectiveDelivery,
  publishedState,
  type DeliveryObject,
  type DeliveryOutcome,
  type DeliveryRegistry,
  type DeliveryRequest,
} from '../../core/delivery.js';
import type { Clock } from '../../kube/clock.js';
import { apiErrorMessage } from '../../kube/errors.js';
import type { Request } from '../../kube/resource.js';
import { backoffDelay, type BackoffOptions } from '../../runtime/backoff.js';
import type { Logger } from '../../runtime/log.js';
import type { TriggerSource } from '../../runtime/reconciler.js';
import type { DeliveryMetrics } from './metrics.js';
import type { WatchedObjects } from './watched-objects.js';

export interface DeliveryOptions {
  retry: BackoffOptions;
  /** Attempts in flight at once, over all targets. */
  concurrency: number;
  /**
   * How long an application's reconcile waits for the attempts it started
   * before writing its status: fast deliveries (an Argo CD patch) land in the
   * same status write; a slow one is recorded by the next reconcile.
   */
  inlineWaitMs: number;
}

export const deliveryDefaults: DeliveryOptions = {
  retry: { baseMs: 2_000, maxMs: 300_000, jitter: 0.1 },
  concurrency: 16,
  inlineWaitMs: 1_000,
};

interface Entry {
  app: Request;
  kind: DeliveryKind;
  version: string;
  request: DeliveryRequest;
  state: DeliveryState;
  /** Consecutive failed or pending attempts of this version. */
  failures: number;
  /** When the next attempt is due (epoch ms); undefined: none is. */
  dueAt: number | undefined;
  /** A Reapplied entry not yet in the application's status. */
  reapplied?: NewEntry;
  /** The last attempt failed in a way only a change of the object can fix. */
  waitingForChange: boolean;
  /** The delivery settings of the last review (JSON). */
  settings: string;
  /** Resets of the delivered field by another writer (core/delivery-contest.ts). */
  contest?: Contest;
}

/** What one review tells the application's reconcile. */
export interface DeliveryReview {
  deliveries: Map<string, DeliveryState>;
  reports: Map<string, DeployedReport>;
  /** Reapplied entries to add to history (oldest first). */
  entries: NewEntry[];
  /** The earliest time an attempt of this application is due, if any. */
  nextAt?: number;
  /** Attempts of this application in flight (settle when each is recorded). */
  started: Promise<void>[];
}

export class DeliveryTracker implements TriggerSource {
  private readonly entries = new Map<string, Entry>();
  /** Targets with an attempt in flight (at most one each), and when it is recorded. */
  private readonly inFlight = new Map<string, Promise<void>>();

  private readonly limit: ReturnType<typeof pLimit>;
  private enqueue: ((req: Request) => void) | undefined;

  constructor(
    private readonly registry: DeliveryRegistry,
    private readonly watched: WatchedObjects,
    private readonly deps: { clock: Clock; log: Logger; metrics: DeliveryMetrics },
    private readonly opts: DeliveryOptions = deliveryDefaults,
  ) {
    this.limit = pLimit(opts.concurrency);
  }

  subscribe(enqueue: (req: Request) => void): void {
    this.enqueue = enqueue;
    this.watched.onChange((req) => {
      // An object this application delivers to changed: what waited for it is due now.
      const prefix = `${req.namespace}/${req.name}/`;
      const now = this.deps.clock.now();
      for (const [key, entry] of this.entries)
        if (key.startsWith(prefix) && entry.waitingForChange) entry.dueAt = now;
      enqueue(req);
    });
  }

  /**
   * The delivery state of every planned target of one application; starts
   * the attempts that are due. Synchronous and idempotent: a reconcile may
   * call it again on a fresh copy after a conflict.
   */
  review(
    app: Application,
    planned: readonly PlannedTarget[],
    now: Date,
    signal: AbortSignal,
  ): DeliveryReview {
    const req = { namespace: app.metadata.namespace ?? '', name: app.metadata.name };
    const review: DeliveryReview = { deliveries: new Map(), reports: new Map(), entries: [], started: [] };
    const objects: DeliveryObject[] = [];
    const live = new Set<string>();
    for (const p of planned) {
      const name = p.target.metadata.name;
      const kind = deliveryKind(p.target);
      const deliverer = this.registry.get(kind);
      if (!deliverer || p.desired === undefined) {
        review.deliveries.set(name, publishedState(kind, p.desired, p.previous, now, p.target));
        continue;
      }
      const key = `${req.namespace}/${req.name}/${name}`;
      live.add(key);
      const request: DeliveryRequest = {
        application: app,
        target: p.target,
        environment: p.environment,
        version: p.desired,
        delivery: effectiveDelivery(p.target, app),
        ...(p.previous?.delivery ? { previous: p.previous.delivery } : {}),
      };
      let entry = this.entries.get(key);
      if (!entry || entry.version !== p.desired || entry.kind !== kind) {
        entry = this.seed(req, kind, request, p, now);
        this.entries.set(key, entry);
      }
      // Other settings (a fixed applicationName, an override): whatever waited is due now.
      const settings = JSON.stringify(request.delivery);
      if (settings !== entry.settings && entry.state.state !== 'Delivered' && !this.inFlight.has(key)) {
        entry.failures = 0;
        entry.dueAt = now.getTime();
      }
      entry.settings = settings;
      entry.request = request;

      let observed: ReturnType<NonNullable<typeof deliverer.observe>> = {};
      // Its cache is being listed: no attempt yet (it would read nothing); its sync re-runs this.
      let listing = false;
      try {
        const object = deliverer.objectOf?.(request);
        if (object) {
          objects.push(object);
          listing = !this.watched.synced(object);
        }
        observed = deliverer.observe?.(request) ?? {};
      } catch (err) {
        this.deps.log.warn({ target: name, err: apiErrorMessage(err) }, 'delivery observer failed');
      }
      if (observed.deployed !== undefined)
        review.reports.set(name, { version: observed.deployed, actor: kind });
      // Delivered, but the field no longer holds the version: someone reset it.
      if (entry.state.state === 'Delivered' && observed.inPlace === false && entry.dueAt === undefined) {
        const step = resetSeen(entry.contest, now.getTime(), this.contestPolicy());
        entry.contest = step.contest;
        entry.dueAt = now.getTime() + step.delayMs;
      }
      if (entry.state.state === 'Contested' && contestedObjectChanged(entry.contest, observed.spec))
        entry.dueAt = Math.min(entry.dueAt ?? Infinity, now.getTime());
      if (entry.contest?.contested && entry.contest.spec === undefined) entry.contest.spec = observed.spec;

      if (entry.dueAt !== undefined && !this.inFlight.has(key) && !listing) {
        if (entry.dueAt <= now.getTime()) this.start(key, entry, signal);
        else review.nextAt = Math.min(review.nextAt ?? Infinity, entry.dueAt);
      }
      const running = this.inFlight.get(key);
      if (running) review.started.push(running);
      review.deliveries.set(name, shownState(entry.state, observed.problem));
      if (entry.reapplied) review.entries.push(entry.reapplied);
    }
    // Targets this application no longer delivers to (removed, moved, no longer desired).
    const prefix = `${req.namespace}/${req.name}/`;
    for (const key of this.entries.keys())
      if (key.startsWith(prefix) && !live.has(key)) this.entries.delete(key);
    this.watched.use(req, objects);
    return review;
  }

  /** Waits for the review's attempts, at most inlineWaitMs (they go on in the background). */
  async settle(review: DeliveryReview): Promise<void> {
    if (review.started.length === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.opts.inlineWaitMs);
      timer.unref?.();
    });
    await Promise.race([Promise.allSettled(review.started), timeout]);
    clearTimeout(timer);
  }

  /** The review's Reapplied entries are in the status now. */
  acknowledge(app: Request, review: DeliveryReview): void {
    if (review.entries.length === 0) return;
    const prefix = `${app.namespace}/${app.name}/`;
    for (const [key, entry] of this.entries)
      if (key.startsWith(prefix) && entry.reapplied && review.entries.includes(entry.reapplied))
        delete entry.reapplied;
  }

  /** The application is gone: forget its targets (its Argo CD and Flux objects are left alone). */
  forget(app: Request): void {
    const prefix = `${app.namespace}/${app.name}/`;
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.entries.delete(key);
    this.watched.forget(app);
  }

  /**
   * A new (application, target, version): the recorded state carries over
   * when the status already holds this version (after a restart); a version
   * recorded Delivered is not attempted again unless a revert shows.
   */
  private seed(
    req: Request,
    kind: DeliveryKind,
    request: DeliveryRequest,
    p: PlannedTarget,
    now: Date,
  ): Entry {
    const recorded = p.previous?.desired === p.desired ? p.previous?.delivery : undefined;
    const state: DeliveryState = recorded ?? {
      state: 'Pending',
      message: `waiting for ${kind} delivery of ${p.desired}`,
      attempts: 0,
    };
    return {
      app: req,
      kind,
      version: p.desired!,
      request,
      state,
      failures: 0,
      dueAt: state.state === 'Delivered' ? undefined : now.getTime(),
      waitingForChange: false,
      settings: JSON.stringify(request.delivery),
    };
  }

  private start(key: string, entry: Entry, signal: AbortSignal): void {
    entry.dueAt = undefined;
    const running = this.limit(() => this.attempt(key, entry, signal)).finally(() => {
      this.inFlight.delete(key);
      this.enqueue?.(entry.app);
    });
    this.inFlight.set(key, running);
  }

  private contestPolicy() {
    return { baseMs: this.opts.retry.baseMs, maxMs: this.opts.retry.maxMs, threshold: CONTEST_THRESHOLD };
  }

  /** Marks the target Contested (no write) and names the other writer. */
  private async contested(entry: Entry, found: string | undefined): Promise<DeliveryOutcome> {
    const deliverer = this.registry.get(entry.kind)!;
    const writers = await deliverer.fieldWriters?.(entry.request).catch(() => []);
    const where = entry.state.message?.replace(/ (is|set to) \S+$/, '') ?? `${entry.kind} delivery`;
    return {
      state: 'Contested',
      message: contestedMessage({
        field: where,
        version: entry.version,
        resets: entry.contest?.resets ?? CONTEST_THRESHOLD,
        writers: writers ?? [],
        ...(found !== undefined ? { found } : {}),
        maxMs: this.opts.retry.maxMs,
        remedy: deliverer.contestRemedy ?? '',
      }),
    };
  }

  private async attempt(key: string, entry: Entry, signal: AbortSignal): Promise<void> {
    if (signal.aborted || this.entries.get(key) !== entry) return;
    const deliverer = this.registry.get(entry.kind)!;
    const wasDelivered = entry.state.state === 'Delivered' || entry.state.state === 'Contested';
    const started = performance.now();
    let outcome: DeliveryOutcome;
    try {
      outcome =
        entry.contest?.contested && entry.state.state === 'Delivered'
          ? await this.contested(entry, deliverer.observe?.(entry.request).current)
          : await deliverer.deliver(entry.request, signal);
    } catch (err) {
      outcome = { state: 'Failed', message: `${entry.kind} delivery failed: ${apiErrorMessage(err)}` };
    }
    if (signal.aborted) return; // no longer leading: the next leader starts over
    const m = this.deps.metrics;
    m.latency.observe({ kind: entry.kind }, (performance.now() - started) / 1000);
    m.attempts.inc({
      kind: entry.kind,
      outcome: outcome.state === 'Delivered' && !outcome.wrote ? 'unchanged' : outcome.state,
    });
    if (this.entries.get(key) !== entry) return; // another version is desired now
    const now = new Date(this.deps.clock.now());
    const attempts = (entry.state.attempts ?? 0) + 1;
    const log = this.deps.log.child({
      application: `${entry.app.namespace}/${entry.app.name}`,
      target: entry.request.target.metadata.name,
      version: entry.version,
    });
    entry.waitingForChange = outcome.state !== 'Delivered' && outcome.waitForChange === true;
    if (outcome.state === 'Contested') {
      // Stop fighting: one more try when the spec changes, at the latest after the longest delay.
      entry.dueAt = now.getTime() + this.opts.retry.maxMs;
      log.warn(
        { message: outcome.message },
        'another writer keeps resetting the delivered version: contested',
      );
    } else if (outcome.state === 'Delivered') {
      entry.failures = 0;
      entry.dueAt = undefined;
      if (wasDelivered && outcome.wrote) {
        entry.contest = reapplied(entry.contest, now.getTime());
        m.reverts.inc({ kind: entry.kind });
        entry.reapplied = this.reappliedEntry(entry, outcome, now);
        log.warn({ found: outcome.found }, 'an external writer reset the delivered version: re-applied');
      } else if (outcome.wrote) log.info({ message: outcome.message }, 'delivered');
    } else {
      const delay = entry.waitingForChange
        ? this.opts.retry.maxMs
        : backoffDelay(entry.failures, this.opts.retry);
      entry.failures += 1;
      entry.dueAt = now.getTime() + delay;
      log.info({ state: outcome.state, message: outcome.message, retryInMs: delay }, 'delivery not done');
    }
    entry.state = {
      state: outcome.state,
      message: outcome.message,
      attempts,
      lastAttempt: now.toISOString(),
    };
  }

  private reappliedEntry(entry: Entry, outcome: DeliveryOutcome, now: Date): NewEntry {
    const target = entry.request.target.metadata.name;
    const found = outcome.found ? `found ${outcome.found}` : 'found it changed';
    return {
      time: now.toISOString(),
      type: 'Reapplied',
      environment: entry.request.environment,
      target,
      ...(outcome.found !== undefined ? { from: outcome.found } : {}),
      to: entry.version,
      actor: 'depot',
      message: `${entry.version} re-applied to ${target}: an external writer reset it (${found}); ${outcome.message}`,
    };
  }
}

/** The state a review shows: a delivered version the deployment system reports it cannot deploy shows Failed with its words. */
function shownState(state: DeliveryState, problem: string | undefined): DeliveryState {
  if (problem === undefined || state.state !== 'Delivered') return state;
  return { ...state, state: 'Failed', message: `${state.message ?? 'delivered'}; ${problem}` };
}
