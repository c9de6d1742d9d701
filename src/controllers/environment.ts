// Environment controller: get, parse, plan (core/environment: its Targets,
// Ready and Frozen), write the status difference, and look again when the
// freeze changes by itself.
import { EnvironmentSchema, type Environment, type EnvironmentStatus } from '../api/environment.js';
import { Environments, Targets } from '../api/resources.js';
import { planEnvironment } from '../core/environment.js';
import type { RuntimeDeps } from '../runtime/runtime-deps.js';
import { objectReconciler } from '../runtime/object-reconciler.js';
import type { ControllerSpec, ReconcileResult } from '../runtime/reconciler.js';
import { NamespaceSnapshot } from './namespace-snapshot.js';

export function environmentController(deps: RuntimeDeps): ControllerSpec {
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
    reconciler: objectReconciler(
      deps,
      Environments,
      EnvironmentSchema,
      async (environment: Environment, cached, req): Promise<ReconcileResult | void> => {
        const targets = new NamespaceSnapshot(deps.informers, req.namespace)
          .targets()
          .filter((t) => t.spec.environment === req.name)
          .map((t) => t.metadata.name);
        const now = new Date(deps.clock.now());
        let recheckAt: Date | undefined;
        await deps.status.update(Environments, cached, (fresh) => {
          const plan = planEnvironment({
            environment: { ...environment, status: fresh.status as EnvironmentStatus },
            targets,
            now,
          });
          recheckAt = plan.recheckAt;
          return plan.status;
        });
        if (recheckAt) return { requeueAfterMs: Math.max(1000, recheckAt.getTime() - now.getTime()) };
      },
    ),
  };
}
