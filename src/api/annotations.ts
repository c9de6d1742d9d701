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
