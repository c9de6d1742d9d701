// Which object and field a Flux `patch` delivery writes for one application:
// the Target's settings (with the Application's overrides merged) and their
// `${…}` templates expanded. Pure; bad settings become a message that names
// the Target's field.
import type { FluxPatch } from '../../api/delivery.js';
import { expandTemplate, type TemplateValues } from '../../core/delivery.js';
import type { ResourceType } from '../../kube/resource.js';
import { fluxResource, type FluxKind } from './kinds.js';
import { parseFieldPath, type FieldPath } from './patch.js';

export interface PatchTarget {
  resource: ResourceType & { kind: FluxKind };
  namespace: string;
  name: string;
  path: FieldPath;
  /** The dotted field, for messages. */
  field: string;
  /** `HelmRelease flux-system/core`, for messages. */
  object: string;
  /** The Kustomization that applies a patched source (patch.appliedBy), expanded. */
  appliedBy?: { namespace: string; name: string };
}

export function patchTarget(patch: FluxPatch, values: TemplateValues): PatchTarget | { error: string } {
  const resource = fluxResource(patch.apiVersion, patch.kind);
  if ('error' in resource) return { error: `spec.delivery.flux.patch: ${resource.error}` };
  const name = expandTemplate(patch.name, values);
  const namespace = patch.namespace ? expandTemplate(patch.namespace, values) : values.namespace;
  const field = expandTemplate(patch.field, values);
  const path = parseFieldPath(field);
  if ('error' in path) return { error: `spec.delivery.flux.patch.field: ${path.error}` };
  if (patch.appliedBy && patch.kind !== 'GitRepository' && patch.kind !== 'OCIRepository')
    return {
      error: `spec.delivery.flux.patch.appliedBy names the Kustomization that applies a GitRepository or OCIRepository; ${patch.kind} is neither`,
    };
  const appliedBy = patch.appliedBy && {
    name: expandTemplate(patch.appliedBy.name, values),
    namespace: patch.appliedBy.namespace ? expandTemplate(patch.appliedBy.namespace, values) : namespace,
  };
  return {
    resource: resource as PatchTarget['resource'],
    namespace,
    name,
    path,
    field,
    object: `${patch.kind} ${namespace}/${name}`,
    ...(appliedBy ? { appliedBy } : {}),
  };
}
