// latency_single: single set-version changes, one at a time, on the converged
// namespace; seconds from sending the write until the status shows the version
// desired and delivered on dev's targets.
import type { AppsWorld } from '../apps-world.js';
import { Measurement } from '../measurement.js';
import { scaled, type Scenario } from '../scenario.js';
import { latencySummary } from '../stats.js';
import { appsGroup } from './groups.js';

/** Bound of one change. */
export const PER_CHANGE_BOUND_MS = 10_000;

/** `count` names spread evenly over the list. */
export function spread<T>(items: readonly T[], count: number): T[] {
  const n = Math.min(count, items.length);
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)]!);
}

export const latencySingle: Scenario<AppsWorld> = {
  key: 'latency_single',
  group: appsGroup,
  title: 'single set-version changes one at a time on the converged namespace; write → status delivered',
  target: 'p99 ≤ 0.2 s',
  boundS: (o) => scaled(o.latencyChanges, 1.2, 60, 150),
  minimumS: () => 30,
  async run(world, ctx) {
    const precondition = await world.ensureApps(ctx, 0.3);
    const { op } = await world.ensureOperator([], ctx.deadline);
    const picks = spread(
      world.names.filter((n) => world.requested.has(n)),
      ctx.env.opts.latencyChanges,
    );
    const m = await Measurement.begin(world.cluster, op);
    const latencies: number[] = [];
    let timedOut = 0;
    let stoppedAtBound = false;
    for (const [i, name] of picks.entries()) {
      if (Date.now() > ctx.deadline - 1000) {
        stoppedAtBound = true;
        break;
      }
      const version = `1.2.${i}`;
      const sent = Date.now();
      await world.setVersions([name], 'dev', () => version, ctx.deadline);
      const wait = await world.waitConverged([name], Math.min(ctx.deadline, sent + PER_CHANGE_BOUND_MS), [
        'dev',
      ]);
      const at = wait.times.get(name);
      if (wait.done && at !== undefined) latencies.push(at - sent);
      else timedOut++;
    }
    const measured = await m.end(world.operator);
    return {
      apps: world.names.length,
      changes_requested: picks.length,
      changes_measured: latencies.length,
      timed_out: timedOut,
      per_change_bound_s: PER_CHANGE_BOUND_MS / 1000,
      stopped_at_bound: stoppedAtBound,
      latency: latencySummary(latencies) ?? null,
      precondition,
      operator_flags: op.flags,
      ...measured,
    };
  },
};
