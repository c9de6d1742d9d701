// The DeliveryIO an integration gets (core/delivery.ts): cached reads from
// WatchedObjects, one uncached get, and writes through the runtime's
// ObjectWriter under the integration's own field manager (fenced by
// leadership, seen by the caches at once).
import type { DeliveryIO } from '../../core/delivery.js';
import type { RuntimeDeps } from '../../runtime/runtime-deps.js';
import type { WatchedObjects } from './watched-objects.js';

/** Field manager of an integration's writes, e.g. depot-operator.argocd. */
export const deliveryManager = (kind: string): string => `depot-operator.${kind}`;

export function deliveryIO(deps: RuntimeDeps, watched: WatchedObjects, kind: string): DeliveryIO {
  const writer = deps.writer(deliveryManager(kind));
  return {
    read: (resource, namespace, name) => watched.read(resource, namespace, name),
    get: (resource, namespace, name) => deps.client.get(resource, namespace, name),
    update: (resource, current, mutate) =>
      writer.update(resource, current, (draft) => {
        mutate(draft);
      }),
    patch: (resource, namespace, name, body, type) => {
      const ref = { metadata: { namespace, name } };
      if (type === 'json')
        return writer.patchJson(resource, ref, body as Parameters<typeof writer.patchJson>[2]);
      return writer.patchMerge(resource, ref, body);
    },
    fence: () => deps.fence(),
  };
}
