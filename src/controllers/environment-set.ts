// EnvironmentSet controller: Ready when every listed Environment exists.
import { EnvironmentSetSchema, type EnvironmentSetStatus } from '../api/environment-set.js';
import { setConditions } from '../core/conditions.js';
import type { ControllerDeps } from '../runtime/controller-deps.js';
import type { ControllerSpec, Request } from '../runtime/reconciler.js';
import type { KubeObject } from '../runtime/resource.js';
import { everyInNamespace } from './namespace-snapshot.js';
import { Environments, EnvironmentSets } from './resources.js';

export function environmentSetController(deps: ControllerDeps): ControllerSpec {
  const sets = deps.informers.informer<KubeObject>(EnvironmentSets);
  const envs = deps.informers.informer<KubeObject>(Environments);
  return {
    name: 'environmentset',
    primary: { resource: EnvironmentSets },
    watches: [{ resource: Environments, map: everyInNamespace(deps.informers, EnvironmentSets) }],
    reconciler: {
      async reconcile(req: Request): Promise<void> {
        const cached = sets.get(req.namespace, req.name);
        if (!cached || cached.metadata?.deletionTimestamp) return;
        const set = await deps.invalid.parse(EnvironmentSets, cached, EnvironmentSetSchema);
        if (!set) return;
        const missing = set.spec.environments
          .map((name, i) => ({ name, i }))
          .filter(({ name }) => !envs.get(req.namespace, name));
        const ready =
          missing.length === 0
            ? {
                type: 'Ready',
                status: 'True' as const,
                reason: 'Ready',
                message: set.spec.environments.join(' → '),
              }
            : {
                type: 'Ready',
                status: 'False' as const,
                reason: 'EnvironmentNotFound',
                message: missing
                  .map(({ name, i }) => `spec.environments[${i}]: Environment "${name}" does not exist`)
                  .join('; '),
              };
        const now = new Date(deps.clock.now());
        await deps.status.update(EnvironmentSets, cached, (fresh) => {
          const prev = (fresh.status ?? {}) as EnvironmentSetStatus;
          const generation = fresh.metadata?.generation;
          return {
            ...prev,
            observedGeneration: generation,
            conditions: setConditions(prev.conditions, [ready], generation, now),
          };
        });
      },
    },
  };
}
