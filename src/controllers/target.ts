// Target controller: Ready when its Environment exists.
import { TargetSchema, type TargetStatus } from '../api/target.js';
import { deliveryKind } from '../core/application.js';
import { setConditions } from '../core/conditions.js';
import type { ControllerDeps } from '../runtime/controller-deps.js';
import type { ControllerSpec, Request } from '../runtime/reconciler.js';
import type { KubeObject } from '../runtime/resource.js';
import { everyInNamespace } from './namespace-snapshot.js';
import { Environments, Targets } from './resources.js';

export function targetController(deps: ControllerDeps): ControllerSpec {
  const targets = deps.informers.informer<KubeObject>(Targets);
  const envs = deps.informers.informer<KubeObject>(Environments);
  return {
    name: 'target',
    primary: { resource: Targets },
    watches: [{ resource: Environments, map: everyInNamespace(deps.informers, Targets) }],
    reconciler: {
      async reconcile(req: Request): Promise<void> {
        const cached = targets.get(req.namespace, req.name);
        if (!cached || cached.metadata?.deletionTimestamp) return;
        const target = await deps.invalid.parse(Targets, cached, TargetSchema);
        if (!target) return;
        const env = target.spec.environment;
        const ready = envs.get(req.namespace, env)
          ? {
              type: 'Ready',
              status: 'True' as const,
              reason: 'Ready',
              message: `delivers to environment ${env}`,
            }
          : {
              type: 'Ready',
              status: 'False' as const,
              reason: 'EnvironmentNotFound',
              message: `spec.environment: Environment "${env}" does not exist in namespace ${req.namespace}`,
            };
        const now = new Date(deps.clock.now());
        await deps.status.update(Targets, cached, (fresh) => {
          const prev = (fresh.status ?? {}) as TargetStatus;
          const generation = fresh.metadata?.generation;
          return {
            ...prev,
            observedGeneration: generation,
            deliveryKind: deliveryKind(target),
            conditions: setConditions(prev.conditions, [ready], generation, now),
          };
        });
      },
    },
  };
}
