// Time formats: cron schedules, Go durations and IANA time zones.
import type { z } from 'zod';
import { parseDuration } from '../kube/duration.js';
import { celRegex, withRules, type Rule } from './cel.js';
import { formatted, type StringFormat } from './format.js';

const step = '(/[0-9]+)?';
const names = '[A-Za-z]{3}';
function field(value: string, extra = ''): string {
  const item = `(\\*${extra}|(${value})(-(${value}))?)${step}`;
  return `(${item}(,${item})*)`;
}
const minute = field('[0-5]?[0-9]');
const hour = field('[01]?[0-9]|2[0-3]');
const dayOfMonth = field('0?[1-9]|[12][0-9]|3[01]', '|\\?');
const month = field(`0?[1-9]|1[0-2]|${names}`);
const dayOfWeek = field(`[0-7]|${names}`, '|\\?');
const macros = '@(yearly|annually|monthly|weekly|daily|midnight|hourly)';

/** Standard 5-field cron (minute hour day-of-month month day-of-week) or a macro such as `@daily`. */
export const cronSchedule: StringFormat = {
  pattern: `^(${macros}|${minute} +${hour} +${dayOfMonth} +${month} +${dayOfWeek})$`,
  maxLength: 128,
  message:
    'must be a 5-field cron schedule (minute hour day-of-month month day-of-week) such as "0 9 * * 1-5", or @daily',
};

/** What Go's time.ParseDuration accepts, without sign: `90s`, `24h`, `1h30m`. */
export const goDuration: StringFormat = {
  pattern: '^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$',
  maxLength: 64,
  message: 'must be a Go duration such as "90s", "10m", "24h" or "1h30m"',
};

/**
 * Go durations whose parts cannot overflow Go's int64 nanoseconds: at most
 * 1e17ns a part (9999h, 999999m, 99999999s, ...), and 32 parts fit in 64
 * characters. CEL's duration() fails on an overflow instead of returning
 * false, so the bound rule reads the value only when it matches this.
 */
const NO_OVERFLOW_PART = [
  '[0-9]{1,4}(\\.[0-9]+)?h',
  '[0-9]{1,6}(\\.[0-9]+)?m',
  '[0-9]{1,8}(\\.[0-9]+)?s',
  '[0-9]{1,11}(\\.[0-9]+)?ms',
  '[0-9]{1,14}(\\.[0-9]+)?(us|µs)',
  '[0-9]{1,17}(\\.[0-9]+)?ns',
]
  .map((part) => `0*${part}`)
  .join('|');
const noOverflowDuration = `^(${NO_OVERFLOW_PART})+$`;

/** The longest soak time or freeze window: a year. Longer ones were mistakes, not plans. */
export const MAX_DURATION_HOURS = 8760;

/** A Go duration of at most maxHours (e.g. 8760h): checked by zod and, at admission, by CEL. */
export function boundedGoDuration(maxHours: number, description: string): z.ZodString {
  const max = `${maxHours}h`;
  const wellFormed = new RegExp(goDuration.pattern);
  const bound: Rule<string> = {
    cel:
      `!self.matches(${celRegex(goDuration.pattern)}) || ` +
      `(self.matches(${celRegex(noOverflowDuration)}) && duration(self) <= duration('${max}'))`,
    check: (v) => !wellFormed.test(v) || withinMs(v, maxHours * 3_600_000),
    message: `must be at most ${max} (${Math.round(maxHours / 24)} days)`,
  };
  return withRules(formatted(goDuration, description), bound);
}

function withinMs(text: string, maxMs: number): boolean {
  try {
    return parseDuration(text) <= maxMs;
  } catch {
    return false; // longer than any duration
  }
}

/** An IANA time zone name such as `Europe/Berlin` or `UTC`. */
export const timeZone: StringFormat = {
  pattern: '^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$',
  maxLength: 64,
  message: 'must be an IANA time zone name such as "UTC" or "Europe/Berlin"',
};
