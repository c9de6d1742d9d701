// The pure part of Argo CD delivery: which Application and field a request
// names (templates expanded, the Application's per-target settings merged),
// what the field holds, the change that writes the version, and the deployed
// version read back from status. Fields follow Argo CD's Application type
// (pkg/apis/application/v1alpha1/types.go in argoproj/argo-cd).
import type { ArgocdDelivery } from '../../api/delivery.js';
import { expandTemplate, templateValues, type DeliveryRequest } from '../../core/delivery.js';
import type { ConsentField } from '../../core/delivery-authorization.js';
import { deliveryNameProblems } from '../../core/delivery-names.js';
import { isPlainObject, type JsonObject } from '../../kube/json.js';
import type { KubeObject } from '../../kube/resource.js';

/** The field of a source that receives the version. */
export type ArgocdField =
  | { kind: 'targetRevision' }
  | { kind: 'helmParameter'; name: string }
  | { kind: 'kustomizeImage'; image: string };

/** The Application and field one request writes. */
export interface ArgocdPlace {
  namespace: string;
  name: string;
  field: ArgocdField;
  /** For multi-source Applications: the entry of spec.sources, by index or name. */
  source?: number | string;
}

/** The request's Application and field, templates expanded; throws when a rendered namespace or name is not one. */
export function argocdPlace(request: DeliveryRequest): ArgocdPlace {
  const d: Partial<ArgocdDelivery> | undefined = request.delivery.argocd;
  if (!d) throw new Error(`Target ${request.target.metadata.name} has no argocd delivery`);
  const bad = deliveryNameProblems(
    request.application,
    request.target,
    request.environment,
    request.delivery,
  );
  if (bad.length > 0) throw new Error(bad.join('; '));
  const values = templateValues(request.application, request.environment, request.target);
  const set = d.set ?? { targetRevision: {} };
  const field: ArgocdField =
    set.helmParameter !== undefined
      ? { kind: 'helmParameter', name: expandTemplate(set.helmParameter, values) }
      : set.kustomizeImage !== undefined
        ? { kind: 'kustomizeImage', image: expandTemplate(set.kustomizeImage, values) }
        : { kind: 'targetRevision' };
  return {
    namespace: expandTemplate(d.applicationNamespace ?? 'argocd', values),
    name: expandTemplate(d.applicationName ?? '${application}', values),
    field,
    ...(d.source !== undefined ? { source: d.source } : {}),
  };
}

/**
 * The fields depot.sh/authorized-targets alone lets a Target write: the
 * targetRevision of the chosen source. Helm parameters and Kustomize images
 * need depot.sh/authorized-fields.
 */
export const ARGOCD_VERSION_FIELDS: readonly string[] = ['targetRevision'];

/** The field as the owner names it in depot.sh/authorized-fields: `helm:<parameter>`, `kustomize:<image>`. */
export function argocdConsentField(field: ArgocdField): ConsentField {
  const name =
    field.kind === 'helmParameter'
      ? `helm:${field.name}`
      : field.kind === 'kustomizeImage'
        ? `kustomize:${field.image}`
        : 'targetRevision';
  return { name, versionFields: ARGOCD_VERSION_FIELDS };
}

export const describeApplication = (p: { namespace: string; name: string }): string =>
  `Argo CD Application ${p.namespace}/${p.name}`;

/** A source found in a spec (or in status.sync.comparedTo), with its path for messages. */
export type Located = { source: JsonObject; path: string } | { error: string };

/**
 * The source a selector names in `{source, sources}`: spec.source for a
 * single-source Application (or the only entry of spec.sources), else the
 * entry of spec.sources by index or name.
 */
export function locateSource(holder: unknown, selector: number | string | undefined, base: string): Located {
  const h = isPlainObject(holder) ? holder : {};
  const sources = Array.isArray(h.sources) ? h.sources : undefined;
  const single = isPlainObject(h.source) ? h.source : undefined;
  if (selector === undefined) {
    if (single) return { source: single, path: `${base}.source` };
    if (sources?.length === 1 && isPlainObject(sources[0]))
      return { source: sources[0], path: `${base}.sources[0]` };
    if (sources && sources.length > 1)
      return {
        error: `${base}.sources has ${sources.length} entries: set source (an index or a name) in the Target's delivery.argocd (or the Application's spec.targets override)`,
      };
    return { error: `has neither ${base}.source nor ${base}.sources` };
  }
  if (!sources) {
    if (single && (selector === 0 || selector === single.name))
      return { source: single, path: `${base}.source` };
    return {
      error: `has no ${base}.sources (single source): source ${JSON.stringify(selector)} does not exist`,
    };
  }
  if (typeof selector === 'number') {
    const s = sources[selector];
    if (!isPlainObject(s))
      return {
        error: `${base}.sources has ${sources.length} entries: source index ${selector} is out of range`,
      };
    return { source: s, path: `${base}.sources[${selector}]` };
  }
  const index = sources.findIndex((s) => isPlainObject(s) && s.name === selector);
  if (index < 0) {
    const names = sources
      .map((s) => (isPlainObject(s) && typeof s.name === 'string' ? s.name : ''))
      .filter(Boolean);
    return {
      error: `no entry of ${base}.sources is named "${selector}" (names: ${names.length ? names.join(', ') : 'none'})`,
    };
  }
  return { source: sources[index] as JsonObject, path: `${base}.sources[${index}]` };
}

/** The field's path under a source, for messages. */
export function fieldPath(field: ArgocdField): string {
  switch (field.kind) {
    case 'targetRevision':
      return 'targetRevision';
    case 'helmParameter':
      return `helm.parameters[name=${field.name}].value`;
    case 'kustomizeImage':
      return `kustomize.images[${field.image}] tag`;
  }
}

/** What the field holds in a source; undefined when it is absent. */
export function readField(source: JsonObject, field: ArgocdField): string | undefined {
  switch (field.kind) {
    case 'targetRevision':
      return typeof source.targetRevision === 'string' ? source.targetRevision : undefined;
    case 'helmParameter': {
      const p = helmParameters(source).find((p) => p.name === field.name);
      return typeof p?.value === 'string' ? p.value : undefined;
    }
    case 'kustomizeImage': {
      const entry = kustomizeImages(source).find((i) => imageName(i) === field.image);
      return entry === undefined ? undefined : imageTag(entry);
    }
  }
}

/**
 * Writes the version into the field of a source (mutates it). The lists
 * are Argo CD's atomic lists: the other entries are kept as they are, a
 * missing Helm parameter or Kustomize image is appended.
 */
export function writeField(source: JsonObject, field: ArgocdField, version: string): void {
  switch (field.kind) {
    case 'targetRevision':
      source.targetRevision = version;
      return;
    case 'helmParameter': {
      const helm = (isPlainObject(source.helm) ? source.helm : (source.helm = {})) as JsonObject;
      const params = Array.isArray(helm.parameters) ? helm.parameters : (helm.parameters = []);
      const p = params.find((p) => isPlainObject(p) && p.name === field.name);
      if (isPlainObject(p)) p.value = version;
      else params.push({ name: field.name, value: version });
      return;
    }
    case 'kustomizeImage': {
      const k = (isPlainObject(source.kustomize) ? source.kustomize : (source.kustomize = {})) as JsonObject;
      const images = Array.isArray(k.images) ? k.images : (k.images = []);
      const i = images.findIndex((e) => typeof e === 'string' && imageName(e) === field.image);
      if (i >= 0) images[i] = withTag(images[i] as string, version);
      else images.push(`${field.image}:${version}`);
      return;
    }
  }
}

function helmParameters(source: JsonObject): JsonObject[] {
  const helm = source.helm;
  if (!isPlainObject(helm) || !Array.isArray(helm.parameters)) return [];
  return helm.parameters.filter(isPlainObject);
}

function kustomizeImages(source: JsonObject): string[] {
  const k = source.kustomize;
  if (!isPlainObject(k) || !Array.isArray(k.images)) return [];
  return k.images.filter((i): i is string => typeof i === 'string');
}

/**
 * Kustomize image overrides are `name[=newName][:tag|@digest]`: the name is
 * what comes before `=`, else the reference without its tag or digest (a
 * registry port such as localhost:5000/x is part of the name).
 */
export function imageName(entry: string): string {
  const eq = entry.indexOf('=');
  return eq >= 0 ? entry.slice(0, eq) : withoutTag(entry);
}

/** The tag of an override (undefined when it sets none, e.g. only a digest). */
export function imageTag(entry: string): string | undefined {
  const ref = entry.includes('=') ? entry.slice(entry.indexOf('=') + 1) : entry;
  const noDigest = ref.split('@')[0]!;
  const colon = noDigest.lastIndexOf(':');
  return colon > noDigest.lastIndexOf('/') ? noDigest.slice(colon + 1) : undefined;
}

function withoutTag(ref: string): string {
  const noDigest = ref.split('@')[0]!;
  const colon = noDigest.lastIndexOf(':');
  return colon > noDigest.lastIndexOf('/') ? noDigest.slice(0, colon) : noDigest;
}

/** The override with its tag (or digest) replaced by `tag`; a new name (`=newName`) is kept. */
export function withTag(entry: string, tag: string): string {
  const eq = entry.indexOf('=');
  if (eq >= 0) return `${entry.slice(0, eq)}=${withoutTag(entry.slice(eq + 1))}:${tag}`;
  return `${withoutTag(entry)}:${tag}`;
}

/**
 * The version Argo CD reports as running, or undefined: only with
 * status.sync.status Synced and status.health.status Healthy, from the
 * source the last comparison used (status.sync.comparedTo.source or
 * .sources), the same field Depot writes.
 */
export function deployedVersion(app: KubeObject, place: ArgocdPlace): string | undefined {
  const status = isPlainObject(app.status) ? app.status : undefined;
  const sync = isPlainObject(status?.sync) ? status.sync : undefined;
  const health = isPlainObject(status?.health) ? status.health : undefined;
  if (sync?.status !== 'Synced' || health?.status !== 'Healthy') return undefined;
  const located = locateSource(sync.comparedTo, place.source, 'status.sync.comparedTo');
  if ('error' in located) return undefined;
  return readField(located.source, place.field);
}

/**
 * Argo CD's error conditions (status.conditions types ending in "Error",
 * e.g. ComparisonError when a targetRevision does not resolve), in its own
 * words; undefined when there is none.
 */
export function argocdProblem(app: KubeObject): string | undefined {
  const status = isPlainObject(app.status) ? app.status : undefined;
  const conditions = Array.isArray(status?.conditions) ? status.conditions.filter(isPlainObject) : [];
  const errors = conditions.filter((c) => typeof c.type === 'string' && c.type.endsWith('Error'));
  if (errors.length === 0) return undefined;
  return `Argo CD reports ${errors.map((c) => `${String(c.type)}: ${String(c.message ?? '')}`.trim()).join('; ')}`;
}

/** The keys of a field under its source in metadata.managedFields (lists are atomic: the whole list). */
function managedKeys(place: ArgocdPlace, sourcePath: string): string[] {
  // Multi-source: spec.sources is an atomic list, owned whole.
  if (sourcePath.startsWith('spec.sources')) return ['f:spec', 'f:sources'];
  const field =
    place.field.kind === 'targetRevision'
      ? ['f:targetRevision']
      : place.field.kind === 'helmParameter'
        ? ['f:helm', 'f:parameters']
        : ['f:kustomize', 'f:images'];
  return ['f:spec', 'f:source', ...field];
}

/**
 * The field managers (metadata.managedFields) other than Depot's own that
 * own the field Depot writes: who resets it.
 */
export function fieldWriters(app: KubeObject, place: ArgocdPlace, ownPrefix = 'depot-operator'): string[] {
  const located = locateSource(app.spec, place.source, 'spec');
  const keys = managedKeys(place, 'error' in located ? 'spec.source' : located.path);
  const writers = new Set<string>();
  for (const entry of app.metadata?.managedFields ?? []) {
    if (!isPlainObject(entry) || typeof entry.manager !== 'string') continue;
    if (entry.manager.startsWith(ownPrefix)) continue;
    let node: unknown = entry.fieldsV1;
    for (const key of keys) node = isPlainObject(node) ? node[key] : undefined;
    if (node !== undefined) writers.add(entry.manager);
  }
  return [...writers].sort();
}
