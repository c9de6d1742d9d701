// Target controller: get, parse, plan (core/target: delivery kind, Ready when
// its Environment exists), write the status difference.
import { TargetSchema, type Target, type TargetStatus } from '../api/target.js';
import { planTarget } from '../core/target.js';
import type { ControllerDeps } from '../runtime/controller-deps.js';
import type { ControllerSpec, Request } from '../runtime/reconciler.js';
import type { KubeObject } from '../kube/resource.js';
import { everyInNamespace, namesInNamespace } from './namespace-snapshot.js';
import { Environments, Targets } from '../api/resources.js';

export function targetController(deps: ControllerDeps): ControllerSpec {
  const targets = deps.informers.informer<KubeObject>(Targets);
  return {
    name: 'target',
    primary: { resource: Targets },
    watches: [{ resource: Environments, map: everyInNamespace(deps.informers, Targets) }],
    reconciler: {
      async reconcile(req: Request): Promise<void> {
        const cached = targets.get(req.namespace, req.name);
        if (!cached || cached.metadata?.deletionTimestamp) return;
        const target = (await deps.invalid.parse(Targets, cached, TargetSchema)) as Target | undefined;
        if (!target) return;
        const environments = namesInNamespace(deps.informers, Environments, req.namespace);
        const now = new Date(deps.clock.now());
        await deps.status.update(Targets, cached, (fresh) =>
          planTarget({ target: { ...target, status: fresh.status as TargetStatus }, environments, now }),
        );
      },
    },
  };
}
