// create_1k: N new Applications: seconds to create them, and until all have
// converged status (the operator runs with default flags throughout).
import type { AppsWorld } from '../apps-world.js';
import { Measurement } from '../measurement.js';
import { outcome, secondsSince } from '../outcome.js';
import { scaled, type Scenario } from '../scenario.js';
import { round } from '../stats.js';
import { appsGroup } from './groups.js';

export const create1k: Scenario<AppsWorld> = {
  key: 'create_1k',
  group: appsGroup,
  title: 'create N Applications; seconds to create them and until all have converged status',
  target: 'first convergence ≤ 2 × creation time',
  boundS: (o) => scaled(o.apps, 0.25, 90, 300),
  minimumS: () => 60,
  async run(world, ctx) {
    const { op } = await world.ensureOperator([], ctx.deadline);
    const m = await Measurement.begin(world.cluster, op);
    const t0 = Date.now();
    // Creation may take at most half the bound, so convergence gets the rest.
    const created = await world.createApps(t0 + (ctx.deadline - t0) / 2);
    const createS = secondsSince(t0);
    ctx.env.log(`created ${created.done} Applications in ${createS} s; waiting for their status`);
    const wait = await world.waitConverged(created.names, ctx.deadline);
    const o = outcome(wait, t0);
    const measured = await m.end(world.operator);
    return {
      apps: world.names.length,
      created_apps: created.done,
      create_s: createS,
      create_concurrency: ctx.env.opts.concurrency,
      create_retries: created.retries,
      first_convergence: o,
      convergence_to_create_ratio: o.seconds !== null && createS > 0 ? round(o.seconds / createS, 2) : null,
      operator_flags: op.flags,
      ...measured,
    };
  },
};
