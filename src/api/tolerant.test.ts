// Seed 001: an older CLI against a newer operator keeps working. A reader
// drops the fields and status values it does not know; it never guesses at
// an unknown value in spec.
import { ApplicationSchema, parseApplication } from './application.js';
import { parseTolerant } from './tolerant.js';

const newer = () => ({
  apiVersion: 'depot.sh/v1alpha1',
  kind: 'Application',
  metadata: { name: 'core', namespace: 'ns', resourceVersion: '7' },
  spec: { environmentSets: ['default'], versions: { dev: '1.2.0' }, gates: [{ name: 'tests' }] },
  status: {
    environments: [{ name: 'dev', requested: '1.2.0', desired: '1.2.0', verdict: 'green' }],
    targets: [{ name: 'dev-1', desired: '1.2.0', delivery: { state: 'Superseded', attempts: 1 } }],
    history: [
      { time: '2026-12-01T10:00:00Z', type: 'SomethingNewer', environment: 'dev', to: '1.2.0' },
      { time: '2026-12-01T09:00:00Z', type: 'Requested', environment: 'dev', to: '1.2.0' },
    ],
    shards: 3,
  },
});

test('the strict parse refuses what a newer Depot wrote (what the operator itself checks)', () => {
  expect(parseApplication(newer()).ok).toBe(false);
});

test('a reader drops unknown fields, an unknown optional status value, and entries of an unknown type', () => {
  const result = parseTolerant(ApplicationSchema, newer());
  expect(result.ok).toBe(true);
  if (!result.ok) return;
  const app = result.value;
  expect(app.spec.versionScheme).toBe('semver'); // defaulted
  expect(app.spec).not.toHaveProperty('gates');
  expect(app.status?.environments).toEqual([{ name: 'dev', requested: '1.2.0', desired: '1.2.0' }]);
  // The target stays; only the delivery state it cannot name goes (state is required in it).
  expect(app.status?.targets).toEqual([{ name: 'dev-1', desired: '1.2.0' }]);
  expect(app.status?.history?.map((h) => h.type)).toEqual(['Requested']);
  expect(result.dropped).toEqual(
    expect.arrayContaining([
      'spec.gates',
      'status.shards',
      'status.environments[0].verdict',
      'status.targets[0].delivery',
      'status.history[0]',
    ]),
  );
});

test('the input is not changed', () => {
  const input = newer();
  parseTolerant(ApplicationSchema, input);
  expect(input).toEqual(newer());
});

test('an unknown value in spec is not guessed at: the message asks for a newer Depot', () => {
  const input = { ...newer(), spec: { ...newer().spec, versionScheme: 'calver' } };
  const result = parseTolerant(ApplicationSchema, input);
  expect(result).toEqual({
    ok: false,
    problems: [
      {
        path: 'spec.versionScheme',
        message: 'must be one of "semver", "opaque" (a newer Depot may have written it: upgrade this one)',
      },
    ],
  });
});

test('what is wrong for any Depot stays wrong', () => {
  const input = { ...newer(), spec: { ...newer().spec, versions: 'dev=1.0.0' } };
  const result = parseTolerant(ApplicationSchema, input);
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.problems[0]!.path).toBe('spec.versions');
});
