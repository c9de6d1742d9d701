// Sends every history entry as a CloudEvent to the audit sink (--audit-sink),
// at least once while the entry is in its Application's status, never in the
// reconcile's way: a reconcile only hands over the history it wrote; one loop
// in the background posts the entries of each Application oldest first,
// Applications in turn, and after a failure waits (capped exponential
// backoff) before it tries again. The newest id the sink accepted is recorded
// as status.historySinkThrough with the next new entries; a new leadership
// term (a restart, a takeover) starts from that marker, so what was written
// but not yet accepted is sent (again) with the same id: receivers de-duplicate
// by id.
import { Counter, Gauge } from 'prom-client';
import type { HistoryEntry } from '../api/application.js';
import { historyCloudEvent, type EventSource } from '../core/cloudevent.js';
import type { KubeObject } from '../kube/resource.js';
import { backoffDelay, type BackoffOptions } from '../runtime/backoff.js';
import { postCloudEvent, sinkUrlForMessages } from './cloudevent-post.js';
import type { RuntimeDeps } from '../runtime/runtime-deps.js';
import { unsentEntries } from './history-sender.js';

export interface AuditSinkOptions {
  /** The CloudEvents receiver (--audit-sink). */
  url: string;
  /** Per POST (--audit-sink-timeout). */
  timeoutMs: number;
  /** Waits after failures (--audit-sink-retry-base-delay, --audit-sink-retry-max-delay). */
  retry: BackoffOptions;
  /** POSTs on their way at once, each of a different Application (--audit-sink-concurrency). */
  concurrency: number;
}

export const auditSinkDefaults: Omit<AuditSinkOptions, 'url'> = {
  timeoutMs: 10_000,
  retry: { baseMs: 1_000, maxMs: 5 * 60_000 },
  concurrency: 4,
};

interface AppState {
  source: EventSource;
  /** The history last written, newest first ([] once all of it was accepted). */
  history: readonly HistoryEntry[];
  /** The newest id the sink accepted (from status.historySinkThrough at first sight). */
  through?: string;
}

const keyOf = (app: KubeObject) => `${app.metadata?.namespace ?? ''}/${app.metadata?.name ?? ''}`;

export class HistorySinkSender {
  private term = -1;
  private readonly apps = new Map<string, AppState>();
  private failures = 0;
  /** Sends on their way, and the Applications they are of (one at a time each, to keep its order). */
  private active = 0;
  private readonly inFlight = new Set<string>();
  /** After a failure, until the retry timer fires: no new send. */
  private paused = false;
  private soon: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private readonly sent: Counter;

  constructor(
    private readonly deps: Pick<RuntimeDeps, 'leadership' | 'log' | 'fence' | 'metrics'>,
    private readonly opts: AuditSinkOptions,
  ) {
    const registry = deps.metrics.registry;
    // One set per registry, also when a second controller is built on it.
    this.sent =
      (registry.getSingleMetric('depot_audit_sink_events_total') as Counter | undefined) ??
      new Counter({
        name: 'depot_audit_sink_events_total',
        help: 'History entries posted to the audit sink as CloudEvents, by outcome (accepted, failed).',
        labelNames: ['outcome'],
        registers: [registry],
      });
    registry.removeSingleMetric('depot_audit_sink_pending_entries');
    const apps = this.apps;
    new Gauge({
      name: 'depot_audit_sink_pending_entries',
      help: 'History entries in Application status that the audit sink has not accepted yet.',
      registers: [registry],
      collect() {
        let n = 0;
        for (const s of apps.values()) n += unsentEntries(s.history, s.through).length;
        this.set(n);
      },
    });
  }

  /** On every reconcile: the first one of an Application in a term starts from the recorded marker. */
  firstSight(
    app: KubeObject,
    history: readonly HistoryEntry[] | undefined,
    marker: string | undefined,
  ): void {
    const { term } = this.deps.leadership();
    if (term !== this.term) {
      this.term = term;
      this.apps.clear();
    }
    const key = keyOf(app);
    if (this.apps.has(key)) return;
    this.apps.set(key, { source: sourceOf(app), history: history ?? [], through: marker });
    if (unsentEntries(history, marker).length > 0) this.schedule();
  }

  /** The newest id the sink accepted, to record as historySinkThrough with the next new entries. */
  through(app: KubeObject): string | undefined {
    return this.apps.get(keyOf(app))?.through;
  }

  /** After a status write that added entries: its whole history, newest first. */
  offer(app: KubeObject, history: readonly HistoryEntry[]): void {
    const key = keyOf(app);
    const state = this.apps.get(key);
    this.apps.set(key, { source: sourceOf(app), history, through: state?.through });
    // While waiting out a failure, pump() starts nothing: the new entries go with the next try.
    this.schedule();
  }

  forget(namespace: string, name: string): void {
    this.apps.delete(`${namespace}/${name}`);
  }

  /** A pump soon (not within this call: the reconcile that handed entries over goes on first). */
  private schedule(): void {
    if (this.soon) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      this.pump();
    }, 0);
    // Pending entries do not hold the process open: what is not sent is sent again from status.
    this.soon.unref();
  }

  /** After a failure: nothing new is sent for `delayMs`, then the sends start again. */
  private pause(delayMs: number): void {
    this.paused = true;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      this.paused = false;
      this.pump();
    }, delayMs);
    this.retry.unref();
  }

  /** The oldest unsent entry of the first Application with one and no send on its way (it goes last afterwards). */
  private next(): { key: string; state: AppState; entry: HistoryEntry & { id: string } } | undefined {
    for (const [key, state] of this.apps) {
      if (this.inFlight.has(key)) continue;
      const unsent = unsentEntries(state.history, state.through);
      const entry = unsent[unsent.length - 1];
      if (entry?.id !== undefined) return { key, state, entry: { ...entry, id: entry.id } };
      if (state.history.length > 0) this.apps.set(key, { ...state, history: [] });
    }
    return undefined;
  }

  /** Starts sends up to the concurrency, one per Application at a time, unless waiting out a failure. */
  private pump(): void {
    while (this.active < this.opts.concurrency && !this.paused) {
      const next = this.next();
      if (!next) return;
      try {
        // Right before the POST starts, like every other side effect.
        this.deps.fence();
      } catch (err) {
        // Not leading now: the next term starts again from status.
        this.deps.log.info({ err: (err as Error).message }, 'audit sink: not sending while not leading');
        return;
      }
      this.active++;
      this.inFlight.add(next.key);
      void this.send(next).finally(() => {
        this.active--;
        this.inFlight.delete(next.key);
        this.pump();
      });
    }
  }

  private async send({
    key,
    state,
    entry,
  }: NonNullable<ReturnType<HistorySinkSender['next']>>): Promise<void> {
    const result = await postCloudEvent(
      this.opts.url,
      historyCloudEvent(state.source, entry),
      this.opts.timeoutMs,
    );
    if (!result.ok) {
      this.sent.inc({ outcome: 'failed' });
      // Sends that were already on their way may fail too: one wait for them all.
      if (this.paused) return;
      const delayMs = backoffDelay(this.failures++, { ...this.opts.retry, jitter: 0.2 });
      this.deps.log.warn(
        { application: key, id: entry.id, failures: this.failures, retryInMs: delayMs },
        `${result.message}; trying again later`,
      );
      this.pause(delayMs);
      return;
    }
    this.sent.inc({ outcome: 'accepted' });
    if (this.failures > 0)
      this.deps.log.info({ sink: sinkUrlForMessages(this.opts.url) }, 'audit sink accepts events again');
    this.failures = 0;
    // The Application goes last, so that one with many entries does not hold up the others.
    const now = this.apps.get(key);
    if (now) {
      this.apps.delete(key);
      this.apps.set(key, { ...now, through: entry.id });
    }
  }
}

function sourceOf(app: KubeObject): EventSource {
  return { namespace: app.metadata?.namespace ?? '', name: app.metadata?.name ?? '' };
}
