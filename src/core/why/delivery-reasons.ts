// Delivery of a desired version: each target of the environment as the
// Application's status reports it (delivery state, deployed version, the last
// error), and why the version is not deployed on every one of them.
import type { Application } from '../../api/application.js';
import type { Why, WhyReason } from '../../api/http.js';
import type { Versions } from '../versions.js';

export type WhyTarget = Why['targets'][number];

/** The targets of `env` in the Application's status, by name. */
export function environmentTargets(app: Application, env: string): WhyTarget[] {
  return (app.status?.targets ?? [])
    .filter((t) => t.environment === env)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((t) => ({
      name: t.name,
      ...(t.delivery?.state ? { state: t.delivery.state } : {}),
      ...(t.deployed !== undefined ? { deployed: t.deployed } : {}),
      ...(t.delivery?.message ? { message: t.delivery.message } : {}),
    }));
}

/** Why `version`, desired in `env`, is not reported deployed on every target. */
export function deliveryReasons(
  env: string,
  version: string,
  targets: readonly WhyTarget[],
  v: Versions,
): WhyReason[] {
  if (targets.length === 0)
    return [
      {
        kind: 'delivery',
        message: `${env} has no Target, so nothing delivers ${version} or reports it deployed (add a Target with spec.environment: ${env})`,
      },
    ];
  return targets
    .filter((t) => !v.same(t.deployed, version))
    .map((t) => ({
      kind: 'delivery',
      message: `target ${t.name}: ${t.state ?? 'not delivered yet'}, reports ${t.deployed ?? 'nothing'} deployed${t.message ? `; last: ${t.message}` : ''}`,
    }));
}
