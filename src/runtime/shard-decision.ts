// What a shard's leader does next about one namespace (pure: the caller
// observes, decides here, acts, and asks again on the next change). A
// namespace belongs to the shard its label names (`depot.sh/shard`, default
// shard when absent); who may write it is the holder of its Lease
// (`depot-shard-<namespace>`). Handoff: the old holder stops taking keys,
// waits for its in-flight reconciles, then releases; the new one acquires a
// free Lease, or takes over one whose holder shard has no live leader.

export const shardLabel = 'depot.sh/shard';
export const defaultShard = 'default';
/** Lease labels: which namespace a namespace Lease is for (so `depot get shards` can list them). */
export const shardLeaseLabel = 'depot.sh/shard-lease';

export function namespaceLeaseName(namespace: string): string {
  return `depot-shard-${namespace}`;
}

/** The leader Lease of a shard: the operator's --leader-election-id with the shard's name. */
export function shardLeaderLeaseName(leaderElectionId: string, shard: string): string {
  return `${leaderElectionId}-${shard}`;
}

/** The shard a namespace's labels choose. */
export function shardOf(labels: Record<string, string> | undefined): string {
  return labels?.[shardLabel] || defaultShard;
}

/**
 * Local state of the leader about a namespace whose Lease it holds:
 * owned (reconciles), draining (takes no new keys, in-flight ones finish and
 * may write), released (writes refused; the Lease is being given up).
 */
export type HoldState = 'owned' | 'draining' | 'released';

export interface ShardObservation {
  /** This shard. */
  shard: string;
  /** The shard the namespace's label chooses; undefined when the namespace is gone. */
  wanted: string | undefined;
  /** The Lease's holder: undefined when there is no Lease, '' when released. */
  holder: string | undefined;
  /** Whether the holder shard (when another) has a live leader. */
  holderAlive: boolean;
  state: HoldState | undefined;
  /** Reconciles of the namespace running in this process. */
  inFlight: number;
}

export type ShardAction =
  | { kind: 'none'; state: HoldState | undefined }
  | { kind: 'create' }
  | { kind: 'acquire'; from: string }
  | { kind: 'drain' }
  | { kind: 'wait-drain' }
  | { kind: 'release' };

export function decideShard(o: ShardObservation): ShardAction {
  if (o.holder === o.shard) {
    if (o.wanted === o.shard && o.state !== 'released') return { kind: 'none', state: 'owned' };
    if (o.state === undefined || o.state === 'owned') return { kind: 'drain' };
    if (o.state === 'draining' && o.inFlight > 0) return { kind: 'wait-drain' };
    return { kind: 'release' };
  }
  if (o.wanted !== o.shard) return { kind: 'none', state: undefined };
  if (o.holder === undefined) return { kind: 'create' };
  if (o.holder === '' || !o.holderAlive) return { kind: 'acquire', from: o.holder };
  return { kind: 'none', state: undefined };
}
