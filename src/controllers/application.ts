// Application controller: computes status (requested/desired per environment,
// versions per target, conditions, history) with core/application and writes
// only the difference; every new history entry also becomes an Event and an
// audit line (at least once, see history-sender.ts), and a spent force
// annotation is removed.
import { ApplicationSchema, type Application, type ApplicationStatus } from '../api/application.js';
import type { CompatibilityView } from '../core/compatibility/namespace.js';
import { planVersions, summarize, type ApplicationPlan } from '../core/application/plan.js';
import { forceAnnotation } from '../api/annotations.js';
import type { SpentForce } from '../core/application/force.js';
import { isInvalid } from '../kube/errors.js';
import { findCondition } from '../kube/conditions.js';
import { REJECTED_CONDITION } from '../core/application/rejected.js';
import { Gauge } from 'prom-client';
import type { RuntimeDeps } from '../runtime/runtime-deps.js';
import { objectReconciler } from '../runtime/object-reconciler.js';
import type { ControllerSpec, ReconcileContext, ReconcileResult } from '../runtime/reconciler.js';
import type { KubeObject } from '../kube/resource.js';
import { jsonPointerSegment } from '../runtime/writes.js';
import { createDeliveryTracker } from './delivery/registry.js';
import type { DeliveryReview, DeliveryTracker } from './delivery/tracker.js';
import { HistorySender } from './history-sender.js';
import { everyInNamespace, NamespaceSnapshot } from './namespace-snapshot.js';
import { CompatibilityViews } from './compatibility-views.js';
import { RequirementIndex } from './requirement-index.js';
import type { DepotOptions } from './options.js';
import { Applications, Environments, EnvironmentSets, Targets } from '../api/resources.js';

/** Field manager of the operator's removal of spent force annotations. */
export const FORCE_RELEASE_MANAGER = 'depot-operator.force';

export function applicationController(
  deps: RuntimeDeps,
  opts: DepotOptions,
  delivery: DeliveryTracker = createDeliveryTracker(deps, opts.deliverySettings, opts.delivery),
): ControllerSpec {
  const toApps = everyInNamespace(deps.informers, Applications);
  const sender = new HistorySender(deps, opts.audit);
  const forceWriter = deps.writer(FORCE_RELEASE_MANAGER);
  const views = new CompatibilityViews(deps);
  const requirements = new RequirementIndex();
  const rejectedRunning = new Gauge({
    name: 'depot_rejected_versions_running',
    help: 'Environments of an application whose desired version is rejected (spec.rejectedVersions): someone should roll them back.',
    labelNames: ['namespace', 'application'] as const,
    registers: [deps.metrics.registry],
  });
  return {
    name: 'application',
    primary: { resource: Applications },
    // A delivery attempt finished, or an object a target delivers to changed.
    triggers: [delivery],
    watches: [
      // A change of one application re-evaluates those with a rule on it and those it requires.
      { resource: Applications, map: (obj, type) => requirements.observe(obj, type) },
      { resource: Environments, map: toApps },
      { resource: EnvironmentSets, map: toApps },
      { resource: Targets, map: toApps },
    ],
    reconciler: objectReconciler(
      deps,
      Applications,
      ApplicationSchema,
      async (parsed, cached, req, ctx): Promise<ReconcileResult | void> => {
        const valid = parsed as Application;
        sender.firstSight(cached, valid.status?.history, valid.status?.historySentThrough);

        const snapshot = new NamespaceSnapshot(deps.informers, req.namespace);
        const [environments, sets, targets] = [snapshot.environments(), snapshot.sets(), snapshot.targets()];
        const unreadable = snapshot.unreadable();
        const inputFor = (app: Application, now: Date, compatibility: CompatibilityView) => ({
          app,
          environments,
          sets,
          targets,
          unreadable,
          now,
          historyLimit: opts.historyLimit,
          compatibility,
          sentThrough: sender.sentThrough(cached),
        });
        // Start what is due and give it a moment: a fast delivery lands in this status write.
        // The early review plans with the same compatibility gating as the status write.
        const started = new Date(deps.clock.now());
        const early = inputFor(valid, started, views.view(snapshot, started, valid));
        await delivery.settle(delivery.review(valid, planVersions(early).targets, started, ctx.signal));
        const now = new Date(deps.clock.now());
        let plan: ApplicationPlan | undefined;
        let review: DeliveryReview | undefined;
        // The view, the plan and the registration of its moves run without an
        // await in between, so two reconciles side by side never both keep a
        // rule that their sum breaks: the second one's view counts the first's moves.
        const compatibility = views.view(snapshot, now, valid);
        const writing = deps.status.update(Applications, cached, (fresh) => {
          // Runs again on a fresh copy after a 409: derive everything from it.
          const unchanged = fresh.metadata?.resourceVersion === cached.metadata?.resourceVersion;
          const app = unchanged ? valid : (ApplicationSchema.parse(fresh) as Application);
          const input = inputFor(app, now, compatibility);
          const versions = planVersions(input);
          review = delivery.review(app, versions.targets, now, ctx.signal);
          plan = summarize(input, versions, review.deliveries, review);
          views.deciding(req.namespace, req.name, moves(app, plan.status));
          return plan.status;
        });
        const result = await writing.then(
          (r) => (views.decided(req.namespace, req.name, true), r),
          (err: unknown) => {
            views.decided(req.namespace, req.name, false);
            throw err;
          },
        );
        if (!plan) return;
        if (review) delivery.acknowledge(req, review);
        views.recordBlocked(req.namespace, req.name, plan.status.environments ?? []);
        flagRejected(deps, cached, valid, plan, rejectedRunning, req);
        if (result.written && plan.added.length > 0) {
          await opts.hooks?.afterApplicationStatusWrite?.();
          sender.send(cached, plan.added);
        }
        for (const force of plan.spentForces) await releaseForce(deps, ctx, forceWriter, cached, force);
        const next = Math.min(plan.requeueAt?.getTime() ?? Infinity, review?.nextAt ?? Infinity);
        if (next < Infinity)
          return { requeueAfterMs: Math.max(plan.requeueAt ? 1000 : 1, next - now.getTime()) };
      },
      {
        onGone: (req) => {
          sender.forget(req.namespace, req.name);
          delivery.forget(req);
          rejectedRunning.remove({ namespace: req.namespace, application: req.name });
          views.recordBlocked(req.namespace, req.name, []);
        },
      },
    ),
  };
}

/**
 * Environments that run a rejected version: the metric always, a Warning
 * Event when the Rejected condition becomes True or says something new.
 */
function flagRejected(
  deps: RuntimeDeps,
  cached: KubeObject,
  before: Application,
  plan: ApplicationPlan,
  gauge: Gauge<'namespace' | 'application'>,
  req: { namespace: string; name: string },
): void {
  const labels = { namespace: req.namespace, application: req.name };
  if (plan.rejectedRunning.length > 0) gauge.set(labels, plan.rejectedRunning.length);
  else gauge.remove(labels);
  const was = findCondition(before.status?.conditions, REJECTED_CONDITION);
  const now = findCondition(plan.status.conditions, REJECTED_CONDITION);
  if (now?.status === 'True' && (was?.status !== 'True' || was.message !== now.message))
    deps.events.warning(cached, 'RejectedVersionRunning', now.message ?? '');
}

/** Environments whose desired version the new status changes. */
function moves(app: Application, next: ApplicationStatus): Map<string, string> {
  const before = new Map((app.status?.environments ?? []).map((e) => [e.name, e.desired]));
  const out = new Map<string, string>();
  for (const e of next.environments ?? [])
    if (e.desired !== undefined && e.desired !== before.get(e.name)) out.set(e.name, e.desired);
  return out;
}

/**
 * Removes a spent `force.depot.sh/<env>` annotation, only while it still names
 * the version that was forced: a newer force written meanwhile stays.
 */
async function releaseForce(
  deps: RuntimeDeps,
  ctx: ReconcileContext,
  writer: ReturnType<RuntimeDeps['writer']>,
  app: KubeObject,
  force: SpentForce,
): Promise<void> {
  const path = `/metadata/annotations/${jsonPointerSegment(forceAnnotation(force.environment))}`;
  try {
    await writer.patchJson(Applications, app, [
      { op: 'test', path, value: force.version },
      { op: 'remove', path },
    ]);
    ctx.log.info(
      { environment: force.environment, version: force.version },
      'removed the spent force annotation',
    );
    deps.events.normal(
      app,
      'ForceSpent',
      `${force.version} is desired in ${force.environment}: removed the annotation ${forceAnnotation(force.environment)}`,
    );
  } catch (err) {
    // 422: the annotation changed since it was read; the next reconcile sees the new one.
    if (!isInvalid(err)) throw err;
  }
}
