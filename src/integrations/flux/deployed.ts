// What a Flux object reports as deployed, per kind (docs/delivery-flux.md):
// HelmRelease's chart version from status.history; a source's tag from
// status.artifact.revision, with `appliedBy` only once that Kustomization has
// applied the source's revision (a Ready source says "fetched", not "deployed");
// any other field its own value once Ready=True for the current generation.
import type { KubeObject } from '../../kube/resource.js';
import type { FluxKind } from './kinds.js';
import { valueAt, type FieldPath } from './patch.js';

export type DeployedReading =
  | { version: string; /** The status (or spec) field it was read from. */ from: string }
  | { version?: undefined; /** Why there is no reading yet. */ waiting: string };

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
}

interface FluxStatus {
  observedGeneration?: number;
  lastAttemptedRevision?: string;
  conditions?: Condition[];
  history?: { chartVersion?: string; status?: string }[];
  lastAppliedRevision?: string;
  artifact?: { revision?: string };
}

const statusOf = (obj: KubeObject): FluxStatus => (obj.status ?? {}) as FluxStatus;

/** The Kustomization a source's `appliedBy` names, as read from the cache. */
export interface Applier {
  name: string;
  namespace: string;
  object: KubeObject | undefined;
}

const readyOf = (obj: KubeObject) => statusOf(obj).conditions?.find((c) => c.type === 'Ready');
const named = (kind: string, obj: KubeObject) =>
  `${kind} ${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;

function notReady(obj: KubeObject, currentGeneration: boolean): string | undefined {
  const status = statusOf(obj);
  const ready = readyOf(obj);
  if (!ready) return 'it has no Ready condition yet';
  if (ready.status !== 'True')
    return `it is not Ready (${ready.reason ?? ready.status}${ready.message ? `: ${ready.message}` : ''})`;
  if (currentGeneration) {
    const observed = ready.observedGeneration ?? status.observedGeneration;
    if (observed !== obj.metadata?.generation)
      return `Flux has not reconciled generation ${obj.metadata?.generation} yet (observed ${observed ?? 'none'})`;
  }
  return undefined;
}

/** `v1.2.3@sha1:abc…` → v1.2.3; `refs/tags/v1.2.3@sha1:…` → v1.2.3; `v1.2.3/abc…` → v1.2.3; a bare digest → undefined. */
export function revisionName(revision: string): string | undefined {
  const at = revision.lastIndexOf('@');
  let name: string;
  if (at >= 0) name = revision.slice(0, at);
  else {
    const legacy = /^(.+)\/[0-9a-f]{40,64}$/.exec(revision);
    if (!legacy) return undefined;
    name = legacy[1]!;
  }
  name = name.replace(/^refs\/(tags|heads)\//, '');
  return name && name !== 'HEAD' ? name : undefined;
}

const OCI_DIGEST_SUFFIX = /\+[0-9a-f]{12}$/;

function helmRelease(status: FluxStatus): DeployedReading {
  const latest = status.history?.[0];
  if (latest?.status === 'deployed' && latest.chartVersion)
    return { version: latest.chartVersion, from: 'status.history[0].chartVersion' };
  if (status.lastAttemptedRevision)
    return {
      version: status.lastAttemptedRevision.replace(OCI_DIGEST_SUFFIX, ''),
      from: 'status.lastAttemptedRevision',
    };
  return { waiting: 'it reports neither status.history nor status.lastAttemptedRevision' };
}

function source(status: FluxStatus): DeployedReading {
  const revision = status.artifact?.revision;
  if (!revision) return { waiting: 'it has no status.artifact.revision yet' };
  const name = revisionName(revision);
  if (!name) return { waiting: `status.artifact.revision ${revision} names no tag` };
  return { version: name, from: 'status.artifact.revision' };
}

function appliedSpecValue(kind: FluxKind, obj: KubeObject, path: FieldPath): DeployedReading {
  const why = notReady(obj, true);
  if (why) return { waiting: why };
  if (kind === 'Kustomization' && !statusOf(obj).lastAppliedRevision)
    return { waiting: 'it has no status.lastAppliedRevision yet' };
  const value = valueAt(obj, path);
  if (typeof value !== 'string' || value === '') return { waiting: `${path.join('.')} holds no version` };
  return {
    version: value,
    from: `${path.join('.')} (applied: Ready at generation ${obj.metadata?.generation})`,
  };
}

interface SourceRef {
  kind?: string;
  name?: string;
  namespace?: string;
}

/** The tag of `source` once `applier` (a Kustomization) has applied its artifact revision. */
function appliedSource(kind: FluxKind, source: KubeObject, applier: Applier): DeployedReading {
  const fetched = sourceReading(source);
  if (fetched.version === undefined) return fetched;
  const who = `Kustomization ${applier.namespace}/${applier.name}`;
  const ks = applier.object;
  if (!ks) return { waiting: `${who} (spec.delivery.flux.patch.appliedBy) does not exist` };
  const ref = ((ks.spec ?? {}) as { sourceRef?: SourceRef }).sourceRef ?? {};
  const refNamespace = ref.namespace ?? applier.namespace;
  if (ref.kind !== kind || ref.name !== source.metadata?.name || refNamespace !== source.metadata?.namespace)
    return {
      waiting: `${who} applies ${ref.kind ?? '?'} ${refNamespace}/${ref.name ?? '?'}, not ${named(kind, source)}`,
    };
  const why = notReady(ks, true);
  if (why) return { waiting: `${who}: ${why}` };
  const revision = statusOf(source).artifact!.revision!;
  const applied = statusOf(ks).lastAppliedRevision;
  if (applied !== revision)
    return { waiting: `${who} has not applied ${revision} yet (last applied ${applied ?? 'nothing'})` };
  return { version: fetched.version, from: `status.lastAppliedRevision of ${who}` };
}

function sourceReading(obj: KubeObject): DeployedReading {
  const why = notReady(obj, false);
  return why ? { waiting: why } : source(statusOf(obj));
}

/**
 * Flux's own report that it failed on the spec that holds Depot's version:
 * Ready=False observed for the object's current generation (an older
 * generation's failure says nothing about the version just written), or,
 * for a source with `appliedBy`, the Kustomization's Ready=False on the
 * source's current artifact revision.
 */
export function fluxFailure(kind: FluxKind, obj: KubeObject, applier?: Applier): string | undefined {
  const failed = (k: string, o: KubeObject): string | undefined => {
    const ready = readyOf(o);
    if (ready?.status !== 'False') return undefined;
    const observed = ready.observedGeneration ?? statusOf(o).observedGeneration;
    if (observed !== o.metadata?.generation) return undefined;
    return `Flux reports ${named(k, o)} Ready=False (${ready.reason ?? 'no reason'})${ready.message ? `: ${ready.message}` : ''}`;
  };
  const own = failed(kind, obj);
  if (own || !applier?.object) return own;
  const revision = statusOf(obj).artifact?.revision;
  if (!revision || statusOf(applier.object).lastAttemptedRevision !== revision) return undefined;
  return failed('Kustomization', applier.object);
}

/** The deployed version of the object whose field `path` Depot writes. */
export function deployedVersion(
  kind: FluxKind,
  path: FieldPath,
  obj: KubeObject,
  applier?: Applier,
): DeployedReading {
  const field = path.join('.');
  if (kind === 'HelmRelease' && field === 'spec.chart.spec.version') {
    const why = notReady(obj, false);
    return why ? { waiting: why } : helmRelease(statusOf(obj));
  }
  if ((kind === 'GitRepository' || kind === 'OCIRepository') && field === 'spec.ref.tag')
    return applier ? appliedSource(kind, obj, applier) : sourceReading(obj);
  return appliedSpecValue(kind, obj, path);
}
