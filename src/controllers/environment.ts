// Environment controller: lists the Targets that point at the environment
// and reports whether it is frozen now (re-checked when that changes).
import { EnvironmentSchema } from '../api/environment.js';
import { setConditions, type ConditionInput } from '../kube/conditions.js';
import { freezeState, type FreezeState } from '../core/freeze.js';
import { validateSchedule } from '../core/schedule.js';
import { parseDuration } from '../kube/duration.js';
import type { ControllerDeps } from '../runtime/controller-deps.js';
import type { ControllerSpec, ReconcileResult, Request } from '../runtime/reconciler.js';
import type { KubeObject } from '../kube/resource.js';
import { NamespaceSnapshot } from './namespace-snapshot.js';
import { Environments, Targets } from '../api/resources.js';
import type { Environment, EnvironmentStatus } from '../api/environment.js';

export function environmentController(deps: ControllerDeps): ControllerSpec {
  const envs = deps.informers.informer<KubeObject>(Environments);
  return {
    name: 'environment',
    primary: { resource: Environments },
    watches: [
      {
        resource: Targets,
        map: (t) => {
          const env = (t as { spec?: { environment?: string } }).spec?.environment;
          return env ? [{ namespace: t.metadata?.namespace ?? '', name: env }] : [];
        },
      },
    ],
    reconciler: {
      async reconcile(req: Request): Promise<ReconcileResult | void> {
        const cached = envs.get(req.namespace, req.name);
        if (!cached || cached.metadata?.deletionTimestamp) return;
        const env = await deps.invalid.parse(Environments, cached, EnvironmentSchema);
        if (!env) return;
        const targets = new NamespaceSnapshot(deps.informers, req.namespace)
          .targets()
          .filter((t) => t.spec.environment === req.name)
          .map((t) => t.metadata.name)
          .sort();
        const now = new Date(deps.clock.now());
        const { conditions, recheckAt } = environmentConditions(env as Environment, now);
        await deps.status.update(Environments, cached, (fresh) => {
          const prev = (fresh.status ?? {}) as EnvironmentStatus;
          const generation = fresh.metadata?.generation;
          return {
            observedGeneration: generation,
            targets,
            conditions: setConditions(prev.conditions, conditions, generation, now),
          };
        });
        if (recheckAt) return { requeueAfterMs: Math.max(1000, recheckAt.getTime() - now.getTime()) };
      },
    },
  };
}

/** How soon freeze windows that could not be evaluated are tried again. */
const UNEVALUABLE_RECHECK_MS = 60_000;

/**
 * Ready (the freeze configuration is usable) and Frozen, with when to look
 * again. `evaluate` is core's freezeState; tests pass one that fails, since
 * no valid window is known to fail since schedules follow wall-clock time.
 */
export function environmentConditions(
  env: Environment,
  now: Date,
  evaluate: typeof freezeState = freezeState,
): { conditions: ConditionInput[]; recheckAt?: Date } {
  const windows = env.spec.freeze?.windows ?? [];
  for (const [i, w] of windows.entries()) {
    try {
      validateSchedule(w.schedule, w.timeZone ?? 'UTC');
      parseDuration(w.duration);
    } catch (err) {
      const message = `spec.freeze.windows[${i}]: ${(err as Error).message}`;
      return {
        conditions: [
          { type: 'Ready', status: 'False', reason: 'InvalidFreezeWindow', message },
          { type: 'Frozen', status: 'Unknown', reason: 'InvalidFreezeWindow', message },
        ],
      };
    }
  }
  let state: FreezeState;
  try {
    state = evaluate(env.spec.freeze, now);
  } catch (err) {
    // Valid windows that cannot be evaluated at this time: requests into the
    // environment are held back (fail closed), so it is not Ready; look again
    // later, as the same windows may evaluate at another time.
    const message = `spec.freeze.windows cannot be evaluated at ${now.toISOString()}: ${(err as Error).message}`;
    return {
      conditions: [
        { type: 'Ready', status: 'False', reason: 'InvalidFreezeWindow', message },
        { type: 'Frozen', status: 'Unknown', reason: 'InvalidFreezeWindow', message },
      ],
      recheckAt: new Date(now.getTime() + UNEVALUABLE_RECHECK_MS),
    };
  }
  const ready: ConditionInput = {
    type: 'Ready',
    status: 'True',
    reason: 'Ready',
    message: 'the environment is usable',
  };
  if (state.frozen) {
    return {
      conditions: [
        ready,
        {
          type: 'Frozen',
          status: 'True',
          reason: 'FreezeWindow',
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
        type: 'Frozen',
        status: 'False',
        reason: 'NotFrozen',
        message: state.nextStart
          ? `next freeze starts at ${state.nextStart.toISOString()}`
          : 'no freeze is configured',
      },
    ],
    ...(state.nextStart ? { recheckAt: state.nextStart } : {}),
  };
}
