// The opening every controller shares (controller-runtime's
// reconcile.AsReconciler idea): get the object from the cache, skip it when
// it is gone or being deleted, parse it (an invalid object is reported on
// itself and skipped), then hand the parsed object to the controller.
import type { KubeObject, Request, ResourceType } from '../kube/resource.js';
import type { RuntimeDeps } from './runtime-deps.js';
import type { SafeParser } from './invalid-object.js';
import type { ReconcileContext, ReconcileResult, Reconciler } from './reconciler.js';

export interface ObjectReconcile<T> {
  (object: T, cached: KubeObject, req: Request, ctx: ReconcileContext): Promise<ReconcileResult | void>;
}

export function objectReconciler<T>(
  deps: Pick<RuntimeDeps, 'informers' | 'invalid'>,
  resource: ResourceType,
  parser: SafeParser<T>,
  reconcile: ObjectReconcile<T>,
  opts: { onGone?: (req: Request) => void } = {},
): Reconciler {
  const informer = deps.informers.informer<KubeObject>(resource);
  return {
    async reconcile(req, ctx) {
      const cached = informer.get(req.namespace, req.name);
      if (!cached) {
        opts.onGone?.(req);
        return;
      }
      if (cached.metadata?.deletionTimestamp) return;
      const object = await deps.invalid.parse(resource, cached, parser);
      if (object === undefined) return;
      return reconcile(object, cached, req, ctx);
    },
  };
}
