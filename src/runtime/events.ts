// Kubernetes Events (events.k8s.io/v1) about Depot's objects, deduplicated
// and aggregated by EventAggregator. Recording never throws and never waits:
// an Event is best-effort and must not fail or slow a reconcile.
import type { EventsV1Event } from '@kubernetes/client-node';
import { apiErrorMessage } from '../kube/errors.js';
import type { EventApi } from '../kube/lease-event-clients.js';
import type { Clock, TimerHandle } from '../kube/clock.js';
import { EventAggregator, defaultAggregatorOptions, type AggregatorOptions } from './event-aggregator.js';
import { microTime } from '../kube/time.js';
import type { Logger } from './log.js';
import type { RuntimeMetrics } from './metrics.js';
import type { KubeObject } from '../kube/resource.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  api: EventApi;
  clock: Clock;
  log: Logger;
  metrics: RuntimeMetrics;
  /** e.g. "depot.sh/operator" */
  reportingController: string;
  /** This process (pod name / identity). */
  reportingInstance: string;
  aggregation?: Partial<AggregatorOptions>;
  /**
   * Events waiting for the API server at most (default 1000); beyond that new
   * ones are dropped and counted, as client-go's broadcaster drops when its
   * queue is full. Events are best-effort: the audit log and status history
   * are Depot's durable record.
   */
  maxPending?: number;
  /** False while this process may not write (leadership's fence): the Event is dropped and counted. */
  mayRecord?: () => boolean;
}

export const DEFAULT_MAX_PENDING_EVENTS = 1000;

/** What controllers record Events with: the EventRecorder, or testing/'s recording one. */
export interface EventSink {
  normal(obj: KubeObject, reason: string, note: string, action?: string): void;
  warning(obj: KubeObject, reason: string, note: string, action?: string): void;
}

export class EventRecorder implements EventSink {
  private readonly aggregator: EventAggregator;
  private readonly inFlight = new Set<Promise<void>>();
  private flushTimer: TimerHandle | undefined;
  private seq = 0;
  private running = false;

  constructor(private readonly opts: EventRecorderOptions) {
    this.aggregator = new EventAggregator({ ...defaultAggregatorOptions, ...opts.aggregation });
  }

  normal(obj: KubeObject, reason: string, note: string, action = reason): void {
    this.record(obj, 'Normal', reason, note, action);
  }

  warning(obj: KubeObject, reason: string, note: string, action = reason): void {
    this.record(obj, 'Warning', reason, note, action);
  }

  record(obj: KubeObject, type: EventType, reason: string, note: string, action = reason): void {
    try {
      const regarding = {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        namespace: obj.metadata?.namespace,
        name: obj.metadata?.name,
        uid: obj.metadata?.uid,
      };
      const namespace = regarding.namespace || 'default';
      const parts = {
        regarding,
        type,
        reason: clip(reason, 128),
        action: clip(action, 128),
        note: clip(note, 1024),
      };
      const now = this.opts.clock.now();
      if (this.opts.mayRecord && !this.opts.mayRecord()) {
        this.opts.metrics.events.inc({ type, outcome: 'fenced' });
        return;
      }
      if (this.inFlight.size >= (this.opts.maxPending ?? DEFAULT_MAX_PENDING_EVENTS)) {
        this.opts.metrics.events.inc({ type, outcome: 'dropped' });
        return;
      }
      const decision = this.aggregator.record({ ...parts, namespace }, now);
      if (decision.kind === 'aggregate') {
        this.opts.metrics.events.inc({ type, outcome: 'aggregated' });
        return;
      }
      const name = `${clip(regarding.name ?? 'object', 200)}.${(now * 1000 + (this.seq++ % 1000)).toString(16)}`;
      const body: EventsV1Event = {
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        metadata: { name, namespace },
        eventTime: microTime(now) as unknown as Date, // MicroTime: client-node sends strings as they are
        reportingController: this.opts.reportingController,
        reportingInstance: clip(this.opts.reportingInstance, 128),
        action: parts.action,
        reason: parts.reason,
        note: parts.note,
        type,
        regarding,
      };
      this.track(
        this.opts.api.createNamespacedEvent({ namespace, body }).then(
          () => {
            this.aggregator.created(decision.key, name);
            this.opts.metrics.events.inc({ type, outcome: 'created' });
          },
          (err: unknown) => {
            this.aggregator.failed(decision.key);
            this.opts.metrics.events.inc({ type, outcome: 'dropped' });
            this.opts.log.warn(
              { err: apiErrorMessage(err), reason, object: `${namespace}/${regarding.name}` },
              'could not create Event',
            );
          },
        ),
      );
    } catch (err) {
      this.opts.log.warn({ err }, 'could not record Event');
    }
  }

  /** Starts patching series counts in the background. */
  start(flushEveryMs = 5_000): void {
    if (this.running) return;
    this.running = true;
    const tick = () => {
      this.flush(false);
      if (this.running) this.flushTimer = this.opts.clock.setTimer(tick, flushEveryMs);
    };
    this.flushTimer = this.opts.clock.setTimer(tick, flushEveryMs);
  }

  /** Writes every pending series count and waits for all Event requests. */
  async stop(): Promise<void> {
    this.running = false;
    this.flushTimer?.cancel();
    await Promise.allSettled([...this.inFlight]);
    this.flush(true);
    await Promise.allSettled([...this.inFlight]);
  }

  private flush(all: boolean): void {
    const now = this.opts.clock.now();
    for (const s of this.aggregator.due(now, all)) {
      this.aggregator.patched(s.key, s.count, now);
      const body = { series: { count: s.count, lastObservedTime: microTime(s.lastObservedAt) } };
      this.track(
        this.opts.api.mergePatchNamespacedEvent({ name: s.eventName, namespace: s.namespace, body }).then(
          () => undefined,
          (err: unknown) =>
            this.opts.log.warn(
              { err: apiErrorMessage(err), event: s.eventName },
              'could not update Event series',
            ),
        ),
      );
    }
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
