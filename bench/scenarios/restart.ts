// restart_1k: the operator is killed (SIGKILL) on the converged namespace and
// started again: seconds until ready and leading (the old Lease must expire),
// and the writes it makes (there should be none). Then the same after SIGTERM,
// which releases the Lease (`clean_restart`): after a crash, history entries
// not marked as sent are sent again.
import type { AppsWorld } from '../apps-world.js';
import { Measurement, type Measured } from '../measurement.js';
import { waitSettled } from '../settle.js';
import { scaled, type Scenario, type ScenarioContext } from '../scenario.js';
import { round } from '../stats.js';
import { appsGroup } from './groups.js';

interface Restart extends Measured {
  signal: 'SIGKILL' | 'SIGTERM';
  ready_s: number | null;
  leader_s: number | null;
  settled: boolean;
  /** Seconds from the start until it settled: leads, nothing queued, no write for 10 s. */
  settled_s: number;
  /** Write requests (Leases apart) from the stop until settled or the bound. */
  writes: number;
  settled_before_stop: boolean;
  /** Write requests the restarted operator itself made (its /metrics), Leases apart. */
  restarted_operator_writes: number;
}

async function restart(
  world: AppsWorld,
  ctx: ScenarioContext,
  signal: Restart['signal'],
  deadline: number,
): Promise<Restart> {
  const { op: before } = await world.ensureOperator([], deadline);
  const quietBefore = await waitSettled(before, Math.min(deadline, Date.now() + 30_000), {
    signal: ctx.env.signal,
  });
  const m = await Measurement.begin(world.cluster, before);
  await world.stopOperator(signal);
  const { op, readyMs } = await world.ensureOperator([], deadline);
  const settleFrom = Date.now();
  const settled = await waitSettled(op, deadline, { quietMs: 10_000, signal: ctx.env.signal });
  const measured = await m.end(op);
  const sinceStart = (ms: number) => round((settleFrom - op.startedAt + ms) / 1000, 2);
  return {
    signal,
    ready_s: readyMs !== undefined ? round(readyMs / 1000, 2) : null,
    leader_s: settled.leaderMs !== undefined ? sinceStart(settled.leaderMs) : null,
    settled: settled.settled,
    settled_s: sinceStart(settled.ms),
    writes: measured.api_requests.operator_writes.total,
    // The API server's count can include a write the killed operator had in
    // flight (an Event still draining on its own budget); the restarted
    // operator's own /metrics say what the restart itself wrote.
    restarted_operator_writes: ownWrites(measured.operator_metrics?.api_requests),
    settled_before_stop: quietBefore.settled,
    ...measured,
  };
}

export const restart1k: Scenario<AppsWorld> = {
  key: 'restart_1k',
  group: appsGroup,
  title: 'operator killed and restarted on the converged namespace; seconds until ready, writes made',
  target: '0 writes',
  // The crash part needs up to 30 s for the operator to be quiet before the
  // kill (Events of the previous scenario drain at 10/s), the dead leader's
  // Lease to expire (15 s), then 10 s without a write.
  boundS: (o) => scaled(o.apps, 0.2, 120, 240),
  minimumS: () => 60,
  async run(world, ctx) {
    const precondition = await world.ensureApps(ctx, 0.15);
    // The crash gets 60% of what is left, the clean restart the rest.
    const killed = await restart(world, ctx, 'SIGKILL', Date.now() + (ctx.deadline - Date.now()) * 0.6);
    const clean =
      ctx.deadline - Date.now() > 20_000
        ? await restart(world, ctx, 'SIGTERM', ctx.deadline)
        : { skipped: 'no time left within the bound' };
    return {
      apps: world.names.length,
      ...killed,
      clean_restart: clean,
      precondition,
      operator_flags: [],
    };
  },
};

const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'];

function ownWrites(byVerb: Record<string, number> | undefined): number {
  return WRITE_VERBS.reduce((total, verb) => total + (byVerb?.[verb] ?? 0), 0);
}
