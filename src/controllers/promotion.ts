// Promotion controller: plans with core/promotion, writes spec.versions[to]
// with the Promotion's field manager, then records the run in status. Each
// write is conditional on the resourceVersion the plan read, so a person's
// write in between is never overwritten (409: plan again). Level-based: after
// a crash the applications are found UpToDate and nothing is written twice.
import pLimit from 'p-limit';
import { PromotionSchema, type Promotion, type PromotionStatus } from '../api/promotion.js';
import {
  nextPromotionStatus,
  planPromotion,
  promotionProblem,
  promotionRunStatus,
  SUSPENDED_REASON,
  type PromotionStatusUpdate,
  type PromotionWrite,
} from '../core/promotion/index.js';
import { versionRequest, writerManager } from '../core/version-writes.js';
import { approvedByAnnotation } from '../api/annotations.js';
import { heldReason } from '../core/holds.js';
import { isConflict } from '../kube/errors.js';
import type { RuntimeDeps } from '../runtime/runtime-deps.js';
import { objectReconciler } from '../runtime/object-reconciler.js';
import type { ControllerSpec, ReconcileResult } from '../runtime/reconciler.js';
import type { KubeObject } from '../kube/resource.js';
import { GateEvaluator } from './promotion-gates.js';
import { Verifier } from './promotion-verification.js';
import { everyInNamespace, NamespaceSnapshot } from './namespace-snapshot.js';
import type { DepotOptions } from './options.js';
import { Applications, Environments, Promotions } from '../api/resources.js';
import { ConditionType } from '../api/conditions.js';

/** After a conflicting write, plan again this soon (the watch event usually comes first). */
const CONFLICT_REPLAN_MS = 200;

/** Writes of one Promotion run in flight at once (the client-side rate limit still applies). */
const PROMOTION_WRITE_CONCURRENCY = 8;

export function promotionController(
  deps: RuntimeDeps,
  opts: DepotOptions,
  gates: GateEvaluator = new GateEvaluator(deps),
): ControllerSpec {
  const toPromotions = everyInNamespace(deps.informers, Promotions);
  const verifier = new Verifier(deps, gates);
  return {
    name: 'promotion',
    primary: { resource: Promotions },
    watches: [
      { resource: Applications, map: toPromotions },
      { resource: Environments, map: toPromotions },
      // A verification's progress: the Promotions out of its `to` that require verified versions.
      { resource: Promotions, map: (obj) => requiringVerified(deps, obj) },
    ],
    // A gate's answer arrived.
    triggers: [gates],
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
          opts.gateUrlAllow ?? [],
        );
        if (problem) {
          await writeStatus(deps, cached, now, { conditions: [problem] });
          return;
        }
        if (promotion.spec.suspend) {
          await writeStatus(deps, cached, now, {
            conditions: [
              {
                type: ConditionType.Ready,
                status: 'True',
                reason: SUSPENDED_REASON,
                message: 'spec.suspend is true: nothing is promoted automatically',
              },
            ],
          });
          return;
        }

        const applications = snapshot.applications();
        const plan = planPromotion({
          promotion,
          applications,
          now,
          gateAnswers: gates.answersFor(req.namespace, promotion.metadata.name),
          promotions: snapshot.promotions(),
        });
        // Ask the gates of candidates that passed every other check (calls run in the background).
        let askAgainAt: number | undefined;
        const gated = {
          namespace: req.namespace,
          name: promotion.metadata.name,
          from: promotion.spec.from,
          to: promotion.spec.to,
          object: cached,
        };
        for (const candidate of plan.gateAsks) {
          const at = gates.ask(gated, candidate, promotion.spec.gates ?? [], now.getTime());
          if (at !== undefined && (askAgainAt === undefined || at < askAgainAt)) askAgainAt = at;
        }
        const promotionWriter = { kind: 'promotion', promotion: promotion.metadata.name } as const;
        const writer = deps.writer(writerManager(promotionWriter, promotion.spec.to));
        const readAt = new Map(applications.map((a) => [a.metadata.name, a.metadata.resourceVersion]));
        let conflicts = 0;
        const promote = async (w: PromotionWrite) => {
          const write = versionRequest({
            application: w.application,
            namespace: req.namespace,
            env: promotion.spec.to,
            version: w.version,
            writer: promotionWriter,
            // Never overwrite a write that happened after the plan read the application.
            resourceVersion: readAt.get(w.application),
            // The operator acts as itself: the stamp names the Promotion.
            stamp: opts.verifiedActors ?? false,
            ...(w.approvedBy
              ? { annotations: { [approvedByAnnotation(promotion.spec.to)]: w.approvedBy } }
              : {}),
          });
          try {
            // force only takes over field ownership (a person's kubectl owns the field after a
            // rollback); the resourceVersion precondition keeps newer writes.
            await writer.apply(Applications, write.body, { force: true });
          } catch (err) {
            if (!isConflict(err)) throw err;
            conflicts++;
            ctx.log.info(
              { application: w.application, version: w.version, to: promotion.spec.to },
              'the application changed since it was read: planning again instead of overwriting it',
            );
            return;
          }
          ctx.log.info({ application: w.application, version: w.version, to: promotion.spec.to }, 'promoted');
          deps.events.normal(
            cached,
            'Promoted',
            `${w.application} ${w.version} promoted from ${promotion.spec.from} to ${promotion.spec.to}`,
          );
        };
        // A few writes at a time, level by level: a required application lands first.
        const limit = pLimit(PROMOTION_WRITE_CONCURRENCY);
        for (const level of plan.levels) {
          await Promise.all(level.map((w) => limit(() => promote(w))));
          // A later level needs this one's writes: plan again from what is there now.
          if (conflicts > 0) return { requeueAfterMs: CONFLICT_REPLAN_MS };
        }
        if (plan.writes.length > 0 && opts.hooks?.afterPromotionWrites)
          await opts.hooks?.afterPromotionWrites({
            namespace: req.namespace,
            name: req.name,
            writes: plan.writes.length,
          });
        // A hold that starts is an Event on the Promotion (the status lists it while it lasts).
        for (const hold of plan.holds)
          if (
            !promotion.status?.holds?.some(
              (h) => h.application === hold.application && h.version === hold.version,
            )
          )
            deps.events.normal(cached, 'Held', `${hold.application}: ${heldReason(hold, promotion.spec.to)}`);
        // spec.verify: versions this Promotion delivered, verified in to (a rollback is one more write).
        const verified = await verifier.run(promotion, cached, applications, now, ctx);
        for (const hold of verified.holds)
          if (!plan.holds.some((h) => h.application === hold.application)) {
            plan.holds.push(hold);
            deps.events.normal(cached, 'Held', `${hold.application}: ${heldReason(hold, promotion.spec.to)}`);
          }
        await writeStatus(deps, cached, now, {
          ...promotionRunStatus(promotion, plan, now),
          ...(verified.verifications ? { verifications: verified.verifications } : {}),
          ...(verified.verifySince !== undefined ? { verifySince: verified.verifySince } : {}),
        });
        if (verified.conflict) return { requeueAfterMs: CONFLICT_REPLAN_MS };
        const wakeAt = Math.min(
          plan.requeueAt?.getTime() ?? Infinity,
          askAgainAt ?? Infinity,
          verified.wakeAt ?? Infinity,
        );
        if (wakeAt !== Infinity) return { requeueAfterMs: Math.max(1000, wakeAt - now.getTime()) };
      },
      // A deleted Promotion's gate answers go with it.
      { onGone: (req) => gates.forget(req.namespace, req.name) },
    ),
  };
}

/** The Promotions whose `from` is this one's `to` and that set requireVerified (raw objects: only spec is read). */
function requiringVerified(deps: RuntimeDeps, obj: KubeObject) {
  const to = (obj.spec as { to?: string } | undefined)?.to;
  const namespace = obj.metadata?.namespace ?? '';
  return deps.informers
    .informer<KubeObject>(Promotions)
    .list(namespace)
    .filter((p) => {
      const spec = p.spec as { from?: string; requireVerified?: boolean } | undefined;
      return spec?.from === to && spec?.requireVerified === true;
    })
    .map((p) => ({ namespace, name: p.metadata?.name ?? '' }));
}

async function writeStatus(
  deps: RuntimeDeps,
  cached: KubeObject,
  now: Date,
  update: PromotionStatusUpdate,
): Promise<void> {
  await deps.status.update(Promotions, cached, (fresh) =>
    nextPromotionStatus((fresh.status ?? {}) as PromotionStatus, fresh.metadata?.generation, update, now),
  );
}
