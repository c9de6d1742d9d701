// Shards: which namespaces this process caches and may write. Every replica
// of a shard watches the namespaces whose Lease (`depot-shard-<ns>` in the
// operator's namespace) names its shard, so a standby's caches are warm; the
// shard's leader moves the Leases as the namespaces' `depot.sh/shard` labels
// say (shard-decision.ts), releasing one only when none of its reconciles
// runs there any more. Liveness comes from the shards' leader Leases, so a
// converged cluster renews nothing per namespace.
import type { Clock, TimerHandle } from '../kube/clock.js';
import { apiErrorMessage, isConflict, isNotFound } from '../kube/errors.js';
import { microTime } from '../kube/time.js';
import { Leases, type KubeObject, type ResourceType } from '../kube/resource.js';
import type { InformerFactory } from './informer-factory.js';
import type { SharedInformer } from './informer.js';
import type { Logger } from './log.js';
import type { Runnable } from './runnable.js';
import {
  decideShard,
  namespaceLeaseName,
  shardLeaderLeaseName,
  shardLeaseLabel,
  shardOf,
  type HoldState,
} from './shard-decision.js';
import { NotLeaderError, type ObjectWriter } from './writes.js';
import { Gauge, type Registry } from 'prom-client';

/** Namespaces whose Lease the leader handles at once. */
const stepConcurrency = 16;

export const Namespaces: ResourceType = {
  group: '',
  version: 'v1',
  plural: 'namespaces',
  kind: 'Namespace',
  namespaced: false,
};

export interface ShardOptions {
  /** This shard's name (--shard). */
  name: string;
  /** Where the namespace Leases and the shards' leader Leases live. */
  leaseNamespace: string;
  /** --leader-election-id: a shard's leader Lease is `<id>-<shard>`. */
  leaderElectionId: string;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  renewTime?: string;
  acquireTime?: string;
  leaseTransitions?: number;
}
type Lease = KubeObject & { spec?: LeaseSpec };

/** A write refused because another shard owns the namespace (or this one is handing it over). */
export class NotOwnerError extends NotLeaderError {
  constructor(namespace: string, shard: string) {
    super();
    this.name = 'NotOwnerError';
    this.message = `shard ${shard} does not hold namespace ${namespace}: write refused`;
  }
}

export interface ShardMembershipOptions extends ShardOptions {
  informers: InformerFactory;
  /** Lease writes: leadership-fenced, seen by the Lease cache at once. */
  writer: ObjectWriter;
  clock: Clock;
  log: Logger;
  registry: Registry;
  /** Reconciles of a namespace running in this process (all controllers). */
  reconcilesIn: (namespace: string) => number;
  /** --namespaces: the only namespaces this shard may hold (undefined: any). */
  candidates?: string[];
  /** How often the leader looks again (expired holders, drains); default 1 s. */
  tickMs?: number;
}

export class ShardMembership implements Runnable {
  readonly name = 'shard-membership';
  readonly needLeaderElection = true;
  private readonly namespaces: SharedInformer;
  private readonly leases: SharedInformer<Lease>;
  private readonly states = new Map<string, HoldState>();
  /** When a leader Lease's renewTime was last seen to change, on our clock. */
  private readonly renewals = new Map<string, { renewTime?: string; holder?: string; at: number }>();
  private readonly log: Logger;
  private readonly owned: Gauge<'shard'>;
  private dirty = new Set<string>();
  private wake: (() => void) | undefined;

  constructor(private readonly opts: ShardMembershipOptions) {
    this.log = opts.log.child({ shard: opts.name });
    this.namespaces = opts.informers.informer(Namespaces);
    this.leases = opts.informers.informer<Lease>(Leases, { namespaces: [opts.leaseNamespace] });
    this.owned = new Gauge({
      name: 'depot_shard_owned_namespaces',
      help: 'Namespaces whose Lease this shard holds (it caches and reconciles them).',
      labelNames: ['shard'] as const,
      registers: [opts.registry],
    });
    this.owned.set({ shard: opts.name }, 0);
    // Every replica follows the Leases: caches for what the shard holds.
    this.leases.on(({ object }) => this.follow(object));
    this.namespaces.on(({ object }) => this.touch(object.metadata?.name));
  }

  get shard(): string {
    return this.opts.name;
  }

  /** The shard holding a namespace, from its Lease ('' released, undefined none). */
  holderOf(namespace: string): string | undefined {
    return this.leases.get(this.opts.leaseNamespace, namespaceLeaseName(namespace))?.spec?.holderIdentity;
  }

  /** The shard a namespace's label chooses (undefined: no such namespace in the cache). */
  wantedOf(namespace: string): string | undefined {
    const ns = this.namespaces.get('', namespace);
    if (!ns) return undefined;
    const wanted = shardOf(ns.metadata?.labels);
    // Outside --namespaces this shard never takes a namespace (another shard may).
    if (wanted === this.opts.name && this.opts.candidates && !this.opts.candidates.includes(namespace))
      return `${wanted} (not in --namespaces)`;
    return wanted;
  }

  /** Writes to the namespace may go out: this shard holds it and is not giving it up. */
  mayWrite(namespace: string): boolean {
    return this.holderOf(namespace) === this.opts.name && this.states.get(namespace) !== 'released';
  }

  /** New reconciles of the namespace may start. */
  admits(namespace: string): boolean {
    const state = this.states.get(namespace);
    return this.mayWrite(namespace) && state !== 'draining';
  }

  fence(namespace: string): void {
    if (!this.mayWrite(namespace)) throw new NotOwnerError(namespace, this.opts.name);
  }

  /** The leader's loop: moves Leases until leadership ends. */
  async start(signal: AbortSignal): Promise<void> {
    await Promise.all([this.namespaces.waitForSync(signal), this.leases.waitForSync(signal)]);
    const tick = this.opts.tickMs ?? 1_000;
    let timer: TimerHandle | undefined;
    const onTick = () => {
      this.touchAll();
      timer = this.opts.clock.setTimer(onTick, tick);
    };
    onTick();
    try {
      while (!signal.aborted) {
        const batch = [...this.dirty];
        this.dirty.clear();
        // Namespaces are independent: a few Lease writes at once (a shard starting with 1,000 namespaces).
        let next = 0;
        const worker = async () => {
          while (next < batch.length && !signal.aborted) await this.step(batch[next++]!);
        };
        await Promise.all(Array.from({ length: Math.min(stepConcurrency, batch.length) }, worker));
        if (this.dirty.size === 0 && !signal.aborted) await this.idle(signal);
      }
    } finally {
      timer?.cancel();
      this.states.clear();
    }
  }

  private idle(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.wake = undefined;
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.wake = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private touch(namespace: string | undefined): void {
    if (!namespace) return;
    this.dirty.add(namespace);
    this.wake?.();
  }

  private touchAll(): void {
    for (const ns of this.namespaces.list()) this.dirty.add(ns.metadata?.name ?? '');
    for (const lease of this.leases.list()) {
      const ns = lease.metadata?.labels?.[shardLeaseLabel];
      if (ns) this.dirty.add(ns);
    }
    this.dirty.delete('');
    if (this.dirty.size) this.wake?.();
  }

  /** Every replica: cache exactly the namespaces whose Lease names this shard. */
  private follow(lease: Lease): void {
    const ns = lease.metadata?.labels?.[shardLeaseLabel];
    if (ns) {
      const current = this.leases.get(this.opts.leaseNamespace, namespaceLeaseName(ns));
      if (current?.spec?.holderIdentity === this.opts.name) this.opts.informers.watchNamespace(ns);
      else void this.opts.informers.unwatchNamespace(ns);
      this.owned.set({ shard: this.opts.name }, this.heldCount());
      this.touch(ns);
      return;
    }
    // A leader Lease of some shard: its holder may have died or released.
    this.touchAll();
  }

  private heldCount(): number {
    return this.leases
      .list()
      .filter((l) => l.spec?.holderIdentity === this.opts.name && l.metadata?.labels?.[shardLeaseLabel])
      .length;
  }

  /** Whether a shard has a leader: a holder that renewed within its lease duration (our clock). */
  private shardAlive(shard: string): boolean {
    const name = shardLeaderLeaseName(this.opts.leaderElectionId, shard);
    const lease = this.leases.get(this.opts.leaseNamespace, name);
    const holder = lease?.spec?.holderIdentity;
    if (!lease || !holder) return false;
    const now = this.opts.clock.now();
    const seen = this.renewals.get(name);
    if (!seen || seen.renewTime !== lease.spec?.renewTime || seen.holder !== holder) {
      this.renewals.set(name, { renewTime: lease.spec?.renewTime, holder, at: now });
      return true;
    }
    return now - seen.at < (lease.spec?.leaseDurationSeconds ?? 15) * 1000;
  }

  private async step(namespace: string): Promise<void> {
    const leaseName = namespaceLeaseName(namespace);
    const lease = this.leases.get(this.opts.leaseNamespace, leaseName);
    const holder = lease?.spec?.holderIdentity;
    const wanted = this.wantedOf(namespace);
    const action = decideShard({
      shard: this.opts.name,
      wanted,
      holder,
      holderAlive: holder ? this.shardAlive(holder) : false,
      state: this.states.get(namespace),
      inFlight: this.opts.reconcilesIn(namespace),
    });
    const log = this.log.child({ namespace });
    try {
      switch (action.kind) {
        case 'none':
          if (action.state) this.states.set(namespace, action.state);
          else this.states.delete(namespace);
          return;
        case 'create':
          await this.opts.writer.create(Leases, this.newLease(namespace));
          this.states.set(namespace, 'owned');
          log.info('namespace acquired (new lease)');
          return;
        case 'acquire':
          await this.opts.writer.update(Leases, lease!, (draft) => this.take(draft), { conflictRetries: 0 });
          this.states.set(namespace, 'owned');
          log.info({ from: action.from || 'released' }, 'namespace acquired');
          return;
        case 'drain':
          this.states.set(namespace, 'draining');
          log.info(
            { wanted, inFlight: this.opts.reconcilesIn(namespace) },
            'namespace moves to another shard: draining',
          );
          this.touch(namespace);
          return;
        case 'wait-drain':
          return; // the tick looks again
        case 'release':
          this.states.set(namespace, 'released');
          if (wanted === undefined) await this.opts.writer.delete(Leases, lease!, { precondition: true });
          else
            await this.opts.writer.update(
              Leases,
              lease!,
              (draft) => {
                draft.spec = { ...draft.spec, holderIdentity: '' };
              },
              { conflictRetries: 0 },
            );
          this.states.delete(namespace);
          log.info({ to: wanted ?? 'deleted' }, 'namespace drained and released');
          return;
      }
    } catch (err) {
      if (err instanceof NotLeaderError) return;
      if (isConflict(err) || isNotFound(err)) {
        this.touch(namespace);
        return;
      }
      log.warn({ err: apiErrorMessage(err), action: action.kind }, 'shard lease write failed; will retry');
    }
  }

  private newLease(namespace: string): Lease {
    const now = microTime(this.opts.clock.now());
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: namespaceLeaseName(namespace),
        namespace: this.opts.leaseNamespace,
        labels: { [shardLeaseLabel]: namespace },
      },
      spec: { holderIdentity: this.opts.name, acquireTime: now, leaseTransitions: 0 },
    };
  }

  private take(draft: Lease): void {
    draft.spec = {
      ...draft.spec,
      holderIdentity: this.opts.name,
      acquireTime: microTime(this.opts.clock.now()),
      leaseTransitions: (draft.spec?.leaseTransitions ?? 0) + 1,
    };
  }
}
