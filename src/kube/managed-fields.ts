// What an informer keeps of `metadata.managedFields`: about half of a Depot
// Application, paid twice in a cache of 10,000. Readers only ask who last
// wrote a few fields, so the cache keeps, per entry, only the field sets under
// those paths (and drops entries that own none). The API server's copy is
// untouched: this is a view.
import type { KubeObject } from './resource.js';

/** A path in a managedFields field set, e.g. ['f:spec', 'f:versions']. */
export type FieldSetPath = readonly string[];

interface Entry {
  fieldsV1?: unknown;
  [key: string]: unknown;
}

type FieldSet = Record<string, unknown>;

function isFieldSet(value: unknown): value is FieldSet {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The part of `fields` under `paths`, or undefined when none of them is there. */
export function pruneFieldSet(fields: unknown, paths: readonly FieldSetPath[]): FieldSet | undefined {
  if (!isFieldSet(fields)) return undefined;
  let out: FieldSet | undefined;
  for (const path of paths) {
    let value: unknown = fields;
    for (const key of path) value = isFieldSet(value) ? value[key] : undefined;
    if (value === undefined) continue;
    out ??= {};
    let into = out;
    path.forEach((key, i) => {
      if (i === path.length - 1) into[key] = value;
      else into = (into[key] as FieldSet | undefined) ?? (into[key] = {});
    });
  }
  return out;
}

/**
 * A cache transform keeping only the managedFields entries (and, in each, the
 * field sets) under `paths`. Objects without managedFields pass unchanged;
 * the object's metadata.managedFields is replaced, or removed when nothing is
 * kept (nothing nested is modified).
 */
export function keepManagedFields(paths: readonly FieldSetPath[]): <T extends KubeObject>(obj: T) => T {
  return (obj) => {
    const entries = obj.metadata?.managedFields as Entry[] | undefined;
    if (!Array.isArray(entries) || !obj.metadata) return obj;
    const kept: Entry[] = [];
    for (const entry of entries) {
      const fieldsV1 = pruneFieldSet(entry.fieldsV1, paths);
      if (fieldsV1) kept.push({ ...entry, fieldsV1 });
    }
    if (kept.length > 0) obj.metadata.managedFields = kept;
    else delete obj.metadata.managedFields;
    return obj;
  };
}

/** A cache transform for kinds whose writers Depot never reads (Argo CD and Flux objects). */
export const dropManagedFields = keepManagedFields([]);
