// The reconcile contract (as in controller-runtime). A controller declares
// its primary resource and secondary watches; the runtime turns every change
// into the key of a primary object and calls reconcile() for it, one call
// per key at a time. Reconcile is level-based: it reads the current state
// from the informer caches, never from the event that woke it.
import type { InformerEvent } from './informer.js';
import type { Logger } from './log.js';
import type { KubeObject, Request, ResourceType } from '../kube/resource.js';

export type { Request } from '../kube/resource.js';

export interface ReconcileResult {
  /** Reconcile this key again after this long (soak times, schedules, polling). */
  requeueAfterMs?: number;
}

export interface ReconcileContext {
  /** Logger whose every line carries the controller and the object key. */
  log: Logger;
  /** Aborted when this process stops leading: stop early, writes are refused anyway. */
  signal: AbortSignal;
  /**
   * The reconcile is about to wait on something outside (delivery attempts in
   * flight): its worker takes other keys meanwhile. The key stays this
   * reconcile's until it returns (no second reconcile of it runs at once).
   * Call the returned function when the wait is over: it resolves once a
   * worker is free again, so no more than --workers reconciles work (write) at once.
   */
  yieldWorker?: () => () => Promise<void>;
}

export interface Reconciler {
  /** Throwing means "failed": the key is retried with growing delays. */
  reconcile(req: Request, ctx: ReconcileContext): Promise<ReconcileResult | void>;
}

export interface WatchSelector {
  resource: ResourceType;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface PrimaryWatch extends WatchSelector {
  /** Skip events that cannot matter (e.g. status-only updates); resyncs still run. */
  filter?: (event: InformerEvent<KubeObject>) => boolean;
}

export interface SecondaryWatch<T extends KubeObject = KubeObject> extends WatchSelector {
  /** The primary objects to reconcile when this object changes (e.g. a Target → every Application in its namespace). */
  map: (object: T, type: InformerEvent<T>['type']) => Request[];
}

/**
 * Keys from outside the informers (controller-runtime's channel source): the
 * controller calls subscribe once with a function that queues a request
 * (ignored while the controller does not run).
 */
export interface TriggerSource {
  subscribe(enqueue: (req: Request) => void): void;
}

export interface ControllerSpec {
  /** Names the controller in logs and metrics ("application"). */
  name: string;
  primary: PrimaryWatch;
  watches?: SecondaryWatch[];
  /** Other sources of keys, e.g. a delivery finished or a watched Argo CD Application changed. */
  triggers?: TriggerSource[];
  reconciler: Reconciler;
  /** Concurrent reconciles (of different keys); default: the manager's --workers. */
  workers?: number;
  /** Re-queue every primary object this often; default: the manager's --resync-period; 0 disables. */
  resyncPeriodMs?: number;
}
