// What the manager gives the parts it runs (controllers, the HTTP API):
// `controllers(deps)` in src/controllers/index.ts builds Depot's controllers
// from this.
import type { Clock } from '../kube/clock.js';
import type { EventSink } from './events.js';
import type { InformerSource } from './informer-factory.js';
import type { InvalidObjectReporter } from './invalid-object.js';
import type { KubeApi } from '../kube/client.js';
import type { Logger } from './log.js';
import type { RuntimeMetrics } from './metrics.js';
import type { StatusWriter } from './status-writer.js';
import type { ObjectWriter } from './writes.js';
import type { ShardMembership } from './shard-membership.js';

export interface RuntimeDeps {
  /** Shared informers and their caches: deps.informers.informer(Applications).get(ns, name). */
  informers: InformerSource;
  /** Direct API reads (e.g. one Secret) and writes outside the helpers; rate-limited and counted. */
  client: KubeApi;
  /**
   * A writer with its own field manager (server-side apply / merge patch); fenced by leadership, except `fenced: false`
   * for writes made for a user (an HTTP API). `budget: 'delivery'`: writes into Argo CD and Flux objects, bounded by
   * the delivery dispatcher's own concurrency (--delivery-concurrency) instead of --kube-api-qps.
   */
  writer(fieldManager: string, opts?: { fenced?: boolean; budget?: 'delivery' }): ObjectWriter;
  /** Status subresource writes, only when the status changed. */
  status: StatusWriter;
  /** events.k8s.io Events, aggregated. */
  events: EventSink;
  /** Reports invalid objects as a condition and skips them. */
  invalid: InvalidObjectReporter;
  log: Logger;
  clock: Clock;
  /** Add controller-specific metrics to metrics.registry. */
  metrics: RuntimeMetrics;
  /** Watched namespaces; undefined: all. */
  namespaces?: string[];
  /** This process, as written in Events and the Lease. */
  identity: string;
  /** The current leadership term (controllers run only while leading). */
  leadership: () => LeadershipTerm;
  /**
   * Throws NotLeaderError unless this process may start a side effect now
   * (leading, lease renewed within the renew deadline). Writers and Events
   * check it themselves; other side effects (Receiver calls, the audit log)
   * call it right before they start. With shards, given a namespace, it also
   * throws unless this shard holds that namespace.
   */
  fence: (namespace?: string) => void;
  /** Shards: which shard holds (or is chosen for) a namespace; undefined without --shard. */
  shard?: Pick<ShardMembership, 'shard' | 'holderOf' | 'wantedOf'>;
}

export interface LeadershipTerm {
  /** Counts the times this process started leading. */
  term: number;
  /**
   * The previous leader released the lease (or there was none): whatever it
   * wrote, it also finished. False after a takeover of an expired lease, and
   * always without leader election, where a crash cannot be told apart.
   */
  previousLeaderStoppedCleanly: boolean;
}
