import { STEP_EXAMPLES } from '../api/promotion-steps.js';
import { classifyStep, isValidVersion, sameVersion, sortVersions, stepAllowed } from './versions.js';

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
    expect(classifyStep('semver', from, to)).toBe(step);
  });

  test('opaque versions are unordered, equal or not', () => {
    expect(classifyStep('opaque', 'abc', 'def')).toBe('unordered');
    expect(classifyStep('opaque', 'abc', 'abc')).toBe('same');
    expect(sameVersion('opaque', 'v1.0.0', '1.0.0')).toBe(false);
    expect(sameVersion('semver', 'v1.0.0', '1.0.0')).toBe(true);
  });

  test('one notion of the same artifact: a leading v aside, build metadata counts', () => {
    expect(sameVersion('semver', '1.2.3+b1', '1.2.3+b2')).toBe(false);
    expect(sameVersion('semver', '1.2.3', '1.2.3+b1')).toBe(false);
    expect(sameVersion('semver', 'v1.2.3+b1', '1.2.3+b1')).toBe(true);
    expect(sameVersion('semver', '1.2.3-rc.1', '1.2.3-rc.1')).toBe(true);
    expect(sameVersion('semver', undefined, undefined)).toBe(true);
    expect(sameVersion('semver', '1.2.3', undefined)).toBe(false);
  });

  test('allow limits automatic steps; downgrades are never automatic', () => {
    expect(stepAllowed('patch', ['patch'])).toBe(true);
    expect(stepAllowed('minor', ['patch'])).toBe(false);
    expect(stepAllowed('major', undefined)).toBe(true);
    expect(stepAllowed('downgrade', undefined)).toBe(false);
  });

  test('validity per scheme', () => {
    expect(isValidVersion('semver', 'v1.2.3')).toBe(true);
    expect(isValidVersion('semver', '1.2')).toBe(false);
    expect(isValidVersion('opaque', 'sha-abc123')).toBe(true);
  });

  test('prereleases sort before their release', () => {
    expect(sortVersions('semver', ['1.2.3', '1.2.3-rc.2', 'v1.2.3-rc.10', '1.2.2'])).toEqual([
      '1.2.2',
      '1.2.3-rc.2',
      'v1.2.3-rc.10',
      '1.2.3',
    ]);
  });
});

describe('the step table of the CRD reference', () => {
  test.each(STEP_EXAMPLES.map((e) => [e.from, e.to, e.step]))('%s -> %s is %s', (from, to, step) => {
    expect(classifyStep('semver', from, to)).toBe(step);
  });
});
