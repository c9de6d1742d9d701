// Which writes a shard's fence checks against namespace ownership: Depot's
// own objects and the Events about them, by the namespace in the request's
// path. Writes elsewhere (an Argo CD Application in `argocd`, a Flux object,
// the Leases in the operator's namespace) are made for a namespace this shard
// reconciles, and are fenced by leadership alone.
import type { LeaderElectionConfig } from './leader.js';
import { shardLeaderLeaseName } from './shard-decision.js';

const fencedGroups = new Set(['depot.sh', 'events.k8s.io']);

/** The namespace of a write that needs the shard to hold it; undefined for any other write. */
export function shardFencedNamespace(url: string): string | undefined {
  const segments = new URL(url, 'https://api.invalid').pathname.split('/').filter(Boolean);
  if (segments[0] !== 'apis' || !fencedGroups.has(segments[1] ?? '')) return undefined;
  if (segments[3] !== 'namespaces' || !segments[4]) return undefined;
  return decodeURIComponent(segments[4]);
}

/** A shard's leader Lease: `<leaseName>-<shard>`, so shards elect their leaders apart. */
export function shardLeaderElection<T extends Pick<LeaderElectionConfig, 'leaseName'>>(
  le: T,
  shard: string | undefined,
): T {
  return shard === undefined ? le : { ...le, leaseName: shardLeaderLeaseName(le.leaseName, shard) };
}
