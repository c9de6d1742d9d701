// Builds Depot's CustomResourceDefinitions from the zod schemas: zod 4 emits
// JSON Schema, which is reduced here to a Kubernetes *structural* schema (no
// $ref, no `additionalProperties: false`, maps as additionalProperties, CEL
// rules and list types carried over from the schemas' metadata).
import { z } from 'zod';
import { stringify } from 'yaml';
import type { KindDefinition, PrinterColumn } from './resource.js';

export type JsonSchema = { [key: string]: unknown };

export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    group: string;
    scope: 'Namespaced';
    names: {
      kind: string;
      listKind: string;
      plural: string;
      singular: string;
      shortNames: string[];
      categories: string[];
    };
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      subresources: { status: Record<string, never> };
      additionalPrinterColumns: PrinterColumn[];
      schema: { openAPIV3Schema: JsonSchema };
    }[];
  };
}

// Key order of the output, so the YAML reads top-down (description first).
const KEY_ORDER = [
  'description',
  'type',
  'format',
  'enum',
  'default',
  'nullable',
  'x-kubernetes-int-or-string',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-preserve-unknown-fields',
  'properties',
  'additionalProperties',
  'items',
  'required',
  'x-kubernetes-validations',
];
const ALLOWED = new Set(KEY_ORDER);
// zod output with no meaning for Kubernetes (maps' key schemas become CEL rules).
const IGNORED = new Set(['$schema', 'propertyNames', 'id', '$id']);
const SAFE_INT = Number.MAX_SAFE_INTEGER;

/** The structural openAPIV3Schema of a zod schema. */
export function structuralSchema(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, {
    io: 'input',
    target: 'openapi-3.0',
    unrepresentable: 'throw',
  }) as JsonSchema;
  return toStructural(json, '');
}

function toStructural(input: JsonSchema, path: string): JsonSchema {
  const intOrString = input['x-kubernetes-int-or-string'] === true;
  const node = intOrString ? hoistBranches(input) : input;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (IGNORED.has(key)) continue;
    if (key === 'additionalProperties' && value === false) continue; // structural schemas prune unknown fields instead
    if (intOrString && key === 'type') continue;
    if ((key === 'minimum' && value === -SAFE_INT) || (key === 'maximum' && value === SAFE_INT)) continue;
    if (key === 'pattern' && node.format === 'date-time') continue; // format already validates
    if (!ALLOWED.has(key)) throw new Error(`${path || '<root>'}: "${key}" has no structural CRD equivalent`);
    if (key === 'properties') {
      const props: JsonSchema = {};
      for (const [name, prop] of Object.entries(value as Record<string, JsonSchema>))
        props[name] = toStructural(prop, `${path}.${name}`);
      out.properties = props;
    } else if (key === 'items' || key === 'additionalProperties') {
      out[key] = toStructural(value as JsonSchema, `${path}[]`);
    } else {
      out[key] = value;
    }
  }
  return ordered(out);
}

/** int-or-string: Kubernetes allows value validations on the node, not typed anyOf branches. */
function hoistBranches(node: JsonSchema): JsonSchema {
  const out: JsonSchema = { ...node };
  for (const branch of (node.anyOf as JsonSchema[] | undefined) ?? []) {
    for (const [key, value] of Object.entries(branch)) if (key !== 'type') out[key] = value;
  }
  delete out.anyOf;
  return out;
}

function ordered(node: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const key of KEY_ORDER) if (key in node) out[key] = node[key];
  return out;
}

/** The root schema: Kubernetes owns apiVersion, kind and metadata (only metadata.name may be constrained). */
function rootSchema(def: KindDefinition): JsonSchema {
  const root = structuralSchema(def.schema);
  const props = root.properties as Record<string, JsonSchema>;
  props.apiVersion = {
    description: `APIVersion of the object: ${def.group}/${def.version}.`,
    type: 'string',
  };
  props.kind = { description: `Kind of the object: ${def.kind}.`, type: 'string' };
  props.metadata = { type: 'object', properties: { name: { type: 'string', maxLength: 63 } } };
  // Only the operator writes status, always whole: one managed-fields entry
  // (`f:status`) instead of one per field of every list item. The API server
  // decodes, validates and re-encodes managedFields on every write: on an
  // Application that was a third of the object and ~40 % of a status write's cost.
  if (props.status) props.status = ordered({ ...props.status, 'x-kubernetes-map-type': 'atomic' });
  const required = ((root.required as string[] | undefined) ?? []).filter((k) => k === 'spec');
  if (required.length) root.required = required;
  else delete root.required;
  return ordered(root);
}

export function buildCrd(def: KindDefinition): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${def.plural}.${def.group}`, labels: { 'app.kubernetes.io/part-of': 'depot' } },
    spec: {
      group: def.group,
      scope: 'Namespaced',
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.singular,
        shortNames: def.shortNames,
        categories: def.categories,
      },
      versions: [
        {
          name: def.version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: def.printerColumns,
          schema: { openAPIV3Schema: rootSchema(def) },
        },
      ],
    },
  };
}

export function crdFileName(def: KindDefinition): string {
  return `${def.group}_${def.plural}.yaml`;
}

/** The checked-in YAML of a CRD (stable: `npm run gen:crds` rewrites it byte for byte). */
export function renderCrd(crd: CustomResourceDefinition): string {
  const header = '# Generated from src/api by `npm run gen:crds` (make crds). Do not edit.\n';
  return header + stringify(crd, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** crds/Kustomization: the CRD files as one kustomize base (config/crd builds on it). */
export function crdKustomization(defs: readonly KindDefinition[]): string {
  return (
    '# Generated by `npm run gen:crds` (make crds). Do not edit.\n' +
    stringify(
      {
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        resources: defs.map(crdFileName).sort(),
      },
      { lineWidth: 0 },
    )
  );
}
