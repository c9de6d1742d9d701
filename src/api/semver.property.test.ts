// Properties of the version and range formats (src/api/semver.ts), as
// `depot validate` and the controller run them on untrusted YAML: valid
// inputs are accepted and keep their meaning, and the time grows linearly
// with the input (issue 23: the range pattern was exponential).
import fc from 'fast-check';
import semver from 'semver';
import { growthOfRepeated } from '../kube/testing/growth.js';
import { CompatibilityRuleSchema } from './application.js';
import { formatRule } from './format.js';
import { semverRange, semverVersion } from './semver.js';

const acceptsRange = formatRule(semverRange).check;
const acceptsVersion = formatRule(semverVersion).check;
/** What `depot validate` runs on a compatibility rule's `when`. */
const parseWhen = (when: string) =>
  CompatibilityRuleSchema.safeParse({ when, requires: { application: 'core', versions: '*' } }).success;
/** And on its `requires.versions` (a range, or an exact opaque version). */
const parseRequired = (versions: string) =>
  CompatibilityRuleSchema.safeParse({ requires: { application: 'core', versions } }).success;

const num = fc.nat({ max: 999 }).map(String);
const ident = fc.stringMatching(/^[0-9A-Za-z-]{1,8}$/).filter((s) => !/^0[0-9]+$/.test(s));
const dotted = (part: fc.Arbitrary<string>) =>
  fc.array(part, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('.'));
const version = fc
  .tuple(
    fc.boolean(),
    num,
    num,
    num,
    fc.option(dotted(ident), { nil: undefined }),
    fc.option(dotted(fc.stringMatching(/^[0-9A-Za-z-]{1,8}$/)), { nil: undefined }),
  )
  .map(
    ([v, a, b, c, pre, build]) =>
      `${v ? 'v' : ''}${a}.${b}.${c}${pre ? `-${pre}` : ''}${build ? `+${build}` : ''}`,
  );

const xr = fc.oneof(num, fc.constantFrom('x', 'X', '*'));
const partial = fc.oneof(
  xr,
  fc.tuple(num, xr).map(([a, b]) => `${a}.${b}`),
  fc.tuple(num, num, num).map(([a, b, c]) => `${a}.${b}.${c}`),
);
const operator = fc.constantFrom('', '<', '<=', '>', '>=', '=', '~', '^');
const comparator = fc
  .tuple(operator, fc.constantFrom('', ' '), partial)
  .map(([op, space, p]) => `${op}${op ? space : ''}${p}`);
const rangePart = fc.oneof(
  fc.array(comparator, { minLength: 1, maxLength: 3 }).map((cs) => cs.join(' ')),
  fc.tuple(partial, partial).map(([a, b]) => `${a} - ${b}`),
);
const range = fc.array(rangePart, { minLength: 1, maxLength: 3 }).map((parts) => parts.join(' || '));

describe('versions', () => {
  test('every semantic version is accepted and parses to itself', () => {
    fc.assert(
      fc.property(version, (v) => {
        expect(acceptsVersion(v)).toBe(true);
        const parsed = semver.parse(v.replace(/^v/, ''));
        const build = parsed?.build.length ? `+${parsed.build.join('.')}` : '';
        expect(`${parsed?.version}${build}`).toBe(v.replace(/^v/, ''));
      }),
    );
  });
});

describe('ranges', () => {
  test('every range of the grammar is accepted and means what node-semver reads', () => {
    fc.assert(
      fc.property(range, version, (r, v) => {
        expect(acceptsRange(r)).toBe(true);
        expect(parseWhen(r)).toBe(true);
        const normal = semver.validRange(r);
        expect(normal).not.toBeNull();
        // The normal form is a range of the same meaning, and the format accepts it too.
        expect(semver.validRange(normal!)).toBe(normal);
        expect(semver.satisfies(v, normal!)).toBe(semver.satisfies(v, r));
      }),
    );
  });

  test('ranges outside the grammar are refused', () => {
    for (const bad of ['1.2.3 !', '>=1 <', '1 ||', '1 - ', '1..2', '>>1', 'latest'])
      expect(acceptsRange(bad)).toBe(false);
  });
});

// Adversarial inputs: long runs that almost match, then fail at the end.
const rangeInputs: [string, string, string][] = [
  ['"1  " repeated, then "!" (was exponential)', '1  ', '!'],
  ['"1 " repeated, then "!"', '1 ', '!'],
  ['">= 1.2.3 " repeated, then "!"', '>= 1.2.3 ', '!'],
  ['"1 - " repeated', '1 - ', '!'],
  ['"1 || " repeated, then "!"', '1 || ', '!'],
  ['spaces, then "!"', ' ', '!'],
  ['a long prerelease, then "!"', '1.2.3-a.', '!'],
  ['a long valid range', '1 ', '1'],
];

describe('parse time grows linearly', () => {
  test.each(rangeInputs)('range: %s', (_what, unit, tail) => {
    expect(growthOfRepeated(parseWhen, unit, tail)).toEqual(expect.objectContaining({ linear: true }));
    expect(growthOfRepeated(parseRequired, unit, tail)).toEqual(expect.objectContaining({ linear: true }));
  });

  test.each([
    ['digits, then "!"', '1', '!'],
    ['a long prerelease, then "!"', '1.2.3-a.', '!'],
    ['a long build, then "!"', '1.2.3+a-', '!'],
  ])('version: %s', (_what, unit, tail) => {
    const parse = (v: string) => acceptsVersion(v);
    const growth = growthOfRepeated(parse, unit, tail);
    expect(growth).toEqual(expect.objectContaining({ linear: true }));
  });
});
