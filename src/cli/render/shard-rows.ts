// `depot get shards`: which shard holds which namespace, from the namespaces'
// depot.sh/shard labels and the Leases depot-shard-<namespace> (pure).
import { shardLeaseLabel, shardOf } from '../../runtime/shard-decision.js';

interface Meta {
  metadata?: { name?: string; labels?: Record<string, string> };
}
export type LeaseLike = Meta & { spec?: { holderIdentity?: string; acquireTime?: string } };

export interface ShardRow {
  namespace: string;
  /** The shard the namespace's label chooses. */
  shard: string;
  /** The shard holding its Lease ('' released, undefined none yet). */
  holder?: string;
  /** held | moving (held by another than the label's) | released | waiting (no Lease yet) | deleted. */
  state: 'held' | 'moving' | 'released' | 'waiting' | 'deleted';
  since?: string;
}

/** Rows for namespaces with a Lease, or with a shard label; sorted by namespace. */
export function shardRows(namespaces: Meta[], leases: LeaseLike[]): ShardRow[] {
  const byNamespace = new Map<string, LeaseLike>();
  for (const l of leases) {
    const ns = l.metadata?.labels?.[shardLeaseLabel];
    if (ns) byNamespace.set(ns, l);
  }
  const rows: ShardRow[] = [];
  const seen = new Set<string>();
  for (const n of namespaces) {
    const name = n.metadata?.name ?? '';
    const lease = byNamespace.get(name);
    if (!lease && !n.metadata?.labels?.['depot.sh/shard']) continue;
    seen.add(name);
    rows.push(row(name, shardOf(n.metadata?.labels), lease));
  }
  for (const [ns, lease] of byNamespace)
    if (!seen.has(ns)) rows.push({ ...row(ns, '-', lease), state: 'deleted' });
  return rows.sort((a, b) => a.namespace.localeCompare(b.namespace));
}

function row(namespace: string, shard: string, lease: LeaseLike | undefined): ShardRow {
  const holder = lease?.spec?.holderIdentity;
  const state =
    holder === undefined ? 'waiting' : holder === '' ? 'released' : holder === shard ? 'held' : 'moving';
  return {
    namespace,
    shard,
    ...(holder !== undefined ? { holder } : {}),
    state,
    ...(lease?.spec?.acquireTime ? { since: lease.spec.acquireTime } : {}),
  };
}

/** Namespaces held per shard (from the Leases). */
export function heldPerShard(rows: ShardRow[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) if (r.holder) out[r.holder] = (out[r.holder] ?? 0) + 1;
  return out;
}
