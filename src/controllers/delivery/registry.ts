// The integrations `depot operator` runs, built from its flags: one
// Deliverer per delivery kind, each with its own DeliveryIO (field manager
// depot-operator.<kind>). A kind without an entry here keeps publishedState
// (core/delivery.ts): agent targets are pulled by the agent. An integration
// switched off (--integrations) answers Blocked without any I/O.
import { INTEGRATION_KINDS, type DeliveryKind, type IntegrationKind } from '../../api/delivery.js';
import type { Deliverer, DeliveryRegistry, DeliverySettings } from '../../core/delivery.js';
import { argocdDeliverer } from '../../integrations/argocd/deliverer.js';
import { fluxDeliverer } from '../../integrations/flux/deliverer.js';
import type { RuntimeDeps } from '../../runtime/runtime-deps.js';
import { disabledIntegration } from './disabled-integration.js';
import { deliveryIO } from './io.js';
import { deliveryMetrics, watchMetrics } from './metrics.js';
import { DeliveryTracker, deliveryDefaults, type DeliveryOptions } from './tracker.js';
import { WatchedObjects } from './watched-objects.js';

export const deliverySettingsDefaults: DeliverySettings = {
  integrations: INTEGRATION_KINDS,
  checkAuthorization: true,
  receiverUrlAllow: [],
  httpTimeoutMs: 10_000,
};

export function deliveryRegistry(
  deps: RuntimeDeps,
  watched: WatchedObjects,
  settings: DeliverySettings,
): DeliveryRegistry {
  const integrations: Record<IntegrationKind, () => Deliverer> = {
    argocd: () => argocdDeliverer(deliveryIO(deps, watched, 'argocd'), settings),
    flux: () => fluxDeliverer(deliveryIO(deps, watched, 'flux'), settings, () => new Date(deps.clock.now())),
  };
  return new Map<DeliveryKind, Deliverer>(
    INTEGRATION_KINDS.map((kind) => [
      kind,
      (settings.integrations ?? INTEGRATION_KINDS).includes(kind)
        ? integrations[kind]()
        : disabledIntegration(kind),
    ]),
  );
}

/** The delivery machinery of one operator: watched objects, integrations, tracker. */
export function createDeliveryTracker(
  deps: RuntimeDeps,
  settings: DeliverySettings = deliverySettingsDefaults,
  options: DeliveryOptions = deliveryDefaults,
): DeliveryTracker {
  const watched = new WatchedObjects(deps.informers, options.watches, watchMetrics(deps.metrics));
  return new DeliveryTracker(
    deliveryRegistry(deps, watched, settings),
    watched,
    {
      clock: deps.clock,
      log: deps.log.child({ component: 'delivery' }),
      metrics: deliveryMetrics(deps.metrics),
    },
    options,
  );
}
