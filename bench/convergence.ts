// When an Application has converged, read from its status only (black box):
// for every expected environment, the version is desired there and delivered
// on every Target of that environment.
import type { DepotObject } from './bench-client.js';

/** The part of an Application the harness keeps (a few hundred bytes, not the object). */
export interface AppSummary {
  /** spec.versions: what was requested per environment. */
  requested: Record<string, string>;
  /** status.environments[].desired per environment. */
  desired: Record<string, string | undefined>;
  targets: { name: string; environment?: string; desired?: string; state?: string }[];
}

interface StatusShape {
  environments?: { name?: string; desired?: string }[];
  targets?: { name?: string; environment?: string; desired?: string; delivery?: { state?: string } }[];
}

export function summarize(app: DepotObject): AppSummary {
  const status = (app.status ?? {}) as StatusShape;
  const requested = ((app.spec as { versions?: Record<string, string> } | undefined)?.versions ??
    {}) as Record<string, string>;
  const desired: AppSummary['desired'] = {};
  for (const e of status.environments ?? []) if (e.name) desired[e.name] = e.desired;
  return {
    requested: { ...requested },
    desired,
    targets: (status.targets ?? []).map((t) => ({
      name: t.name ?? '',
      environment: t.environment,
      desired: t.desired,
      state: t.delivery?.state,
    })),
  };
}

/** Versions expected per environment, e.g. { dev: '1.1.0' }. */
export type Expected = Readonly<Record<string, string>>;

/**
 * Whether every expected version is desired in its environment and delivered
 * on each of that environment's targets (at least `targetsPerEnvironment` of them).
 */
export function isConverged(
  s: AppSummary | undefined,
  expected: Expected,
  targetsPerEnvironment: number,
): boolean {
  if (!s) return false;
  for (const [env, version] of Object.entries(expected)) {
    if (s.desired[env] !== version) return false;
    const targets = s.targets.filter((t) => t.environment === env);
    if (targets.length < targetsPerEnvironment) return false;
    if (!targets.every((t) => t.desired === version && t.state === 'Delivered')) return false;
  }
  return true;
}

/** Whether spec.versions holds the expected versions (a promotion's write, before any status). */
export function isRequested(s: AppSummary | undefined, expected: Expected): boolean {
  return !!s && Object.entries(expected).every(([env, v]) => s.requested[env] === v);
}
