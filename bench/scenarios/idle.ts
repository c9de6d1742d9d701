// idle_writes: with the N Applications converged and the operator restarted
// with --resync-period 20s (and settled), the write requests the API server
// receives during a steady-state window that includes resyncs, by verb and
// resource; Lease renewals apart. Should be 0 apart from the Lease.
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppsWorld } from '../apps-world.js';
import { Measurement } from '../measurement.js';
import { waitSettled } from '../settle.js';
import { scaled, type Scenario } from '../scenario.js';
import { round } from '../stats.js';
import { appsGroup } from './groups.js';

export const IDLE_FLAGS = ['--resync-period', '20s'];

export const idleWrites: Scenario<AppsWorld> = {
  key: 'idle_writes',
  group: appsGroup,
  title: 'write requests during a steady-state window with resyncs (--resync-period 20s), Leases apart',
  target: '0 writes apart from the Lease',
  boundS: (o) => o.idleSeconds + scaled(o.apps, 0.1, 60, 120),
  minimumS: (o) => o.idleSeconds + 45,
  async run(world, ctx) {
    const windowMs = ctx.env.opts.idleSeconds * 1000;
    const precondition = await world.ensureApps(ctx, 0.2);
    const { op } = await world.ensureOperator(IDLE_FLAGS, ctx.deadline - windowMs);
    const settled = await waitSettled(op, ctx.deadline - windowMs - 2_000, { signal: ctx.env.signal });
    const m = await Measurement.begin(world.cluster, op);
    await sleep(windowMs, undefined, { signal: ctx.env.signal });
    const measured = await m.end(op);
    const reconciles = measured.operator_metrics?.reconciles.application ?? 0;
    return {
      apps: world.names.length,
      window_s: ctx.env.opts.idleSeconds,
      writes: measured.api_requests.operator_writes.total,
      writes_by_resource: measured.api_requests.operator_writes.by_resource,
      lease_requests: measured.api_requests.leases,
      application_reconciles: reconciles,
      resyncs_seen: round(reconciles / Math.max(1, world.names.length), 1),
      settled_before_window: settled.settled,
      precondition,
      operator_flags: op.flags,
      ...measured,
    };
  },
};
