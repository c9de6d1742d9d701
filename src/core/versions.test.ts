import { classifyStep, isValidVersion, sameVersion, sortVersions, stepAllowed } from './versions.js';

describe('versions', () => {
  test.each([
    ['1.2.3', '1.2.4', 'patch'],
    ['1.2.3', '1.3.0', 'minor'],
    ['1.2.3', '2.0.0', 'major'],
    ['v1.2.3', 'v1.2.3', 'same'],
    ['1.2.3', 'v1.2.3', 'same'],
    ['1.3.0', '1.2.9', 'downgrade'],
    ['1.2.3-rc.1', '1.2.3-rc.2', 'prerelease'],
    ['1.2.3-rc.1', '1.2.3', 'patch'],
    ['1.2.3', '2.0.0-rc.1', 'major'],
  ])('%s -> %s is %s', (from, to, step) => {
    expect(classifyStep('semver', from, to)).toBe(step);
  });

  test('opaque versions are unordered, equal or not', () => {
    expect(classifyStep('opaque', 'abc', 'def')).toBe('unordered');
    expect(classifyStep('opaque', 'abc', 'abc')).toBe('same');
    expect(sameVersion('opaque', 'v1.0.0', '1.0.0')).toBe(false);
    expect(sameVersion('semver', 'v1.0.0', '1.0.0')).toBe(true);
  });

  test('allow limits automatic steps; downgrades are never automatic', () => {
    expect(stepAllowed('patch', ['patch'])).toBe(true);
    expect(stepAllowed('minor', ['patch'])).toBe(false);
    expect(stepAllowed('major', undefined)).toBe(true);
    expect(stepAllowed('prerelease', ['patch'])).toBe(true);
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
