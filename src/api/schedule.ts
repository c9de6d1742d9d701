// Time formats: cron schedules, Go durations and IANA time zones.
import type { StringFormat } from './format.js';

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

/** An IANA time zone name such as `Europe/Berlin` or `UTC`. */
export const timeZone: StringFormat = {
  pattern: '^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$',
  maxLength: 64,
  message: 'must be an IANA time zone name such as "UTC" or "Europe/Berlin"',
};
