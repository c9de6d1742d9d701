// converge_1k: a new version on dev for all N Applications at once; seconds
// until every status shows it desired and delivered on dev's targets.
import type { AppsWorld } from '../apps-world.js';
import { Measurement } from '../measurement.js';
import { outcome, secondsSince } from '../outcome.js';
import { scaled, type Scenario } from '../scenario.js';
import { appsGroup } from './groups.js';

export const CONVERGE_VERSION = '1.1.0';

export const converge1k: Scenario<AppsWorld> = {
  key: 'converge_1k',
  group: appsGroup,
  related: ['baseline_1k'],
  title: 'set a new dev version on all N at once; seconds until every status shows it desired and delivered',
  target: '≤ 1.5 × baseline_1k',
  boundS: (o) => scaled(o.apps, 0.2, 60, 240),
  minimumS: () => 60,
  async run(world, ctx) {
    const precondition = await world.ensureApps(ctx, 0.3);
    const { op } = await world.ensureOperator([], ctx.deadline);
    const names = world.names.filter((n) => world.requested.has(n));
    const m = await Measurement.begin(world.cluster, op);
    const t0 = Date.now();
    const writes = await world.setVersions(names, 'dev', () => CONVERGE_VERSION, ctx.deadline);
    const writeS = secondsSince(t0);
    const wait = await world.waitConverged(names, ctx.deadline, ['dev']);
    const o = outcome(wait, t0);
    const measured = await m.end(world.operator);
    // Read after the measurement: baseline_1k patches statuses of this size.
    world.statusesAfterConverge = await readStatuses(world);
    return {
      version: CONVERGE_VERSION,
      ...o,
      requests_written: writes.done,
      write_s: writeS,
      write_concurrency: ctx.env.opts.concurrency,
      precondition,
      operator_flags: op.flags,
      ...measured,
    };
  },
};

/** Every Application's status, by name (one paginated LIST). */
export async function readStatuses(world: AppsWorld): Promise<Map<string, Record<string, unknown>>> {
  const { items } = await world.cluster.client.list('applications', world.namespace);
  return new Map(items.filter((a) => a.status).map((a) => [a.metadata.name, a.status!]));
}
