// What a Flux object reports as deployed, per kind (field names checked against
// the upstream CRDs; docs/delivery-flux.md lists them): HelmRelease's chart
// version from status.history, a source's tag from status.artifact.revision,
// any other field its own value once Ready=True for the current generation.
// Nothing is reported otherwise: the caller keeps the earlier reading.
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
  conditions?: Condition[];
  history?: { chartVersion?: string; status?: string }[];
  lastAttemptedRevision?: string;
  lastAppliedRevision?: string;
  artifact?: { revision?: string };
}

const statusOf = (obj: KubeObject): FluxStatus => (obj.status ?? {}) as FluxStatus;

function notReady(obj: KubeObject, currentGeneration: boolean): string | undefined {
  const status = statusOf(obj);
  const ready = status.conditions?.find((c) => c.type === 'Ready');
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

/** The deployed version of the object whose field `path` Depot writes. */
export function deployedVersion(kind: FluxKind, path: FieldPath, obj: KubeObject): DeployedReading {
  const field = path.join('.');
  if (kind === 'HelmRelease' && field === 'spec.chart.spec.version') {
    const why = notReady(obj, false);
    return why ? { waiting: why } : helmRelease(statusOf(obj));
  }
  if ((kind === 'GitRepository' || kind === 'OCIRepository') && field === 'spec.ref.tag') {
    const why = notReady(obj, false);
    return why ? { waiting: why } : source(statusOf(obj));
  }
  return appliedSpecValue(kind, obj, path);
}
