// baseline_1k: the API server's own limit on this machine: a minimal loop with
// the same client library (@kubernetes/client-node) and the same concurrency
// as the operator's workers that only does N status patches of the size the
// operator wrote in converge_1k. The operator is stopped meanwhile.
import type { AppsWorld } from '../apps-world.js';
import { forEachBounded } from '../bounded.js';
import { Measurement } from '../measurement.js';
import { secondsSince } from '../outcome.js';
import { scaled, type Scenario } from '../scenario.js';
import { round } from '../stats.js';
import { readStatuses } from './converge.js';
import { appsGroup } from './groups.js';

interface Condition {
  lastTransitionTime?: string;
}

/** The status with new condition times (or a new observedGeneration): a real write of the same size. */
export function touchedStatus(status: Record<string, unknown>, stamp: string): Record<string, unknown> {
  const conditions = status.conditions as Condition[] | undefined;
  if (conditions?.length)
    return { ...status, conditions: conditions.map((c) => ({ ...c, lastTransitionTime: stamp })) };
  return { ...status, observedGeneration: Number(status.observedGeneration ?? 0) + 1 };
}

export const baseline1k: Scenario<AppsWorld> = {
  key: 'baseline_1k',
  group: appsGroup,
  related: ['converge_1k'],
  title: 'N bare status patches with the operator’s client library and concurrency: the API server’s limit',
  target: 'reference for converge_1k',
  boundS: (o) => scaled(o.apps, 0.1, 30, 120),
  minimumS: () => 30,
  async run(world, ctx) {
    if (world.requested.size === 0) await world.ensureApps(ctx, 0.5);
    await world.stopOperator('SIGTERM');
    const statuses = world.statusesAfterConverge ?? (await readStatuses(world));
    const names = [...statuses.keys()];
    const concurrency =
      ctx.env.opts.baselineConcurrency ?? Number(ctx.env.operatorDefaults['--workers'] ?? 2);
    const stamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const bodies = new Map(names.map((n) => [n, { status: touchedStatus(statuses.get(n)!, stamp) }]));
    const client = world.cluster.client;
    const m = await Measurement.begin(world.cluster);
    const t0 = Date.now();
    const r = await forEachBounded(
      names,
      (name) => client.mergePatchStatus('applications', world.namespace, name, bodies.get(name)),
      { concurrency, deadline: ctx.deadline, signal: ctx.env.signal },
    );
    const seconds = secondsSince(t0);
    const measured = await m.end();
    const sizes = [...bodies.values()].map((b) => JSON.stringify(b).length);
    return {
      apps: names.length,
      patched: r.done,
      completed: r.done === names.length,
      seconds,
      patches_per_s: seconds > 0 ? round(r.done / seconds, 1) : null,
      concurrency,
      patch_bytes_mean: Math.round(sizes.reduce((a, b) => a + b, 0) / Math.max(1, sizes.length)),
      retries: r.retries,
      operator_flags: null,
      ...measured,
    };
  },
};
