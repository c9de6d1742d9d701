// An Application's status from its spec, the namespace's Environments,
// EnvironmentSets and Targets, and its previous status, in two steps so that
// delivery can act in between (the reconcile runs each once per pass):
// planVersions decides the desired version per environment and target;
// composeStatus folds the delivery facts into targets, conditions and history.
import type {
  Application,
  ApplicationEnvironmentStatus,
  ApplicationStatus,
  ApplicationTargetStatus,
  DeliveryState,
  HistoryEntry,
} from '../../api/application.js';
import type { Environment } from '../../api/environment.js';
import type { EnvironmentSet } from '../../api/environment-set.js';
import type { Target } from '../../api/target.js';
import { setConditions } from '../../kube/conditions.js';
import { deliveryKind, effectiveDelivery, publishedState } from '../delivery.js';
import { deliveryNameProblems } from '../delivery-names.js';
import { prependHistory } from '../history.js';
import { droppedBeforeSink } from '../sink-marker.js';
import { gateHistory, type GateFact } from './gate-history.js';
import { verificationHistory, type VerificationFact } from './verification-history.js';
import { versionsFor } from '../versions.js';
import {
  actorOf,
  annotationWriter,
  PROMOTION_MANAGER_PREFIX,
  versionWriter,
  type ManagedFieldsEntry,
} from '../field-managers.js';
import { applicationConditions } from './conditions.js';
import { knownVersions } from './known-versions.js';
import { decide } from './decision.js';
import { rejectionState, type RunningRejected } from './rejected.js';
import { approvedByAnnotation, rollbackReasonAnnotation } from '../../api/annotations.js';
import { namespaceCompatibility, type CompatibilityView } from '../compatibility/namespace.js';
import { forcedBy, isForced, spentForces, type SpentForce } from './force.js';
import {
  deliveredHistory,
  deployedHistory,
  environmentHistory,
  historyId,
  repeatsHistory,
  type NewEntry,
} from './history.js';
import { resolveEnvironments, targetsByEnvironment, type UnreadableObjects } from './resolution.js';
import type { ConditionProblem } from '../../api/field-problem.js';
import { planTargets, targetEntry, targetNames, type DeployedReport, type PlannedTarget } from './targets.js';
import { ConditionType, Reason } from '../../api/conditions.js';
import {
  CONDITION_RESERVE_BYTES,
  DEFAULT_STATUS_BYTE_BUDGET,
  fitStatusToBudget,
  trimCondition,
  type StatusTrim,
} from '../status-budget.js';
import { requestActor, type ActorSource } from '../actors.js';

export type { DeployedReport } from './targets.js';

function actorsOf(reports: ReadonlyMap<string, DeployedReport> | undefined): Map<string, string> {
  return new Map([...(reports ?? new Map<string, DeployedReport>())].map(([t, r]) => [t, r.actor]));
}

export type { Blocked, CompatibilityCheck, CompatibilityVerdict } from './decision.js';

export interface ApplicationInput {
  app: Application;
  environments: ReadonlyMap<string, Environment>;
  sets: ReadonlyMap<string, EnvironmentSet>;
  targets: readonly Target[];
  /** Objects that exist but do not parse: their entries are kept as they were. */
  unreadable?: UnreadableObjects;
  now: Date;
  historyLimit: number;
  /** The namespace's compatibility choice (default: this application alone in its namespace). */
  compatibility?: CompatibilityView;
  /** Depot's admission policies stamp authenticated actors (--verified-actors); else actors are unverified. */
  verifiedActors?: boolean;
  /** The newest history id this operator has sent (audit log, Event); recorded with the next new entries. */
  sentThrough?: string;
  /**
   * With --audit-sink: the newest history id the sink has accepted (undefined:
   * none yet in this process, the recorded marker stays); recorded with the
   * next new entries as historySinkThrough, and the byte budget keeps newer ones.
   */
  sink?: { through?: string };
  /** Bytes the status may take (default DEFAULT_STATUS_BYTE_BUDGET). */
  statusByteBudget?: number;
  /** Passed and failed gate answers the Promotions report for this application (GatePassed/GateFailed entries). */
  gates?: readonly GateFact[];
  /** Finished verifications the Promotions report for this application (Verified/VerificationFailed entries). */
  verifications?: readonly VerificationFact[];
}

/** Step 1: versions decided, delivery not yet. */
export interface VersionPlan {
  environments: ApplicationEnvironmentStatus[];
  /** Targets to run their environment's desired version. */
  targets: PlannedTarget[];
  /** Entries of unreadable Targets, kept as they were. */
  keptTargets: ApplicationTargetStatus[];
  problems: ConditionProblem[];
  /** Environment history entries (Requested, Promoted, Blocked, Unblocked, Forced). */
  entries: NewEntry[];
  /** When the outcome changes by itself (a freeze ends), if ever. */
  requeueAt?: Date;
  /** Force annotations whose version is desired now, to be removed. */
  spentForces: SpentForce[];
  /** Messages of the rules of this application that its desired versions break, per environment. */
  broken: string[];
}

export interface ApplicationPlan {
  status: ApplicationStatus;
  /** History entries added by this reconcile, newest first (also Events and audit lines). */
  added: HistoryEntry[];
  requeueAt?: Date;
  problems: ConditionProblem[];
  spentForces: SpentForce[];
  /** Environments whose desired version is rejected (flagged: condition, Event, metric). */
  rejectedRunning: RunningRejected[];
  /** What was cut to keep the status under its byte budget, when anything was. */
  trim?: StatusTrim;
  /** Entries the count limit (--history-limit) dropped before the audit sink took them. */
  droppedBeforeSink?: HistoryEntry[];
}

/**
 * Both steps, with the delivery facts of targets that no integration works
 * on: what the operator's reconcile computes when no attempt is made.
 */
export function planApplication(input: ApplicationInput): ApplicationPlan {
  const plan = planVersions(input);
  return composeStatus(input, plan, publishedFacts(plan.targets, input.now));
}

/** The delivery facts of targets without an integration at work (publishedState of each). */
export function publishedFacts(targets: readonly PlannedTarget[], now: Date): DeliveryFacts {
  return {
    deliveries: new Map(
      targets.map((t) => [
        t.target.metadata.name,
        publishedState(deliveryKind(t.target), t.desired, t.previous, now, t.target),
      ]),
    ),
  };
}

export function planVersions(input: ApplicationInput): VersionPlan {
  const { app, now } = input;
  const prev = app.status ?? {};
  const v = versionsFor(app);
  const unreadable = input.unreadable ?? {};
  const actorSource: ActorSource = { verified: input.verifiedActors ?? false };
  const resolved = resolveEnvironments(app, input.sets, input.environments, unreadable);
  const byEnv = targetsByEnvironment(input.targets);
  const prevEnvs = new Map((prev.environments ?? []).map((e) => [e.name, e]));
  const entries: NewEntry[] = [];
  let requeueAt: Date | undefined;
  const compatibility =
    input.compatibility ??
    namespaceCompatibility({
      applications: [app],
      environments: input.environments,
      sets: input.sets,
      unreadable,
      now,
    });

  // With an unreadable EnvironmentSet, its environments are unknown: keep their entries.
  const names = resolved.incomplete
    ? [...prevEnvs.keys(), ...resolved.names.filter((n) => !prevEnvs.has(n))]
    : resolved.names;
  const keptAsIs = (env: string) =>
    unreadable.environments?.has(env) || (resolved.incomplete && !resolved.names.includes(env));

  const environments = names.flatMap((env): ApplicationEnvironmentStatus[] => {
    const before = prevEnvs.get(env);
    if (keptAsIs(env)) return before ? [before] : [];
    const requested = app.spec.versions?.[env];
    const manager = versionWriter(app.metadata.managedFields as ManagedFieldsEntry[] | undefined, env);
    const by = requestActor(app, env, manager ? actorOf(manager) : undefined, actorSource);
    const setBy = requested === undefined ? undefined : (by?.actor ?? before?.setBy);
    const decision = decide({
      app,
      env,
      environment: input.environments.get(env),
      requested,
      versions: v,
      before,
      forced: requested !== undefined && isForced(app, v, env, requested),
      now,
      compatibility: compatibility.verdict,
    });
    if (decision.requeueAt && (!requeueAt || decision.requeueAt < requeueAt)) requeueAt = decision.requeueAt;

    // The same artifact under another spelling (a leading v) is no change.
    const changed = !v.same(decision.desired, before?.desired);
    const desired = changed ? decision.desired : before?.desired;
    const entry: ApplicationEnvironmentStatus = {
      name: env,
      ...(requested !== undefined ? { requested } : {}),
      ...(desired !== undefined ? { desired } : {}),
      ...(desired !== undefined
        ? { desiredSince: changed ? now.toISOString() : (before?.desiredSince ?? now.toISOString()) }
        : {}),
      ...(setBy ? { setBy } : {}),
      blocked: decision.blocked,
      targets: targetNames(env, byEnv, before, unreadable),
    };
    const made = environmentHistory({
      env,
      versions: v,
      before,
      entry,
      manager,
      actorUnverified: by?.unverified ?? !actorSource.verified,
      forcedThroughFreeze: decision.forcedThroughFreeze,
      forcedBy: decision.forcedThroughFreeze ? forcedBy(app, env) : undefined,
      now,
      approvedBy: manager?.startsWith(PROMOTION_MANAGER_PREFIX)
        ? app.metadata.annotations?.[approvedByAnnotation(env)]
        : undefined,
      // The reason given with this rollback (the same writer), not an older one's.
      rollbackReason:
        manager !== undefined &&
        annotationWriter(
          app.metadata.managedFields as ManagedFieldsEntry[] | undefined,
          rollbackReasonAnnotation(env),
        )?.manager === manager
          ? app.metadata.annotations?.[rollbackReasonAnnotation(env)]
          : undefined,
    });
    // An entry that appears again (object re-created) records nothing twice.
    entries.push(...(before ? made : made.filter((e) => !repeatsHistory(prev.history, v, e))));
    return [entry];
  });

  const prevTargets = new Map((prev.targets ?? []).map((t) => [t.name, t]));
  const { planned, kept } = planTargets(environments, byEnv, prevTargets, unreadable);
  const problems = [
    ...resolved.problems,
    // Versions are reported where they are held back (InvalidVersion); rules here.
    ...compatibility.problems(app.metadata.name),
    // A rejected version the scheme cannot have matches nothing: say so (a typo rejects nothing).
    ...(app.spec.rejectedVersions ?? []).flatMap((r, i): ConditionProblem[] =>
      v.valid(r.version)
        ? []
        : [
            {
              path: `spec.rejectedVersions[${i}].version`,
              reason: Reason.InvalidRejectedVersion,
              message: `"${r.version}" is not a ${v.scheme} version, so it rejects nothing`,
            },
          ],
    ),
    // A namespace or name its templates render for this application is not one: nothing is delivered there.
    ...planned.flatMap(({ target, environment }) =>
      deliveryNameProblems(app, target, environment, effectiveDelivery(target, app)).map(
        (message): ConditionProblem => ({
          path: `Target "${target.metadata.name}"`,
          reason: Reason.InvalidTarget,
          message,
        }),
      ),
    ),
    ...kept.map((t): ConditionProblem => ({
      path: `Target "${t.name}"`,
      reason: Reason.InvalidTarget,
      message: `cannot be read (${unreadable.targets!.get(t.name)}); its entry is kept as it was until it is fixed`,
    })),
  ];
  const desired = new Map(environments.map((e) => [e.name, e.desired]));
  const broken = environments.flatMap((e) =>
    e.desired === undefined
      ? []
      : compatibility.broken(app.metadata.name, e.name, e.desired).map((v) => v.message),
  );
  return {
    broken,
    environments,
    targets: planned,
    keptTargets: kept,
    problems,
    entries,
    ...(requeueAt ? { requeueAt } : {}),
    spentForces: spentForces(app, v, desired),
  };
}

/** What delivery knows of the planned targets when the status is composed (step 2's input). */
export interface DeliveryFacts {
  /** Delivery state by target name; a planned target missing here is Pending. */
  readonly deliveries: ReadonlyMap<string, DeliveryState>;
  /** Deployed versions read back, by target name. */
  readonly reports?: ReadonlyMap<string, DeployedReport>;
  /** History entries of deliveries (Reapplied), oldest first. */
  readonly entries?: readonly NewEntry[];
}

/** Step 2: the status with the targets' delivery states, conditions and history. */
export function composeStatus(
  input: ApplicationInput,
  plan: VersionPlan,
  facts: DeliveryFacts,
): ApplicationPlan {
  const { deliveries } = facts;
  const { app, now } = input;
  const prev = app.status ?? {};
  const v = versionsFor(app);
  const order = new Map(plan.environments.map((e, i) => [e.name, i]));
  const current = plan.targets.map((t) =>
    targetEntry(
      t,
      deliveries.get(t.target.metadata.name) ?? publishedState('none', undefined, undefined, now),
      facts.reports?.get(t.target.metadata.name),
      now,
    ),
  );
  const targets = [...current, ...plan.keptTargets].sort(
    (a, b) => order.get(a.environment!)! - order.get(b.environment!)! || a.name.localeCompare(b.name),
  );

  const previous = new Map(plan.targets.flatMap((t) => (t.previous ? [[t.previous.name, t.previous]] : [])));
  const known = new Set((prev.targets ?? []).map((t) => t.name));
  const rejected = rejectionState(app, plan.environments, now, { verified: input.verifiedActors ?? false });
  // In the order they happened: rejections, requests, then deliveries, then reports.
  const happened: NewEntry[] = [
    ...rejected.entries,
    ...plan.entries,
    // A target that appears again (re-created) records no second delivery of the same version.
    ...deliveredHistory(v, current, previous, now).filter(
      (e) => known.has(e.target!) || !repeatsHistory(prev.history, v, e),
    ),
    ...(facts.entries ?? []),
    ...deployedHistory(v, targets, prev.history, actorsOf(facts.reports)),
    ...gateHistory(prev.history, input.gates ?? [], now),
    ...verificationHistory(prev.history, input.verifications ?? []),
  ];
  // Newest first, like status.history.
  const withIds: HistoryEntry[] = happened
    .reverse()
    .map((e) => ({ id: historyId(app.metadata.uid, e), ...e }));
  const sentThrough = withIds.length > 0 ? input.sentThrough : prev.historySentThrough;
  // Like historySentThrough, recorded only with new entries: a converged system writes nothing.
  const sinkThrough =
    withIds.length > 0 && input.sink
      ? (input.sink.through ?? prev.historySinkThrough)
      : prev.historySinkThrough;
  const history = prependHistory(prev.history, withIds, input.historyLimit);
  // Dropped by the count limit before the sink took them (the marker the sink had when this pass began).
  const droppedUnsent = input.sink
    ? droppedBeforeSink(prev.history, withIds, history, input.sink.through ?? prev.historySinkThrough)
    : [];
  const seen = knownVersions({
    versions: v,
    previous: prev.knownVersions,
    added: happened.slice().reverse(),
    environments: plan.environments,
    targets,
    now,
  });
  const composed: ApplicationStatus = {
    observedGeneration: app.metadata.generation,
    conditions: setConditions(
      prev.conditions,
      [...applicationConditions(plan.problems, plan.environments, targets, plan.broken), rejected.condition],
      app.metadata.generation,
      now,
    ),
    environments: plan.environments,
    targets,
    ...(seen.length > 0 ? { knownVersions: seen } : {}),
    ...(rejected.recorded.length > 0 ? { rejectedVersions: rejected.recorded } : {}),
    history,
    ...(sentThrough !== undefined ? { historySentThrough: sentThrough } : {}),
    ...(sinkThrough !== undefined ? { historySinkThrough: sinkThrough } : {}),
  };
  const { status, trim } = withinBudget(
    composed,
    prev,
    input.statusByteBudget ?? DEFAULT_STATUS_BYTE_BUDGET,
    app,
    now,
    input.sink,
  );
  return {
    status,
    ...(trim ? { trim } : {}),
    ...(droppedUnsent.length > 0 ? { droppedBeforeSink: droppedUnsent } : {}),
    added: withIds,
    ...(plan.requeueAt ? { requeueAt: plan.requeueAt } : {}),
    problems: plan.problems,
    spentForces: plan.spentForces,
    rejectedRunning: rejected.running,
  };
}

/** The status cut to its byte budget, with the StatusTrimmed condition when that matters. */
function withinBudget(
  composed: ApplicationStatus,
  prev: ApplicationStatus,
  budget: number,
  app: Application,
  now: Date,
  sink: ApplicationInput['sink'],
): { status: ApplicationStatus; trim?: StatusTrim } {
  // A status computed anew replaces one the API server refused as too large: it is written, or refused again.
  const fresh = {
    ...composed,
    conditions: composed.conditions?.filter((c) => c.type !== ConditionType.StatusTooLarge),
  };
  const { status, trim, bytes } = fitStatusToBudget(fresh, budget - CONDITION_RESERVE_BYTES, {
    sink: sink !== undefined,
    // What the sink accepted by now, even when this write records no new marker.
    ...(sink?.through !== undefined ? { sinkThrough: sink.through } : {}),
  });
  const wasTrimmed = prev.conditions?.some(
    (c) => c.type === ConditionType.StatusTrimmed && c.status === 'True',
  );
  const condition = trimCondition(trim, wasTrimmed ?? false, bytes, budget);
  if (!condition) return { status, ...(trim ? { trim } : {}) };
  return {
    status: {
      ...status,
      conditions: setConditions(
        status.conditions,
        [{ type: ConditionType.StatusTrimmed, ...condition }],
        app.metadata.generation,
        now,
      ),
    },
    ...(trim ? { trim } : {}),
  };
}
