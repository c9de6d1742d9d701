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
import { setConditions, type ConditionInput } from './conditions.js';
import { freezeState } from './freeze.js';
import { prependHistory } from './history.js';
import { resolveEnvironments, targetsByEnvironment, type Problem } from './resolve.js';
import { isValidVersion, type VersionScheme } from './versions.js';
import { actorOf, versionWriter, writeKind, type ManagedFieldsEntry } from './writers.js';

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
  now: Date;
  historyLimit: number;
  compatibility?: CompatibilityCheck;
}

export interface ApplicationPlan {
  status: ApplicationStatus;
  /** History entries added by this reconcile, newest first (also Events and audit lines). */
  added: HistoryEntry[];
  /** When the outcome changes by itself (a freeze ends), if ever. */
  requeueAt?: Date;
  problems: Problem[];
}

/** Annotation that forces a request through a freeze: `force.depot.sh/<env>: <version>`. */
export const FORCE_ANNOTATION_PREFIX = 'force.depot.sh/';

export function planApplication(input: ApplicationInput): ApplicationPlan {
  const { app, now } = input;
  const prev = app.status ?? {};
  const scheme: VersionScheme = app.spec.versionScheme ?? 'semver';
  const { names, problems } = resolveEnvironments(app, input.sets, input.environments);
  const byEnv = targetsByEnvironment(input.targets);
  const added: HistoryEntry[] = [];
  let requeueAt: Date | undefined;

  const environments: ApplicationEnvironmentStatus[] = names.map((env) => {
    const before = prev.environments?.find((e) => e.name === env);
    const requested = app.spec.versions?.[env];
    const manager = versionWriter(app.metadata.managedFields as ManagedFieldsEntry[] | undefined, env);
    const setBy = requested === undefined ? undefined : manager ? actorOf(manager) : before?.setBy;
    const forced =
      requested !== undefined && app.metadata.annotations?.[`${FORCE_ANNOTATION_PREFIX}${env}`] === requested;
    const decision = decide({ input, env, requested, scheme, before, forced });
    if (decision.requeueAt && (!requeueAt || decision.requeueAt < requeueAt)) requeueAt = decision.requeueAt;

    const changedDesired = decision.desired !== before?.desired;
    const entry: ApplicationEnvironmentStatus = {
      name: env,
      ...(requested !== undefined ? { requested } : {}),
      ...(decision.desired !== undefined ? { desired: decision.desired } : {}),
      ...(decision.desired !== undefined
        ? { desiredSince: changedDesired ? now.toISOString() : (before?.desiredSince ?? now.toISOString()) }
        : {}),
      ...(setBy ? { setBy } : {}),
      blocked: decision.blocked,
      targets: (byEnv.get(env) ?? []).map((t) => t.metadata.name),
    };
    added.push(
      ...environmentHistory({
        env,
        before,
        entry,
        manager,
        forcedThroughFreeze: decision.forcedThroughFreeze,
        now,
      }),
    );
    return entry;
  });

  const targets = names.flatMap((env) =>
    (byEnv.get(env) ?? []).map((t) => targetStatus(t, env, environments, prev.targets, now)),
  );
  added.push(...deliveredHistory(targets, prev.targets, now));
  added.push(...deployedHistory(targets, prev.history));

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
    history: prependHistory(prev.history, added, input.historyLimit),
  };
  return { status, added, requeueAt, problems };
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
  if (requested === current) return { desired: current, blocked: null };
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

function environmentHistory(h: {
  env: string;
  before: ApplicationEnvironmentStatus | undefined;
  entry: ApplicationEnvironmentStatus;
  manager: string | undefined;
  forcedThroughFreeze: boolean | undefined;
  now: Date;
}): HistoryEntry[] {
  const { env, before, entry, manager, forcedThroughFreeze, now } = h;
  const time = now.toISOString();
  const out: HistoryEntry[] = [];
  const actor = entry.setBy ?? 'unknown';
  if (entry.requested !== undefined && entry.requested !== before?.requested) {
    out.push({
      time,
      type: writeKind(manager),
      environment: env,
      ...(before?.requested !== undefined ? { from: before.requested } : {}),
      to: entry.requested,
      actor,
      message: `${env} requested ${entry.requested}${before?.requested ? ` (was ${before.requested})` : ''}`,
    });
  }
  const wasBlocked = before?.blocked ?? null;
  const isBlocked = entry.blocked ?? null;
  if (
    isBlocked &&
    (!wasBlocked || wasBlocked.reason !== isBlocked.reason || entry.requested !== before?.requested)
  ) {
    out.push({
      time,
      type: 'Blocked',
      environment: env,
      ...(entry.desired !== undefined ? { from: entry.desired } : {}),
      ...(entry.requested !== undefined ? { to: entry.requested } : {}),
      actor: 'depot',
      message: isBlocked.message,
    });
  }
  const desiredMoved = entry.desired !== undefined && entry.desired !== before?.desired;
  if (desiredMoved && forcedThroughFreeze) {
    out.push({
      time,
      type: 'Forced',
      environment: env,
      ...(before?.desired !== undefined ? { from: before.desired } : {}),
      to: entry.desired,
      actor,
      message: `${entry.desired} forced into ${env} during a freeze`,
    });
  } else if (desiredMoved && wasBlocked) {
    out.push({
      time,
      type: 'Unblocked',
      environment: env,
      ...(before?.desired !== undefined ? { from: before.desired } : {}),
      to: entry.desired,
      actor: 'depot',
      message: `${entry.desired} is no longer blocked (${wasBlocked.reason}) and is now desired in ${env}`,
    });
  }
  return out;
}

/** The target's entry: desired from its environment, deployed kept from the previous status. */
function targetStatus(
  target: Target,
  env: string,
  environments: ApplicationEnvironmentStatus[],
  previous: readonly ApplicationTargetStatus[] | undefined,
  now: Date,
): ApplicationTargetStatus {
  const name = target.metadata.name;
  const before = previous?.find((t) => t.name === name);
  const desired = environments.find((e) => e.name === env)?.desired;
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

/** A Delivered entry for each target whose desired version was just delivered. */
function deliveredHistory(
  targets: ApplicationTargetStatus[],
  previous: readonly ApplicationTargetStatus[] | undefined,
  now: Date,
): HistoryEntry[] {
  return targets.flatMap((t): HistoryEntry[] => {
    if (t.delivery?.state !== 'Delivered' || t.desired === undefined) return [];
    const before = previous?.find((p) => p.name === t.name);
    if (before?.delivery?.state === 'Delivered' && before.desired === t.desired) return [];
    return [
      {
        time: now.toISOString(),
        type: 'Delivered',
        environment: t.environment!,
        target: t.name,
        ...(before?.desired !== undefined && before.desired !== t.desired ? { from: before.desired } : {}),
        to: t.desired,
        actor: 'depot',
        message: `${t.desired} delivered to ${t.name}${t.delivery.message ? ` (${t.delivery.message})` : ''}`,
      },
    ];
  });
}

/**
 * A Deployed entry for each target whose reported deployment (deployed +
 * deployedAt, written by a reporter) is not in the history yet. The entry's
 * time is the report's, which makes the check idempotent.
 */
function deployedHistory(
  targets: ApplicationTargetStatus[],
  history: readonly HistoryEntry[] | undefined,
): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  const oldest = history?.length ? history[history.length - 1]!.time : undefined;
  for (const t of targets) {
    if (!t.deployed || !t.deployedAt) continue;
    const at = new Date(t.deployedAt).toISOString();
    if (oldest && at < new Date(oldest).toISOString()) continue; // older than what history still holds
    const recorded = history?.some(
      (h) =>
        h.type === 'Deployed' &&
        h.target === t.name &&
        h.to === t.deployed &&
        new Date(h.time).toISOString() === at,
    );
    if (recorded) continue;
    const previous = history?.find((h) => h.type === 'Deployed' && h.target === t.name);
    out.push({
      time: at,
      type: 'Deployed',
      environment: t.environment!,
      target: t.name,
      ...(previous?.to ? { from: previous.to } : {}),
      to: t.deployed,
      actor: 'reporter',
      message: `${t.name} reports ${t.deployed} deployed`,
    });
  }
  return out;
}

function conditionsFor(
  problems: Problem[],
  environments: ApplicationEnvironmentStatus[],
  targets: ApplicationTargetStatus[],
): ConditionInput[] {
  const invalid = environments.filter((e) => e.blocked?.reason === 'InvalidVersion');
  const ready: ConditionInput =
    problems.length > 0
      ? {
          type: 'Ready',
          status: 'False',
          reason: problems[0]!.reason,
          message: problems.map((p) => `${p.field}: ${p.message}`).join('; '),
        }
      : invalid.length > 0
        ? {
            type: 'Ready',
            status: 'False',
            reason: 'InvalidVersion',
            message: invalid.map((e) => e.blocked!.message).join('; '),
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
      e.blocked.reason !== 'InvalidVersion' &&
      e.blocked.reason !== 'EnvironmentNotFound',
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
