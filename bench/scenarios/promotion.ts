// promotion_1k: a Promotion dev → staging over all N Applications, on a
// schedule; seconds from the schedule firing until every Application has the
// promoted version requested in staging (the Promotion's writes), and until
// their status shows it delivered. The Promotion is deleted afterwards so the
// next scenarios measure the Applications alone.
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppsWorld } from '../apps-world.js';
import { isRequested } from '../convergence.js';
import { Measurement } from '../measurement.js';
import { outcome } from '../outcome.js';
import { scaled, type Scenario } from '../scenario.js';
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

/** Version set on dev before promotion_1k_chain, when dev still equals staging. */
const CHAIN_DEV_VERSION = '1.1.0';

export const promotion1kChain: Scenario<AppsWorld> = promotionScenario({
  key: 'promotion_1k_chain',
  group: chainGroup,
  title:
    'promotion_1k where every Application requires the one before it (a chain of N − 1 rules); seconds from the firing until all promoted',
});

function promotionScenario(s: Pick<Scenario<AppsWorld>, 'key' | 'group' | 'title'>): Scenario<AppsWorld> {
  return {
    ...s,
    target: '≤ 10 s',
    boundS: (o) => 80 + scaled(o.apps, 0.15, 60, 180),
    minimumS: () => 110,
    run,
  };
}

async function run(world: AppsWorld, ctx: Parameters<Scenario<AppsWorld>['run']>[1]) {
  {
    const precondition = await world.ensureApps(ctx, 0.2);
    const { op } = await world.ensureOperator([], ctx.deadline);
    const names = world.names.filter((n) => world.requested.has(n));
    // A fresh world: dev equals staging; give dev something to promote first.
    const stale = names.filter((n) => world.requested.get(n)!.dev === world.requested.get(n)!.staging);
    if (stale.length > 0) {
      await world.setVersions(stale, 'dev', () => CHAIN_DEV_VERSION, ctx.deadline);
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
      precondition,
      operator_flags: op.flags,
      ...measured,
    };
  }
}
