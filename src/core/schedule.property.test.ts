// Properties of cron schedules as Depot checks them (the schema's pattern,
// then cron-parser): schedules of the grammar are accepted and mean the same
// times written another way, and the time grows linearly with the input.
import fc from 'fast-check';
import { CronExpressionParser } from 'cron-parser';
import { PromotionSpecSchema } from '../api/promotion.js';
import { growthOfRepeated } from '../kube/testing/growth.js';
import { nextRun, scheduleProblems } from './schedule.js';

/** What `depot validate` and the operator run on a Promotion's schedule. */
function check(schedule: string): boolean {
  const spec = PromotionSpecSchema.safeParse({ from: 'a', to: 'b', schedule });
  return spec.success && scheduleProblems(schedule, 'UTC').length === 0;
}

// cron-parser refuses a value named twice in one field, so lists have distinct values.
const field = (min: number, max: number) =>
  fc.oneof(
    fc.constant('*'),
    fc.integer({ min: 1, max }).map((n) => `*/${n}`),
    fc.uniqueArray(fc.integer({ min, max }), { minLength: 1, maxLength: 4 }).map((ns) => ns.join(',')),
    fc
      .tuple(fc.integer({ min, max }), fc.integer({ min, max }), fc.option(fc.integer({ min: 1, max: 9 })))
      .filter(([a, b]) => a !== b)
      .map(([a, b, n]) => `${Math.min(a, b)}-${Math.max(a, b)}${n ? `/${n}` : ''}`),
  );
const schedule = fc
  .tuple(field(0, 59), field(0, 23), field(1, 28), field(1, 12), field(0, 6))
  .map((fields) => fields.join(' '));

test('schedules of the grammar are accepted and fire at the same times as cron-parser reads them', () => {
  const at = new Date('2026-03-01T00:00:00Z');
  fc.assert(
    fc.property(schedule, (s) => {
      expect(check(s)).toBe(true);
      // cron-parser's own normal form of the schedule means the same times.
      const normal = CronExpressionParser.parse(s, { strict: false }).stringify();
      expect(nextRun(normal, 'UTC', at)).toEqual(nextRun(s, 'UTC', at));
    }),
    { numRuns: 50 },
  );
});

test.each([
  ['"0," repeated in the minute field', '0,', ' * * * *'],
  ['"1-2/3," repeated, then "!"', '1-2/3,', '!'],
  ['"* " repeated, then "!"', '* ', '!'],
  ['"Mon," repeated, then "!"', 'Mon,', '!'],
  ['spaces, then "!"', ' ', '!'],
])('parse time grows linearly: %s', (_what, unit, tail) => {
  const growth = growthOfRepeated(check, unit, tail);
  expect(growth).toEqual(expect.objectContaining({ linear: true }));
});
