// Application controller, one pass per reconcile (get → steps → summarize → patch, as Flux's
// source-controller): read the Application and a namespace snapshot; plan once (moves reserved
// at once); dispatch delivery; compose status once; one merge patch guarded by the
// resourceVersion read (409 re-queues, reservation released in a finally); then the effects
// (application-effects.ts).
import { ApplicationSchema, type Application, type ApplicationStatus } from '../api/application.js';
import {
  composeStatus,
  planVersions,
  type ApplicationInput,
  type ApplicationPlan,
} from '../core/application/plan.js';
import { forceAnnotation } from '../api/annotations.js';
import type { SpentForce } from '../core/application/force.js';
import { isConflict, isInvalid } from '../kube/errors.js';
import { Gauge } from 'prom-client';
import type { RuntimeDeps } from '../runtime/runtime-deps.js';
import { objectReconciler } from '../runtime/object-reconciler.js';
import { OwnWrites } from '../runtime/own-writes.js';
import type { ControllerSpec, ReconcileContext, ReconcileResult, Request } from '../runtime/reconciler.js';
import { keyOf, parseKey, type KubeObject } from '../kube/resource.js';
import { jsonPointerSegment } from '../runtime/writes.js';
import { effectsAfterWrite, type Effect } from './application-effects.js';
import { createDeliveryTracker } from './delivery/registry.js';
import type { DeliveryRecord, DeliveryTracker } from './delivery/tracker.js';
import { HistorySender } from './history-sender.js';
import { HistorySinkSender } from './history-sink.js';
import { StatusBudgetReporter } from './status-budget-reporter.js';
import { DEFAULT_STATUS_BYTE_BUDGET } from '../core/status-budget.js';
import { isTerminal, TOO_LARGE } from '../runtime/terminal-error.js';
import { everyInNamespace, NamespaceSnapshot } from './namespace-snapshot.js';
import { CompatibilityViews } from './compatibility-views.js';
import { RequirementIndex } from './requirement-index.js';
import type { DepotOptions } from './options.js';
import { Applications, Environments, EnvironmentSets, Promotions, Targets } from '../api/resources.js';
import { gateFacts } from '../core/application/gate-history.js';
import type { GateEvaluator } from './promotion-gates.js';
import { verificationFacts } from '../core/application/verification-history.js';

/** Field manager of the operator's removal of spent force annotations. */
export const FORCE_RELEASE_MANAGER = 'depot-operator.force';

/** After a 409, the pass runs again this much later (the newer object's watch event usually comes first). */
const CONFLICT_REQUEUE_MS = 1_000;

type WriteOutcome = 'written' | 'unchanged' | 'conflict';

/** The two pure steps of a pass (core/application/plan.ts); tests wrap them to count calls. */
export interface ApplicationSteps {
  planVersions: typeof planVersions;
  composeStatus: typeof composeStatus;
}

export const applicationSteps: ApplicationSteps = { planVersions, composeStatus };

export function applicationController(
  deps: RuntimeDeps,
  opts: DepotOptions,
  delivery: DeliveryTracker = createDeliveryTracker(deps, opts.deliverySettings, opts.delivery),
  steps: ApplicationSteps = applicationSteps,
  gateAnswers?: GateEvaluator,
): ControllerSpec {
  const toApps = everyInNamespace(deps.informers, Applications);
  const sender = new HistorySender(deps, opts.audit);
  const sink = opts.auditSink ? new HistorySinkSender(deps, opts.auditSink) : undefined;
  const forceWriter = deps.writer(FORCE_RELEASE_MANAGER);
  const views = new CompatibilityViews(deps);
  const requirements = new RequirementIndex();
  const budget = new StatusBudgetReporter(deps);
  // The watch event of our own status write is not planned again (the pass that wrote planned it).
  let enqueueHeld: ((req: Request) => void) | undefined;
  const ownStatus = new OwnWrites((key) => enqueueHeld?.(parseKey(key)));
  const rejectedRunning = new Gauge({
    name: 'depot_rejected_versions_running',
    help: 'Environments of an application whose desired version is rejected (spec.rejectedVersions): someone should roll them back.',
    labelNames: ['namespace', 'application'] as const,
    registers: [deps.metrics.registry],
  });

  /** Runs one effect after the status write. */
  async function run(effect: Effect, cached: KubeObject, req: Request, ctx: ReconcileContext): Promise<void> {
    switch (effect.kind) {
      case 'acknowledgeReapplied':
        return delivery.acknowledge(req, effect.record);
      case 'recordBlocked':
        return views.recordBlocked(req.namespace, req.name, effect.environments);
      case 'flagRejected': {
        const labels = { namespace: req.namespace, application: req.name };
        if (effect.environments > 0) rejectedRunning.set(labels, effect.environments);
        else rejectedRunning.remove(labels);
        if (effect.warning !== undefined)
          deps.events.warning(cached, 'RejectedVersionRunning', effect.warning);
        return;
      }
      case 'sendHistory':
        await opts.hooks?.afterApplicationStatusWrite?.();
        sink?.offer(cached, effect.history);
        return sender.send(cached, effect.entries);
      case 'releaseForce':
        return releaseForce(deps, ctx, forceWriter, cached, effect.force);
      case 'reportTrim':
        return budget.report(cached, effect.trim, ctx.log);
      case 'reportDroppedBeforeSink':
        return budget.droppedBeforeSink(cached, effect.entries, ctx.log);
    }
  }

  /** The applications a Promotion reports a passed or failed gate answer for (raw object: only status.results is read). */
  function gatedApplications(obj: KubeObject): Request[] {
    const status = obj.status as
      | {
          results?: { application?: string; gates?: { result?: string }[] }[];
          verifications?: { application?: string; finishedAt?: string }[];
        }
      | undefined;
    const namespace = obj.metadata?.namespace;
    if (!status || !namespace) return [];
    const gated = (status.results ?? []).flatMap((r) =>
      r.application && r.gates?.some((g) => g.result !== 'Pending') ? [r.application] : [],
    );
    // A finished verification: Verified/VerificationFailed entries.
    const verified = (status.verifications ?? []).flatMap((r) =>
      r.application && r.finishedAt ? [r.application] : [],
    );
    return [...new Set([...gated, ...verified])].map((name) => ({ namespace, name }));
  }

  /** One merge patch of the status, or 'conflict' when the object changed since it was read. */
  async function writeStatus(cached: KubeObject, status: ApplicationStatus): Promise<WriteOutcome> {
    const own = ownStatus.begin(keyOf(cached));
    try {
      const result = await deps.status.update(Applications, cached, () => status, { conflictRetries: 0 });
      own.finish(result.written ? result.object.metadata?.resourceVersion : undefined);
      return result.written ? 'written' : 'unchanged';
    } catch (err) {
      own.abandon();
      if (isConflict(err)) return 'conflict';
      // Too large: say so in a condition (a small patch), then stop: a terminal error, no retry loop.
      if (isTerminal(err) && err.reason === TOO_LARGE && !err.repeated) await budget.tooLarge(cached, err);
      throw err;
    }
  }

  return {
    name: 'application',
    primary: { resource: Applications, filter: (event) => ownStatus.admit(keyOf(event.object), event) },
    // A delivery attempt finished after its reconcile stopped waiting, or an object a target delivers to changed;
    // an event held while our status write was in flight that was not ours.
    triggers: [
      delivery,
      { subscribe: (enqueue) => (enqueueHeld = enqueue) },
      ...(gateAnswers ? [gateAnswers.applicationAnswers] : []),
    ],
    watches: [
      // A change of one application re-evaluates those with a rule on it and those it requires.
      { resource: Applications, map: (obj, type) => requirements.observe(obj, type) },
      { resource: Environments, map: toApps },
      { resource: EnvironmentSets, map: toApps },
      { resource: Targets, map: toApps },
      // A Promotion's gate answers: GatePassed/GateFailed entries on the applications it names.
      { resource: Promotions, map: gatedApplications },
    ],
    reconciler: objectReconciler(
      deps,
      Applications,
      ApplicationSchema,
      async (parsed, cached, req, ctx): Promise<ReconcileResult | void> => {
        const app = parsed as Application;
        sender.firstSight(cached, app.status?.history, app.status?.historySentThrough);
        sink?.firstSight(cached, app.status?.history, app.status?.historySinkThrough);

        // Get: one snapshot of the namespace, one time for the whole pass.
        const snapshot = new NamespaceSnapshot(deps.informers, req.namespace);
        const now = new Date(deps.clock.now());
        const input: ApplicationInput = {
          app,
          environments: snapshot.environments(),
          sets: snapshot.sets(),
          targets: snapshot.targets(),
          unreadable: snapshot.unreadable(),
          now,
          historyLimit: opts.historyLimit,
          verifiedActors: opts.verifiedActors ?? false,
          compatibility: views.view(snapshot, now, app),
          sentThrough: sender.sentThrough(cached),
          ...(sink ? { sink: { through: sink.through(cached) } } : {}),
          statusByteBudget: opts.statusByteBudget ?? DEFAULT_STATUS_BYTE_BUDGET,
          gates: gateFacts(
            app.metadata.name,
            snapshot.promotions(),
            gateAnswers?.keptAnswers(req.namespace, app.metadata.name),
          ),
          verifications: verificationFacts(app.metadata.name, snapshot.promotions()),
        };
        // The view, the plan and the reservation of its moves, with no await in between.
        const plan = steps.planVersions(input);
        const reservation = views.reserve(req.namespace, req.name, moves(app, plan.environments));
        let stored = false;
        let pass: { composed: ApplicationPlan; facts: DeliveryRecord; written: WriteOutcome };
        try {
          // Attempts in flight hold no worker: the pass gives its worker back while it waits for them.
          const facts = await delivery.dispatch(app, plan.targets, now, ctx.signal, {
            ...(ctx.yieldWorker ? { yieldWorker: ctx.yieldWorker } : {}),
          });
          const composed = steps.composeStatus(input, plan, facts);
          pass = { composed, facts, written: await writeStatus(cached, composed.status) };
          stored = pass.written !== 'conflict';
        } finally {
          reservation.release(stored);
        }
        if (pass.written === 'conflict') {
          ctx.log.debug('the application changed since it was read: the next pass plans again');
          return { requeueAfterMs: CONFLICT_REQUEUE_MS };
        }
        const { composed, facts } = pass;
        for (const effect of effectsAfterWrite(app, composed, facts, pass.written === 'written'))
          await run(effect, cached, req, ctx);
        const dueAt = Math.min(composed.requeueAt?.getTime() ?? Infinity, facts.nextAt ?? Infinity);
        if (dueAt < Infinity)
          return { requeueAfterMs: Math.max(composed.requeueAt ? 1000 : 1, dueAt - deps.clock.now()) };
      },
      {
        onGone: (req) => {
          ownStatus.forget(`${req.namespace}/${req.name}`);
          sender.forget(req.namespace, req.name);
          sink?.forget(req.namespace, req.name);
          delivery.forget(req);
          rejectedRunning.remove({ namespace: req.namespace, application: req.name });
          views.recordBlocked(req.namespace, req.name, []);
        },
      },
    ),
  };
}

/** Environments whose desired version the plan changes. */
function moves(
  app: Application,
  planned: readonly { name: string; desired?: string }[],
): Map<string, string> {
  const before = new Map((app.status?.environments ?? []).map((e) => [e.name, e.desired]));
  const out = new Map<string, string>();
  for (const e of planned)
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
