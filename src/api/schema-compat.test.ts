// The comparer itself: each narrowing change below must be caught, each
// additive change must pass.
import type { JsonSchema } from './crd.js';
import { compareCrds, compareSchemas, type CrdShape } from './schema-compat.js';

const base: JsonSchema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['from'],
      properties: {
        from: { type: 'string', maxLength: 63 },
        mode: { type: 'string', enum: ['a', 'b'] },
        note: { type: 'string' },
        level: { type: 'string', default: 'info' },
        count: { type: 'integer', minimum: 0, maximum: 10 },
        tags: { type: 'array', maxItems: 8, items: { type: 'string', maxLength: 20 } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        blocked: { type: 'object', nullable: true, properties: { reason: { type: 'string' } } },
        source: { 'x-kubernetes-int-or-string': true },
      },
      'x-kubernetes-validations': [{ rule: 'self.from != ""', message: 'x' }],
    },
  },
};

type Spec = JsonSchema & { properties: Record<string, JsonSchema> };
type Edit = (spec: Spec) => unknown;

/** A deep copy of base with one change applied to spec. */
function changed(edit: Edit): JsonSchema {
  const copy = structuredClone(base);
  edit((copy.properties as Record<string, Spec>).spec!);
  return copy;
}

test('an identical schema has no breaking changes', () => {
  expect(compareSchemas(base, structuredClone(base))).toEqual([]);
});

test.each([
  ['a removed field', (s) => delete s.properties.note, 'spec.note', 'field removed'],
  [
    'a changed type',
    (s) => (s.properties.count!.type = 'string'),
    'spec.count',
    'type changed from integer to string',
  ],
  ['a new enum restriction', (s) => (s.properties.note!.enum = ['x']), 'spec.note', 'new enum restriction'],
  [
    'a removed enum value',
    (s) => (s.properties.mode!.enum = ['a']),
    'spec.mode',
    'enum values removed: ["b"]',
  ],
  [
    'a lowered maxLength',
    (s) => (s.properties.from!.maxLength = 32),
    'spec.from',
    'maxLength lowered from 63 to 32',
  ],
  [
    'a new maxLength',
    (s) => (s.properties.note!.maxLength = 100),
    'spec.note',
    'maxLength lowered from unbounded to 100',
  ],
  [
    'a lowered maximum',
    (s) => (s.properties.count!.maximum = 5),
    'spec.count',
    'maximum lowered from 10 to 5',
  ],
  ['a raised minimum', (s) => (s.properties.count!.minimum = 1), 'spec.count', 'minimum raised from 0 to 1'],
  ['a new minItems', (s) => (s.properties.tags!.minItems = 1), 'spec.tags', 'minItems raised from 0 to 1'],
  [
    'a lowered maxLength inside list items',
    (s) => ((s.properties.tags!.items as JsonSchema).maxLength = 10),
    'spec.tags[]',
    'maxLength lowered from 20 to 10',
  ],
  ['a new pattern', (s) => (s.properties.note!.pattern = '^a'), 'spec.note', 'new pattern "^a"'],
  ['a new format', (s) => (s.properties.note!.format = 'date-time'), 'spec.note', 'new format "date-time"'],
  ['a new required field', (s) => (s.required = ['from', 'note']), 'spec', 'new required field note'],
  [
    'a new CEL rule',
    (s) => (s['x-kubernetes-validations'] = [{ rule: 'self.from != ""' }, { rule: 'has(self.note)' }]),
    'spec',
    'new validation rule "has(self.note)"',
  ],
  ['nullable removed', (s) => delete s.properties.blocked!.nullable, 'spec.blocked', 'nullable removed'],
  [
    'int-or-string removed',
    (s) => (s.properties.source = { type: 'string' }),
    'spec.source',
    'x-kubernetes-int-or-string removed',
  ],
  [
    'map values removed',
    (s) => delete s.properties.labels!.additionalProperties,
    'spec.labels[*]',
    'additionalProperties removed',
  ],
  ['a new default', (s) => (s.properties.mode!.default = 'a'), 'spec.mode', 'new default "a"'],
  [
    'a changed default',
    (s) => (s.properties.level!.default = 'debug'),
    'spec.level',
    'default changed from "info" to "debug"',
  ],
] as [string, Edit, string, string][])('catches %s', (_title, edit, path, message) => {
  const changes = compareSchemas(base, changed(edit));
  expect(changes).toEqual(expect.arrayContaining([{ path, message: expect.stringContaining(message) }]));
});

test.each([
  ['a new optional field', (s) => (s.properties.extra = { type: 'string', maxLength: 5 })],
  [
    'a new optional object with required fields inside',
    (s) => (s.properties.extra = { type: 'object', required: ['a'], properties: { a: { type: 'string' } } }),
  ],
  ['a raised maximum', (s) => (s.properties.count!.maximum = 100)],
  ['a removed maxLength', (s) => delete s.properties.from!.maxLength],
  ['a new enum value', (s) => (s.properties.mode!.enum = ['a', 'b', 'c'])],
  ['a removed CEL rule', (s) => delete s['x-kubernetes-validations']],
  ['a field no longer required', (s) => (s.required = [])],
  ['a changed description', (s) => (s.properties.note!.description = 'new words')],
] as [string, Edit][])('allows %s', (_title, edit) => {
  expect(compareSchemas(base, changed(edit))).toEqual([]);
});

const crd = (
  versions: CrdShape['spec']['versions'],
  names: Partial<CrdShape['spec']['names']> = {},
): CrdShape => ({
  metadata: { name: 'things.depot.sh' },
  spec: {
    group: 'depot.sh',
    scope: 'Namespaced',
    names: { kind: 'Thing', plural: 'things', shortNames: ['dthing'], categories: ['depot'], ...names },
    versions,
  },
});

test('a removed or unserved version, a renamed kind and a removed short name are breaking; a new version is not', () => {
  const v1 = { name: 'v1alpha1', served: true, schema: { openAPIV3Schema: base } };
  expect(compareCrds(crd([v1]), crd([v1, { ...v1, name: 'v1beta1' }]))).toEqual([]);
  expect(compareCrds(crd([v1]), crd([{ ...v1, name: 'v1beta1' }]))).toEqual([
    { path: 'things.depot.sh v1alpha1', message: expect.stringContaining('version removed') },
  ]);
  expect(compareCrds(crd([v1]), crd([{ ...v1, served: false }]))).toEqual([
    { path: 'things.depot.sh v1alpha1', message: 'version no longer served' },
  ]);
  expect(compareCrds(crd([v1]), crd([v1], { kind: 'Widget', shortNames: [] })).map((c) => c.message)).toEqual(
    ['kind changed from "Thing" to "Widget"', 'shortNames removed: dthing'],
  );
  const narrowed = { ...v1, schema: { openAPIV3Schema: changed((s) => delete s.properties.note) } };
  expect(compareCrds(crd([v1]), crd([narrowed]))).toEqual([
    { path: 'things.depot.sh v1alpha1 spec.note', message: 'field removed' },
  ]);
});
