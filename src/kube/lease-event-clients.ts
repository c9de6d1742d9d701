// Leases and Events over KubeClient's plain JSON, in place of client-node's
// generated CoordinationV1Api and EventsV1Api: those load the model of every
// Kubernetes kind (about 30 MiB resident, bench/README.md memory_10k) to send
// three kinds of request. The Lease methods keep the typed API's names and
// request shapes, so a CoordinationV1Api fits where a LeaseApi is asked for.
import type { CoordinationV1Api, EventsV1Event, V1Lease } from '@kubernetes/client-node';
import type { KubeClient } from './client.js';
import { KubeApiError } from './errors.js';
import { Leases, type KubeObject, type ResourceType } from './resource.js';

export type LeaseApi = Pick<
  CoordinationV1Api,
  'readNamespacedLease' | 'createNamespacedLease' | 'replaceNamespacedLease'
>;

/** What the EventRecorder sends: a new Event, and a merge patch of its series. */
export interface EventApi {
  createNamespacedEvent(req: { namespace: string; body: EventsV1Event }): Promise<unknown>;
  mergePatchNamespacedEvent(req: { namespace: string; name: string; body: object }): Promise<unknown>;
}

export const Events: ResourceType = {
  group: 'events.k8s.io',
  version: 'v1',
  plural: 'events',
  kind: 'Event',
  namespaced: true,
};

// MicroTime fields come back as the server's strings, not Dates: the leader
// election reads both (leader.ts).
const asLease = (obj: KubeObject) => obj as unknown as V1Lease;
/** The typed body as the JSON object it is sent as, in namespace `namespace` (and named `name`). */
function placed(body: object, namespace: string, name?: string): KubeObject {
  const obj = body as KubeObject;
  return { ...obj, metadata: { ...obj.metadata, namespace, ...(name === undefined ? {} : { name }) } };
}

export function leaseApi(client: KubeClient): LeaseApi {
  return {
    async readNamespacedLease({ name, namespace }) {
      const lease = await client.get(Leases, namespace, name);
      if (!lease) throw new KubeApiError(404, `leases.coordination.k8s.io "${name}" not found`, 'NotFound');
      return asLease(lease);
    },
    async createNamespacedLease({ namespace, body }) {
      return asLease(await client.create(Leases, placed(body, namespace)));
    },
    async replaceNamespacedLease({ name, namespace, body }) {
      return asLease(await client.replace(Leases, placed(body, namespace, name)));
    },
  };
}

export function eventApi(client: KubeClient): EventApi {
  return {
    createNamespacedEvent: ({ namespace, body }) => client.create(Events, placed(body, namespace)),
    mergePatchNamespacedEvent: ({ namespace, name, body }) =>
      client.patch(Events, namespace, name, body, { type: 'merge' }),
  };
}
