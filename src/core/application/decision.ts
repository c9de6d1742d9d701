// What becomes desired in one environment: the requested version, unless it
// is invalid for the scheme, its Environment is missing, a freeze holds it
// back (and it is not forced) or a compatibility rule blocks it; then what
// was desired stays. Never a downgrade or removal on a missing field.
import type { Application, ApplicationEnvironmentStatus } from '../../api/application.js';
import type { Environment } from '../../api/environment.js';
import { freezeState, type FreezeState } from '../freeze.js';
import { isValidVersion, sameVersion, type VersionScheme } from '../versions.js';

export interface Blocked {
  reason: string;
  message: string;
}

/** The compatibility hook: why `version` of `app` cannot be delivered into `environment`, or null. */
export type CompatibilityCheck = (app: Application, environment: string, version: string) => Blocked | null;

export interface Decision {
  desired: string | undefined;
  blocked: Blocked | null;
  /** When the outcome changes by itself (a freeze ends). */
  requeueAt?: Date;
  /** The request went through an active freeze because it was forced. */
  forcedThroughFreeze?: boolean;
}

export interface DecisionInput {
  app: Application;
  env: string;
  environment: Environment | undefined;
  requested: string | undefined;
  scheme: VersionScheme;
  before: ApplicationEnvironmentStatus | undefined;
  forced: boolean;
  now: Date;
  compatibility?: CompatibilityCheck;
}

export function decide(d: DecisionInput): Decision {
  const { env, requested, scheme, forced } = d;
  const current = d.before?.desired;
  const hold = (blocked: Blocked, requeueAt?: Date): Decision => ({
    desired: current,
    blocked,
    ...(requeueAt ? { requeueAt } : {}),
  });
  // No request (or it was removed): keep what is delivered; never downgrade on a missing field.
  if (requested === undefined) return { desired: current, blocked: null };
  if (!isValidVersion(scheme, requested))
    return hold({
      reason: 'InvalidVersion',
      message: `spec.versions.${env}: "${requested}" is not a ${scheme} version`,
    });
  if (sameVersion(scheme, requested, current)) return { desired: current, blocked: null };
  if (!d.environment)
    return hold({
      reason: 'EnvironmentNotFound',
      message: `Environment "${env}" does not exist; ${requested} waits`,
    });
  let freeze: FreezeState;
  try {
    freeze = freezeState(d.environment.spec.freeze, d.now);
  } catch (err) {
    // Fail closed: a freeze that cannot be evaluated holds requests back.
    return hold({
      reason: 'InvalidFreeze',
      message: `the freeze windows of ${env} cannot be evaluated: ${(err as Error).message}`,
    });
  }
  if (freeze.frozen && !forced)
    return hold(
      { reason: 'Frozen', message: `${env} is ${freeze.message}; ${d.app.metadata.name} ${requested} waits` },
      freeze.until,
    );
  const incompatible = d.compatibility?.(d.app, env, requested) ?? null;
  if (incompatible) return hold(incompatible);
  return { desired: requested, blocked: null, forcedThroughFreeze: freeze.frozen };
}
