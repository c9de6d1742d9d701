// Formats of names: Depot objects and the references between them, Kubernetes
// API versions and kinds, label selectors.
import type { StringFormat } from './format.js';

/**
 * Every Depot object name and every reference to one is an RFC 1123 label
 * (like a Service name): names appear in `spec.versions` keys, templates and
 * label values, where dots and 253 characters would not fit.
 */
export const dnsLabel: StringFormat = {
  pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
  maxLength: 63,
  message:
    'must be a lowercase RFC 1123 label: at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit (e.g. "prod-eu")',
};

/** Names of objects Depot does not own (Argo CD Applications, Flux objects, Secrets, namespaces). */
export const dnsSubdomain: StringFormat = {
  pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
  maxLength: 253,
  message:
    'must be a lowercase RFC 1123 subdomain: lowercase letters, digits, "-" and ".", starting and ending with a letter or digit (e.g. "flux-system")',
};

/**
 * A Kubernetes namespace: an RFC 1123 label, like dnsLabel, said for a
 * namespace (Kubernetes refuses "." and ".."; a client would read them as
 * path segments and reach every namespace).
 */
export const namespaceName: StringFormat = {
  ...dnsLabel,
  message:
    'must be a namespace: a lowercase RFC 1123 label of at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit (e.g. "argocd")',
};

/** A name of an object Depot delivers to (Argo CD Application, Flux object): an RFC 1123 subdomain. */
export const objectName: StringFormat = {
  ...dnsSubdomain,
  message:
    'must be an object name: a lowercase RFC 1123 subdomain of at most 253 lowercase letters, digits, "-" and ".", each dot-separated part starting and ending with a letter or digit (e.g. "core-prod")',
};

/** Whether `value` has the format (the length, then the pattern). */
export function matchesFormat(format: StringFormat, value: string): boolean {
  return value.length <= format.maxLength && new RegExp(format.pattern).test(value);
}

export const apiVersionFormat: StringFormat = {
  pattern:
    '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?v[0-9]+((alpha|beta)[0-9]+)?$',
  maxLength: 317,
  message: 'must be a Kubernetes API version such as "helm.toolkit.fluxcd.io/v2" or "v1"',
};

export const kindFormat: StringFormat = {
  pattern: '^[A-Z][A-Za-z0-9]*$',
  maxLength: 63,
  message: 'must be a Kubernetes kind such as "HelmRelease" (starts with an uppercase letter)',
};

/** Label keys: optional DNS-subdomain prefix, then a name of at most 63 characters. */
export const labelKey: StringFormat = {
  pattern:
    '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$',
  maxLength: 317,
  message: 'must be a label key such as "app.kubernetes.io/part-of" or "team"',
};

export const labelValue: StringFormat = {
  pattern: '^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$',
  maxLength: 63,
  message:
    'must be a label value: at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit',
};
