// An Environment's status: the Targets that point at it, Ready (its freeze
// windows are usable) and Frozen (now, and until when), with when to look
// again. Pure: the time is passed in.
import type { Environment, EnvironmentStatus } from '../api/environment.js';
import { setConditions, type ConditionInput } from '../kube/conditions.js';
import { parseDuration } from '../kube/duration.js';
import { freezeState, type FreezeState } from './freeze.js';
import { freezeScheduleProblems } from './schedule.js';
import { ConditionType, Reason } from '../api/conditions.js';

/** How soon freeze windows that could not be evaluated are tried again. */
const UNEVALUABLE_RECHECK_MS = 60_000;

export interface EnvironmentInput {
  environment: Environment;
  /** Names of the Targets whose spec.environment is this one. */
  targets: readonly string[];
  now: Date;
  /** core's freezeState; tests pass one that fails (no valid window is known to fail). */
  evaluate?: typeof freezeState;
}

export interface EnvironmentPlan {
  status: EnvironmentStatus;
  /** When Frozen changes by itself (a window starts or ends), or a failed evaluation is tried again. */
  recheckAt?: Date;
}

export function planEnvironment(input: EnvironmentInput): EnvironmentPlan {
  const { environment, now } = input;
  const { conditions, recheckAt } = environmentConditions(environment, now, input.evaluate ?? freezeState);
  const generation = environment.metadata.generation;
  return {
    status: {
      observedGeneration: generation,
      targets: [...input.targets].sort(),
      conditions: setConditions(environment.status?.conditions, conditions, generation, now),
    },
    ...(recheckAt ? { recheckAt } : {}),
  };
}

/** Ready (the freeze configuration is usable) and Frozen, with when to look again. */
export function environmentConditions(
  env: Environment,
  now: Date,
  evaluate: typeof freezeState = freezeState,
): { conditions: ConditionInput[]; recheckAt?: Date } {
  const unusable = (message: string, recheckAt?: Date) => ({
    conditions: [
      { type: ConditionType.Ready, status: 'False' as const, reason: Reason.InvalidFreezeWindow, message },
      { type: ConditionType.Frozen, status: 'Unknown' as const, reason: Reason.InvalidFreezeWindow, message },
    ],
    ...(recheckAt ? { recheckAt } : {}),
  });
  const [problem] = freezeScheduleProblems(env.spec);
  if (problem) return unusable(`${problem.path}: ${problem.message}`);
  for (const [i, w] of (env.spec.freeze?.windows ?? []).entries()) {
    try {
      parseDuration(w.duration);
    } catch (err) {
      return unusable(`spec.freeze.windows[${i}].duration: ${(err as Error).message}`);
    }
  }
  let state: FreezeState;
  try {
    state = evaluate(env.spec.freeze, now);
  } catch (err) {
    // Valid windows that cannot be evaluated at this time: requests into the
    // environment are held back (fail closed), so it is not Ready; look again
    // later, as the same windows may evaluate at another time.
    return unusable(
      `spec.freeze.windows cannot be evaluated at ${now.toISOString()}: ${(err as Error).message}`,
      new Date(now.getTime() + UNEVALUABLE_RECHECK_MS),
    );
  }
  const ready: ConditionInput = {
    type: ConditionType.Ready,
    status: 'True',
    reason: Reason.Ready,
    message: 'the environment is usable',
  };
  if (state.frozen) {
    return {
      conditions: [
        ready,
        {
          type: ConditionType.Frozen,
          status: 'True',
          reason: Reason.FreezeWindow,
          message: `no new version is delivered: ${state.message}`,
        },
      ],
      ...(state.until ? { recheckAt: state.until } : {}),
    };
  }
  return {
    conditions: [
      ready,
      {
        type: ConditionType.Frozen,
        status: 'False',
        reason: Reason.NotFrozen,
        message: state.nextStart
          ? `next freeze starts at ${state.nextStart.toISOString()}`
          : 'no freeze is configured',
      },
    ],
    ...(state.nextStart ? { recheckAt: state.nextStart } : {}),
  };
}
