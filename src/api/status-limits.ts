// The size limits of status fields, read from the schemas the CRDs come
// from, so a status Depot builds always fits: free text longer than its limit
// is cut with "…" instead of the API server rejecting the write (422).
// Identifiers (names, CamelCase reasons) are never cut: a cut name would be
// another name.
import { structuralSchema, type JsonSchema } from './crd.js';
import type { KindDefinition } from './resource.js';

const MARK = '…';

/** The status schema of a kind, as the API server validates it. */
export function statusSchemaOf(kind: KindDefinition): JsonSchema {
  const root = structuralSchema(kind.schema);
  const status = (root.properties as Record<string, JsonSchema> | undefined)?.status;
  if (!status) throw new Error(`${kind.kind} has no status schema`);
  return status;
}

/** A function that fits a status of the kind to its schema (the schema is read once). */
export function statusFitter(kind: KindDefinition): <S>(status: S) => S {
  let schema: JsonSchema | undefined;
  return (status) => fitToSchema((schema ??= statusSchemaOf(kind)), status);
}

/** `value` with every free-text string cut to the maxLength of its schema node; the rest as it was. */
export function fitToSchema<T>(schema: JsonSchema, value: T): T {
  return fit(schema, value) as T;
}

function fit(schema: JsonSchema | undefined, value: unknown): unknown {
  if (!schema || value === null || value === undefined) return value;
  if (typeof value === 'string') return isFreeText(schema) ? cut(value, schema.maxLength as number) : value;
  if (Array.isArray(value)) {
    const items = schema.items as JsonSchema | undefined;
    if (!items) return value;
    let changed = false;
    const out = value.map((v) => {
      const f = fit(items, v);
      if (f !== v) changed = true;
      return f;
    });
    return changed ? out : value;
  }
  if (typeof value === 'object') {
    const props = (schema.properties as Record<string, JsonSchema> | undefined) ?? {};
    const extra = schema.additionalProperties as JsonSchema | undefined;
    let out: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const f = fit(props[k] ?? (typeof extra === 'object' ? extra : undefined), v);
      if (f !== v) (out ??= { ...(value as Record<string, unknown>) })[k] = f;
    }
    return out ?? value;
  }
  return value;
}

/** Free text: a length limit and nothing that gives the string a meaning (pattern, rule, enum, format). */
function isFreeText(schema: JsonSchema): boolean {
  return (
    typeof schema.maxLength === 'number' &&
    schema.pattern === undefined &&
    schema.enum === undefined &&
    schema.format === undefined &&
    schema['x-kubernetes-validations'] === undefined
  );
}

/**
 * At most `max` UTF-16 units, ending in "…" when cut. zod counts UTF-16 units
 * and the API server code points (never more), so this fits both; a
 * character outside the BMP is never split.
 */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  for (const point of text) {
    if (out.length + point.length > max - MARK.length) break;
    out += point;
  }
  return out + MARK;
}

/** The maxItems of an array in a kind's status, e.g. ['history'] of Application. */
export function statusMaxItems(kind: KindDefinition, path: string[]): number {
  let node: JsonSchema | undefined = statusSchemaOf(kind);
  for (const name of path) node = (node?.properties as Record<string, JsonSchema> | undefined)?.[name];
  const max = node?.maxItems;
  if (typeof max !== 'number') throw new Error(`${kind.kind} status.${path.join('.')} has no maxItems`);
  return max;
}
