// promotion_1k: a Promotion dev → staging over all N Applications, on a
// schedule; seconds from the schedule firing until every Application has the
// promoted version requested in staging (the Promotion's writes), and until
// their status shows it delivered. The Promotion is deleted afterwards so the
// next scenarios measure the Applications alone. promotion_1k_gated adds one
// `http` gate that passes, served by the harness (gate-server.ts), which
// counts the calls it gets per application and version.
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppsWorld } from '../apps-world.js';
import { isRequested } from '../convergence.js';
import { GateServer, type GateCalls } from '../gate-server.js';
import { Measurement } from '../measurement.js';
import { outcome } from '../outcome.js';
import { scaled, type Scenario, type ScenarioContext } from '../scenario.js';
import { waitSettled } from '../settle.js';
import { appsGroup, chainGroup, NAMESPACE } from './groups.js';

export const PROMOTION = 'bench-dev-to-staging';
/** The schedule fires at the first minute boundary at least this far ahead (time to see the Promotion). */
const LEAD_MS = 10_000;

/** The first whole minute at least `leadMs` after `now`, and its cron schedule (UTC, daily). */
export function nextFiring(now: Date, leadMs = LEAD_MS): { at: Date; schedule: string } {
  const at = new Date(Math.ceil((now.getTime() + leadMs) / 60_000) * 60_000);
  return { at, schedule: `${at.getUTCMinutes()} ${at.getUTCHours()} * * *` };
}

interface PromotionStatus {
  lastRunTime?: string;
  results?: unknown[];
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
}

export const promotion1k: Scenario<AppsWorld> = promotionScenario({
  key: 'promotion_1k',
  group: appsGroup,
  title:
    'a scheduled Promotion dev → staging over all N; seconds from the schedule firing until all promoted',
});

export const promotion1kGated: Scenario<AppsWorld> = promotionScenario(
  {
    key: 'promotion_1k_gated',
    group: appsGroup,
    related: ['promotion_1k'],
    title:
      'promotion_1k with one http gate on loopback that passes; seconds until all promoted, and the gate calls made',
  },
  { gated: true },
);

/** A version dev does not have yet (the next minor), set when dev equals staging so there is something to promote. */
export function nextMinor(version: string): string {
  const [major = '1', minor = '0'] = version.split('.');
  return `${major}.${Number(minor) + 1}.0`;
}

export const promotion1kChain: Scenario<AppsWorld> = promotionScenario({
  key: 'promotion_1k_chain',
  group: chainGroup,
  title:
    'promotion_1k where every Application requires the one before it (a chain of N − 1 rules); seconds from the firing until all promoted',
});

function promotionScenario(
  s: Pick<Scenario<AppsWorld>, 'key' | 'group' | 'title' | 'related'>,
  o: { gated?: boolean } = {},
): Scenario<AppsWorld> {
  return {
    ...s,
    target: o.gated ? '≤ 1.2 × promotion_1k; 1 gate call per application and version' : '≤ 10 s',
    // Setting dev's new version first (when dev equals staging) is not measured but takes time;
    // gated also restarts the operator and lets it settle.
    boundS: (opts) => 80 + scaled(opts.apps, 0.4, 100, 400),
    minimumS: () => (o.gated ? 140 : 110),
    // Not in --quick: an operator restart and another wait for a whole minute (about 1.5 min) on top of promotion_1k's.
    ...(o.gated ? { notQuick: true } : {}),
    run: (world, ctx) => run(world, ctx, o),
  };
}

/** The operator for the scenario: default flags, or (gated) a gate server and --gate-url-allow for it. */
async function operatorFor(world: AppsWorld, ctx: ScenarioContext, gated: boolean) {
  if (!gated) return { ...(await world.ensureOperator([], ctx.deadline)), gate: undefined };
  const gate = await GateServer.start();
  try {
    const { op } = await world.ensureOperator(['--gate-url-allow', gate.allowPrefix], ctx.deadline);
    // A new process plans every Application once at start: not part of the measurement.
    await waitSettled(op, Math.min(ctx.deadline, Date.now() + 60_000), { signal: ctx.env.signal });
    return { op, gate };
  } catch (err) {
    await gate.stop();
    throw err;
  }
}

/**
 * Applications whose history has the GatePassed entry of the promoted version
 * in staging (one paginated LIST, after the measurement): the audit trail of
 * the gate, which every promoted application should carry.
 */
async function gatePassedEntries(
  world: AppsWorld,
  candidate: Map<string, string>,
): Promise<{ applications: number; with_entry: number }> {
  const { items } = await world.cluster.client.list('applications', world.namespace);
  const withEntry = items.filter((a) => {
    const history = (a.status as { history?: { type?: string; environment?: string; to?: string }[] })
      ?.history;
    return history?.some(
      (h) =>
        h.type === 'GatePassed' && h.environment === 'staging' && h.to === candidate.get(a.metadata.name),
    );
  }).length;
  return { applications: candidate.size, with_entry: withEntry };
}

async function run(world: AppsWorld, ctx: ScenarioContext, o: { gated?: boolean }) {
  const precondition = await world.ensureApps(ctx, 0.2);
  const { op, gate } = await operatorFor(world, ctx, o.gated === true);
  try {
    const names = world.names.filter((n) => world.requested.has(n));
    // dev equals staging (a fresh world, or after promotion_1k): give dev something to promote first.
    const stale = names.filter((n) => world.requested.get(n)!.dev === world.requested.get(n)!.staging);
    if (stale.length > 0) {
      await world.setVersions(stale, 'dev', (n) => nextMinor(world.requested.get(n)!.dev!), ctx.deadline);
      await world.waitConverged(stale, ctx.deadline, ['dev']);
    }
    const candidate = new Map(names.map((n) => [n, world.requested.get(n)!.dev!]));
    const client = world.cluster.client;
    const m = await Measurement.begin(world.cluster, op);
    const firing = nextFiring(new Date());
    await client.create('promotions', NAMESPACE, {
      apiVersion: 'depot.sh/v1alpha1',
      kind: 'Promotion',
      metadata: { name: PROMOTION, namespace: NAMESPACE },
      spec: {
        from: 'dev',
        to: 'staging',
        schedule: firing.schedule,
        timeZone: 'UTC',
        requireDeployed: false,
        ...(gate ? { gates: [{ name: 'bench-check', http: { url: gate.url } }] } : {}),
      },
    });
    ctx.env.log(`Promotion ${PROMOTION} fires at ${firing.at.toISOString()} (${firing.schedule})`);
    await sleep(Math.max(0, firing.at.getTime() - Date.now()), undefined, { signal: ctx.env.signal });
    const t0 = firing.at.getTime();
    const promotedWait = await world.watch.wait(
      names,
      (name, app) => isRequested(app, { staging: candidate.get(name)! }),
      ctx.deadline,
      ctx.env.signal,
    );
    const promoted = outcome(promotedWait, t0);
    for (const n of names) world.requested.set(n, { ...world.requested.get(n), staging: candidate.get(n)! });
    const delivered = outcome(await world.waitConverged(names, ctx.deadline, ['staging']), t0);
    const status = (await client.get('promotions', NAMESPACE, PROMOTION)).status as
      PromotionStatus | undefined;
    const measured = await m.end(world.operator);
    const gateCalls: GateCalls | undefined = gate?.tally.summary();
    const gateHistory = gate ? await gatePassedEntries(world, candidate) : undefined;
    await client.delete('promotions', NAMESPACE, PROMOTION);
    const ready = status?.conditions?.find((c) => c.type === 'Ready');
    return {
      apps: names.length,
      schedule: firing.schedule,
      fired_at: firing.at.toISOString(),
      promoted,
      delivered,
      promotion_status: {
        last_run_time: status?.lastRunTime ?? null,
        results: status?.results?.length ?? 0,
        ready: ready ? { status: ready.status, reason: ready.reason, message: ready.message } : null,
      },
      ...(gateCalls ? { gate_calls: gateCalls } : {}),
      ...(gateHistory !== undefined ? { gate_passed_history: gateHistory } : {}),
      precondition,
      operator_flags: op.flags,
      ...measured,
    };
  } finally {
    await gate?.stop();
  }
}
