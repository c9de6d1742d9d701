// Promotion controller: plans with core/promotion, writes spec.versions[to]
// of each promoted Application with the Promotion's own field manager, then
// records the run in status. Level-based, so it is applied exactly once: if
// the process dies between the writes and the status update, the next
// reconcile finds the applications at the version (UpToDate) and writes
// nothing; the Promoted history entry is recorded by the Application
// controller from the transition it observes, once.
import { PromotionSchema, type Promotion, type PromotionStatus } from '../api/promotion.js';
import { setConditions, type ConditionInput } from '../kube/conditions.js';
import {
  planPromotion,
  promotionCycles,
  reportedResults,
  summarize,
  SUSPENDED_REASON,
  type PromotionPlan,
} from '../core/promotion.js';
import { promotionScheduleProblems } from '../core/schedule.js';
import { versionRequest, writerManager } from '../core/version-writes.js';
import type { ControllerDeps } from '../runtime/controller-deps.js';
import type { ControllerSpec, ReconcileContext, ReconcileResult, Request } from '../runtime/reconciler.js';
import type { KubeObject } from '../kube/resource.js';
import { everyInNamespace, NamespaceSnapshot } from './namespace-snapshot.js';
import type { DepotOptions } from './options.js';
import { Applications, Environments, Promotions } from '../api/resources.js';

export function promotionController(deps: ControllerDeps, opts: DepotOptions): ControllerSpec {
  const promotions = deps.informers.informer<KubeObject>(Promotions);
  const toPromotions = everyInNamespace(deps.informers, Promotions);
  return {
    name: 'promotion',
    primary: { resource: Promotions },
    watches: [
      { resource: Applications, map: toPromotions },
      { resource: Environments, map: toPromotions },
    ],
    reconciler: {
      async reconcile(req: Request, ctx: ReconcileContext): Promise<ReconcileResult | void> {
        const cached = promotions.get(req.namespace, req.name);
        if (!cached || cached.metadata?.deletionTimestamp) return;
        const promotion = (await deps.invalid.parse(Promotions, cached, PromotionSchema)) as
          Promotion | undefined;
        if (!promotion) return;
        const snapshot = new NamespaceSnapshot(deps.informers, req.namespace);
        const now = new Date(deps.clock.now());

        const problem = findProblem(promotion, snapshot);
        if (problem) {
          await writeStatus(deps, cached, now, { conditions: [problem] });
          return;
        }
        if (promotion.spec.suspend) {
          await writeStatus(deps, cached, now, {
            conditions: [
              {
                type: 'Ready',
                status: 'True',
                reason: SUSPENDED_REASON,
                message: 'spec.suspend is true: nothing is promoted automatically',
              },
            ],
          });
          return;
        }

        const plan = planPromotion({ promotion, applications: snapshot.applications(), now });
        const promotionWriter = { kind: 'promotion', promotion: promotion.metadata.name } as const;
        const writer = deps.writer(writerManager(promotionWriter, promotion.spec.to));
        for (const w of plan.writes) {
          const write = versionRequest({
            application: w.application,
            namespace: req.namespace,
            env: promotion.spec.to,
            version: w.version,
            writer: promotionWriter,
          });
          await writer.apply(Applications, write.body);
          ctx.log.info({ application: w.application, version: w.version, to: promotion.spec.to }, 'promoted');
          deps.events.normal(
            cached,
            'Promoted',
            `${w.application} ${w.version} promoted from ${promotion.spec.from} to ${promotion.spec.to}`,
          );
        }
        if (plan.writes.length > 0 && opts.hooks?.afterPromotionWrites)
          await opts.hooks?.afterPromotionWrites({
            namespace: req.namespace,
            name: req.name,
            writes: plan.writes.length,
          });
        await writeStatus(deps, cached, now, runStatus(promotion, plan, now));
        if (plan.requeueAt)
          return { requeueAfterMs: Math.max(1000, plan.requeueAt.getTime() - now.getTime()) };
      },
    },
  };
}

function findProblem(promotion: Promotion, snapshot: NamespaceSnapshot): ConditionInput | undefined {
  const cycle = promotionCycles(snapshot.promotions()).get(promotion.metadata.name);
  if (cycle)
    return {
      type: 'Ready',
      status: 'False',
      reason: 'PromotionCycle',
      message: `promotions form a cycle (${cycle}): nothing is promoted`,
    };
  const envs = snapshot.environments();
  for (const field of ['from', 'to'] as const) {
    const name = promotion.spec[field];
    if (!envs.has(name)) {
      return {
        type: 'Ready',
        status: 'False',
        reason: 'EnvironmentNotFound',
        message: `spec.${field}: Environment "${name}" does not exist`,
      };
    }
  }
  // The same check as `depot validate`.
  const [schedule] = promotionScheduleProblems(promotion.spec);
  if (schedule)
    return {
      type: 'Ready',
      status: 'False',
      reason: 'InvalidSchedule',
      message: `${schedule.path}: ${schedule.message}`,
    };
  return undefined;
}

interface StatusUpdate {
  conditions: ConditionInput[];
  lastRunTime?: string;
  lastResumeTime?: string;
  nextRunTime?: string;
  results?: PromotionStatus['results'];
  summary?: PromotionStatus['summary'];
}

function runStatus(promotion: Promotion, plan: PromotionPlan, now: Date): StatusUpdate {
  // With a schedule every due evaluation is a run; without one, a run is a promotion.
  const ran = promotion.spec.schedule ? plan.ran : plan.writes.length > 0;
  const summary = summarize(plan.results);
  const results = reportedResults(plan.results);
  const listed = results.length < summary.total ? ` (${results.length} listed in results)` : '';
  return {
    ...(ran ? { lastRunTime: now.toISOString() } : {}),
    ...(plan.lastResumeTime ? { lastResumeTime: plan.lastResumeTime.toISOString() } : {}),
    ...(plan.nextRunTime ? { nextRunTime: plan.nextRunTime.toISOString() } : {}),
    results,
    summary,
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'Evaluated',
        message: `${summary.total} applications: ${summary.promoted} promoted, ${summary.waiting} waiting, ${summary.blocked} blocked, ${summary.upToDate} up to date${listed}`,
      },
    ],
  };
}

async function writeStatus(
  deps: ControllerDeps,
  cached: KubeObject,
  now: Date,
  update: StatusUpdate,
): Promise<void> {
  await deps.status.update(Promotions, cached, (fresh) => {
    const prev = (fresh.status ?? {}) as PromotionStatus;
    const generation = fresh.metadata?.generation;
    const next: PromotionStatus = {
      ...prev,
      observedGeneration: generation,
      conditions: setConditions(prev.conditions, update.conditions, generation, now),
    };
    if (update.lastRunTime) next.lastRunTime = update.lastRunTime;
    if (update.lastResumeTime) next.lastResumeTime = update.lastResumeTime;
    if (update.nextRunTime) next.nextRunTime = update.nextRunTime;
    else delete next.nextRunTime;
    if (update.results) next.results = update.results;
    if (update.summary) next.summary = update.summary;
    return next;
  });
}
