// Target controller: get, parse, plan (core/target: delivery kind, Ready when
// its Environment exists and, for delivery: agent, while its agent polls),
// write the status difference; look again when an agent would turn silent.
import { Environments, Targets } from '../api/resources.js';
import { TargetSchema, type Target, type TargetStatus } from '../api/target.js';
import { agentRecheckAfterMs, DEFAULT_AGENT_SILENCE_MS, planTarget } from '../core/target.js';
import type { RuntimeDeps } from '../runtime/runtime-deps.js';
import { objectReconciler } from '../runtime/object-reconciler.js';
import type { ControllerSpec } from '../runtime/reconciler.js';
import { everyInNamespace, namesInNamespace } from './namespace-snapshot.js';

export function targetController(deps: RuntimeDeps, opts: { agentSilenceMs?: number } = {}): ControllerSpec {
  const agentSilenceMs = opts.agentSilenceMs ?? DEFAULT_AGENT_SILENCE_MS;
  return {
    name: 'target',
    primary: { resource: Targets },
    watches: [{ resource: Environments, map: everyInNamespace(deps.informers, Targets) }],
    reconciler: objectReconciler(deps, Targets, TargetSchema, async (target: Target, cached, req) => {
      const environments = namesInNamespace(deps.informers, Environments, req.namespace);
      const now = new Date(deps.clock.now());
      const written = await deps.status.update(Targets, cached, (fresh) =>
        planTarget({
          target: { ...target, status: fresh.status as TargetStatus },
          environments,
          now,
          agentSilenceMs,
        }),
      );
      const after = agentRecheckAfterMs(
        { ...target, status: written.object.status as TargetStatus },
        now,
        agentSilenceMs,
      );
      return after === undefined ? undefined : { requeueAfterMs: after };
    }),
  };
}
