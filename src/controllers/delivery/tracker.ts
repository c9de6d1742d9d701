// Delivery per (application, target), beside the application controller: dispatch() starts
// the attempts due, waits at most `wait` ms and returns an immutable DeliveryRecord (a fast
// delivery lands in the same status write); observe() returns it without starting anything.
// One attempt per target at a time; capped backoff; a revert is written again; a writer that
// keeps resetting it makes the target Contested (core/delivery-contest.ts).
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
import type { DeliveryFacts, DeployedReport } from '../../core/application/plan.js';
import type { PlannedTarget } from '../../core/application/targets.js';
import {
  deliveryKind,
  effectiveDelivery,
  publishedState,
  type Deliverer,
  type DeliveryObject,
  type DeliveryObservation,
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
import { deliveryNameProblems } from '../../core/delivery-names.js';
import type { DeliveryMetrics } from './metrics.js';
import { ByApplication } from './by-application.js';
import { watchKey, watchLimitDefaults, type WatchLimits, type WatchedObjects } from './watched-objects.js';

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
  /** Caps of the informers deliveries open (--max-delivery-watches*). */
  watches?: WatchLimits;
}

/**
 * A delivered version the deployment system itself reports failing on (Flux
 * Ready=False) is shown Failed with that report; the field holds the version,
 * so nothing is attempted: the state follows the system's report.
 */
function shownState(state: DeliveryState, observed: DeliveryObservation | undefined): DeliveryState {
  // A delivery the owner no longer consents to (or a new consent rule refuses) is never shown Delivered.
  if (observed?.refused !== undefined && (state.state === 'Delivered' || state.state === 'Contested'))
    return { ...state, state: 'Failed', message: observed.refused };
  const failure = observed?.failure;
  if (!failure || state.state !== 'Delivered') return state;
  const message = `${failure}; delivered: ${state.message}`;
  // status.targets[].delivery.message holds at most 4096 characters.
  return {
    ...state,
    state: 'Failed',
    message: message.length > 4096 ? `${message.slice(0, 4093)}...` : message,
  };
}

/**
 * How long a reconcile waits for its attempts to leave the
 * --delivery-concurrency queue: behind a backlog, the status (the new
 * desired version, Pending) is written no later than this.
 */
const MAX_QUEUED_MS = 30_000;

/** Dispatches that may wait without a worker, per --delivery-concurrency slot (backpressure beyond). */
const PARKED_PER_SLOT = 2;

export const deliveryDefaults: DeliveryOptions = {
  retry: { baseMs: 2_000, maxMs: 300_000, jitter: 0.1 },
  concurrency: 16,
  inlineWaitMs: 1_000,
  watches: watchLimitDefaults,
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
  /** The delivery settings of the last dispatch (JSON). */
  settings: string;
  /** Resets of the delivered field by another writer (core/delivery-contest.ts). */
  contest?: Contest;
}

/**
 * What delivery knows of one application's planned targets at one moment
 * (composeStatus's DeliveryFacts, plus when to look again). Taken once and
 * never changed afterwards: attempts that finish later make a new record.
 */
export interface DeliveryRecord extends DeliveryFacts {
  readonly deliveries: ReadonlyMap<string, DeliveryState>;
  readonly reports: ReadonlyMap<string, DeployedReport>;
  /** Reapplied entries to add to history (oldest first). */
  readonly entries: readonly NewEntry[];
  /** The earliest time an attempt of this application is due, if any (epoch ms). */
  readonly nextAt?: number;
}

/** An attempt in flight. */
interface Attempt {
  done: Promise<void>;
  /** Settles when the attempt leaves the --delivery-concurrency queue and runs. */
  started: Promise<void>;
  /** A dispatch waits for it and will record its outcome: finishing re-queues nothing. */
  claimed: boolean;
}

export class DeliveryTracker implements TriggerSource {
  /** Per application, by target name. */
  private readonly entries = new ByApplication<Entry>();
  /** Targets with an attempt in flight (at most one each). */
  private readonly inFlight = new Map<string, Attempt>();

  private readonly limit: ReturnType<typeof pLimit>;
  /** Dispatches waiting without a worker (yieldWorker). */
  private parked = 0;
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
      const now = this.deps.clock.now();
      for (const [, entry] of this.entries.of(req)) if (entry.waitingForChange) entry.dueAt = now;
      enqueue(req);
    });
  }

  /**
   * Starts the attempts of the planned targets that are due, waits for this
   * application's attempts in flight at most `wait` ms each once it runs
   * (default --delivery-inline-wait; time queued behind other attempts is
   * not counted, up to MAX_QUEUED_MS; they go on in the background), and
   * returns the record of what is known then. While it waits, the caller's
   * worker is given back (`yieldWorker`): attempts in flight never hold one.
   */
  async dispatch(
    app: Application,
    planned: readonly PlannedTarget[],
    now: Date,
    signal: AbortSignal,
    opts: { wait?: number; yieldWorker?: () => () => Promise<void> } = {},
  ): Promise<DeliveryRecord> {
    const running = this.startDue(app, planned, now, signal);
    const wait = opts.wait ?? this.opts.inlineWaitMs;
    if (running.length > 0 && wait > 0) {
      for (const attempt of running) attempt.claimed = true;
      // A waiting pass holds its plan (and the namespace's compatibility view): beyond
      // enough of them to keep every attempt slot busy, the next ones keep their worker.
      const resume = this.parked < PARKED_PER_SLOT * this.opts.concurrency ? opts.yieldWorker?.() : undefined;
      if (resume) this.parked++;
      try {
        const each = running.map((a) => a.started.then(() => within(a.done, wait)));
        await within(Promise.allSettled(each), MAX_QUEUED_MS + wait);
      } finally {
        if (resume) {
          this.parked--;
          // The status write that follows takes a worker again (--workers bounds the writes).
          await resume();
        }
      }
    }
    return this.observe(app, planned, now);
  }

  /**
   * The record of the planned targets as known now, without starting or
   * waiting for anything. Synchronous: an attempt finished before this call
   * is in it, one finished after re-queues the application.
   */
  observe(app: Application, planned: readonly PlannedTarget[], now: Date): DeliveryRecord {
    const prefix = keyPrefix(app);
    const deliveries = new Map<string, DeliveryState>();
    const reports = new Map<string, DeployedReport>();
    const entries: NewEntry[] = [];
    let nextAt: number | undefined;
    for (const p of planned) {
      const name = p.target.metadata.name;
      const kind = deliveryKind(p.target);
      const deliverer = this.registry.get(kind);
      if (!deliverer || p.desired === undefined) {
        deliveries.set(name, publishedState(kind, p.desired, p.previous, now, p.target));
        continue;
      }
      const key = prefix + name;
      const running = this.inFlight.get(key);
      if (running) running.claimed = false;
      const entry = this.entries.get(requestOfApp(app), name);
      const current = entry?.version === p.desired && entry.kind === kind ? entry : undefined;
      const observed = this.observed(deliverer, current?.request ?? requestOf(app, p));
      deliveries.set(name, shownState(current?.state ?? initialState(kind, p), observed));
      if (observed?.deployed !== undefined) reports.set(name, { version: observed.deployed, actor: kind });
      if (!current) continue;
      // Due later (a retry): look again then. Due now but not started: its cache is being listed, and its sync re-runs this.
      if (current.dueAt !== undefined && current.dueAt > now.getTime() && !running)
        nextAt = Math.min(nextAt ?? Infinity, current.dueAt);
      if (current.reapplied) entries.push(current.reapplied);
    }
    return Object.freeze({
      deliveries,
      reports,
      entries: Object.freeze(entries),
      ...(nextAt !== undefined ? { nextAt } : {}),
    });
  }

  /** The record's Reapplied entries are in the status now. */
  acknowledge(app: Request, record: DeliveryRecord): void {
    if (record.entries.length === 0) return;
    for (const [, entry] of this.entries.of(app))
      if (entry.reapplied && record.entries.includes(entry.reapplied)) delete entry.reapplied;
  }

  /** The application is gone: forget its targets (its Argo CD and Flux objects are left alone). */
  forget(app: Request): void {
    this.entries.forget(app);
    this.watched.forget(app);
  }

  /**
   * Brings each planned target's entry up to date (a new version or new
   * settings, a revert seen by its integration), starts the attempts that
   * are due, and returns this application's attempts in flight.
   */
  private startDue(
    app: Application,
    planned: readonly PlannedTarget[],
    now: Date,
    signal: AbortSignal,
  ): Attempt[] {
    const req = requestOfApp(app);
    const prefix = keyPrefix(app);
    const live = new Set<string>();
    const running: Attempt[] = [];
    // First what every target renders and watches: refused names and watches open nothing.
    const targets = planned.flatMap((p) => {
      const kind = deliveryKind(p.target);
      const deliverer = this.registry.get(kind);
      if (!deliverer || p.desired === undefined) return [];
      const request = requestOf(app, p);
      return [{ p, kind, deliverer, request, ...this.objectsOf(deliverer, request) }];
    });
    const refusals = this.watched.use(
      req,
      targets.flatMap((t) => t.objects),
    );
    for (const { p, kind, deliverer, request, objects, primary, problem } of targets) {
      const name = p.target.metadata.name;
      const key = prefix + name;
      live.add(name);
      let entry = this.entries.get(req, name);
      if (!entry || entry.version !== p.desired || entry.kind !== kind) {
        entry = this.seed(req, kind, request, p, now);
        this.entries.set(req, name, entry);
      }
      // Other settings (a fixed applicationName, an override): whatever waited is due now.
      const settings = JSON.stringify(request.delivery);
      if (settings !== entry.settings && entry.state.state !== 'Delivered' && !this.inFlight.has(key)) {
        entry.failures = 0;
        entry.dueAt = now.getTime();
      }
      entry.settings = settings;
      entry.request = request;

      // A name that is not one, or a watch over a cap: Failed, nothing read or written; due again once it clears.
      const refused = problem ?? objects.map((o) => refusals.get(watchKey(o))).find((r) => r !== undefined);
      if (refused !== undefined) {
        if (!this.inFlight.has(key)) this.refuse(entry, refused, now);
        continue;
      }
      // Its cache is being listed: no attempt yet (it would read nothing); its sync re-runs this.
      const listing = primary !== undefined && !this.watched.synced(primary);
      // Delivered, but the field no longer holds the version: someone reset it.
      // A writer that keeps resetting it meets growing delays, then a Contested target.
      const observed = this.observed(deliverer, request);
      if (entry.state.state === 'Delivered' && entry.dueAt === undefined && observed?.inPlace === false) {
        const step = resetSeen(entry.contest, now.getTime(), this.contestPolicy());
        entry.contest = step.contest;
        entry.dueAt = now.getTime() + step.delayMs;
      }
      // Delivered before, refused now (consent withdrawn, or a field that now needs authorized-fields):
      // attempted again, so the target is Failed with the refusal, and nothing is written.
      if (
        observed?.refused !== undefined &&
        (entry.state.state === 'Delivered' || entry.state.state === 'Contested')
      )
        entry.dueAt = Math.min(entry.dueAt ?? Infinity, now.getTime());
      if (entry.state.state === 'Contested' && contestedObjectChanged(entry.contest, observed?.spec))
        entry.dueAt = Math.min(entry.dueAt ?? Infinity, now.getTime());
      if (entry.contest?.contested && entry.contest.spec === undefined) entry.contest.spec = observed?.spec;

      if (entry.dueAt !== undefined && entry.dueAt <= now.getTime() && !this.inFlight.has(key) && !listing)
        this.start(key, entry, signal);
      const attempt = this.inFlight.get(key);
      if (attempt) running.push(attempt);
    }
    // Targets this application no longer delivers to (removed, moved, no longer desired).
    for (const [name] of this.entries.of(req)) if (!live.has(name)) this.entries.delete(req, name);
    return running;
  }

  /** The objects a target's delivery writes and reads, or why its rendered names are refused. */
  private objectsOf(
    deliverer: Deliverer,
    request: DeliveryRequest,
  ): { objects: DeliveryObject[]; primary?: DeliveryObject; problem?: string } {
    const { application, target, environment, delivery } = request;
    const problems = deliveryNameProblems(application, target, environment, delivery);
    if (problems.length > 0) return { objects: [], problem: problems.join('; ') };
    try {
      const primary = deliverer.objectOf?.(request);
      const objects = [...(primary ? [primary] : []), ...(deliverer.alsoReads?.(request) ?? [])];
      return primary ? { objects, primary } : { objects };
    } catch (err) {
      this.deps.log.warn(
        { target: target.metadata.name, err: apiErrorMessage(err) },
        'delivery observer failed',
      );
      return { objects: [] };
    }
  }

  /** Records a refusal as the target's state (once: a converged system writes nothing), due when it clears. */
  private refuse(entry: Entry, message: string, now: Date): void {
    entry.dueAt = now.getTime();
    if (entry.state.state === 'Failed' && entry.state.message === message) return;
    entry.state = Object.freeze({
      state: 'Failed',
      message,
      attempts: entry.state.attempts ?? 0,
      lastAttempt: now.toISOString(),
    });
  }

  /** The integration's reading of the target's object (cache only); undefined when it fails. */
  private observed(deliverer: Deliverer, request: DeliveryRequest): DeliveryObservation | undefined {
    const { application, target, environment, delivery } = request;
    // Its namespace or name is not one: nothing to read (the target is Failed saying so).
    if (deliveryNameProblems(application, target, environment, delivery).length > 0) return undefined;
    try {
      return deliverer.observe?.(request);
    } catch (err) {
      this.deps.log.warn(
        { target: request.target.metadata.name, err: apiErrorMessage(err) },
        'delivery observer failed',
      );
      return undefined;
    }
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
    const state = initialState(kind, p);
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

  /** The entry is still its target's (no other version or kind is desired since). */
  private current(entry: Entry): boolean {
    return this.entries.get(entry.app, entry.request.target.metadata.name) === entry;
  }

  private start(key: string, entry: Entry, signal: AbortSignal): void {
    entry.dueAt = undefined;
    let started = () => {};
    const attempt: Attempt = {
      done: Promise.resolve(),
      started: new Promise<void>((resolve) => (started = resolve)),
      claimed: false,
    };
    attempt.done = this.limit(() => {
      started();
      return this.attempt(entry, signal);
    }).finally(() => {
      started();
      this.inFlight.delete(key);
      // Unless a waiting dispatch records the outcome, the next reconcile does.
      if (!attempt.claimed) this.enqueue?.(entry.app);
    });
    this.inFlight.set(key, attempt);
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

  private async attempt(entry: Entry, signal: AbortSignal): Promise<void> {
    if (signal.aborted || !this.current(entry)) return;
    const deliverer = this.registry.get(entry.kind)!;
    const wasDelivered = entry.state.state === 'Delivered' || entry.state.state === 'Contested';
    const started = performance.now();
    let outcome: DeliveryOutcome;
    try {
      const contested = entry.contest?.contested && entry.state.state === 'Delivered';
      const seen = contested ? deliverer.observe?.(entry.request) : undefined;
      // A refused target is not contested: deliver() answers the refusal without a request.
      outcome =
        contested && seen?.refused === undefined
          ? await this.contested(entry, seen?.current)
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
    if (!this.current(entry)) return; // another version is desired now
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
    entry.state = Object.freeze({
      state: outcome.state,
      message: outcome.message,
      attempts,
      lastAttempt: now.toISOString(),
    });
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

const keyPrefix = (app: Application) => `${app.metadata.namespace ?? ''}/${app.metadata.name}/`;
const requestOfApp = (app: Application): Request => ({
  namespace: app.metadata.namespace ?? '',
  name: app.metadata.name,
});

/** What an integration is asked to do for one planned target. */
function requestOf(app: Application, p: PlannedTarget): DeliveryRequest {
  return {
    application: app,
    target: p.target,
    environment: p.environment,
    version: p.desired!,
    delivery: effectiveDelivery(p.target, app),
    ...(p.previous?.delivery ? { previous: p.previous.delivery } : {}),
  };
}

/** The state of a target's version before any attempt of this process: as recorded, else Pending. */
function initialState(kind: DeliveryKind, p: PlannedTarget): DeliveryState {
  const recorded = p.previous?.desired === p.desired ? p.previous?.delivery : undefined;
  return (
    recorded ??
    Object.freeze({ state: 'Pending', message: `waiting for ${kind} delivery of ${p.desired}`, attempts: 0 })
  );
}

/** Resolves when `work` settles or after `ms`, whichever is first (the work goes on). */
async function within(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref?.();
  });
  await Promise.race([work, timeout]);
  clearTimeout(timer);
}
