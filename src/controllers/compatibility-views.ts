// The namespace's compatibility choice, computed once per state that can
// change it (Application specs and force annotations, Environments,
// EnvironmentSets, which are frozen now) and shared by every reconcile; status
// writes do not invalidate it. States are memoized by resourceVersion. Also
// the metrics: evaluation time, and requests blocked now by reason.
import { Gauge, Histogram } from 'prom-client';
import type { Environment } from '../api/environment.js';
import { Applications, Environments, EnvironmentSets } from '../api/resources.js';
import type { ApplicationEnvironmentStatus } from '../api/application.js';
import type { Application } from '../api/application.js';
import { ruleProblems } from '../core/compatibility/rules.js';
import {
  applicationStates,
  catalogOf,
  namespaceCompatibility,
  type ApplicationEnvState,
  type CompatibilityView,
} from '../core/compatibility/namespace.js';
import { FORCE_ANNOTATION_PREFIX } from '../api/annotations.js';
import { freezeState } from '../core/freeze.js';
import type { KubeObject } from '../kube/resource.js';
import type { RuntimeDeps } from '../runtime/runtime-deps.js';
import type { NamespaceSnapshot } from './namespace-snapshot.js';

/** What of an Application its rules depend on: its scheme and rules. */
const rulesKey = (app: Application) =>
  JSON.stringify([app.spec.versionScheme ?? 'semver', app.spec.compatibility ?? []]);

export class CompatibilityViews {
  private readonly memo = new Map<
    string,
    { key: string; view: CompatibilityView; rules: Map<string, string> }
  >();
  /**
   * "ns/app" → env → version: desired versions decided but not yet written
   * (reserve()), counted by every view until the write lands.
   */
  private readonly inflight = new Map<string, Map<string, string>>();
  /** "ns/app" → its states at a resourceVersion and freeze state. */
  private readonly states = new Map<string, { version: string; states: readonly ApplicationEnvState[] }>();
  private readonly evaluation: Histogram;
  private readonly blockedGauge: Gauge;
  /** "ns/app" → blocked requests by reason, summed into the gauge. */
  private readonly blockedBy = new Map<string, Map<string, number>>();
  private readonly totals = new Map<string, number>();

  /**
   * Per namespace, counters of the changes that can alter the choice, kept
   * from the informers' events: a reconcile compares two numbers instead of
   * listing the namespace (which made every reconcile O(applications)).
   */
  private readonly changes = new Map<string, { specs: number; objects: number }>();
  /** "ns/app" → what of it the choice depends on (generation, force annotations). */
  private readonly specs = new Map<string, string>();
  /** Per namespace: the rule catalog of its Applications, at a count of spec changes. */
  private readonly catalogs = new Map<string, { specs: number; catalog: ReturnType<typeof catalogOf> }>();
  /**
   * Per namespace: Applications changed (any event) since its catalog was made: a new
   * catalog reads only these again (reading all made each reconcile of a bulk change O(applications)).
   */
  private readonly changedSinceCatalog = new Map<string, Set<string>>();

  constructor(private readonly deps: RuntimeDeps) {
    deps.informers
      .informer<KubeObject>(Applications)
      .on(({ type, object }) => this.applicationEvent(type, object));
    for (const resource of [Environments, EnvironmentSets])
      deps.informers
        .informer<KubeObject>(resource)
        .on(({ object }) => this.counters(namespaceOf(object)).objects++);
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

  /**
   * The view for one application's reconcile. While specs change in a burst
   * (CI writing a version to many applications), a view made a moment ago
   * still serves the requests it chose (their moves are in its result, so
   * they stay consistent with each other), and a request it did not see
   * moves by itself if every rule involving it holds both with what runs now
   * (decisions in flight included) and with what the view leads to.
   * Anything else — a block, a change of this application's own spec — is
   * decided on a view computed now, so no request is blocked by a stale view.
   */
  view(snapshot: NamespaceSnapshot, now: Date, self: Application): CompatibilityView {
    const namespace = snapshot.namespace;
    const environments = snapshot.environments();
    const frozen = this.frozenKey(environments, now);
    const counters = this.counters(namespace);
    const objects = String(counters.objects);
    const key = `${counters.specs}|${objects}|${frozen}`;
    const memo = this.memo.get(namespace);
    if (memo?.key === key) return memo.view;
    const fresh = () => this.compute(snapshot, now, key, objects, frozen);
    const name = self.metadata.name;
    // A view made before this application's rules changed cannot judge it.
    if (!memo || memo.rules.get(name) !== rulesKey(self)) return fresh();
    const stale = memo.view;
    let current: CompatibilityView | undefined;
    const live = (app: string, env: string) => this.desiredNow(namespace, app, env);
    return {
      verdict: (app, env, version) => {
        const n = app.metadata.name;
        if (!current && stale.chose?.(n, env, version)) return stale.verdict(app, env, version);
        if (!current && !stale.saw?.(n, env, version) && stale.fitsAlone?.(n, env, version, live))
          return { kind: 'deliver' };
        return (current ??= fresh()).verdict(app, env, version);
      },
      broken: (app, env, version) => (current ?? stale).broken(app, env, version),
      // Rules against the applications that exist now.
      problems: (app) => {
        const catalog = this.catalog(snapshot);
        const member = catalog.get(app);
        return member ? ruleProblems(member, catalog) : [];
      },
    };
  }

  private compute(
    snapshot: NamespaceSnapshot,
    now: Date,
    key: string,
    objects: string,
    frozen: string,
  ): CompatibilityView {
    const namespace = snapshot.namespace;
    const environments = snapshot.environments();
    const started = performance.now();
    const sets = snapshot.sets();
    const unreadable = snapshot.unreadable();
    const context = { environments, sets, unreadable, now };
    const view = namespaceCompatibility({
      applications: snapshot.applications(),
      ...context,
      statesOf: (app) => {
        const k = `${namespace}/${app.metadata.name}`;
        const version = `${app.metadata.resourceVersion}|${objects}|${frozen}`;
        const hit = this.states.get(k);
        const states = hit?.version === version ? hit.states : applicationStates(app, context);
        if (hit?.version !== version) this.states.set(k, { version, states });
        const moving = this.inflight.get(k);
        return moving
          ? states.map((st) => (moving.has(st.env) ? { ...st, desired: moving.get(st.env) } : st))
          : states;
      },
      desiredNow: (app, env) => this.desiredInCache(namespace, app, env),
    });
    this.evaluation.observe((performance.now() - started) / 1000);
    const rules = new Map(snapshot.applications().map((a) => [a.metadata.name, rulesKey(a)]));
    this.memo.set(namespace, { key, view, rules });
    return view;
  }

  /** What the cache says is desired. */
  private desiredInCache(namespace: string, app: string, env: string): string | undefined {
    const obj = this.deps.informers.informer<KubeObject>(Applications).get(namespace, app) as
      { status?: { environments?: { name: string; desired?: string }[] } } | undefined;
    return obj?.status?.environments?.find((e) => e.name === env)?.desired;
  }

  /** Desired now: decided (in flight), else as the cache says. */
  private desiredNow(namespace: string, app: string, env: string): string | undefined {
    const moving = this.inflight.get(`${namespace}/${app}`)?.get(env);
    return moving ?? this.desiredInCache(namespace, app, env);
  }

  /**
   * Reserves the moves one reconcile decided (environment → version newly
   * desired): every view counts them as desired until the reservation is
   * released. Taken right after the plan, with no await between the view,
   * the plan and this call, so two reconciles side by side never both keep
   * a rule that their sum breaks: the second one's view counts the first's
   * moves. Released once the status write landed (stored) or did not; a
   * view made meanwhile counted moves that did not happen, so after a
   * failure the next decision computes a new one.
   */
  reserve(namespace: string, app: string, moves: ReadonlyMap<string, string>): Reservation {
    const key = `${namespace}/${app}`;
    const mine = new Map(moves);
    if (mine.size > 0) this.inflight.set(key, mine);
    else this.inflight.delete(key);
    let released = false;
    return {
      release: (stored) => {
        if (released) return;
        released = true;
        if (this.inflight.get(key) !== mine) return;
        if (!stored) this.memo.delete(namespace);
        this.inflight.delete(key);
      },
    };
  }

  /** Records the blocked requests of one application (after its reconcile), or none once it is gone. */
  recordBlocked(
    namespace: string,
    name: string,
    environments: readonly ApplicationEnvironmentStatus[],
  ): void {
    const key = `${namespace}/${name}`;
    const next = new Map<string, number>();
    for (const e of environments)
      if (e.blocked) next.set(e.blocked.reason, (next.get(e.blocked.reason) ?? 0) + 1);
    const before = this.blockedBy.get(key) ?? new Map<string, number>();
    for (const reason of new Set([...before.keys(), ...next.keys()])) {
      const total = (this.totals.get(reason) ?? 0) - (before.get(reason) ?? 0) + (next.get(reason) ?? 0);
      this.totals.set(reason, total);
      this.blockedGauge.set({ reason }, total);
    }
    if (next.size > 0) this.blockedBy.set(key, next);
    else this.blockedBy.delete(key);
    if (environments.length === 0) this.states.delete(key);
  }

  private counters(namespace: string): { specs: number; objects: number } {
    let c = this.changes.get(namespace);
    if (!c) this.changes.set(namespace, (c = { specs: 0, objects: 0 }));
    return c;
  }

  /** Counts a change of what can alter the choice: an Application added, deleted, or its spec or force annotations changed. */
  private applicationEvent(type: 'add' | 'update' | 'delete', o: KubeObject): void {
    const namespace = namespaceOf(o);
    const key = `${namespace}/${o.metadata?.name ?? ''}`;
    let changed = this.changedSinceCatalog.get(namespace);
    if (!changed) this.changedSinceCatalog.set(namespace, (changed = new Set()));
    changed.add(o.metadata?.name ?? '');
    if (type === 'delete') {
      this.specs.delete(key);
      this.counters(namespace).specs++;
      return;
    }
    const forces = Object.entries(o.metadata?.annotations ?? {})
      .filter(([k]) => k.startsWith(FORCE_ANNOTATION_PREFIX))
      .map(([k, v]) => `${k}=${v}`)
      .join(';');
    const spec = `${o.metadata?.generation}|${forces}`;
    if (this.specs.get(key) === spec) return;
    this.specs.set(key, spec);
    this.counters(namespace).specs++;
  }

  /** The namespace's rule catalog, made again only after a spec changed, from the Applications changed since. */
  private catalog(snapshot: NamespaceSnapshot): ReturnType<typeof catalogOf> {
    const namespace = snapshot.namespace;
    const specs = this.counters(namespace).specs;
    const hit = this.catalogs.get(namespace);
    if (hit?.specs === specs) return hit.catalog;
    const changed = this.changedSinceCatalog.get(namespace) ?? new Set<string>();
    this.changedSinceCatalog.delete(namespace);
    let catalog: ReturnType<typeof catalogOf>;
    if (!hit) catalog = catalogOf(snapshot.applications());
    else {
      catalog = new Map(hit.catalog);
      for (const name of changed) {
        catalog.delete(name);
        const app = snapshot.application(name);
        if (app) for (const [n, member] of catalogOf([app])) catalog.set(n, member);
      }
    }
    this.catalogs.set(namespace, { specs, catalog });
    return catalog;
  }

  private frozenKey(environments: ReadonlyMap<string, Environment>, now: Date): string {
    return [...environments.values()]
      .map((e) => {
        try {
          return freezeState(e.spec.freeze, now).frozen ? 'F' : '-';
        } catch {
          return '?';
        }
      })
      .join('');
  }
}

const namespaceOf = (o: KubeObject) => o.metadata?.namespace ?? '';

/** Moves decided by one reconcile, counted by every view until released. */
export interface Reservation {
  /** The status write landed (stored) or will not: the cache says what is desired from now on. Idempotent. */
  release(stored: boolean): void;
}
