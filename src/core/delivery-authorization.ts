// The owner's opt-in: Depot writes an Argo CD Application or a Flux
// object only if its depot.sh/authorized-targets annotation lists the Target
// that writes, as `<namespace>/<target>` or `<namespace>/*`. A team cannot use
// Depot's permissions to change another team's deployments.
import { AUTHORIZED_TARGETS_ANNOTATION } from '../api/annotations.js';
import type { KubeObject } from '../kube/resource.js';

/** True when the object's annotation lists `<namespace>/<target>` or `<namespace>/*`. */
export function authorizesTarget(object: KubeObject, targetNamespace: string, target: string): boolean {
  const listed = object.metadata?.annotations?.[AUTHORIZED_TARGETS_ANNOTATION];
  if (!listed) return false;
  return listed
    .split(',')
    .map((entry) => entry.trim())
    .some((entry) => entry === `${targetNamespace}/${target}` || entry === `${targetNamespace}/*`);
}

/** Why Depot does not write the object, and what its owner adds to allow it. */
export function unauthorizedMessage(
  description: string,
  object: KubeObject,
  targetNamespace: string,
  target: string,
): string {
  const listed = object.metadata?.annotations?.[AUTHORIZED_TARGETS_ANNOTATION];
  const now = listed ? ` (it lists "${listed}")` : '';
  return (
    `${description} does not authorize Target ${targetNamespace}/${target}${now}: ` +
    `its owner adds the annotation ${AUTHORIZED_TARGETS_ANNOTATION}: "${targetNamespace}/${target}" ` +
    `(or "${targetNamespace}/*") to allow Depot to write it`
  );
}
