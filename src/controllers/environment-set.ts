// EnvironmentSet controller: get, parse, plan (core/environment-set: Ready
// when every listed Environment exists), write the status difference.
import {
  EnvironmentSetSchema,
  type EnvironmentSet,
  type EnvironmentSetStatus,
} from '../api/environment-set.js';
import { planEnvironmentSet } from '../core/environment-set.js';
import type { ControllerDeps } from '../runtime/controller-deps.js';
import type { ControllerSpec, Request } from '../runtime/reconciler.js';
import type { KubeObject } from '../kube/resource.js';
import { everyInNamespace, namesInNamespace } from './namespace-snapshot.js';
import { Environments, EnvironmentSets } from '../api/resources.js';

export function environmentSetController(deps: ControllerDeps): ControllerSpec {
  const sets = deps.informers.informer<KubeObject>(EnvironmentSets);
  return {
    name: 'environmentset',
    primary: { resource: EnvironmentSets },
    watches: [{ resource: Environments, map: everyInNamespace(deps.informers, EnvironmentSets) }],
    reconciler: {
      async reconcile(req: Request): Promise<void> {
        const cached = sets.get(req.namespace, req.name);
        if (!cached || cached.metadata?.deletionTimestamp) return;
        const set = (await deps.invalid.parse(EnvironmentSets, cached, EnvironmentSetSchema)) as
          EnvironmentSet | undefined;
        if (!set) return;
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
    },
  };
}
