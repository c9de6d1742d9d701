// Promotion controller: plans with core/promotion, writes spec.versions[to]
// of each promoted Application with the Promotion's own field manager, then
// records the run in status. Level-based, so it is applied exactly once: if
// the process dies between the writes and the status update, the next
// reconcile finds the applications at the version (UpToDate) and writes
// nothing; the Promoted history entry is recorded by the Application
// controller from the transition it observes, once.
import pLimit from 'p-limit';
import { PromotionSchema, type Promotion, type PromotionStatus } from '../api/promotion.js';
import { planPromotion, SUSPENDED_REASON, type PromotionWrite } from '../core/promotion.js';
import {
  nextPromotionStatus,
  promotionProblem,
  promotionRunStatus,
  type PromotionStatusUpdate,
} from '../core/promotion-status.js';
import { versionRequest, writerManager } from '../core/version-writes.js';
import type { ControllerDeps } from '../runtime/controller-deps.js';
import { objectReconciler } from '../runtime/object-reconciler.js';
import type { ControllerSpec, ReconcileResult } from '../runtime/reconciler.js';
import type { KubeObject } from '../kube/resource.js';
import { everyInNamespace, NamespaceSnapshot } from './namespace-snapshot.js';
import type { DepotOptions } from './options.js';
import { Applications, Environments, Promotions } from '../api/resources.js';

/** Writes of one Promotion run in flight at once (the client-side rate limit still applies). */
const PROMOTION_WRITE_CONCURRENCY = 8;

export function promotionController(deps: ControllerDeps, opts: DepotOptions): ControllerSpec {
  const toPromotions = everyInNamespace(deps.informers, Promotions);
  return {
    name: 'promotion',
    primary: { resource: Promotions },
    watches: [
      { resource: Applications, map: toPromotions },
      { resource: Environments, map: toPromotions },
    ],
    reconciler: objectReconciler(
      deps,
      Promotions,
      PromotionSchema,
      async (promotion: Promotion, cached, req, ctx): Promise<ReconcileResult | void> => {
        const snapshot = new NamespaceSnapshot(deps.informers, req.namespace);
        const now = new Date(deps.clock.now());

        const problem = promotionProblem(
          promotion,
          snapshot.promotions(),
          new Set(snapshot.environments().keys()),
        );
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

        const applications = snapshot.applications();
        const plan = planPromotion({ promotion, applications, now });
        const promotionWriter = { kind: 'promotion', promotion: promotion.metadata.name } as const;
        const writer = deps.writer(writerManager(promotionWriter, promotion.spec.to));
        const promote = async (w: PromotionWrite) => {
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
        };
        // A few writes at a time, level by level: a required application lands first.
        const limit = pLimit(PROMOTION_WRITE_CONCURRENCY);
        for (const level of plan.levels) await Promise.all(level.map((w) => limit(() => promote(w))));
        if (plan.writes.length > 0 && opts.hooks?.afterPromotionWrites)
          await opts.hooks?.afterPromotionWrites({
            namespace: req.namespace,
            name: req.name,
            writes: plan.writes.length,
          });
        await writeStatus(deps, cached, now, promotionRunStatus(promotion, plan, now));
        if (plan.requeueAt)
          return { requeueAfterMs: Math.max(1000, plan.requeueAt.getTime() - now.getTime()) };
      },
    ),
  };
}

async function writeStatus(
  deps: ControllerDeps,
  cached: KubeObject,
  now: Date,
  update: PromotionStatusUpdate,
): Promise<void> {
  await deps.status.update(Promotions, cached, (fresh) =>
    nextPromotionStatus((fresh.status ?? {}) as PromotionStatus, fresh.metadata?.generation, update, now),
  );
}
