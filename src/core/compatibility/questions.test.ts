import type { Application } from '../../api/application.js';
import { app } from '../testing/builders.js';
import {
  checkVersions,
  compatibilityMatrix,
  compatibleVersions,
  parseVersionRef,
  QuestionError,
  type VersionRef,
} from './questions.js';

const dashRules = [
  { when: '>=2.0.0', requires: { application: 'core', versions: '>=1.12.0 <2.0.0' } },
  { when: '<2.0.0', requires: { application: 'core', versions: '>=1.9.0 <1.12.0' } },
];
const at = (env: string, desired: string, requested = desired) => ({
  name: env,
  desired,
  requested,
  blocked: null,
});
const known = (...versions: string[]) =>
  versions.map((version) => ({
    version,
    firstSeen: '2026-11-20T10:00:00.000Z',
    via: 'Requested' as const,
    environment: 'dev',
  }));

const namespace = (): Application[] => [
  app('core', {}, { status: { environments: [at('staging', '1.12.0'), at('prod', '1.11.3')] } }),
  app(
    'dash',
    { compatibility: dashRules },
    {
      status: {
        environments: [
          at('staging', '2.0.0'),
          { ...at('prod', '1.9.4', '2.0.0'), blocked: { reason: 'RequirementNotMet', message: 'x' } },
        ],
        knownVersions: known('2.1.0', '2.0.0', '1.9.4', '1.9.0'),
      },
    },
  ),
  app(
    'ide',
    { compatibility: [{ requires: { application: 'core', versions: '>=1.11.0' } }] },
    { status: { environments: [at('staging', 'v0.5.2'), at('prod', 'v0.5.2')] } },
  ),
];
const refs = (...s: string[]) => s.map((x) => parseVersionRef(x) as VersionRef);

describe('depot check', () => {
  test('SUCCESS for versions that work together', () => {
    expect(checkVersions({ applications: namespace() }, refs('core@1.12.0', 'dash@2.0.0'))).toMatchObject({
      result: 'SUCCESS',
      packages: ['core@1.12.0', 'dash@2.0.0'],
      description: null,
      conflicts: [],
    });
  });

  test('CONFLICT with every broken rule, as {result, packages, description}', () => {
    const answer = checkVersions(
      { applications: namespace() },
      refs('core@1.11.0', 'dash@2.0.0', 'ide@0.6.0'),
    );
    expect(answer.result).toBe('CONFLICT');
    expect(answer.description).toBe(
      'dash 2.0.0 requires core >=1.12.0 <2.0.0; the given set runs core 1.11.0',
    );
    expect(answer.conflicts.map((c) => [c.application, c.rule])).toEqual([['dash', 0]]);
  });

  test('in an environment, with what else it runs', () => {
    const answer = checkVersions({ applications: namespace(), environment: 'prod' }, refs('core@1.12.0'));
    expect(answer.description).toBe('dash 1.9.4 requires core >=1.9.0 <1.12.0; prod runs core 1.12.0');
    expect(
      checkVersions({ applications: namespace(), environment: 'prod' }, refs('core@1.12.0', 'dash@2.0.0'))
        .result,
    ).toBe('SUCCESS');
  });

  test('rules on applications outside the set are named, not checked', () => {
    const answer = checkVersions({ applications: namespace() }, refs('dash@2.0.0'));
    expect(answer.result).toBe('SUCCESS');
    expect(answer.unchecked).toEqual(['dash 2.0.0 requires core >=1.12.0 <2.0.0 (not in the set)']);
  });

  test('unknown applications, environments and bad versions are errors', () => {
    expect(() => checkVersions({ applications: namespace() }, refs('kore@1.0.0'))).toThrow(QuestionError);
    expect(() => checkVersions({ applications: namespace() }, refs('core@one'))).toThrow(
      /not a semver version/,
    );
    expect(() => checkVersions({ applications: namespace(), environment: 'qa' }, refs('core@1.0.0'))).toThrow(
      /qa/,
    );
    expect(parseVersionRef('core')).toContain('APP@VERSION');
  });
});

describe('depot compat', () => {
  test('the known versions of dash that work with core 1.11.0, newest first (the core → add-on mapping)', () => {
    const answer = compatibleVersions({ applications: namespace() }, 'dash', refs('core@1.11.0'));
    expect(answer.versions.map((v) => v.version)).toEqual(['1.9.4', '1.9.0']);
    expect(answer.incompatible.map((v) => v.version)).toEqual(['2.1.0', '2.0.0']);
  });

  test('with what an environment runs', () => {
    const staging = compatibleVersions({ applications: namespace(), environment: 'staging' }, 'dash', []);
    expect(staging.versions.map((v) => v.version)).toEqual(['2.1.0', '2.0.0']);
  });

  test('rejected versions are left out', () => {
    const apps = namespace();
    apps[1]!.spec.rejectedVersions = [{ version: '1.9.4', reason: 'leaks memory' }];
    const answer = compatibleVersions({ applications: apps }, 'dash', refs('core@1.11.0'));
    expect(answer.versions.map((v) => v.version)).toEqual(['1.9.0']);
  });

  test('the rules of the given applications count too (both ways)', () => {
    // ide requires core >=1.11.0: which known cores work with ide 0.5.2?
    const cores = compatibleVersions({ applications: namespace() }, 'core', refs('ide@0.5.2'));
    expect(cores.versions.map((v) => v.version)).toEqual(['1.12.0', '1.11.3']);
  });
});

describe('the matrix', () => {
  test('per environment, each desired version and whether its rules hold', () => {
    const apps = namespace();
    apps[1]!.status!.environments![1]!.desired = '2.0.0'; // as if delivered before the rule existed
    const matrix = compatibilityMatrix(apps);
    expect(matrix.map((r) => r.environment)).toEqual(['staging', 'prod']);
    expect(matrix[1]!.applications.map((c) => [c.application, c.desired, c.rulesHold])).toEqual([
      ['core', '1.11.3', true],
      ['dash', '2.0.0', false],
      ['ide', 'v0.5.2', true],
    ]);
    expect(matrix[1]!.applications[1]!.broken).toEqual([
      'dash 2.0.0 requires core >=1.12.0 <2.0.0; prod runs core 1.11.3',
    ]);
  });
});
