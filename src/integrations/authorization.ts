// The owner's opt-in (spec §1): Depot writes an Argo CD Application or a Flux
// object only when its `depot.sh/authorized-targets` annotation lists the
// Target that writes, as `<namespace>/<target>` or `<namespace>/*`, so a team
// cannot use Depot's permissions to change another team's deployments.
import { AUTHORIZED_TARGETS_ANNOTATION } from '../api/annotations.js';
import type { KubeObject } from '../kube/resource.js';

export interface TargetRef {
  namespace: string;
  name: string;
}

/** The entries of the annotation, trimmed, empty ones dropped. */
export function authorizedTargets(obj: KubeObject): string[] {
  const value = obj.metadata?.annotations?.[AUTHORIZED_TARGETS_ANNOTATION] ?? '';
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function isAuthorized(obj: KubeObject, target: TargetRef): boolean {
  const entries = authorizedTargets(obj);
  return entries.includes(`${target.namespace}/${target.name}`) || entries.includes(`${target.namespace}/*`);
}

/** The message of a Failed delivery to an object that did not opt in: what to add, where. */
export function unauthorizedMessage(object: string, target: TargetRef): string {
  return (
    `${object} does not authorize Target ${target.namespace}/${target.name}: ` +
    `add "${target.namespace}/${target.name}" (or "${target.namespace}/*") to its annotation ${AUTHORIZED_TARGETS_ANNOTATION}`
  );
}
