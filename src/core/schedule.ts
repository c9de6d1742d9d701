// Cron arithmetic in a time zone (DST-aware, via cron-parser). Pure: the
// current time is always passed in.
import { CronExpressionParser } from 'cron-parser';

function parse(schedule: string, timeZone: string, currentDate: Date) {
  try {
    return CronExpressionParser.parse(schedule, { currentDate, tz: timeZone || 'UTC', strict: false });
  } catch (err) {
    throw new Error(`schedule "${schedule}" in time zone "${timeZone}": ${(err as Error).message}`);
  }
}

/** The first scheduled time strictly after `after`. */
export function nextRun(schedule: string, timeZone: string, after: Date): Date {
  return parse(schedule, timeZone, after).next().toDate();
}

/** The latest scheduled time at or before `at`, or undefined when there is none in the past year. */
export function previousRun(schedule: string, timeZone: string, at: Date): Date | undefined {
  // cron-parser's prev() is strictly before currentDate: nudge by 1 ms so an exact hit counts.
  const expr = parse(schedule, timeZone, new Date(at.getTime() + 1));
  try {
    const prev = expr.prev().toDate();
    return at.getTime() - prev.getTime() <= 366 * 86_400_000 ? prev : undefined;
  } catch {
    return undefined;
  }
}

/** Throws a message naming the problem when the schedule or time zone is unusable. */
export function validateSchedule(schedule: string, timeZone: string): void {
  if (!isTimeZone(timeZone)) throw new Error(`unknown time zone "${timeZone}"`);
  const expr = parse(schedule, timeZone, new Date(0));
  try {
    expr.next();
  } catch {
    throw new Error(`schedule "${schedule}" never fires`);
  }
}

export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}
