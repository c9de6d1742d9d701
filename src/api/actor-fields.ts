// The fields of an Application whose writer Depot names in its history and
// decisions: spec.versions.<env> (versionWriter), the force annotations
// (forcedBy), spec.rejectedVersions (rejectedBy). The informer cache keeps
// managedFields only under these paths (kube/managed-fields.ts): a reader of
// another field's writer must add its path here.
import type { FieldSetPath } from '../kube/managed-fields.js';

export const APPLICATION_ACTOR_FIELDS: readonly FieldSetPath[] = [
  ['f:spec', 'f:versions'],
  ['f:metadata', 'f:annotations'],
  ['f:spec', 'f:rejectedVersions'],
];
