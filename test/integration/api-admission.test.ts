// A real kube-apiserver with Depot's generated CRDs rejects every invalid
// object of the table with a message that names the field (the same table the
// zod unit test runs), and accepts the valid ones with the same defaults zod
// applies.
import { CustomObjectsApi } from '@kubernetes/client-node';
import { API_VERSION, GROUP, VERSION, kindByName } from '../../src/api/index.js';
import { INVALID_CASES, VALID_CASES } from '../fixtures/admission-cases.js';
import { apiErrorMessage as errorMessage } from '../../src/kube/errors.js';
import { freshNamespace, testKubeConfig } from '../controlplane/env.js';

const kc = testKubeConfig();
const api = kc.makeApiClient(CustomObjectsApi);
let ns: string;
let counter = 0;

beforeAll(async () => {
  ns = await freshNamespace(kc, 'admission');
});

// kubectl's default field validation is Strict: unknown fields are errors.
function create(kind: string, spec: unknown, name?: string) {
  const def = kindByName(kind)!;
  const body = { apiVersion: API_VERSION, kind, metadata: { name: name ?? `obj-${++counter}` }, spec };
  return api.createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace: ns,
    plural: def.plural,
    body,
    fieldValidation: 'Strict',
  });
}

test('the table has at least 30 invalid objects', () => {
  expect(INVALID_CASES.length).toBeGreaterThanOrEqual(30);
});

test.each(INVALID_CASES)('the API server rejects $kind with $title, naming $field', async (c) => {
  const name = c.name ?? 'bad';
  const message = await create(c.kind, c.spec, name).then(
    async () => {
      // Not rejected: remove it so the next case can use the name again.
      const plural = kindByName(c.kind)!.plural;
      await api.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural, name });
      return 'accepted';
    },
    (err: unknown) => errorMessage(err),
  );
  // `spec.x: Invalid value ...`, or `unknown field "spec.x"` for strict decoding.
  expect(message).toMatch(new RegExp(`${c.field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(: |")`));
  expect(message).toContain(c.server);
});

test.each(VALID_CASES)('the API server accepts $kind with $title, defaulting like zod', async (c) => {
  const name = `good-${++counter}`;
  const created = (await create(c.kind, c.spec, name).catch((err: unknown) => {
    throw new Error(errorMessage(err));
  })) as { spec: unknown };
  const parsed = kindByName(c.kind)!.parse({
    apiVersion: API_VERSION,
    kind: c.kind,
    metadata: { name },
    spec: c.spec,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  // Not defaulting: Depot's admission policy stamps who requested each version
  // (authenticated-actors.test.ts checks it).
  const spec = { ...(created.spec as Record<string, unknown>) };
  delete spec.requestedBy;
  expect(spec).toEqual((parsed.value as { spec: unknown }).spec);
});
