// The product reads no test-only setting: tests that must stop the operator at
// an exact point inject hooks from their own entry point (test/kit/depot-operator.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

test('no product source reads a DEPOT_TEST_ environment variable', () => {
  const sources = readdirSync('src', { recursive: true, encoding: 'utf8' }).filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.includes('testing'),
  );
  expect(sources.length).toBeGreaterThan(50);
  expect(sources.filter((f) => /DEPOT_TEST_/.test(readFileSync(join('src', f), 'utf8')))).toEqual([]);
});
