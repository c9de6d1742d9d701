// The heart of Depot: from an Application, the namespace's Environments,
// EnvironmentSets and Targets, and the previous status, compute the new
// status — requested vs desired version per environment (held back by a
// freeze or, through the compatibility hook, by a requirement), versions per
// target, conditions — and the history entries this change adds. Pure: the
// time is passed in.
import type {
  Application,
  ApplicationEnvironmentStatus,
  ApplicationStatus,
  ApplicationTargetStatus,
  HistoryEntry,
} from '../api/application.js';
import type { Environment } from '../api/environment.js';
import type { EnvironmentSet } from '../api/environment-set.js';
import type { Target } from '../api/target.js';
import {
  deliveredHistory,
  deployedHistory,
  environmentHistory,
  historyId,
  repeatsHistory,
  type NewEntry,
} from './application-history.js';
import { setConditions, type ConditionInput } from './conditions.js';
import { forcedBy, isForced, spentForces, type SpentForce } from './force.js';
import { freezeState } from './freeze.js';
import { prependHistory } from './history.js';
import {
  resolveEnvironments,
  targetsByEnvironment,
  type Problem,
  type UnreadableObjects,
} from './resolve.js';
import { isValidVersion, sameVersion, type VersionScheme } from './versions.js';
import { actorOf, versionWriter, type ManagedFieldsEntry } from './writers.js';

export { FORCE_ANNOTATION_PREFIX } from './force.js';

export interface Blocked {
  reason: string;
  message: string;
}

/** The compatibility hook: why `version` of `app` cannot be delivered into `environment`, or null. */
export type CompatibilityCheck = (app: Application, environment: string, version: string) => Blocked | null;

export interface ApplicationInput {
  app: Application;
  environments: ReadonlyMap<string, Environment>;
  sets: ReadonlyMap<string, EnvironmentSet>;
  targets: readonly Target[];
  /** Objects that exist but do not parse: their entries are kept as they were. */
  unreadable?: UnreadableObjects;
  now: Date;
  historyLimit: number;
  compatibility?: CompatibilityCheck;
  /** The newest history id this operator has sent (audit log, Event); recorded with the next new entries. */
  sentThrough?: string;
}

export interface ApplicationPlan {
  status: ApplicationStatus;
  /** History entries added by this reconcile, newest first (also Events and audit lines). */
  added: HistoryEntry[];
  /** When the outcome changes by itself (a freeze ends), if ever. */
  requeueAt?: Date;
  problems: Problem[];
  /** Force annotations whose version is desired now, to be removed. */
  spentForces: SpentForce[];
}

export function planApplication(input: ApplicationInput): ApplicationPlan {
  const { app, now } = input;
  const prev = app.status ?? {};
  const scheme: VersionScheme = app.spec.versionScheme ?? 'semver';
  const unreadable = input.unreadable ?? {};
  const resolved = resolveEnvironments(app, input.sets, input.environments, unreadable);
  const problems = [...resolved.problems];
  const byEnv = targetsByEnvironment(input.targets);
  const prevEnvs = new Map((prev.environments ?? []).map((e) => [e.name, e]));
  const prevTargets = new Map((prev.targets ?? []).map((t) => [t.name, t]));
  const added: NewEntry[] = [];
  let requeueAt: Date | undefined;

  // With an unreadable EnvironmentSet, its environments are unknown: keep their entries.
  const names = resolved.incomplete
    ? [...prevEnvs.keys(), ...resolved.names.filter((n) => !prevEnvs.has(n))]
    : resolved.names;
  const keptAsIs = (env: string) =>
    unreadable.environments?.has(env) || (resolved.incomplete && !resolved.names.includes(env));

  const environments: ApplicationEnvironmentStatus[] = names.flatMap((env) => {
    const before = prevEnvs.get(env);
    if (keptAsIs(env)) return before ? [before] : [];
    const requested = app.spec.versions?.[env];
    const manager = versionWriter(app.metadata.managedFields as ManagedFieldsEntry[] | undefined, env);
    const setBy = requested === undefined ? undefined : manager ? actorOf(manager) : before?.setBy;
    const forced = requested !== undefined && isForced(app, scheme, env, requested);
    const decision = decide({ input, env, requested, scheme, before, forced });
    if (decision.requeueAt && (!requeueAt || decision.requeueAt < requeueAt)) requeueAt = decision.requeueAt;

    const changedDesired = !sameVersion(scheme, decision.desired, before?.desired);
    const entry: ApplicationEnvironmentStatus = {
      name: env,
      ...(requested !== undefined ? { requested } : {}),
      ...(decision.desired !== undefined
        ? { desired: changedDesired ? decision.desired : before!.desired }
        : {}),
      ...(decision.desired !== undefined
        ? { desiredSince: changedDesired ? now.toISOString() : (before?.desiredSince ?? now.toISOString()) }
        : {}),
      ...(setBy ? { setBy } : {}),
      blocked: decision.blocked,
      targets: targetNames(env, byEnv, before, unreadable),
    };
    const entries = environmentHistory({
      env,
      scheme,
      before,
      entry,
      manager,
      forcedThroughFreeze: decision.forcedThroughFreeze,
      forcedBy: decision.forcedThroughFreeze ? forcedBy(app, env) : undefined,
      now,
    });
    // An entry that appears again (object re-created) records nothing twice.
    added.push(...(before ? entries : entries.filter((e) => !repeatsHistory(prev.history, scheme, e))));
    return [entry];
  });

  const targets = environments.flatMap((e) => {
    const readable = (byEnv.get(e.name) ?? []).map((t) =>
      targetStatus(t, e, prevTargets.get(t.metadata.name), now),
    );
    // Unreadable Targets keep their entry where it was.
    const kept = [...prevTargets.values()].filter(
      (t) => t.environment === e.name && unreadable.targets?.has(t.name),
    );
    return [...readable, ...kept].sort((a, b) => a.name.localeCompare(b.name));
  });
  for (const t of targets) {
    const error = unreadable.targets?.get(t.name);
    if (error !== undefined)
      problems.push({
        field: `Target "${t.name}"`,
        reason: 'InvalidTarget',
        message: `cannot be read (${error}); its entry is kept as it was until it is fixed`,
      });
  }
  const delivered = deliveredHistory(scheme, targets, movedAway(prevTargets, targets), now);
  added.push(
    ...delivered.filter((e) => prevTargets.has(e.target!) || !repeatsHistory(prev.history, scheme, e)),
    ...deployedHistory(scheme, targets, prev.history),
  );

  const withIds: HistoryEntry[] = added.map((e) => ({ id: historyId(app.metadata.uid, e), ...e }));
  const sentThrough = withIds.length > 0 ? input.sentThrough : prev.historySentThrough;
  const status: ApplicationStatus = {
    observedGeneration: app.metadata.generation,
    conditions: setConditions(
      prev.conditions,
      conditionsFor(problems, environments, targets),
      app.metadata.generation,
      now,
    ),
    environments,
    targets,
    history: prependHistory(prev.history, withIds, input.historyLimit),
    ...(sentThrough !== undefined ? { historySentThrough: sentThrough } : {}),
  };
  const desired = new Map(environments.map((e) => [e.name, e.desired]));
  return { status, added: withIds, requeueAt, problems, spentForces: spentForces(app, scheme, desired) };
}

/** Targets of an environment: the readable ones there now, and unreadable ones that were there. */
function targetNames(
  env: string,
  byEnv: ReadonlyMap<string, Target[]>,
  before: ApplicationEnvironmentStatus | undefined,
  unreadable: UnreadableObjects,
): string[] {
  const now = (byEnv.get(env) ?? []).map((t) => t.metadata.name);
  const kept = (before?.targets ?? []).filter((n) => unreadable.targets?.has(n) && !now.includes(n));
  return [...now, ...kept].sort();
}

/** Previous target entries, minus those of targets that moved to another environment. */
function movedAway(
  previous: ReadonlyMap<string, ApplicationTargetStatus>,
  targets: readonly ApplicationTargetStatus[],
): Map<string, ApplicationTargetStatus> {
  const out = new Map(previous);
  for (const t of targets) if (out.get(t.name)?.environment !== t.environment) out.delete(t.name);
  return out;
}

interface Decision {
  desired: string | undefined;
  blocked: Blocked | null;
  requeueAt?: Date;
  /** The request went through an active freeze because it was forced. */
  forcedThroughFreeze?: boolean;
}

function decide(d: {
  input: ApplicationInput;
  env: string;
  requested: string | undefined;
  scheme: VersionScheme;
  before: ApplicationEnvironmentStatus | undefined;
  forced: boolean;
}): Decision {
  const { input, env, requested, scheme, before, forced } = d;
  const current = before?.desired;
  // No request (or it was removed): keep what is delivered; never downgrade on a missing field.
  if (requested === undefined) return { desired: current, blocked: null };
  if (!isValidVersion(scheme, requested)) {
    return {
      desired: current,
      blocked: {
        reason: 'InvalidVersion',
        message: `spec.versions.${env}: "${requested}" is not a ${scheme} version`,
      },
    };
  }
  if (sameVersion(scheme, requested, current)) return { desired: current, blocked: null };
  const environment = input.environments.get(env);
  if (!environment) {
    return {
      desired: current,
      blocked: {
        reason: 'EnvironmentNotFound',
        message: `Environment "${env}" does not exist; ${requested} waits`,
      },
    };
  }
  let freeze: ReturnType<typeof freezeState>;
  try {
    freeze = freezeState(environment.spec.freeze, input.now);
  } catch (err) {
    // Fail closed: a freeze that cannot be evaluated holds requests back.
    return {
      desired: current,
      blocked: {
        reason: 'InvalidFreeze',
        message: `the freeze windows of ${env} cannot be evaluated: ${(err as Error).message}`,
      },
    };
  }
  if (freeze.frozen && !forced) {
    return {
      desired: current,
      blocked: {
        reason: 'Frozen',
        message: `${env} is ${freeze.message}; ${input.app.metadata.name} ${requested} waits`,
      },
      ...(freeze.until ? { requeueAt: freeze.until } : {}),
    };
  }
  const incompatible = input.compatibility?.(input.app, env, requested) ?? null;
  if (incompatible) return { desired: current, blocked: incompatible };
  return { desired: requested, blocked: null, forcedThroughFreeze: freeze.frozen };
}

/**
 * The target's entry: desired from its environment; deployed and the
 * delivery state kept from the previous status. A report belongs to
 * (target, environment): a target moved to another environment starts over.
 */
function targetStatus(
  target: Target,
  environment: ApplicationEnvironmentStatus,
  previous: ApplicationTargetStatus | undefined,
  now: Date,
): ApplicationTargetStatus {
  const name = target.metadata.name;
  const env = environment.name;
  const before = previous?.environment === env ? previous : undefined;
  const desired = environment.desired;
  const kind = deliveryKind(target);
  let delivery: ApplicationTargetStatus['delivery'];
  if (desired === undefined)
    delivery = { state: 'Pending', message: 'no version is desired in this environment yet' };
  else if (before?.desired === desired && before.delivery)
    delivery = before.delivery; // unchanged: keep as is
  else if (kind === 'none')
    delivery = { state: 'Delivered', message: 'published (delivery: none)', lastAttempt: now.toISOString() };
  else delivery = { state: 'Pending', message: `waiting for ${kind} delivery of ${desired}`, attempts: 0 };
  return {
    name,
    environment: env,
    ...(desired !== undefined ? { desired } : {}),
    ...(before?.deployed !== undefined ? { deployed: before.deployed } : {}),
    ...(before?.deployedAt !== undefined ? { deployedAt: before.deployedAt } : {}),
    delivery,
  };
}

export function deliveryKind(target: Target): 'argocd' | 'flux' | 'agent' | 'none' {
  const d = target.spec.delivery ?? {};
  if ('argocd' in d && d.argocd) return 'argocd';
  if ('flux' in d && d.flux) return 'flux';
  if ('agent' in d && d.agent) return 'agent';
  return 'none';
}

const NOT_READY_BLOCKS = new Set(['InvalidVersion', 'InvalidFreeze']);

function conditionsFor(
  problems: Problem[],
  environments: ApplicationEnvironmentStatus[],
  targets: ApplicationTargetStatus[],
): ConditionInput[] {
  // Requests held back by input only a person can fix make the application not ready.
  const invalid = environments.filter((e) => e.blocked && NOT_READY_BLOCKS.has(e.blocked.reason));
  const reasons = [
    ...problems.map((p) => ({ reason: p.reason, message: `${p.field}: ${p.message}` })),
    ...invalid.map((e) => ({ reason: e.blocked!.reason, message: e.blocked!.message })),
  ];
  const ready: ConditionInput =
    reasons.length > 0
      ? {
          type: 'Ready',
          status: 'False',
          reason: reasons[0]!.reason,
          message: reasons.map((r) => r.message).join('; '),
        }
      : {
          type: 'Ready',
          status: 'True',
          reason: 'Resolved',
          message: `${environments.length} environments, ${targets.length} targets`,
        };

  const incompatible = environments.filter(
    (e) =>
      e.blocked &&
      e.blocked.reason !== 'Frozen' &&
      e.blocked.reason !== 'EnvironmentNotFound' &&
      !NOT_READY_BLOCKS.has(e.blocked.reason),
  );
  const compatible: ConditionInput =
    incompatible.length > 0
      ? {
          type: 'Compatible',
          status: 'False',
          reason: incompatible[0]!.blocked!.reason,
          message: incompatible.map((e) => e.blocked!.message).join('; '),
        }
      : {
          type: 'Compatible',
          status: 'True',
          reason: 'RequirementsMet',
          message: 'every requested version satisfies the compatibility rules',
        };

  const undelivered = targets.filter((t) => t.desired !== undefined && t.delivery?.state !== 'Delivered');
  const failed = undelivered.filter((t) => t.delivery?.state === 'Failed');
  const delivered: ConditionInput =
    undelivered.length === 0
      ? {
          type: 'Delivered',
          status: 'True',
          reason: 'Delivered',
          message: `desired versions delivered to ${targets.length} targets`,
        }
      : {
          type: 'Delivered',
          status: 'False',
          reason: failed.length > 0 ? 'DeliveryFailed' : 'DeliveryPending',
          message: undelivered
            .map((t) => `${t.name}: ${t.delivery?.state ?? 'Pending'} ${t.delivery?.message ?? ''}`.trim())
            .join('; '),
        };
  return [ready, compatible, delivered];
}
