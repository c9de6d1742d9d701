// An integration switched off with `depot operator --integrations` (the
// chart's `integrations.<kind>: false`, whose RBAC then lacks the kind's
// objects): its Targets are Blocked with a message that says why and how to
// turn it on, instead of retrying requests the API server would refuse.
// Nothing is read, watched or written.
import type { IntegrationKind } from '../../api/delivery.js';
import type { Deliverer, DeliveryOutcome } from '../../core/delivery.js';

export function disabledIntegration(kind: IntegrationKind): Deliverer {
  return {
    kind,
    deliver(request): Promise<DeliveryOutcome> {
      return Promise.resolve({
        state: 'Blocked',
        message: `${request.version} not delivered: the ${kind} integration is off in this operator (depot operator --integrations; the Helm value integrations.${kind})`,
        waitForChange: true,
      });
    },
  };
}
