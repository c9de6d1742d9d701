// Leader election with a coordination.k8s.io/v1 Lease; only the leader
// reconciles. A leader that cannot renew for the renew deadline stops leading
// before the lease can expire for others. A standby watches the Lease: it
// acquires a released lease at once (SIGTERM) and takes over an unrenewed one
// a lease duration after the last renewal (kill -9).
import type { V1Lease } from '@kubernetes/client-node';
import type { LeaseApi } from '../kube/lease-event-clients.js';
import { apiErrorMessage, isConflict, isNotFound, statusCodeOf } from '../kube/errors.js';
import type { Clock, TimerHandle } from '../kube/clock.js';
import type { Informer } from './informer.js';
import {
  decide,
  nextSpec,
  observe,
  releasedSpec,
  type LeaseRecord,
  type LeaseSpecValue,
  type Observation,
} from './leader-decision.js';
import type { Logger } from './log.js';
import type { RuntimeMetrics } from './metrics.js';
import { microTime } from '../kube/time.js';
import type { KubeObject } from '../kube/resource.js';

export interface LeaderElectionConfig {
  leaseName: string;
  leaseNamespace: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export type LeaderState = 'candidate' | 'leader' | 'stopped';

export interface LeaderElectorOptions extends LeaderElectionConfig {
  api: LeaseApi;
  clock: Clock;
  log: Logger;
  metrics: RuntimeMetrics;
  /** An informer on the one Lease (field selector metadata.name), to hear releases at once. */
  leaseInformer?: Informer<KubeObject>;
  /** `how`: created (a new lease), free (released by its holder) or expired (taken over). */
  onStartedLeading: (how: string) => void;
  onStoppedLeading: () => void;
}

export function validateLeaderElection(
  c: Pick<LeaderElectionConfig, 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs'>,
): void {
  if (!(c.leaseDurationMs > c.renewDeadlineMs))
    throw new Error('--lease-duration must be greater than --renew-deadline');
  if (!(c.renewDeadlineMs > c.retryPeriodMs))
    throw new Error('--renew-deadline must be greater than --retry-period');
  if (!(c.retryPeriodMs > 0)) throw new Error('--retry-period must be positive');
}

export class LeaderElector {
  private state: LeaderState = 'candidate';
  private observation: Observation | undefined;
  private lastRenewAt = 0;
  private deadlineTimer: TimerHandle | undefined;
  private wake = new AbortController();
  private loop: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly log: Logger;

  constructor(private readonly opts: LeaderElectorOptions) {
    validateLeaderElection(opts);
    this.log = opts.log.child({ lease: `${opts.leaseNamespace}/${opts.leaseName}`, identity: opts.identity });
    opts.metrics.leader.set({ lease: opts.leaseName }, 0);
  }

  isLeader(): boolean {
    return this.state === 'leader';
  }

  /**
   * A write may start now: leading, and the last renewal is younger than the
   * renew deadline. Judged by the clock at the moment of asking, not by the
   * state alone: after a stalled event loop the deadline timer has not run
   * yet, and the state still says leader while the lease may be another's.
   */
  mayWrite(): boolean {
    return this.state === 'leader' && this.opts.clock.now() - this.lastRenewAt < this.opts.renewDeadlineMs;
  }

  /** A method, not a field read: the state changes while a round awaits. */
  private stopped(): boolean {
    return this.state === 'stopped';
  }

  get currentState(): LeaderState {
    return this.state;
  }

  start(): void {
    if (this.loop) return;
    this.unsubscribe = this.opts.leaseInformer?.on(({ type, object }) => this.leaseChanged(type, object));
    this.opts.leaseInformer?.start();
    this.loop = this.run();
  }

  /** Stops campaigning and, if leading, releases the lease so a standby takes over now. */
  async release(): Promise<void> {
    const wasLeader = this.state === 'leader';
    this.state = 'stopped';
    this.wake.abort();
    this.unsubscribe?.();
    await this.loop;
    await this.opts.leaseInformer?.stop();
    this.deadlineTimer?.cancel();
    if (wasLeader) {
      this.setLeader(false);
      await this.giveUp();
    }
  }

  private async run(): Promise<void> {
    while (!this.stopped()) {
      // A poke (lease released) during this round makes the sleep below end at once.
      this.wake = new AbortController();
      let retryAt = this.opts.clock.now() + this.opts.retryPeriodMs;
      try {
        retryAt = await this.tryAcquireOrRenew();
      } catch (err) {
        this.log.warn({ err: apiErrorMessage(err), code: statusCodeOf(err) }, 'lease request failed');
      }
      if (this.stopped()) break;
      const now = this.opts.clock.now();
      const wait = Math.max(0, Math.min(retryAt, now + this.opts.retryPeriodMs) - now);
      await this.opts.clock.sleep(wait, this.wake.signal);
    }
  }

  /** One round; returns when the next round is due. */
  private async tryAcquireOrRenew(): Promise<number> {
    const { api, leaseName: name, leaseNamespace: namespace, identity } = this.opts;
    const lease = await this.read();
    const now = this.opts.clock.now();
    this.observation = observe(this.observation, lease && toRecord(lease), now);
    const decision = decide(identity, now, this.observation, this.opts.leaseDurationMs);
    if (this.stopped()) return now;
    if (decision.action === 'wait') {
      if (this.state === 'leader') {
        this.log.warn({ holder: decision.holder }, 'another process holds the lease');
        this.lose();
      }
      return decision.retryAt;
    }
    const spec = nextSpec(identity, now, this.observation?.record, this.opts.leaseDurationMs);
    try {
      if (decision.action === 'create') {
        await api.createNamespacedLease({ namespace, body: leaseBody(name, namespace, spec) });
      } else {
        const rv = this.observation!.record.resourceVersion;
        await api.replaceNamespacedLease({ name, namespace, body: leaseBody(name, namespace, spec, rv) });
      }
    } catch (err) {
      // 409: someone else wrote the lease first; the next round sees who.
      if (isConflict(err) || statusCodeOf(err) === 409) return this.opts.clock.now();
      throw err;
    }
    this.renewed(
      decision.action === 'renew' ? 'renewed' : decision.action === 'create' ? 'created' : decision.reason,
    );
    return this.opts.clock.now() + this.opts.retryPeriodMs;
  }

  private async read(): Promise<V1Lease | undefined> {
    try {
      return await this.opts.api.readNamespacedLease({
        name: this.opts.leaseName,
        namespace: this.opts.leaseNamespace,
      });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private renewed(how: string): void {
    this.lastRenewAt = this.opts.clock.now();
    this.deadlineTimer?.cancel();
    // If no renewal succeeds within the deadline (even with a request hanging), stop leading.
    this.deadlineTimer = this.opts.clock.setTimer(() => {
      if (this.state === 'leader' && this.opts.clock.now() - this.lastRenewAt >= this.opts.renewDeadlineMs) {
        this.log.error({ renewDeadlineMs: this.opts.renewDeadlineMs }, 'could not renew the lease in time');
        this.lose();
      }
    }, this.opts.renewDeadlineMs);
    if (this.state === 'candidate') {
      this.state = 'leader';
      this.log.info({ how }, 'became leader');
      this.setLeader(true);
      this.opts.onStartedLeading(how);
    }
  }

  private lose(): void {
    if (this.state !== 'leader') return;
    this.state = 'candidate';
    this.deadlineTimer?.cancel();
    this.setLeader(false);
    this.log.warn('stopped leading');
    this.opts.onStoppedLeading();
  }

  private setLeader(leading: boolean): void {
    this.opts.metrics.leader.set({ lease: this.opts.leaseName }, leading ? 1 : 0);
    this.opts.metrics.leaderTransitions.inc({
      lease: this.opts.leaseName,
      to: leading ? 'leader' : 'standby',
    });
  }

  /** Writes the released record, unless someone else holds the lease by now. */
  private async giveUp(): Promise<void> {
    const { api, leaseName: name, leaseNamespace: namespace, identity } = this.opts;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const lease = await this.read();
        if (!lease || lease.spec?.holderIdentity !== identity) return;
        const record = toRecord(lease);
        await api.replaceNamespacedLease({
          name,
          namespace,
          body: leaseBody(
            name,
            namespace,
            releasedSpec(this.opts.clock.now(), record),
            record.resourceVersion,
          ),
        });
        this.log.info('released the lease');
        return;
      } catch (err) {
        if (!isConflict(err)) {
          this.log.warn({ err: apiErrorMessage(err) }, 'could not release the lease; it expires on its own');
          return;
        }
      }
    }
  }

  /**
   * The watched Lease changed: a released or deleted lease is taken at once;
   * a renewal is observed now, so the lease duration counts from the renewal
   * (give or take the watch's latency), not from this candidate's next poll,
   * which could be a retry period later: a standby takes over within the
   * lease duration of the leader's last renewal, so of its failure.
   */
  private leaseChanged(type: string, object: KubeObject): void {
    if (this.state !== 'candidate') return;
    const spec = object.spec as { holderIdentity?: string } | undefined;
    if (type === 'delete' || !spec?.holderIdentity) {
      this.wake.abort();
      return;
    }
    this.observation = observe(this.observation, toRecord(object as V1Lease), this.opts.clock.now());
  }
}

function toRecord(lease: V1Lease): LeaseRecord {
  const spec = lease.spec ?? {};
  return {
    holderIdentity: spec.holderIdentity ?? '',
    leaseDurationSeconds: spec.leaseDurationSeconds,
    acquireTime: timeString(spec.acquireTime),
    renewTime: timeString(spec.renewTime),
    leaseTransitions: spec.leaseTransitions ?? 0,
    resourceVersion: lease.metadata?.resourceVersion ?? '',
  };
}

/** client-node hands MicroTime back as the server's string; accept a Date too. */
function timeString(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return v instanceof Date ? microTime(v) : String(v);
}

function leaseBody(name: string, namespace: string, spec: LeaseSpecValue, resourceVersion?: string): V1Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace, resourceVersion },
    // MicroTime fields go as strings with six fractional digits (client-node passes them through).
    spec: spec as unknown as V1Lease['spec'],
  };
}
