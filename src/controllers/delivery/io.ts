// The DeliveryIO an integration gets (core/delivery.ts): cached reads from
// WatchedObjects, one uncached get, and writes through the runtime's
// ObjectWriter under the integration's own field manager (fenced by
// leadership, seen by the caches at once).
import type { DeliveryIO } from '../../core/delivery.js';
import type { KubeObject, ResourceType } from '../../kube/resource.js';
import type { RuntimeDeps } from '../../runtime/runtime-deps.js';
import type { WatchedObjects } from './watched-objects.js';

/** Field manager of an integration's writes, e.g. depot-operator.argocd. */
export const deliveryManager = (kind: string): string => `depot-operator.${kind}`;

export function deliveryIO(deps: RuntimeDeps, watched: WatchedObjects, kind: string): DeliveryIO {
  // Delivery writes have their own budget: --delivery-concurrency in flight, not the reconciles' QPS.
  const writer = deps.writer(deliveryManager(kind), { budget: 'delivery' });
  /** A write whose own watch event re-runs nothing (the attempt records its outcome). */
  async function own<T extends KubeObject>(
    resource: ResourceType,
    namespace: string,
    name: string,
    write: () => Promise<{ written: boolean; object: T }>,
  ): Promise<{ written: boolean; object: T }> {
    const pending = watched.beginWrite(resource, namespace, name);
    try {
      const result = await write();
      pending.finish(result.written ? result.object.metadata?.resourceVersion : undefined);
      return result;
    } catch (err) {
      pending.abandon();
      throw err;
    }
  }
  return {
    read: (resource, namespace, name) => watched.read(resource, namespace, name),
    get: (resource, namespace, name) => deps.client.get(resource, namespace, name),
    update: (resource, current, mutate) =>
      own(resource, current.metadata?.namespace ?? '', current.metadata?.name ?? '', () =>
        writer.update(resource, current, (draft) => {
          mutate(draft);
        }),
      ),
    patch: async (resource, namespace, name, body, type) => {
      const ref = { metadata: { namespace, name } };
      const written = await own(resource, namespace, name, async () => ({
        written: true,
        object:
          type === 'json'
            ? await writer.patchJson(resource, ref, body as Parameters<typeof writer.patchJson>[2])
            : await writer.patchMerge(resource, ref, body),
      }));
      return written.object;
    },
    fence: () => deps.fence(),
  };
}
