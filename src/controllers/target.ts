// Target controller: get, parse, plan (core/target: delivery kind, Ready when
// its Environment exists), write the status difference.
import { Environments, Targets } from '../api/resources.js';
import { TargetSchema, type Target, type TargetStatus } from '../api/target.js';
import { planTarget } from '../core/target.js';
import type { ControllerDeps } from '../runtime/controller-deps.js';
import { objectReconciler } from '../runtime/object-reconciler.js';
import type { ControllerSpec } from '../runtime/reconciler.js';
import { everyInNamespace, namesInNamespace } from './namespace-snapshot.js';

export function targetController(deps: ControllerDeps): ControllerSpec {
  return {
    name: 'target',
    primary: { resource: Targets },
    watches: [{ resource: Environments, map: everyInNamespace(deps.informers, Targets) }],
    reconciler: objectReconciler(deps, Targets, TargetSchema, async (target: Target, cached, req) => {
      const environments = namesInNamespace(deps.informers, Environments, req.namespace);
      const now = new Date(deps.clock.now());
      await deps.status.update(Targets, cached, (fresh) =>
        planTarget({ target: { ...target, status: fresh.status as TargetStatus }, environments, now }),
      );
    }),
  };
}
