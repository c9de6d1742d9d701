// The Flux kinds a `patch` delivery can write, and how to address them: the
// Target names an apiVersion and kind, the API needs the plural. Only kinds of
// Flux's own API groups are accepted (a `Kustomization` of
// kustomize.config.k8s.io is not Flux's), and only those Depot's RBAC allows.
import { dropManagedFields } from '../../kube/managed-fields.js';
import type { ResourceType } from '../../kube/resource.js';

export const FLUX_KINDS = {
  HelmRelease: { group: 'helm.toolkit.fluxcd.io', plural: 'helmreleases' },
  Kustomization: { group: 'kustomize.toolkit.fluxcd.io', plural: 'kustomizations' },
  GitRepository: { group: 'source.toolkit.fluxcd.io', plural: 'gitrepositories' },
  OCIRepository: { group: 'source.toolkit.fluxcd.io', plural: 'ocirepositories' },
} as const;

export type FluxKind = keyof typeof FLUX_KINDS;

export const isFluxKind = (kind: string): kind is FluxKind => Object.hasOwn(FLUX_KINDS, kind);

/** The Kustomizations a patched source's `appliedBy` names (the version Flux 2.x serves). */
export const KUSTOMIZATIONS: ResourceType = {
  group: FLUX_KINDS.Kustomization.group,
  version: 'v1',
  plural: FLUX_KINDS.Kustomization.plural,
  kind: 'Kustomization',
  namespaced: true,
  cacheTransform: dropManagedFields,
};

/** The resource of (apiVersion, kind), or a message saying why Depot cannot patch it. */
export function fluxResource(apiVersion: string, kind: string): ResourceType | { error: string } {
  if (!isFluxKind(kind))
    return {
      error: `kind ${kind} is not a Flux kind Depot can patch (${Object.keys(FLUX_KINDS).join(', ')})`,
    };
  const { group, plural } = FLUX_KINDS[kind];
  const slash = apiVersion.indexOf('/');
  const [g, version] =
    slash < 0 ? ['', apiVersion] : [apiVersion.slice(0, slash), apiVersion.slice(slash + 1)];
  if (g !== group || !version)
    return { error: `apiVersion ${apiVersion} is not one of ${kind}'s: expected ${group}/<version>` };
  // Depot never asks who wrote a Flux object's fields: the cache keeps no managedFields.
  return { group, version, plural, kind, namespaced: true, cacheTransform: dropManagedFields };
}
