// Properties of the Go duration parser: every duration written in parts
// parses to the sum of its parts, and the time grows linearly with the input.
import fc from 'fast-check';
import { parseDuration } from './duration.js';
import { growthOfRepeated } from './testing/growth.js';

const UNIT_MS = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const part = fc.tuple(
  fc.nat({ max: 9999 }),
  fc.option(fc.nat({ max: 999 }), { nil: undefined }),
  fc.constantFrom(...(Object.keys(UNIT_MS) as (keyof typeof UNIT_MS)[])),
);

test('a duration in parts parses to the sum of its parts', () => {
  fc.assert(
    fc.property(fc.array(part, { minLength: 1, maxLength: 6 }), (parts) => {
      const text = parts.map(([n, f, u]) => `${n}${f === undefined ? '' : `.${f}`}${u}`).join('');
      const ms = parts.reduce((sum, [n, f, u]) => sum + Number(`${n}.${f ?? 0}`) * UNIT_MS[u], 0);
      expect(parseDuration(text)).toBe(Math.round(ms));
    }),
  );
});

const tryParse = (text: string) => {
  try {
    return parseDuration(text);
  } catch {
    return undefined;
  }
};

test.each([
  ['digits, then "!"', '1', '!'],
  ['"1h" repeated, then "!"', '1h', '!'],
  ['"0.0" repeated, then "s"', '0.0', 's'],
  ['"1ms" repeated', '0ms', ''],
])('parse time grows linearly: %s', (_what, unit, tail) => {
  const growth = growthOfRepeated(tryParse, unit, tail);
  expect(growth).toEqual(expect.objectContaining({ linear: true }));
});
