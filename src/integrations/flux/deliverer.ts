// The Flux integration as a Deliverer (core/delivery.ts): for one
// (application, target) it runs the Target's `patch` (patch-writer.ts), then
// its `receiver` call (receiver-client.ts), and reports one DeliveryState.
// Either failing makes the delivery Failed with that step's message; a retry
// finds a patch already in place and writes nothing for it.
import type { DeliveryState } from '../../api/application.js';
import { templateValues, type Deliverer, type DeliveryRequest } from '../../core/delivery.js';
import type { KubeApi } from '../../kube/client.js';
import { callReceiver, type ReceiverOptions } from './receiver-client.js';
import { patchTarget } from './patch-target.js';
import { writeFluxPatch } from './patch-writer.js';

export interface FluxOptions {
  receiver: ReceiverOptions;
  /** The owner's opt-in annotation is checked unless an operator flag turns it off. */
  checkAuthorization: boolean;
  now: () => Date;
}

export function fluxDeliverer(api: KubeApi, opts: FluxOptions): Deliverer {
  return {
    kind: 'flux',
    async deliver(request: DeliveryRequest, signal: AbortSignal): Promise<DeliveryState> {
      const flux = request.delivery.flux;
      const target = {
        namespace: request.target.metadata.namespace ?? request.application.metadata.namespace ?? '',
        name: request.target.metadata.name,
      };
      if (!flux)
        return { state: 'Failed', message: `Target ${target.namespace}/${target.name} has no flux delivery` };
      const done: string[] = [];
      if (flux.patch) {
        const t = patchTarget(
          flux.patch,
          templateValues(request.application, request.environment, request.target),
        );
        if ('error' in t)
          return { state: 'Failed', message: `Target ${target.namespace}/${target.name}: ${t.error}` };
        const r = await writeFluxPatch(api, t, request.version, {
          target,
          checkAuthorization: opts.checkAuthorization,
          now: opts.now(),
        });
        if (r.state === 'Failed') return { state: 'Failed', message: r.message };
        done.push(r.message);
      }
      if (flux.receiver) {
        const payload = {
          application: request.application.metadata.name,
          environment: request.environment,
          target: target.name,
          version: request.version,
        };
        const r = await callReceiver(api, flux.receiver, payload, target, opts.receiver, signal);
        if (r.state === 'Failed') return { state: 'Failed', message: r.message };
        done.push(r.message);
      }
      return { state: 'Delivered', message: done.join('; ') };
    },
  };
}
