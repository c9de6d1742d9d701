// How the runtime names a kind of object (group/version/plural) and one
// object (its key), and the minimal shape every Kubernetes object has.
export interface ResourceType {
  /** API group; '' for the core group (ConfigMap, Secret, …). */
  group: string;
  version: string;
  /** Lower-case plural used in URLs (configmaps, applications). */
  plural: string;
  kind: string;
  namespaced: boolean;
  /**
   * Applied to every status the StatusWriter is about to compare and write,
   * so that it fits the kind's schema (Depot cuts free text to its limits).
   */
  fitStatus?: <S>(status: S) => S;
  /**
   * What an informer keeps of each object it caches (lists, watch events and
   * the objects its own writes return), e.g. managedFields trimmed to what
   * readers use. It may replace fields of the object and of its metadata,
   * never modify a nested value in place.
   */
  cacheTransform?: <T extends KubeObject>(obj: T) => T;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  finalizers?: string[];
  ownerReferences?: unknown[];
  managedFields?: unknown[];
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

/** What a controller reconciles: one object, by namespace and name. */
export interface Request {
  namespace: string;
  name: string;
}

export function apiVersionOf(resource: ResourceType): string {
  return resource.group ? `${resource.group}/${resource.version}` : resource.version;
}

/** "group/version/plural" (core group: "v1/plural"): how informers are shared. */
export function resourceId(resource: ResourceType): string {
  return `${apiVersionOf(resource)}/${resource.plural}`;
}

/** The REST path of a collection, an object or a subresource. */
export function resourcePath(
  resource: ResourceType,
  opts: { namespace?: string; name?: string; subresource?: string } = {},
): string {
  const base = resource.group ? `/apis/${resource.group}/${resource.version}` : `/api/${resource.version}`;
  const ns = resource.namespaced && opts.namespace ? `/namespaces/${encodeURIComponent(opts.namespace)}` : '';
  const name = opts.name ? `/${encodeURIComponent(opts.name)}` : '';
  const sub = opts.name && opts.subresource ? `/${opts.subresource}` : '';
  return `${base}${ns}/${resource.plural}${name}${sub}`;
}

/** "namespace/name", or "name" for cluster-scoped objects (client-go's MetaNamespaceKey). */
export function keyOf(obj: { metadata?: ObjectMeta }): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  return ns ? `${ns}/${name}` : name;
}

export function requestKey(req: Request): string {
  return req.namespace ? `${req.namespace}/${req.name}` : req.name;
}

export function parseKey(key: string): Request {
  const slash = key.indexOf('/');
  return slash < 0
    ? { namespace: '', name: key }
    : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export function requestOf(obj: { metadata?: ObjectMeta }): Request {
  return { namespace: obj.metadata?.namespace ?? '', name: obj.metadata?.name ?? '' };
}

export const ConfigMaps: ResourceType = {
  group: '',
  version: 'v1',
  plural: 'configmaps',
  kind: 'ConfigMap',
  namespaced: true,
};
export const Secrets: ResourceType = {
  group: '',
  version: 'v1',
  plural: 'secrets',
  kind: 'Secret',
  namespaced: true,
};
export const Leases: ResourceType = {
  group: 'coordination.k8s.io',
  version: 'v1',
  plural: 'leases',
  kind: 'Lease',
  namespaced: true,
};
