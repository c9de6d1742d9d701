// The owner's consent, per object and per field. Depot reads or writes an
// Argo CD Application or a Flux object only if depot.sh/authorized-targets
// lists the Target (`<namespace>/<target>` or `<namespace>/*`), and only the
// kind's version fields unless depot.sh/authorized-fields names the field.
// Messages never tell a missing object from a refusing one, nor echo either annotation.
import { AUTHORIZED_FIELDS_ANNOTATION, AUTHORIZED_TARGETS_ANNOTATION } from '../api/annotations.js';
import type { KubeObject } from '../kube/resource.js';

export interface TargetRef {
  namespace: string;
  name: string;
}

/** The field a delivery writes, as an owner names it, and the kind's version fields. */
export interface ConsentField {
  /** `spec.ref.tag`, `helm:image.tag`, `kustomize:ghcr.io/acme/web`, `targetRevision`. */
  name: string;
  /** The fields authorized-targets alone allows for this kind. */
  versionFields: readonly string[];
}

export type Consent = { allowed: true } | { allowed: false; message: string };

/** The entries of a comma-separated annotation value: trimmed, empty ones dropped. */
export function annotationEntries(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/** True when the object's annotation lists `<namespace>/<target>` or `<namespace>/*`. */
export function authorizesTarget(object: KubeObject, targetNamespace: string, target: string): boolean {
  return annotationEntries(object.metadata?.annotations?.[AUTHORIZED_TARGETS_ANNOTATION]).some(
    (entry) => entry === `${targetNamespace}/${target}` || entry === `${targetNamespace}/*`,
  );
}

/**
 * True when the field is one of the kind's version fields or listed in
 * authorized-fields by its exact name. An entry containing `*` is no
 * wildcard and matches nothing (not even a field spelled with `*`).
 */
export function authorizesField(object: KubeObject, field: ConsentField): boolean {
  if (field.versionFields.includes(field.name)) return true;
  return annotationEntries(object.metadata?.annotations?.[AUTHORIZED_FIELDS_ANNOTATION]).some(
    (entry) => !entry.includes('*') && entry === field.name,
  );
}

/**
 * One message for an object that does not exist and one that does not list
 * the Target: a Target must not learn what exists where it cannot read.
 */
export function missingOrUnauthorizedMessage(description: string, target: TargetRef): string {
  return (
    `${description} does not exist or does not authorize Target ${target.namespace}/${target.name}: ` +
    `Depot reads and writes it only when its owner adds the annotation ` +
    `${AUTHORIZED_TARGETS_ANNOTATION}: "${target.namespace}/${target.name}" (or "${target.namespace}/*")`
  );
}

/** Why a field outside the version fields is refused, and the exact entry that allows it. */
export function unauthorizedFieldMessage(
  description: string,
  target: TargetRef,
  field: ConsentField,
): string {
  const defaults = field.versionFields.length ? field.versionFields.join(', ') : 'none for this kind';
  return (
    `${description} authorizes Target ${target.namespace}/${target.name} for its version fields only ` +
    `(${defaults}), not ${field.name}: Depot reads and writes ${field.name} only when its owner adds ` +
    `"${field.name}" to the annotation ${AUTHORIZED_FIELDS_ANNOTATION} ` +
    `(comma-separated exact names; * is not a wildcard)`
  );
}

/** Whether the Target may read and write the field of the object (undefined: it does not exist). */
export function consentOf(
  object: KubeObject | undefined,
  description: string,
  target: TargetRef,
  field: ConsentField,
): Consent {
  if (!object || !authorizesTarget(object, target.namespace, target.name))
    return { allowed: false, message: missingOrUnauthorizedMessage(description, target) };
  if (!authorizesField(object, field))
    return { allowed: false, message: unauthorizedFieldMessage(description, target, field) };
  return { allowed: true };
}

/**
 * An API server error without the object it quotes: a refused patch's 422
 * (`Invalid value: "{…the whole object…}"`) would carry every value and
 * annotation of another team's object into status, Events and logs.
 */
export function withoutQuotedObject(message: string): string {
  return message.replace(/Invalid value: "(?:[^"\\]|\\.)*"/g, 'Invalid value');
}
