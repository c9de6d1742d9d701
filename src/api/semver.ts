// Version formats. CEL has no semver library, so the API server checks the
// syntax with regular expressions; `depot validate` and the controller also
// parse ranges with the `semver` package.
import type { StringFormat } from './format.js';

const nr = '(0|[1-9][0-9]*)';
const ident = '[0-9A-Za-z-]+';
const pre = `(-${ident}(\\.${ident})*)?`;
const build = `(\\+${ident}(\\.${ident})*)?`;

/** A semantic version; a leading `v` is tolerated (`v1.2.3`), as tags often carry one. */
export const semverVersion: StringFormat = {
  pattern: `^v?${nr}\\.${nr}\\.${nr}${pre}${build}$`,
  maxLength: 128,
  message: 'must be a semantic version such as 1.2.3 or v1.2.3-rc.1',
};

/** Any version string (versionScheme opaque): printable, no whitespace. */
export const opaqueVersion: StringFormat = {
  pattern: '^[A-Za-z0-9][A-Za-z0-9._+:@/-]*$',
  maxLength: 128,
  message:
    'must be a version: letters, digits and "._+:@/-", starting with a letter or digit, at most 128 characters',
};

// node-semver's range grammar: partial versions with x/X/* wildcards,
// comparators (<, <=, >, >=, =, ~, ~>, ^), hyphen ranges, `||`. Every run of
// spaces has exactly one place in the pattern (spaces after an operator are
// part of the comparator, spaces before one separate comparators), so a
// backtracking engine (JavaScript's) runs in linear time: with `op? *` two
// adjacent space runs could split each run of spaces, which took time
// exponential in the number of comparators (issue 23).
const xr = '(0|[1-9][0-9]*|[xX*])';
const partial = `v?${xr}(\\.${xr}(\\.${xr}${pre}${build})?)?`;
const simple = `((<=|>=|<|>|=|~>|~|\\^) *)?${partial}`;
const range = `(${partial} +- +${partial}|${simple}( +${simple})*)`;

/** A semver range such as `>=1.12.0 <2.0.0`, `^1.2`, `1.x || >=2.1.0`, `1.2.3 - 1.4.0` or `*`. */
export const semverRange: StringFormat = {
  pattern: `^ *${range}( *\\|\\| *${range})* *$`,
  maxLength: 256,
  message: 'must be a semver range such as ">=1.12.0 <2.0.0", "^1.2", "1.x || >=2.1.0" or "*"',
};
