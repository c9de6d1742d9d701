import { STEP_EXAMPLES } from '../api/promotion-steps.js';
import { stepAllowed, versionsFor, versionsOf } from './versions.js';

const semverVersions = versionsOf('semver');
const opaqueVersions = versionsOf('opaque');

describe('versions', () => {
  test.each([
    ['1.2.3', '1.2.4', 'patch'],
    ['1.2.3', '1.3.0', 'minor'],
    ['1.2.3', '2.0.0', 'major'],
    ['v1.2.3', 'v1.2.3', 'same'],
    ['1.2.3', 'v1.2.3', 'same'],
    ['1.3.0', '1.2.9', 'downgrade'],
    ['1.2.3-rc.1', '1.2.3-rc.2', 'patch'],
    ['1.3.0-rc.1', '1.3.0-rc.2', 'patch'],
    ['1.2.3-rc.1', '1.2.3', 'patch'],
    ['2.0.0-rc.1', '2.0.0', 'patch'],
    ['1.2.3', '2.0.0-rc.1', 'major'],
    ['1.2.3', '1.3.0-rc.1', 'minor'],
    ['1.2.3+b1', '1.2.3+b2', 'patch'],
    ['1.2.3+b2', '1.2.3+b1', 'patch'],
    ['v1.2.3+b1', '1.2.3+b1', 'same'],
    ['1.2.3', '1.2.3+b1', 'patch'],
  ])('%s -> %s is %s', (from, to, step) => {
    expect(semverVersions.step(from, to)).toBe(step);
  });

  test('opaque versions are unordered, equal or not', () => {
    expect(opaqueVersions.step('abc', 'def')).toBe('unordered');
    expect(opaqueVersions.step('abc', 'abc')).toBe('same');
    expect(opaqueVersions.same('v1.0.0', '1.0.0')).toBe(false);
    expect(semverVersions.same('v1.0.0', '1.0.0')).toBe(true);
  });

  test('one notion of the same artifact: a leading v aside, build metadata counts', () => {
    expect(semverVersions.same('1.2.3+b1', '1.2.3+b2')).toBe(false);
    expect(semverVersions.same('1.2.3', '1.2.3+b1')).toBe(false);
    expect(semverVersions.same('v1.2.3+b1', '1.2.3+b1')).toBe(true);
    expect(semverVersions.same('1.2.3-rc.1', '1.2.3-rc.1')).toBe(true);
    expect(semverVersions.same(undefined, undefined)).toBe(true);
    expect(semverVersions.same('1.2.3', undefined)).toBe(false);
  });

  test('allow limits automatic steps; downgrades are never automatic', () => {
    expect(stepAllowed('patch', ['patch'])).toBe(true);
    expect(stepAllowed('minor', ['patch'])).toBe(false);
    expect(stepAllowed('major', undefined)).toBe(true);
    expect(stepAllowed('downgrade', undefined)).toBe(false);
  });

  test('validity per scheme', () => {
    expect(semverVersions.valid('v1.2.3')).toBe(true);
    expect(semverVersions.valid('1.2')).toBe(false);
    expect(opaqueVersions.valid('sha-abc123')).toBe(true);
  });

  test('newer and older follow semver order; opaque versions are neither', () => {
    expect(semverVersions.newer('1.3.0', 'v1.2.9')).toBe(true);
    expect(semverVersions.newer('1.2.3', '1.2.3')).toBe(false);
    expect(semverVersions.newer('1.2.3-rc.1', '1.2.3')).toBe(false);
    expect(semverVersions.older('1.2.3-rc.1', '1.2.3')).toBe(true);
    expect(semverVersions.older('1.2.3', '1.2.3')).toBe(false);
    expect(opaqueVersions.newer('b', 'a')).toBe(false);
    expect(opaqueVersions.older('a', 'b')).toBe(false);
  });

  test('an application without versionScheme has semver versions (the schema default)', () => {
    expect(versionsFor({ spec: {} }).scheme).toBe('semver');
    expect(versionsFor({ spec: { versionScheme: 'opaque' } })).toBe(opaqueVersions);
  });

  test('prereleases sort before their release', () => {
    expect(semverVersions.sort(['1.2.3', '1.2.3-rc.2', 'v1.2.3-rc.10', '1.2.2'])).toEqual([
      '1.2.2',
      '1.2.3-rc.2',
      'v1.2.3-rc.10',
      '1.2.3',
    ]);
  });
});

describe('the step table of the CRD reference', () => {
  test.each(STEP_EXAMPLES.map((e) => [e.from, e.to, e.step]))('%s -> %s is %s', (from, to, step) => {
    expect(semverVersions.step(from, to)).toBe(step);
  });
});
