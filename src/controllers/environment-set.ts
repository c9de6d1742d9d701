// EnvironmentSet controller: get, parse, plan (core/environment-set: Ready
// when every listed Environment exists), write the status difference.
import {
  EnvironmentSetSchema,
  type EnvironmentSet,
  type EnvironmentSetStatus,
} from '../api/environment-set.js';
import { Environments, EnvironmentSets } from '../api/resources.js';
import { planEnvironmentSet } from '../core/environment-set.js';
import type { RuntimeDeps } from '../runtime/runtime-deps.js';
import { objectReconciler } from '../runtime/object-reconciler.js';
import type { ControllerSpec } from '../runtime/reconciler.js';
import { everyInNamespace, namesInNamespace } from './namespace-snapshot.js';

export function environmentSetController(deps: RuntimeDeps): ControllerSpec {
  return {
    name: 'environmentset',
    primary: { resource: EnvironmentSets },
    watches: [{ resource: Environments, map: everyInNamespace(deps.informers, EnvironmentSets) }],
    reconciler: objectReconciler(
      deps,
      EnvironmentSets,
      EnvironmentSetSchema,
      async (set: EnvironmentSet, cached, req) => {
        const environments = namesInNamespace(deps.informers, Environments, req.namespace);
        const now = new Date(deps.clock.now());
        await deps.status.update(EnvironmentSets, cached, (fresh) =>
          planEnvironmentSet({
            set: { ...set, status: fresh.status as EnvironmentSetStatus },
            environments,
            now,
          }),
        );
      },
    ),
  };
}
