// What every Depot kind has in common: the object envelope, its names in the
// API (plural, short names, category) and its printer columns.
import { z } from 'zod';
import { API_VERSION, GROUP, VERSION } from './group.js';
import { ObjectMetaSchema } from './meta.js';
import { parseWith, type ParseResult } from './parse.js';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description: string;
  priority?: number;
}

export interface KindDefinition {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  /** The whole object: apiVersion, kind, metadata, spec, status (with the root rules). */
  schema: z.ZodType;
  printerColumns: PrinterColumn[];
  /** Parses an object of this kind (apiVersion and kind included). */
  parse: (obj: unknown) => ParseResult<unknown>;
}

export const CATEGORY = 'depot';

/** A Depot kind: group depot.sh, version v1alpha1, category depot. */
export function defineKind(def: Omit<KindDefinition, 'group' | 'version' | 'categories'>): KindDefinition {
  return { group: GROUP, version: VERSION, categories: [CATEGORY], ...def };
}

/** The envelope of a Depot object around its spec and status schemas. */
export function resourceSchema<K extends string, Spec extends z.ZodType, Status extends z.ZodType>(
  kind: K,
  spec: Spec,
  status: Status,
  description: string,
) {
  return z
    .strictObject({
      apiVersion: z.literal(API_VERSION).meta({ description: `Always ${API_VERSION}.` }),
      kind: z.literal(kind).meta({ description: `Always ${kind}.` }),
      metadata: ObjectMetaSchema,
      spec,
      status: status.optional(),
    })
    .meta({ description });
}

/** `parseX(obj)`: the typed object, or the problems with their field paths. */
export function parser<S extends z.ZodType>(schema: S): (obj: unknown) => ParseResult<z.output<S>> {
  return (obj) => parseWith(schema, obj);
}

export const readyColumn: PrinterColumn = {
  name: 'Ready',
  type: 'string',
  jsonPath: '.status.conditions[?(@.type=="Ready")].status',
  description: 'Whether the object is ready',
};

export const ageColumn: PrinterColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
  description: 'Time since creation',
};
