// The force annotation, `force.depot.sh/<env>: <version>`: lets that exact
// request through a freeze, once. When the forced version has become
// desired the force is spent and the operator removes the annotation, so a
// later request of the same version in another freeze is not forced by
// nobody.
import { FORCE_ANNOTATION_PREFIX, forceAnnotation } from '../../api/annotations.js';
import type { Application } from '../../api/application.js';
import { actorOf, type ManagedFieldsEntry } from '../field-managers.js';
import type { Versions } from '../versions.js';

export interface SpentForce {
  environment: string;
  /** The annotation's value, so the removal can be made conditional on it. */
  version: string;
}

/** The version forced into `env`, if any. */
export function forcedVersion(app: Application, env: string): string | undefined {
  return app.metadata.annotations?.[forceAnnotation(env)];
}

/** Whether the request of `env` is forced: the annotation names exactly the requested version. */
export function isForced(app: Application, v: Versions, env: string, requested: string): boolean {
  const forced = forcedVersion(app, env);
  return forced !== undefined && v.same(forced, requested);
}

/** Who set the force annotation of `env` (from managedFields), as an audit actor. */
export function forcedBy(app: Application, env: string): string | undefined {
  const key = `f:${forceAnnotation(env)}`;
  let best: { manager: string; time: number } | undefined;
  for (const entry of (app.metadata.managedFields ?? []) as ManagedFieldsEntry[]) {
    const fields = entry.fieldsV1 as Record<string, Record<string, Record<string, unknown>>> | undefined;
    if (
      !entry.manager ||
      !fields?.['f:metadata']?.['f:annotations'] ||
      !(key in fields['f:metadata']['f:annotations'])
    )
      continue;
    const time = entry.time ? new Date(entry.time).getTime() : 0;
    if (!best || time >= best.time) best = { manager: entry.manager, time };
  }
  return best ? actorOf(best.manager) : undefined;
}

/** Force annotations whose version is desired now: they have done their job. */
export function spentForces(
  app: Application,
  v: Versions,
  desired: ReadonlyMap<string, string | undefined>,
): SpentForce[] {
  const out: SpentForce[] = [];
  for (const [key, version] of Object.entries(app.metadata.annotations ?? {})) {
    if (!key.startsWith(FORCE_ANNOTATION_PREFIX)) continue;
    const environment = key.slice(FORCE_ANNOTATION_PREFIX.length);
    if (v.same(desired.get(environment), version)) out.push({ environment, version });
  }
  return out;
}
