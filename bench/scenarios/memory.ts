// memory_10k: the operator's resident memory with 10 × N Applications cached
// and converged, and their first convergence. The Applications are created
// while no operator runs; the operator then starts with default flags.
// Resident memory is read at convergence, then every 15 s through an idle
// window (10 minutes in a full run) whose floor says whether it is stable, with
// the V8 heap figures from the operator's /metrics beside it.
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppsWorld } from '../apps-world.js';
import { Measurement } from '../measurement.js';
import type { OperatorProcess } from '../operator-process.js';
import { figuresDelta, operatorFigures } from '../operator-metrics.js';
import { sumOf } from '../prometheus-text.js';
import { outcome, secondsSince } from '../outcome.js';
import { scaled, type Scenario } from '../scenario.js';
import { summarizeIdleMemory, type IdlePoint } from '../idle-memory.js';
import { round } from '../stats.js';
import { memoryGroup } from './groups.js';

const SAMPLE_MS = 15_000;
const MIB = 2 ** 20;

/**
 * The V8 heap and off-heap memory, from the operator's /metrics (prom-client's
 * process metrics); null when /metrics does not answer in time (a busy
 * machine): the resident memory, read from /proc, is the figure that counts.
 */
async function heapFigures(op: OperatorProcess): Promise<Record<string, number> | null> {
  const samples = await op.metrics().catch(() => undefined);
  if (!samples) return null;
  const mib = (name: string, where: Record<string, string> = {}) =>
    round(sumOf(samples, name, where) / MIB, 1);
  return {
    heap_used_mib: mib('nodejs_heap_size_used_bytes'),
    heap_total_mib: mib('nodejs_heap_size_total_bytes'),
    young_generation_mib: mib('nodejs_heap_space_size_total_bytes', { space: 'new' }),
    external_mib: mib('nodejs_external_memory_bytes'),
  };
}

export const memory10k: Scenario<AppsWorld> = {
  key: 'memory_10k',
  group: memoryGroup,
  title: 'operator resident memory with 10 × N Applications cached and converged; first convergence',
  target: '≤ 300 MB',
  boundS: (o) => scaled(o.memoryApps, 0.06, 120, 600) + o.memoryIdleSeconds,
  minimumS: (o) => 150 + o.memoryIdleSeconds,
  async run(world, ctx) {
    // Memory of an operator with nothing to cache, for the per-application figure.
    const { op: empty } = await world.ensureOperator([], ctx.deadline);
    await sleep(2000, undefined, { signal: ctx.env.signal });
    const emptyRss = empty.memory();
    await world.stopOperator('SIGTERM');

    const tc = Date.now();
    const created = await world.createApps(tc + (ctx.deadline - tc) * 0.4);
    const createS = secondsSince(tc);
    ctx.env.log(`created ${created.done} Applications in ${createS} s; starting the operator`);

    const m = await Measurement.begin(world.cluster);
    const t0 = Date.now();
    const { op, readyMs } = await world.ensureOperator([], ctx.deadline);
    const readyRss = op.memory();
    let maxRss = readyRss?.rss_mib ?? 0;
    const sampler = setInterval(() => (maxRss = Math.max(maxRss, op.memory()?.rss_mib ?? 0)), 2000);
    const wait = await world.waitConverged(created.names, ctx.deadline).finally(() => clearInterval(sampler));
    const o = outcome(wait, t0);
    const rss = op.memory();
    const heapAtConvergence = await heapFigures(op);
    const measured = await m.end(op);
    // V8 and malloc keep what the convergence burst used; what an idle
    // operator holds after a while is what its memory request should cover,
    // and it must not creep up while nothing changes.
    const idleMs = Math.max(0, Math.min(ctx.env.opts.memoryIdleSeconds * 1000, ctx.deadline - Date.now()));
    const idle = await watchIdle(op, idleMs, ctx.env.signal);
    const settled = op.memory();
    const heapSettled = await heapFigures(op);
    const perApp =
      rss && emptyRss && created.done > 0
        ? round(((rss.rss_mib - emptyRss.rss_mib) * 1024) / created.done, 1)
        : null;
    return {
      apps: world.names.length,
      created_apps: created.done,
      create_s: createS,
      ready_s: readyMs !== undefined ? round(readyMs / 1000, 2) : null,
      first_convergence: o,
      rss_mib: rss?.rss_mib ?? null,
      rss_mb: rss ? round((rss.rss_mib * 2 ** 20) / 1e6, 1) : null,
      peak_rss_mib: rss?.peak_rss_mib ?? maxRss,
      rss_at_ready_mib: readyRss?.rss_mib ?? null,
      rss_settled_mib: settled?.rss_mib ?? null,
      settled_after_s: round(idleMs / 1000, 0),
      idle_window: idle,
      heap_at_convergence: heapAtConvergence,
      heap_settled: heapSettled,
      rss_empty_mib: emptyRss?.rss_mib ?? null,
      kib_per_app: perApp,
      operator_flags: op.flags,
      ...measured,
    };
  },
};

/**
 * Resident memory every 15 s for `ms` while nothing changes, summarized by
 * `summarizeIdleMemory` (stable: the floor does not rise), with the reconciles
 * in the window (every --resync-period, 10 minutes, all objects are planned again).
 */
async function watchIdle(op: OperatorProcess, ms: number, signal: AbortSignal) {
  const t0 = Date.now();
  const before = await op.metrics().catch(() => undefined);
  const points: IdlePoint[] = [];
  for (;;) {
    const rss = op.memory()?.rss_mib;
    if (rss !== undefined) points.push({ x: (Date.now() - t0) / 60_000, y: rss });
    const left = t0 + ms - Date.now();
    if (left <= 0) break;
    await sleep(Math.min(SAMPLE_MS, left), undefined, { signal });
  }
  const summary = summarizeIdleMemory(points);
  if (!summary) return null;
  const after = await op.metrics().catch(() => undefined);
  const reconciles =
    before && after ? figuresDelta(operatorFigures(before), operatorFigures(after)).reconciles : null;
  return { seconds: round(ms / 1000, 0), ...summary, reconciles };
}
