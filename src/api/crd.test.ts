// The generated CRDs: checked in unchanged, structural, bounded for CEL cost
// estimation, with column and rule paths that exist and names that do not
// collide with Argo CD's, Flux's or Kubernetes'.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { projectRoot } from '../local/project-root.js';
import { upstreamCrdDir } from '../../test/controlplane/paths.js';
import { buildCrd, crdFileName, crdKustomization, renderCrd, type JsonSchema } from './crd.js';
import { GROUP } from './group.js';
import { KINDS } from './index.js';
import { renderReference } from './reference.js';

const crdDir = join(projectRoot(), 'crds');
// The Helm chart installs the same files from its own crds/.
const chartCrdDir = join(projectRoot(), 'helm', 'depot', 'crds');
const crds = KINDS.map((def) => ({ def, crd: buildCrd(def) }));
const schemaOf = (crd: ReturnType<typeof buildCrd>) => crd.spec.versions[0]!.schema.openAPIV3Schema;

test.each(KINDS.map((def) => [crdFileName(def), def] as const))(
  'crds/%s is the generator output (run `npm run gen:crds`)',
  (file, def) => {
    expect(readFileSync(join(crdDir, file), 'utf8')).toBe(renderCrd(buildCrd(def)));
  },
);

test.each(KINDS.map((def) => [crdFileName(def), def] as const))(
  'helm/depot/crds/%s is the generator output (run `npm run gen:crds`)',
  (file, def) => {
    expect(readFileSync(join(chartCrdDir, file), 'utf8')).toBe(renderCrd(buildCrd(def)));
  },
);

test.each([crdDir, chartCrdDir])('%s holds no Depot CRD of a kind that no longer exists', (dir) => {
  const expected = KINDS.map(crdFileName).sort();
  expect(
    readdirSync(dir)
      .filter((f) => f.startsWith(`${GROUP}_`))
      .sort(),
  ).toEqual(expected);
});

test('helm/depot/crds holds nothing but the CRDs (Helm installs every manifest there)', () => {
  expect(readdirSync(chartCrdDir).sort()).toEqual(KINDS.map(crdFileName).sort());
});

test('crds/Kustomization lists every CRD file (run `npm run gen:crds`)', () => {
  expect(readFileSync(join(crdDir, 'Kustomization'), 'utf8')).toBe(crdKustomization(KINDS));
});

/** Every schema node with its dotted path. */
function* walk(node: JsonSchema, path = ''): Generator<[string, JsonSchema]> {
  yield [path, node];
  for (const [name, child] of Object.entries((node.properties as Record<string, JsonSchema>) ?? {}))
    yield* walk(child, path ? `${path}.${name}` : name);
  if (node.items) yield* walk(node.items as JsonSchema, `${path}[]`);
  if (typeof node.additionalProperties === 'object')
    yield* walk(node.additionalProperties as JsonSchema, `${path}[*]`);
}

describe.each(crds.map(({ def, crd }) => [def.kind, crd] as const))('%s CRD schema', (_kind, crd) => {
  // apiVersion, kind and metadata belong to Kubernetes.
  const nodes = [...walk(schemaOf(crd))].filter(([path]) => !/^(metadata|apiVersion|kind)\b/.test(path));

  test('is structural: every node typed, no $ref or logical junctors', () => {
    const bad = nodes.filter(
      ([, n]) =>
        ['$ref', 'anyOf', 'oneOf', 'allOf', 'not', '$schema'].some((k) => k in n) ||
        (!n.type && !n['x-kubernetes-int-or-string']),
    );
    expect(bad.map(([p]) => p)).toEqual([]);
  });

  test('bounds every string, list and map (CEL cost estimation)', () => {
    const unbounded = nodes.filter(([, n]) => {
      if (n.type === 'string') return n.maxLength === undefined && !n.enum && n.format !== 'date-time';
      if (n.type === 'array') return n.maxItems === undefined;
      if (n.type === 'object' && typeof n.additionalProperties === 'object')
        return n.maxProperties === undefined;
      return false;
    });
    expect(unbounded.map(([p]) => p)).toEqual([]);
  });

  test('describes every field (kubectl explain)', () => {
    const undescribed = nodes.filter(
      ([path, n]) => path && !path.endsWith('[]') && !path.endsWith('[*]') && !n.description,
    );
    expect(undescribed.map(([p]) => p)).toEqual([]);
  });

  test('keys map lists by required fields', () => {
    for (const [path, n] of nodes.filter(([, n]) => n['x-kubernetes-list-type'] === 'map')) {
      const item = n.items as JsonSchema;
      for (const key of n['x-kubernetes-list-map-keys'] as string[])
        expect({ path, key, required: (item.required as string[]).includes(key) }).toEqual({
          path,
          key,
          required: true,
        });
    }
  });

  test('has CEL fieldPaths that exist', () => {
    for (const [path, n] of nodes) {
      for (const rule of (n['x-kubernetes-validations'] as { fieldPath?: string }[] | undefined) ?? []) {
        if (!rule.fieldPath) continue;
        const target = rule.fieldPath
          .split('.')
          .filter(Boolean)
          .reduce<JsonSchema | undefined>(
            (s, f) => (s?.properties as Record<string, JsonSchema> | undefined)?.[f],
            n,
          );
        expect({ path, fieldPath: rule.fieldPath, exists: target !== undefined }).toEqual({
          path,
          fieldPath: rule.fieldPath,
          exists: true,
        });
      }
    }
  });

  test('has printer columns whose paths exist in the schema', () => {
    const columns = crd.spec.versions[0]!.additionalPrinterColumns;
    expect(columns.length).toBeGreaterThan(1);
    for (const column of columns) {
      if (column.jsonPath.startsWith('.metadata.')) continue;
      const fields = column.jsonPath
        .replace(/\[\?\(.*?\)\]/g, '')
        .split('.')
        .filter(Boolean);
      let node: JsonSchema | undefined = schemaOf(crd);
      for (const f of fields)
        node = (
          (node?.properties ?? (node?.items as JsonSchema | undefined)?.properties) as
            Record<string, JsonSchema> | undefined
        )?.[f];
      expect({ column: column.name, exists: node !== undefined }).toEqual({
        column: column.name,
        exists: true,
      });
    }
  });

  test('has a status subresource and the depot category', () => {
    expect(crd.spec.versions[0]!.subresources).toEqual({ status: {} });
    expect(crd.spec.names.categories).toEqual(['depot']);
  });

  test('has an atomic status: one managed-fields entry for the operator, not one per field', () => {
    const props = crd.spec.versions[0]!.schema.openAPIV3Schema.properties as Record<string, JsonSchema>;
    expect(props.status!['x-kubernetes-map-type']).toBe('atomic');
  });
});

// Names `kubectl get X` already resolves to Argo CD, Flux or Kubernetes kinds.
const TAKEN = [
  'app',
  'apps',
  'appproj',
  'appprojs',
  'appset',
  'appsets',
  'applicationset',
  'hr',
  'ks',
  'gitrepo',
  'ocirepo',
  'helmrepo',
  'hc',
  'po',
  'svc',
  'deploy',
  'ns',
  'cm',
  'ev',
  'ep',
  'sa',
  'rs',
  'ds',
  'sts',
  'ing',
  'pv',
  'pvc',
  'crd',
  'crds',
  'no',
  'cs',
  'netpol',
];

function upstreamNames(): string[] {
  const dir = upstreamCrdDir();
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.yaml'));
  return files.flatMap((f) =>
    parseAllDocuments(readFileSync(join(dir, f), 'utf8')).flatMap((doc) => {
      const names = (
        doc.toJS() as {
          spec?: { names?: { plural?: string; singular?: string; shortNames?: string[] } };
        } | null
      )?.spec?.names;
      return names
        ? [names.plural, names.singular, ...(names.shortNames ?? [])].filter((n): n is string => !!n)
        : [];
    }),
  );
}

test('short names collide with no Argo CD, Flux or Kubernetes name, nor with each other', () => {
  const taken = new Set([...TAKEN, ...upstreamNames()]);
  const ours = KINDS.flatMap((k) => k.shortNames);
  expect(ours.filter((n) => taken.has(n))).toEqual([]);
  expect(new Set(ours).size).toBe(ours.length);
  expect(taken.has('app')).toBe(true); // the list is real, so the check above can fail
});

test('docs/crd-reference.md is the generator output (run `npm run gen:crds`)', () => {
  const file = join(crdDir, '..', 'docs', 'crd-reference.md');
  expect(existsSync(file)).toBe(true);
  expect(readFileSync(file, 'utf8')).toBe(renderReference(KINDS));
});
