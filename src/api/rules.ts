// Rule builders shared by several kinds.
import type { Rule } from './cel.js';

/** Exactly one (or, with atMostOne, at most one) of the given optional fields is set. */
export function oneOf<T extends object>(
  fields: (keyof T & string)[],
  opts: { atMostOne?: boolean } = {},
): Rule<T> {
  const list = fields.map((f) => `has(self.${f})`).join(', ');
  const names = fields.join(', ');
  return {
    cel: `[${list}].filter(x, x).size() ${opts.atMostOne ? '<=' : '=='} 1`,
    check: (value) => {
      const n = fields.filter((f) => value[f] !== undefined).length;
      return opts.atMostOne ? n <= 1 : n === 1;
    },
    message: opts.atMostOne ? `at most one of ${names} may be set` : `exactly one of ${names} must be set`,
  };
}
