// zod (used by the controller and `depot validate`) agrees with admission on
// every case of the table the integration test runs against the API server.
import { API_VERSION, kindByName } from './index.js';
import { INVALID_CASES, VALID_CASES } from '../../test/fixtures/admission-cases.js';

const object = (kind: string, spec: unknown, name = 'bad') => ({
  apiVersion: API_VERSION,
  kind,
  metadata: { name },
  spec,
});

test('the table has at least 30 invalid objects, all with distinct titles', () => {
  expect(INVALID_CASES.length).toBeGreaterThanOrEqual(30);
  expect(new Set(INVALID_CASES.map((c) => c.title)).size).toBe(INVALID_CASES.length);
});

test.each(INVALID_CASES)('zod rejects $kind with $title', (c) => {
  const result = kindByName(c.kind)!.parse(object(c.kind, c.spec, c.name));
  expect(result.ok).toBe(false);
  if (result.ok) return;
  const path = c.zodPath ?? c.field;
  const atPath = result.problems.filter((p) => p.path === path);
  expect({ path, messages: atPath.map((p) => p.message) }).toEqual({
    path,
    messages: expect.arrayContaining([expect.stringContaining(c.zod ?? c.server)]),
  });
});

test.each(VALID_CASES)('zod accepts $kind with $title', (c) => {
  const result = kindByName(c.kind)!.parse(object(c.kind, c.spec, 'good'));
  expect(result).toMatchObject({ ok: true });
});
