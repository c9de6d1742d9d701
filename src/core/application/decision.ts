// What becomes desired in one environment: the requested version, unless it
// is invalid for the scheme, its Environment is missing, a freeze holds it
// back (and it is not forced) or a compatibility rule blocks it; then what
// was desired stays. Never a downgrade or removal on a missing field.
import type { Application, ApplicationEnvironmentStatus } from '../../api/application.js';
import type { Environment } from '../../api/environment.js';
import { freezeState, type FreezeState } from '../freeze.js';
import type { Versions } from '../versions.js';
import { rejectedMessage, rejection } from '../rejections.js';

export interface Blocked {
  reason: string;
  message: string;
}

/**
 * What the compatibility rules say about delivering `version` of `app` into
 * `environment` now: deliver it, block it (a rule is broken), or let it wait
 * for applications it requires that move in the same set (requirement order).
 */
export type CompatibilityVerdict =
  { kind: 'deliver' } | { kind: 'blocked'; blocked: Blocked } | { kind: 'after'; requires: string[] };

/** The compatibility hook. */
export type CompatibilityCheck = (
  app: Application,
  environment: string,
  version: string,
) => CompatibilityVerdict;

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
  versions: Versions;
  before: ApplicationEnvironmentStatus | undefined;
  forced: boolean;
  now: Date;
  compatibility?: CompatibilityCheck;
}

/** What the requirement order delays stays as it was, and is looked at again soon. */
const AFTER_REQUIREMENTS_MS = 2000;

export function decide(d: DecisionInput): Decision {
  const gated = gate(d);
  if (gated.kind === 'decided') return gated.decision;
  const verdict = d.compatibility?.(d.app, d.env, d.requested!) ?? { kind: 'deliver' };
  const current = d.before?.desired;
  if (verdict.kind === 'blocked') return { desired: current, blocked: verdict.blocked };
  if (verdict.kind === 'after')
    return {
      desired: current,
      blocked: d.before?.blocked ?? null,
      requeueAt: new Date(d.now.getTime() + AFTER_REQUIREMENTS_MS),
    };
  return { desired: d.requested, blocked: null, forcedThroughFreeze: gated.forcedThroughFreeze };
}

/**
 * Everything but compatibility: either the decision is made (no request, no
 * change, held back) or the request may move as far as its version, its
 * Environment and freezes are concerned.
 */
export function gate(
  d: Omit<DecisionInput, 'compatibility'>,
): { kind: 'decided'; decision: Decision } | { kind: 'eligible'; forcedThroughFreeze: boolean } {
  const decided = (decision: Decision) => ({ kind: 'decided' as const, decision });
  const { env, requested, versions: v, forced } = d;
  const current = d.before?.desired;
  const hold = (blocked: Blocked, requeueAt?: Date) =>
    decided({
      desired: current,
      blocked,
      ...(requeueAt ? { requeueAt } : {}),
    });
  // No request (or it was removed): keep what is delivered; never downgrade on a missing field.
  if (requested === undefined) return decided({ desired: current, blocked: null });
  if (!v.valid(requested))
    return hold({
      reason: 'InvalidVersion',
      message: `spec.versions.${env}: "${requested}" is not a ${v.scheme} version`,
    });
  if (v.same(requested, current)) return decided({ desired: current, blocked: null });
  const rejected = rejection(d.app, requested);
  if (rejected && !forced)
    return hold({
      reason: 'Rejected',
      message: `${d.app.metadata.name} ${requested} is ${rejectedMessage(d.app, rejected)} (request it with --force to deliver it anyway)`,
    });
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
  return { kind: 'eligible', forcedThroughFreeze: freeze.frozen };
}
