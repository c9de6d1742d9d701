// Sorts documents into Depot objects (schema-checked, typed), other kinds
// (ignored) and problems: wrong apiVersion, unknown kind, schema errors,
// duplicate names.
import {
  API_VERSION,
  GROUP,
  KINDS,
  parseApplication,
  parseEnvironment,
  parseEnvironmentSet,
  parsePromotion,
  parseTarget,
  type Application,
  type Environment,
  type EnvironmentSet,
  type ParseResult,
  type Promotion,
  type Target,
} from '../../api/index.js';
import type { SourceDocument } from './documents.js';
import type { Problem } from './problem.js';

export interface Located<T> {
  file: string;
  document: number;
  line: number;
  namespace: string;
  name: string;
  object: T;
}

export interface Catalog {
  applications: Located<Application>[];
  environments: Located<Environment>[];
  environmentSets: Located<EnvironmentSet>[];
  targets: Located<Target>[];
  promotions: Located<Promotion>[];
}

export interface CatalogResult {
  catalog: Catalog;
  problems: Problem[];
  /** Documents that are Depot objects (valid or not). */
  depotDocuments: number;
}

type Sorter = (doc: SourceDocument, catalog: Catalog, problems: Problem[]) => void;

function add<T extends { metadata: { name: string; namespace?: string } }>(
  parse: (obj: unknown) => ParseResult<T>,
  list: (c: Catalog) => Located<T>[],
): Sorter {
  return (doc, catalog, problems) => {
    const kind = (doc.value as { kind: string }).kind;
    const result = parse(doc.value);
    if (!result.ok) {
      const name = nameOf(doc.value);
      for (const p of result.problems) problems.push({ ...at(doc), kind, name, path: p.path, message: p.message });
      return;
    }
    const { name, namespace = '' } = result.value.metadata;
    list(catalog).push({ ...at(doc), name, namespace, object: result.value });
  };
}

const SORTERS: Record<string, Sorter> = {
  Application: add(parseApplication, (c) => c.applications),
  Environment: add(parseEnvironment, (c) => c.environments),
  EnvironmentSet: add(parseEnvironmentSet, (c) => c.environmentSets),
  Target: add(parseTarget, (c) => c.targets),
  Promotion: add(parsePromotion, (c) => c.promotions),
};

export function buildCatalog(documents: SourceDocument[]): CatalogResult {
  const catalog: Catalog = { applications: [], environments: [], environmentSets: [], targets: [], promotions: [] };
  const problems: Problem[] = [];
  let depotDocuments = 0;
  for (const doc of documents) {
    if (doc.value === null || doc.value === undefined) continue; // empty document (e.g. a trailing ---)
    if (typeof doc.value !== 'object' || Array.isArray(doc.value)) {
      problems.push({ ...at(doc), message: 'document is not a Kubernetes object (expected a mapping with apiVersion and kind)' });
      continue;
    }
    const { apiVersion, kind } = doc.value as { apiVersion?: unknown; kind?: unknown };
    if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
      const missing = [typeof apiVersion !== 'string' && 'apiVersion', typeof kind !== 'string' && 'kind'].filter(Boolean);
      problems.push({ ...at(doc), name: nameOf(doc.value), message: `not a Kubernetes object: ${missing.join(' and ')} missing or not a string` });
      continue;
    }
    if (apiVersion.split('/')[0] !== GROUP || !apiVersion.includes('/')) continue; // another API's object: not ours to judge
    depotDocuments++;
    const name = nameOf(doc.value);
    if (apiVersion !== API_VERSION) {
      problems.push({ ...at(doc), kind, name, path: 'apiVersion', message: `${apiVersion} is not served by Depot; use ${API_VERSION}` });
      continue;
    }
    const sorter = SORTERS[kind];
    if (!sorter) {
      const known = KINDS.map((k) => k.kind).join(', ');
      problems.push({ ...at(doc), kind, name, path: 'kind', message: `unknown kind "${kind}" in ${API_VERSION} (known kinds: ${known})` });
      continue;
    }
    sorter(doc, catalog, problems);
  }
  problems.push(...duplicates(catalog));
  return { catalog, problems, depotDocuments };
}

function at(doc: SourceDocument) {
  return { file: doc.file, document: doc.document, line: doc.line };
}

function nameOf(value: unknown): string | undefined {
  const name = (value as { metadata?: { name?: unknown } }).metadata?.name;
  return typeof name === 'string' ? name : undefined;
}

function duplicates(catalog: Catalog): Problem[] {
  const problems: Problem[] = [];
  for (const [kind, list] of entries(catalog)) {
    const first = new Map<string, Located<unknown>>();
    for (const obj of list) {
      const key = `${obj.namespace}/${obj.name}`;
      const earlier = first.get(key);
      if (earlier) {
        problems.push({
          file: obj.file,
          document: obj.document,
          line: obj.line,
          kind,
          name: obj.name,
          path: 'metadata.name',
          message: `duplicate ${kind} "${obj.name}"${obj.namespace ? ` in namespace ${obj.namespace}` : ''} (first defined at ${earlier.file}:${earlier.document})`,
        });
      } else first.set(key, obj);
    }
  }
  return problems;
}

export function entries(catalog: Catalog): [string, Located<unknown>[]][] {
  return [
    ['Application', catalog.applications],
    ['Environment', catalog.environments],
    ['EnvironmentSet', catalog.environmentSets],
    ['Target', catalog.targets],
    ['Promotion', catalog.promotions],
  ];
}

export function objectCount(catalog: Catalog): number {
  return entries(catalog).reduce((n, [, list]) => n + list.length, 0);
}
