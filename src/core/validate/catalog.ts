// Sorts documents into Depot objects (schema-checked, typed), other kinds
// (ignored) and problems: wrong apiVersion, unknown kind, duplicate names,
// schema errors. A duplicate is reported and not checked further.
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
  /** `Kind/namespace/name` of every Depot object found, valid or not (so an invalid one still resolves references). */
  names: Set<string>;
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
      for (const p of result.problems)
        problems.push({ ...at(doc), kind, name, path: p.path, message: p.message });
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
  const catalog: Catalog = {
    names: new Set(),
    applications: [],
    environments: [],
    environmentSets: [],
    targets: [],
    promotions: [],
  };
  const firstSeen = new Map<string, SourceDocument>();
  const problems: Problem[] = [];
  let depotDocuments = 0;
  for (const doc of documents) {
    if (doc.value === null || doc.value === undefined) continue; // empty document (e.g. a trailing ---)
    if (typeof doc.value !== 'object' || Array.isArray(doc.value)) {
      problems.push({
        ...at(doc),
        message: 'document is not a Kubernetes object (expected a mapping with apiVersion and kind)',
      });
      continue;
    }
    const { apiVersion, kind } = doc.value as { apiVersion?: unknown; kind?: unknown };
    if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
      const missing = [
        typeof apiVersion !== 'string' && 'apiVersion',
        typeof kind !== 'string' && 'kind',
      ].filter(Boolean);
      problems.push({
        ...at(doc),
        name: nameOf(doc.value),
        message: `not a Kubernetes object: ${missing.join(' and ')} missing or not a string`,
      });
      continue;
    }
    if (apiVersion.split('/')[0] !== GROUP || !apiVersion.includes('/')) continue; // another API's object: not ours to judge
    depotDocuments++;
    const name = nameOf(doc.value);
    if (apiVersion !== API_VERSION) {
      problems.push({
        ...at(doc),
        kind,
        name,
        path: 'apiVersion',
        message: `${apiVersion} is not served by Depot; use ${API_VERSION}`,
      });
      continue;
    }
    const sorter = SORTERS[kind];
    if (!sorter) {
      const known = KINDS.map((k) => k.kind).join(', ');
      problems.push({
        ...at(doc),
        kind,
        name,
        path: 'kind',
        message: `unknown kind "${kind}" in ${API_VERSION} (known kinds: ${known})`,
      });
      continue;
    }
    if (name !== undefined) {
      const key = nameKey(kind, namespaceOf(doc.value), name);
      const earlier = firstSeen.get(key);
      if (earlier) {
        problems.push({
          ...at(doc),
          kind,
          name,
          path: 'metadata.name',
          message: duplicateMessage(kind, name, namespaceOf(doc.value), earlier),
        });
        continue;
      }
      firstSeen.set(key, doc);
      catalog.names.add(key);
    }
    sorter(doc, catalog, problems);
  }
  return { catalog, problems, depotDocuments };
}

function at(doc: SourceDocument) {
  return { file: doc.file, document: doc.document, line: doc.line };
}

function nameOf(value: unknown): string | undefined {
  const name = (value as { metadata?: { name?: unknown } }).metadata?.name;
  return typeof name === 'string' ? name : undefined;
}

function namespaceOf(value: unknown): string {
  const ns = (value as { metadata?: { namespace?: unknown } }).metadata?.namespace;
  return typeof ns === 'string' ? ns : '';
}

export function nameKey(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

function duplicateMessage(kind: string, name: string, namespace: string, first: SourceDocument): string {
  return `duplicate ${kind} "${name}"${namespace ? ` in namespace ${namespace}` : ''} (first defined at ${first.file}:${first.document})`;
}
