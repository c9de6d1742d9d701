// Depot's API group and the one version it serves.
export const GROUP = 'depot.sh';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
