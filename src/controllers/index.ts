// Depot's controllers, built on the runtime in src/runtime. `depot operator`
// runs whatever this returns; each controller gets its informers/caches,
// writers, Events, logger and clock from `deps`.
import { DEFAULT_HISTORY_LIMIT } from '../core/history.js';
import { createAuditLog } from '../runtime/audit-log.js';
import type { RuntimeDeps } from '../runtime/runtime-deps.js';
import type { ControllerSpec } from '../runtime/reconciler.js';
import { applicationController } from './application.js';
import { deliverySettingsDefaults } from './delivery/registry.js';
import { deliveryDefaults } from './delivery/tracker.js';
import { environmentSetController } from './environment-set.js';
import { environmentController } from './environment.js';
import type { DepotOptions } from './options.js';
import { promotionController } from './promotion.js';
import { GateEvaluator } from './promotion-gates.js';
import { targetController } from './target.js';

export function controllers(deps: RuntimeDeps, options: Partial<DepotOptions> = {}): ControllerSpec[] {
  const opts: DepotOptions = {
    historyLimit: options.historyLimit ?? DEFAULT_HISTORY_LIMIT,
    ...(options.statusByteBudget !== undefined ? { statusByteBudget: options.statusByteBudget } : {}),
    verifiedActors: options.verifiedActors ?? false,
    audit: options.audit ?? createAuditLog(),
    ...(options.auditSink ? { auditSink: options.auditSink } : {}),
    deliverySettings: options.deliverySettings ?? deliverySettingsDefaults,
    delivery: options.delivery ?? deliveryDefaults,
    ...(options.hooks ? { hooks: options.hooks } : {}),
    gateUrlAllow: options.gateUrlAllow ?? [],
  };
  // One keeper of gate answers: the Promotion asks, the Application records GatePassed/GateFailed.
  const gates = new GateEvaluator(deps);
  return [
    environmentController(deps),
    environmentSetController(deps),
    targetController(deps, { agentSilenceMs: options.agentSilenceMs }),
    applicationController(deps, opts, undefined, undefined, gates),
    promotionController(deps, opts, gates),
  ];
}
