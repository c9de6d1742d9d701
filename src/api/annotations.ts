// Annotations Depot reads, in one place.

/** `force.depot.sh/<env>: <version>` on an Application: that exact request goes through a freeze, once. */
export const FORCE_ANNOTATION_PREFIX = 'force.depot.sh/';

export const forceAnnotation = (env: string): string => `${FORCE_ANNOTATION_PREFIX}${env}`;

/**
 * On an Argo CD Application or a Flux object: the Targets allowed to write
 * it, comma-separated `<namespace>/<target>` or `<namespace>/*` (the owner's
 * opt-in; without it Depot does not write the object).
 */
export const AUTHORIZED_TARGETS_ANNOTATION = 'depot.sh/authorized-targets';

/**
 * On the same object: the fields beyond the kind's version fields that the
 * authorized Targets may write (and read), comma-separated exact names: Flux
 * field paths (`spec.values.image.tag`), `helm:<parameter>` and
 * `kustomize:<image>` for Argo CD. No wildcards.
 */
export const AUTHORIZED_FIELDS_ANNOTATION = 'depot.sh/authorized-fields';

/**
 * `release.depot.sh/<env>: <version>` on an Application (depot release): the
 * hold that a rollback from <version> in <env> put on promotions is released.
 */
export const RELEASE_ANNOTATION_PREFIX = 'release.depot.sh/';
export const releaseAnnotation = (env: string): string => `${RELEASE_ANNOTATION_PREFIX}${env}`;

/** `rollback.depot.sh/<env>: <reason>`: why the last depot rollback of <env> was made (in its history entry). */
export const ROLLBACK_REASON_ANNOTATION_PREFIX = 'rollback.depot.sh/';
export const rollbackReasonAnnotation = (env: string): string => `${ROLLBACK_REASON_ANNOTATION_PREFIX}${env}`;

/** `unreject.depot.sh/last: <version>`: written by depot unreject with the rejection's removal, to name who removed it. */
export const UNREJECT_ANNOTATION = 'unreject.depot.sh/last';

/** `approved.depot.sh/<env>: <approver>`: written by a Promotion with an approved version, named in its history. */
export const APPROVED_BY_ANNOTATION_PREFIX = 'approved.depot.sh/';
export const approvedByAnnotation = (env: string): string => `${APPROVED_BY_ANNOTATION_PREFIX}${env}`;
