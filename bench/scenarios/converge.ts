// converge_1k: a new version on dev for all N Applications at once; seconds
// until every status shows it desired and delivered on dev's targets; then
// how long the change's Events take to drain (events-drain.ts).
import type { AppsWorld } from '../apps-world.js';
import { waitEventsDrained } from '../events-drain.js';
import { Measurement } from '../measurement.js';
import { outcome, secondsSince } from '../outcome.js';
import { scaled, type Scenario } from '../scenario.js';
import { round } from '../stats.js';
import { appsGroup } from './groups.js';

export const CONVERGE_VERSION = '1.1.0';

export const converge1k: Scenario<AppsWorld> = {
  key: 'converge_1k',
  group: appsGroup,
  related: ['baseline_1k'],
  title: 'set a new dev version on all N at once; seconds until every status shows it desired and delivered',
  target: '≤ 1.5 × baseline_1k',
  boundS: (o) => scaled(o.apps, 0.3, 60, 360),
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
    // The Events of the change reach the API server on their own budget, after the statuses.
    // Not in --quick: at 100 applications it says little and adds up to half a minute.
    const eventsDrain =
      o.seconds === null || ctx.env.opts.kind === 'quick'
        ? undefined
        : await waitEventsDrained(op, t0 + o.seconds * 1000, Math.min(ctx.deadline, Date.now() + 150_000), {
            signal: ctx.env.signal,
          });
    const events = { ...(measured.operator_metrics?.events ?? {}) };
    for (const [k, v] of Object.entries(eventsDrain?.events_after ?? {})) events[k] = (events[k] ?? 0) + v;
    // Read after the measurement: baseline_1k patches statuses of this size.
    world.statusesAfterConverge = await readStatuses(world);
    return {
      version: CONVERGE_VERSION,
      ...o,
      requests_written: writes.done,
      write_s: writeS,
      write_concurrency: ctx.env.opts.concurrency,
      ...(eventsDrain
        ? {
            events_drain: eventsDrain,
            // From the first write until drained, by outcome, per changed application.
            events_per_change: Object.fromEntries(
              Object.entries(events).map(([k, v]) => [k, round(v / Math.max(1, writes.done), 3)]),
            ),
          }
        : {}),
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
