// Which of the hub's per-application delivery overrides (an Application's
// spec.targets.<target>) this agent applies: only the fields its
// --allow-override names. A hub, or anyone on the link, must not steer the
// agent's writes to other objects or fields of its cluster.
import type { Delivery, DeliveryOverride } from '../api/delivery.js';

/** Every override field, as --allow-override names it. */
export const OVERRIDE_FIELDS = [
  'argocd.applicationNamespace',
  'argocd.applicationName',
  'argocd.set',
  'argocd.source',
  'flux.patch.apiVersion',
  'flux.patch.kind',
  'flux.patch.name',
  'flux.patch.namespace',
  'flux.patch.field',
  'flux.patch.appliedBy',
] as const;

export type OverrideField = (typeof OVERRIDE_FIELDS)[number];

/** The override's fields that would change this agent's local delivery (those of its own kind). */
export function appliedOverrideFields(
  override: DeliveryOverride | undefined,
  local: Delivery,
): OverrideField[] {
  if (!override) return [];
  if (local.argocd && override.argocd)
    return Object.keys(override.argocd).map((k) => `argocd.${k}` as OverrideField);
  if (local.flux?.patch && override.flux?.patch)
    return Object.keys(override.flux.patch).map((k) => `flux.patch.${k}` as OverrideField);
  return [];
}

/** The applied fields --allow-override does not allow; empty when the override may apply. */
export function refusedOverrideFields(
  override: DeliveryOverride | undefined,
  local: Delivery,
  allowed: readonly OverrideField[],
): OverrideField[] {
  return appliedOverrideFields(override, local).filter((f) => !allowed.includes(f));
}
