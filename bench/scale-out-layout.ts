// scale_out_20k's pure parts: how the Applications spread over namespaces and
// the namespaces over shards, the last convergence per shard, and the sum of
// several operator processes' figures (the shards of one run), so the cost
// per change divides what all of them did.
import type { OperatorFigures } from './operator-metrics.js';
import { appName } from './objects.js';

export interface NamespacePlan {
  namespace: string;
  /** Its `depot.sh/shard` label. */
  shard: string;
  /** Application names, unique across namespaces (so one map keyed by name holds them all). */
  apps: string[];
}

export const namespaceName = (i: number): string => `team-${String(i).padStart(2, '0')}`;

/**
 * `apps` Applications over `namespaces` namespaces (as even as it divides: the
 * first ones get one more), and the namespaces over `shards` in contiguous
 * blocks (team-00..team-19 → the first of 2 shards), so each shard holds
 * the same number of namespaces and Applications, ± 1.
 */
export function scaleOutLayout(apps: number, namespaces: number, shards: readonly string[]): NamespacePlan[] {
  if (!Number.isInteger(namespaces) || namespaces <= 0)
    throw new Error(`namespaces ${namespaces}: must be > 0`);
  if (shards.length === 0 || shards.length > namespaces)
    throw new Error(`${shards.length} shards for ${namespaces} namespaces: need 1 to ${namespaces}`);
  const plans: NamespacePlan[] = [];
  let next = 1;
  for (let i = 0; i < namespaces; i++) {
    const count = Math.floor(apps / namespaces) + (i < apps % namespaces ? 1 : 0);
    plans.push({
      namespace: namespaceName(i),
      shard: shards[Math.floor((i * shards.length) / namespaces)]!,
      apps: Array.from({ length: count }, (_, j) => appName(next + j)),
    });
    next += count;
  }
  return plans;
}

/** Per shard: its namespaces and Applications. */
export function byShard(
  plans: readonly NamespacePlan[],
): Map<string, { namespaces: string[]; apps: string[] }> {
  const out = new Map<string, { namespaces: string[]; apps: string[] }>();
  for (const p of plans) {
    const s = out.get(p.shard) ?? { namespaces: [], apps: [] };
    s.namespaces.push(p.namespace);
    s.apps.push(...p.apps);
    out.set(p.shard, s);
  }
  return out;
}

/**
 * Seconds from `startedAt` until the last of `names` was seen converged
 * (`times`: epoch ms per name); null when one of them never was.
 */
export function lastConvergedS(
  names: readonly string[],
  times: ReadonlyMap<string, number>,
  startedAt: number,
): number | null {
  let last = startedAt;
  for (const n of names) {
    const t = times.get(n);
    if (t === undefined) return null;
    last = Math.max(last, t);
  }
  return Math.round((last - startedAt) / 10) / 100;
}

type Figure = number | Record<string, number>;

function add(a: Figure | undefined, b: Figure): Figure {
  if (typeof b === 'number') return Math.round(((typeof a === 'number' ? a : 0) + b) * 1000) / 1000;
  const out: Record<string, number> = { ...(typeof a === 'object' ? a : {}) };
  for (const [k, v] of Object.entries(b)) out[k] = Math.round(((out[k] ?? 0) + v) * 1000) / 1000;
  return out;
}

/** Several operator processes' figures added up, key by key (undefined for none). */
export function sumFigures(figures: readonly OperatorFigures[]): OperatorFigures | undefined {
  if (figures.length === 0) return undefined;
  const out = {} as Record<keyof OperatorFigures, Figure>;
  for (const f of figures)
    for (const key of Object.keys(f) as (keyof OperatorFigures)[]) out[key] = add(out[key], f[key]);
  return out as unknown as OperatorFigures;
}

/** One shard's cost per changed application (of those it holds), from its own /metrics and /proc. */
export interface ShardCost {
  changed_apps: number;
  /** Its API requests as it counts them itself (client-side, by verb, Leases apart). */
  requests_by_verb: Record<string, number>;
  reconciles: { total: number; by_controller: Record<string, number> };
  cpu_ms?: number;
}

const per = (n: number, changed: number) => Math.round((n / changed) * 1000) / 1000;
const perEach = (r: Record<string, number>, changed: number) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, per(v, changed)]));

export function shardCost(
  changed: number,
  cpuMs: number | undefined,
  figures: OperatorFigures | undefined,
): ShardCost | null {
  if (changed <= 0 || !figures) return null;
  const reconciles = Object.values(figures.reconciles).reduce((a, v) => a + v, 0);
  return {
    changed_apps: changed,
    requests_by_verb: perEach(figures.api_requests, changed),
    reconciles: { total: per(reconciles, changed), by_controller: perEach(figures.reconciles, changed) },
    ...(cpuMs !== undefined ? { cpu_ms: per(cpuMs, changed) } : {}),
  };
}

/**
 * Every plan's Applications, taken in turn from each namespace (team-00's
 * first, team-01's first, …), so a bulk change reaches every shard at the
 * same rate instead of one shard's namespaces after the other's.
 */
export function interleaved(plans: readonly NamespacePlan[]): string[] {
  const out: string[] = [];
  const longest = Math.max(0, ...plans.map((p) => p.apps.length));
  for (let i = 0; i < longest; i++) for (const p of plans) if (i < p.apps.length) out.push(p.apps[i]!);
  return out;
}
