// Application controller: computes status (requested/desired per environment,
// versions per target, conditions, history) with core/application and writes
// only the difference; every new history entry also becomes an Event and an
// audit line.
import { ApplicationSchema, type Application, type HistoryEntry } from '../api/application.js';
import { planApplication, type ApplicationPlan } from '../core/application.js';
import type { ControllerDeps } from '../runtime/controller-deps.js';
import type { ControllerSpec, ReconcileResult, Request } from '../runtime/reconciler.js';
import type { KubeObject } from '../runtime/resource.js';
import { everyInNamespace, NamespaceSnapshot } from './namespace-snapshot.js';
import type { DepotOptions } from './options.js';
import { Applications, Environments, EnvironmentSets, Targets } from './resources.js';

const WARNING_TYPES = new Set<HistoryEntry['type']>(['Blocked', 'Forced']);

export function applicationController(deps: ControllerDeps, opts: DepotOptions): ControllerSpec {
  const apps = deps.informers.informer<KubeObject>(Applications);
  const toApps = everyInNamespace(deps.informers, Applications);
  return {
    name: 'application',
    primary: { resource: Applications },
    watches: [
      { resource: Environments, map: toApps },
      { resource: EnvironmentSets, map: toApps },
      { resource: Targets, map: toApps },
    ],
    reconciler: {
      async reconcile(req: Request): Promise<ReconcileResult | void> {
        const cached = apps.get(req.namespace, req.name);
        if (!cached || cached.metadata?.deletionTimestamp) return;
        const valid = await deps.invalid.parse(Applications, cached, ApplicationSchema);
        if (!valid) return;

        const snapshot = new NamespaceSnapshot(deps.informers, req.namespace);
        const [environments, sets, targets] = [snapshot.environments(), snapshot.sets(), snapshot.targets()];
        const now = new Date(deps.clock.now());
        let plan: ApplicationPlan | undefined;
        const result = await deps.status.update(Applications, cached, (fresh) => {
          // Runs again on a fresh copy after a 409: derive everything from it.
          const app = ApplicationSchema.parse(fresh) as Application;
          plan = planApplication({ app, environments, sets, targets, now, historyLimit: opts.historyLimit });
          return plan.status;
        });
        if (!plan) return;
        if (result.written) record(deps, opts, cached, plan.added);
        if (plan.requeueAt)
          return { requeueAfterMs: Math.max(1000, plan.requeueAt.getTime() - now.getTime()) };
      },
    },
  };
}

/** History entries as Events on the Application and lines on the audit log. */
function record(deps: ControllerDeps, opts: DepotOptions, app: KubeObject, entries: HistoryEntry[]): void {
  for (const e of [...entries].reverse()) {
    const note = `${e.message ?? `${e.type} ${e.to ?? ''}`}${e.actor ? ` (by ${e.actor})` : ''}`;
    if (WARNING_TYPES.has(e.type)) deps.events.warning(app, e.type, note);
    else deps.events.normal(app, e.type, note);
    opts.audit.record({
      ...e,
      namespace: app.metadata?.namespace,
      application: app.metadata?.name,
    });
  }
}
