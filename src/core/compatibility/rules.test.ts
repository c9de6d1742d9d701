import type { CompatibilityRule } from '../../api/application.js';
import { meets, ruleApplies, ruleProblems, RuleBook, type Member } from './rules.js';

const member = (
  name: string,
  rules: CompatibilityRule[] = [],
  scheme: Member['scheme'] = 'semver',
): Member => ({
  name,
  scheme,
  rules,
});
const requires = (application: string, versions: string, when?: string): CompatibilityRule => ({
  ...(when !== undefined ? { when } : {}),
  requires: { application, versions },
});
const catalog = (...members: Member[]) => new Map(members.map((m) => [m.name, m]));

describe('ranges', () => {
  test.each([
    ['1.12.0', '>=1.12.0 <2.0.0', true],
    ['2.0.0', '>=1.12.0 <2.0.0', false],
    ['v1.12.3', '>=1.12.0 <2.0.0', true], // a v prefix on the version
    ['1.12.3', 'v1.12.0 - v1.13.0', true], // a v prefix in the range
    ['1.13.0', '1.12.0 - 1.13.0', true], // hyphen ranges are inclusive
    ['1.13.1', '1.12.0 - 1.13.0', false],
    ['1.13.5', '1.12.0 - 1.13', true], // a partial upper bound covers the minor
    ['1.9.4', '1.x || >=2.1.0', true], // ||
    ['2.0.5', '1.x || >=2.1.0', false],
    ['2.1.0', '1.x || >=2.1.0', true],
    // A prerelease meets a requirement only when the range names one of the same major.minor.patch.
    ['2.0.0-rc.1', '>=1.12.0 <2.0.0', false],
    ['1.13.0-rc.1', '>=1.12.0 <2.0.0', false],
    ['1.13.0-rc.2', '>=1.13.0-rc.1 <2.0.0', true],
    ['1.12.0+build.7', '1.12.0', true], // build metadata does not count for ranges
    ['not-a-version', '*', false],
  ])('%s meets %s: %s', (version, range, expected) => {
    expect(meets('semver', version, range)).toBe(expected);
  });

  test('a rule applies to the prereleases inside its when range', () => {
    const dash = member('dash');
    expect(ruleApplies(dash, requires('core', '>=1.12.0', '>=2.0.0'), '2.1.0-rc.1')).toBe(true);
    expect(ruleApplies(dash, requires('core', '>=1.12.0', '>=2.0.0'), 'v2.0.0')).toBe(true);
    expect(ruleApplies(dash, requires('core', '>=1.12.0', '>=2.0.0'), '1.9.4')).toBe(false);
    expect(ruleApplies(dash, requires('core', '>=1.12.0'), 'anything')).toBe(true); // no when: every version
  });

  test('an opaque application is required by exact version only', () => {
    expect(meets('opaque', 'build-7', 'build-7')).toBe(true);
    expect(meets('opaque', 'build-7', ' build-7 ')).toBe(true);
    expect(meets('opaque', 'build-70', 'build-7')).toBe(false);
    expect(meets('opaque', '1.2.3', '>=1.0.0')).toBe(false);
  });
});

describe('rule problems name the rule index and field', () => {
  test('bad ranges, a rule on itself, a range on an opaque application, an unknown application', () => {
    const model = member('model', [], 'opaque');
    const dash = member('dash', [
      requires('core', '>=1.12.0', '>=2.x.y.z'),
      requires('core', 'not a range'),
      requires('dash', '>=1.0.0'),
      requires('model', '>=1.0.0'),
      requires('kore', '>=1.0.0'),
      requires('model', 'build-7'),
    ]);
    const problems = ruleProblems(dash, catalog(dash, member('core'), model));
    expect(problems.map((p) => [p.path, p.reason])).toEqual([
      ['spec.compatibility[0].when', 'InvalidRange'],
      ['spec.compatibility[1].requires.versions', 'InvalidRange'],
      ['spec.compatibility[2].requires.application', 'InvalidCompatibilityRule'],
      ['spec.compatibility[3].requires.versions', 'InvalidCompatibilityRule'],
      ['spec.compatibility[4].requires.application', 'UnknownApplication'],
    ]);
    expect(problems[3]!.message).toContain('can be required only by exact version');
  });

  test('the usable rules keep working next to broken ones', () => {
    const dash = member('dash', [requires('core', 'not a range'), requires('core', '>=1.12.0')]);
    const book = new RuleBook(catalog(dash, member('core')));
    const v = book.ownViolations('dash', '2.0.0', new Map([['core', '1.11.3']]), 'prod');
    expect(v.map((x) => x.rule)).toEqual([1]);
  });
});

describe('violations', () => {
  const dash = member('dash', [
    requires('core', '>=1.12.0 <2.0.0', '>=2.0.0'),
    requires('core', '>=1.9.0 <1.12.0', '<2.0.0'),
  ]);
  const book = new RuleBook(catalog(dash, member('core')));

  test('the message says what is required and what the place runs', () => {
    const v = book.ownViolations('dash', '2.0.0', new Map([['core', '1.11.3']]), 'staging');
    expect(v.map((x) => x.message)).toEqual([
      'dash 2.0.0 requires core >=1.12.0 <2.0.0; staging runs core 1.11.3',
    ]);
  });

  test('a required application with no version there is unsatisfied, and the message says so', () => {
    const v = book.ownViolations('dash', '2.0.0', new Map(), 'qa');
    expect(v.map((x) => x.message)).toEqual([
      'dash 2.0.0 requires core >=1.12.0 <2.0.0; qa runs no version of core',
    ]);
    expect(v[0]!.found).toBeUndefined();
  });

  test('both ways: moving core is checked against the rules of dash', () => {
    const combo = new Map([
      ['core', '1.12.0'],
      ['dash', '1.9.4'],
    ]);
    expect(book.violationsInvolving('core', combo, 'prod').map((x) => [x.application, x.rule])).toEqual([
      ['dash', 1],
    ]);
  });
});
