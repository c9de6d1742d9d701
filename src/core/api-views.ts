// What the HTTP API answers for reads, computed from cached objects without
// I/O: an application's versions per environment and target, an
// environment's and a target's versions, an application's history, a
// Promotion's gates and the outcome of its last run.
import type { Application, HistoryEntry } from '../api/application.js';
import type {
  ApplicationView,
  EnvironmentVersions,
  History,
  PromotionView,
  TargetVersions,
} from '../api/http.js';
import type { Promotion, PromotionGate } from '../api/promotion.js';
import type { Target } from '../api/target.js';
import { deliveryKind } from './delivery.js';
import { versionsFor } from './versions.js';

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
const defined = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as T;

export function applicationView(app: Application): ApplicationView {
  return {
    name: app.metadata.name,
    namespace: app.metadata.namespace ?? '',
    versionScheme: versionsFor(app).scheme,
    environments: (app.status?.environments ?? [])
      .map((e) =>
        defined({
          name: e.name,
          requested: e.requested,
          desired: e.desired,
          setBy: e.setBy,
          blocked: e.blocked ?? undefined,
        }),
      )
      .sort(byName),
    targets: (app.status?.targets ?? [])
      .map((t) =>
        defined({
          name: t.name,
          environment: t.environment,
          desired: t.desired,
          deployed: t.deployed,
          deployedAt: t.deployedAt,
          delivery: t.delivery,
        }),
      )
      .sort(byName),
    ...(app.spec.compatibility?.length ? { compatibility: app.spec.compatibility } : {}),
    ...(app.status?.knownVersions?.length ? { knownVersions: app.status.knownVersions } : {}),
    ...(app.status?.rejectedVersions?.length ? { rejectedVersions: app.status.rejectedVersions } : {}),
  };
}

/** History newest first, at most `limit` entries, optionally of one environment. */
export function historyView(app: Application, opts: { limit?: number; environment?: string }): History {
  let items: HistoryEntry[] = app.status?.history ?? [];
  if (opts.environment) items = items.filter((h) => h.environment === opts.environment);
  if (opts.limit !== undefined) items = items.slice(0, opts.limit);
  return { application: app.metadata.name, items };
}

/** Every application's versions in `environment` (those whose status names it), by name. */
export function environmentVersions(
  namespace: string,
  environment: string,
  apps: readonly Application[],
): EnvironmentVersions {
  const items = apps.flatMap((app) => {
    const e = app.status?.environments?.find((x) => x.name === environment);
    if (!e) return [];
    return [
      defined({
        application: app.metadata.name,
        requested: e.requested,
        desired: e.desired,
        blocked: e.blocked ?? undefined,
      }),
    ];
  });
  items.sort((a, b) => a.application.localeCompare(b.application));
  return { namespace, environment, items };
}

/**
 * What an agent polls: every application on `target` with the version to run
 * there, the deployed version last reported, and the application's own
 * delivery settings for this target.
 */
export function targetVersions(target: Target, apps: readonly Application[]): TargetVersions {
  const name = target.metadata.name;
  const items = apps.flatMap((app) => {
    const t = app.status?.targets?.find((x) => x.name === name);
    if (!t) return [];
    return [
      defined({
        application: app.metadata.name,
        desired: t.desired,
        deployed: t.deployed,
        override: app.spec.targets?.[name],
      }),
    ];
  });
  items.sort((a, b) => a.application.localeCompare(b.application));
  return {
    namespace: target.metadata.namespace ?? '',
    target: name,
    environment: target.spec.environment,
    delivery: deliveryKind(target),
    items,
  };
}

/** A Promotion's gates (name, kind, interval: not where they call) and its last run, gate answers included. */
export function promotionView(p: Promotion): PromotionView {
  const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
  return defined({
    name: p.metadata.name,
    namespace: p.metadata.namespace ?? '',
    from: p.spec.from,
    to: p.spec.to,
    suspended: p.spec.suspend === true,
    ready: ready
      ? defined({ status: ready.status, reason: ready.reason, message: ready.message })
      : { status: 'Unknown' as const },
    gates: (p.spec.gates ?? []).map(gateView),
    results: p.status?.results ?? [],
    summary: p.status?.summary,
    holds: p.status?.holds ?? [],
    verify: p.spec.verify
      ? defined({
          for: p.spec.verify.for,
          deployTimeout: p.spec.verify.deployTimeout,
          onFailure: p.spec.verify.onFailure ?? ('rollback' as const),
          reject: p.spec.verify.reject === true,
          gates: p.spec.verify.gates.map(gateView),
        })
      : undefined,
    requireVerified: p.spec.requireVerified === true,
    verifications: p.status?.verifications ?? [],
  });
}

/** A gate without where it calls (name, kind, interval). */
const gateView = (g: PromotionGate) =>
  defined({
    name: g.name,
    kind: g.prometheus ? ('prometheus' as const) : ('http' as const),
    interval: g.interval,
  });
