// restart_1k: the operator is killed (SIGKILL) on the converged namespace and
// started again with default flags: seconds until ready (and leading: the old
// Lease must expire first), and the write requests it makes (a restart changes
// nothing, so there should be none).
import type { AppsWorld } from '../apps-world.js';
import { Measurement } from '../measurement.js';
import { waitSettled } from '../settle.js';
import { scaled, type Scenario } from '../scenario.js';
import { round } from '../stats.js';
import { appsGroup } from './groups.js';

export const restart1k: Scenario<AppsWorld> = {
  key: 'restart_1k',
  group: appsGroup,
  title: 'operator killed and restarted on the converged namespace; seconds until ready, writes made',
  target: '0 writes',
  boundS: (o) => scaled(o.apps, 0.12, 75, 150),
  minimumS: () => 45,
  async run(world, ctx) {
    const precondition = await world.ensureApps(ctx, 0.2);
    const { op: before } = await world.ensureOperator([], ctx.deadline);
    const quietBefore = await waitSettled(before, Math.min(ctx.deadline, Date.now() + 30_000), {
      signal: ctx.env.signal,
    });
    const m = await Measurement.begin(world.cluster, before);
    await world.stopOperator('SIGKILL');
    const { op, readyMs } = await world.ensureOperator([], ctx.deadline);
    // Settled: leads, nothing queued, no write for 10 s.
    const settleFrom = Date.now();
    const settled = await waitSettled(op, ctx.deadline, { quietMs: 10_000, signal: ctx.env.signal });
    const measured = await m.end(op);
    const sinceStart = (msAfterSettleFrom: number) =>
      round((settleFrom - op.startedAt + msAfterSettleFrom) / 1000, 2);
    return {
      apps: world.names.length,
      signal: 'SIGKILL',
      ready_s: readyMs !== undefined ? round(readyMs / 1000, 2) : null,
      leader_s: settled.leaderMs !== undefined ? sinceStart(settled.leaderMs) : null,
      settled: settled.settled,
      settled_s: sinceStart(settled.ms),
      writes: measured.api_requests.operator_writes.total,
      settled_before_kill: quietBefore.settled,
      precondition,
      operator_flags: op.flags,
      ...measured,
    };
  },
};
