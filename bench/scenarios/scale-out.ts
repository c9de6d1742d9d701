// scale_out_20k: 20 × N Applications in 40 namespaces on one control plane,
// first with 2 shards (2 operator processes, `--shard a` and `--shard b`,
// 20 namespaces each), then, on a fresh control plane, with 1 shard holding
// all 40 (`--shard all`: the same mechanism, only the split differs). For
// each: the Applications are created with no operator running, the shards
// start: seconds until every status shows 1.0.0 delivered (first
// convergence); each shard's resident memory; then a new dev version on a
// quarter of the Applications at once, 1 in 4 of every namespace
// (server-side apply, as CI): seconds until all show it delivered (bulk change). Per shard: its convergence seconds, RSS,
// reconciles and CPU per changed application; requests per changed
// application as the API server counted them (all shards together).
import { loadavg } from 'node:os';
import { waitEventsDrained } from '../events-drain.js';
import { costPerChange } from '../cost-per-change.js';
import { Measurement } from '../measurement.js';
import { operatorFigures, figuresDelta, type OperatorFigures } from '../operator-metrics.js';
import type { OperatorProcess } from '../operator-process.js';
import { outcome, secondsSince } from '../outcome.js';
import {
  byShard,
  interleaved,
  lastConvergedS,
  scaleOutLayout,
  shardCost,
  sumFigures,
} from '../scale-out-layout.js';
import { ScaleOutWorld } from '../scale-out-world.js';
import { scaled, type Group, type Scenario, type ScenarioContext, type ScenarioResult } from '../scenario.js';
import { round } from '../stats.js';

const KEY = 'scale_out_20k';
export const SCALE_OUT_NAMESPACES = 40;
const BULK_VERSION = '1.1.0';
/**
 * The bulk change covers this share of the Applications (the first of each namespace's, so
 * every namespace and both shards get theirs at the same rate): a quarter keeps the row, which
 * runs it twice, within make bench's 45 minutes; the costs per change do not depend on it.
 */
export const BULK_SHARE = 0.25;
/** The two layouts compared, in the order they run. */
const LAYOUTS = [
  { key: 'two_shards', shards: ['a', 'b'] },
  { key: 'one_shard', shards: ['all'] },
] as const;

/** 20 × --apps: 20,000 in a full run. */
export const scaleOutApps = (apps: number): number => apps * 20;

const scaleOutGroup: Group<ScaleOutWorld> = {
  name: 'scale-out',
  setupS: 60,
  setup: (env) => ScaleOutWorld.setup(env),
  teardown: (world) => world.teardown(),
};

interface ShardReading {
  cpuMs?: number;
  figures?: OperatorFigures;
}

async function readShards(world: ScaleOutWorld): Promise<Map<string, ShardReading>> {
  const out = new Map<string, ShardReading>();
  await Promise.all(
    [...world.shards].map(async ([shard, op]) => {
      const cpu = op.cpuSeconds();
      const samples = await op.metrics().catch(() => undefined);
      out.set(shard, {
        ...(cpu !== undefined ? { cpuMs: Math.round(cpu * 1000) } : {}),
        ...(samples ? { figures: operatorFigures(samples) } : {}),
      });
    }),
  );
  return out;
}

const loadNow = () => loadavg().map((l) => round(l, 2));

/**
 * One measured step (first convergence or bulk change) over all shards: the
 * API server's view (all shards together, the harness's requests apart),
 * each shard's CPU and /metrics deltas (`before` undefined: new processes,
 * counted from zero), their sums, and the cost per changed application.
 */
async function measureStep(
  world: ScaleOutWorld,
  run: () => Promise<{ names: string[]; t0: number; extra: ScenarioResult }>,
  fromZero: boolean,
): Promise<ScenarioResult> {
  const m = await Measurement.begin(world.cluster);
  const before = fromZero ? undefined : await readShards(world);
  const { names, t0, extra } = await run();
  const wait = await world.waitConverged(
    names,
    Number(extra.deadline),
    extra.environments as string[] | undefined,
  );
  const o = outcome(wait, t0);
  const measured = await m.end();
  const after = await readShards(world);
  const shards = byShard(world.plans);
  const changedNames = new Set(names);
  const perShard: Record<string, unknown> = {};
  const deltas: OperatorFigures[] = [];
  let cpuMs = 0;
  for (const [shard, reading] of after) {
    const b = before?.get(shard);
    const ms = reading.cpuMs !== undefined ? reading.cpuMs - (b?.cpuMs ?? 0) : undefined;
    const delta = reading.figures ? figuresDelta(b?.figures, reading.figures) : undefined;
    if (ms !== undefined) cpuMs += ms;
    if (delta) deltas.push(delta);
    const own = shards.get(shard)?.apps ?? [];
    const ownChanged = own.filter((n) => changedNames.has(n));
    const changed = ownChanged.length;
    perShard[shard] = {
      namespaces: shards.get(shard)?.namespaces.length ?? 0,
      apps: changed,
      seconds: lastConvergedS(ownChanged, wait.times, t0),
      ...memoryOf(world.shards.get(shard)),
      cpu_ms: ms ?? null,
      operator_metrics: delta ?? null,
      cost_per_change: shardCost(changed, ms, delta),
    };
  }
  const summed = sumFigures(deltas);
  const step: ScenarioResult = {
    ...o,
    changed_apps: names.length,
    ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== 'deadline' && k !== 'environments')),
    per_shard: perShard,
    api_requests: measured.api_requests,
    cpu: {
      ...measured.cpu,
      // All shards together (user + system CPU of each process, added up).
      operator_ms: cpuMs,
      operator_s: round(cpuMs / 1000, 1),
    },
    ...(summed ? { operator_metrics: summed } : {}),
    ...(measured.etcd_storage_mib !== undefined ? { etcd_storage_mib: measured.etcd_storage_mib } : {}),
  };
  const cost = costPerChange(KEY, step);
  if (cost) step.cost_per_change = cost;
  return step;
}

const memoryOf = (op: OperatorProcess | undefined) => {
  const mem = op?.memory();
  return { rss_mib: mem?.rss_mib ?? null, peak_rss_mib: mem?.peak_rss_mib ?? null };
};

/** One layout on an empty control plane: create, first convergence, settle, bulk change. */
async function runLayout(
  world: ScaleOutWorld,
  ctx: ScenarioContext,
  shardNames: readonly string[],
  apps: number,
  deadline: number,
  fresh: boolean,
): Promise<ScenarioResult> {
  const { log, signal } = ctx.env;
  const t = Date.now();
  if (fresh) await world.fresh();
  const plans = scaleOutLayout(apps, SCALE_OUT_NAMESPACES, shardNames);
  await world.install(plans);
  const created = await world.createApps(t + (deadline - t) * 0.3);
  const createS = secondsSince(t);
  log(
    `${shardNames.length} shard(s): created ${created.done} Applications in ${createS} s; starting the shards`,
  );
  if (created.stoppedAtDeadline) log(`only ${created.done}/${apps} created within the bound`);

  let ready = new Map<string, number>();
  const firstDeadline = Date.now() + (deadline - Date.now()) * 0.5;
  const first = await measureStep(
    world,
    async () => {
      const t0 = Date.now();
      ready = await world.startShards(shardNames, firstDeadline);
      return { names: created.names, t0, extra: { deadline: firstDeadline } };
    },
    true,
  );
  for (const [shard, ms] of ready)
    Object.assign((first.per_shard as Record<string, ScenarioResult>)[shard]!, {
      ready_s: round(ms / 1000, 2),
    });
  log(`${shardNames.length} shard(s): first convergence ${String(first.seconds)} s`);

  // The first convergence's Events reach the API server on their own budget: let them drain
  // (bounded) so they are not counted as the bulk change's. At most 1,000 wait per
  // process, sent at about 10/s: 120 s covers them.
  const drainUntil = Math.min(Date.now() + 120_000, deadline);
  const drains = await Promise.all(
    [...world.shards].map(
      async ([shard, op]) =>
        [shard, await waitEventsDrained(op, Date.now(), drainUntil, { signal })] as const,
    ),
  );

  const bulk = await measureStep(
    world,
    async () => {
      const t0 = Date.now();
      // In turn from each namespace, so both shards get their changes at the same rate.
      const wasCreated = new Set(created.names);
      const all = interleaved(plans).filter((n) => wasCreated.has(n));
      const order = all.slice(0, Math.ceil(all.length * BULK_SHARE));
      const writes = await world.setVersions(order, 'dev', BULK_VERSION, deadline);
      return {
        names: order.slice(0, writes.done),
        t0,
        extra: {
          deadline,
          environments: ['dev'],
          version: BULK_VERSION,
          requests_written: writes.done,
          write_s: secondsSince(t0),
          write_concurrency: ctx.env.opts.concurrency,
        },
      };
    },
    false,
  );
  log(`${shardNames.length} shard(s): bulk change ${String(bulk.seconds)} s`);
  const result: ScenarioResult = {
    shards: shardNames,
    namespaces: plans.length,
    apps,
    created_apps: created.done,
    create_s: createS,
    first_convergence: first,
    events_drain_before_bulk_change: Object.fromEntries(drains),
    bulk_change: bulk,
    operator_flags: Object.fromEntries([...world.shards].map(([s, op]) => [s, op.flags])),
  };
  await world.stopShards('SIGTERM');
  return result;
}

const ratio = (a: unknown, b: unknown) =>
  typeof a === 'number' && typeof b === 'number' && b > 0 ? round(a / b, 2) : null;

export const scaleOut20k: Scenario<ScaleOutWorld> = {
  key: KEY,
  group: scaleOutGroup,
  title:
    '20 × N Applications in 40 namespaces: 2 shards, then 1 shard holding all; first convergence, RSS per shard, a dev change on a quarter of them',
  target: '2 shards: each holds half; faster than 1 shard',
  notQuick: true,
  boundS: (o) => scaled(scaleOutApps(o.apps), 0.5, 600, 3600),
  minimumS: () => 600,
  async run(world, ctx) {
    const apps = scaleOutApps(ctx.env.opts.apps);
    const loadStart = loadNow();
    const byLayout: Record<string, ScenarioResult> = {};
    for (const [i, layout] of LAYOUTS.entries()) {
      // Each layout gets an equal share of what is left.
      const deadline = Date.now() + (ctx.deadline - Date.now()) / (LAYOUTS.length - i);
      byLayout[layout.key] = await runLayout(world, ctx, layout.shards, apps, deadline, i > 0);
    }
    const two = byLayout.two_shards!;
    const one = byLayout.one_shard!;
    const sec = (r: ScenarioResult, step: string) => (r[step] as ScenarioResult).seconds;
    const maxRss = (r: ScenarioResult) =>
      Math.max(
        ...Object.values(
          (r.bulk_change as ScenarioResult).per_shard as Record<string, { rss_mib: number | null }>,
        ).map((s) => s.rss_mib ?? NaN),
      );
    const bulk = two.bulk_change as ScenarioResult;
    return {
      apps,
      namespaces: SCALE_OUT_NAMESPACES,
      // The headline (and run.ts's cost per change): the 2-shard bulk change, all shards together.
      converged: bulk.converged,
      converged_apps: bulk.converged_apps,
      seconds: bulk.seconds,
      changed_apps: bulk.changed_apps,
      api_requests: bulk.api_requests,
      cpu: bulk.cpu,
      operator_metrics: bulk.operator_metrics,
      ratios_two_to_one_shard: {
        first_convergence: ratio(sec(two, 'first_convergence'), sec(one, 'first_convergence')),
        bulk_change: ratio(sec(two, 'bulk_change'), sec(one, 'bulk_change')),
        largest_shard_rss: ratio(maxRss(two), maxRss(one)),
      },
      ...byLayout,
      load_average: { start: loadStart, end: loadNow() },
    };
  },
};
