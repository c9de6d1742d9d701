// Argo CD's Application kind (argoproj/argo-cd manifests/crds/application-crd.yaml).
import { dropManagedFields } from '../../kube/managed-fields.js';
import type { ResourceType } from '../../kube/resource.js';

export const ArgoApplications: ResourceType = {
  group: 'argoproj.io',
  version: 'v1alpha1',
  plural: 'applications',
  kind: 'Application',
  namespaced: true,
  // Thousands may be cached; Depot never asks who wrote their fields.
  cacheTransform: dropManagedFields,
};
