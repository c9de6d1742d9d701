// The DeliveryIO (core/delivery.ts) of the agent in its own cluster: the
// same integration code as the operator, on the runtime's informers (one per
// kind and namespace, started on first use) and writer. The agent is the only
// writer for its target there, so its writes are not fenced by leadership.
import type { DeliveryIO } from '../core/delivery.js';
import type { KubeClient } from '../kube/client.js';
import type { InformerFactory } from '../runtime/informer-factory.js';
import { ObjectWriter, type JsonPatchOperation } from '../runtime/writes.js';

/** Field manager of the agent's writes, e.g. depot-agent.argocd. */
export const agentManager = (kind: string): string => `depot-agent.${kind}`;

export function agentDeliveryIO(informers: InformerFactory, client: KubeClient, kind: string): DeliveryIO {
  const writer = new ObjectWriter({ client, informers, fieldManager: agentManager(kind) });
  return {
    read(resource, namespace, name) {
      const informer = informers.informer(resource, { namespaces: [namespace], requiredForReadiness: false });
      if (!informer.hasSynced()) return { synced: false };
      return { synced: true, object: informer.get(namespace, name) };
    },
    get: (resource, namespace, name) => client.get(resource, namespace, name),
    update: (resource, current, mutate) =>
      writer.update(resource, current, (draft) => {
        mutate(draft);
      }),
    patch: (resource, namespace, name, body, type) => {
      const ref = { metadata: { namespace, name } };
      if (type === 'json') return writer.patchJson(resource, ref, body as JsonPatchOperation[]);
      return writer.patchMerge(resource, ref, body);
    },
  };
}
