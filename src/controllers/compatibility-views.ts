// The namespace's compatibility choice for the Application controller,
// computed once per state of the namespace (its Applications, Environments
// and EnvironmentSets at their resourceVersions, and which environments are
// frozen now) and shared by every reconcile until something changes; plus
// the metrics: the evaluation time, and the requests blocked now, by reason.
import { Gauge, Histogram } from 'prom-client';
import type { Environment } from '../api/environment.js';
import { Applications, Environments, EnvironmentSets } from '../api/resources.js';
import type { ApplicationEnvironmentStatus } from '../api/application.js';
import { namespaceCompatibility, type CompatibilityView } from '../core/compatibility/namespace.js';
import { freezeState } from '../core/freeze.js';
import type { KubeObject } from '../kube/resource.js';
import type { ControllerDeps } from '../runtime/controller-deps.js';
import type { NamespaceSnapshot } from './namespace-snapshot.js';

export class CompatibilityViews {
  private readonly memo = new Map<string, { key: string; view: CompatibilityView }>();
  private readonly evaluation: Histogram;
  private readonly blockedGauge: Gauge;
  /** "ns/app" → blocked requests by reason, summed into the gauge. */
  private readonly blockedBy = new Map<string, Map<string, number>>();
  private readonly totals = new Map<string, number>();

  constructor(private readonly deps: ControllerDeps) {
    this.evaluation = new Histogram({
      name: 'depot_compatibility_evaluation_seconds',
      help: 'How long evaluating the compatibility rules and choosing the set of pending requests of one namespace took.',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [deps.metrics.registry],
    });
    this.blockedGauge = new Gauge({
      name: 'depot_blocked_requests',
      help: 'Requested versions not delivered now, by reason (RequirementNotMet, Frozen, InvalidVersion, EnvironmentNotFound, InvalidFreeze).',
      labelNames: ['reason'] as const,
      registers: [deps.metrics.registry],
    });
  }

  /** The view of the namespace now (memoized while nothing it depends on changed). */
  view(snapshot: NamespaceSnapshot, now: Date): CompatibilityView {
    const environments = snapshot.environments();
    const key = this.stateKey(snapshot.namespace, environments, now);
    const memo = this.memo.get(snapshot.namespace);
    if (memo?.key === key) return memo.view;
    const started = performance.now();
    const view = namespaceCompatibility({
      applications: snapshot.applications(),
      environments,
      sets: snapshot.sets(),
      unreadable: snapshot.unreadable(),
      now,
    });
    this.evaluation.observe((performance.now() - started) / 1000);
    this.memo.set(snapshot.namespace, { key, view });
    return view;
  }

  /** Records the blocked requests of one application (after its reconcile), or none once it is gone. */
  recordBlocked(namespace: string, name: string, environments: readonly ApplicationEnvironmentStatus[]): void {
    const key = `${namespace}/${name}`;
    const next = new Map<string, number>();
    for (const e of environments) if (e.blocked) next.set(e.blocked.reason, (next.get(e.blocked.reason) ?? 0) + 1);
    const before = this.blockedBy.get(key) ?? new Map<string, number>();
    for (const reason of new Set([...before.keys(), ...next.keys()])) {
      const total = (this.totals.get(reason) ?? 0) - (before.get(reason) ?? 0) + (next.get(reason) ?? 0);
      this.totals.set(reason, total);
      this.blockedGauge.set({ reason }, total);
    }
    if (next.size > 0) this.blockedBy.set(key, next);
    else this.blockedBy.delete(key);
  }

  private stateKey(namespace: string, environments: ReadonlyMap<string, Environment>, now: Date): string {
    const versions = (resource: typeof Applications) =>
      this.deps.informers
        .informer<KubeObject>(resource)
        .list(namespace)
        .map((o) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`)
        .join(',');
    const frozen = [...environments.values()].map((e) => {
      try {
        return freezeState(e.spec.freeze, now).frozen ? 'F' : '-';
      } catch {
        return '?';
      }
    });
    return [versions(Applications), versions(Environments), versions(EnvironmentSets), frozen.join('')].join('|');
  }
}
