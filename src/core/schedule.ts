// Cron arithmetic in a time zone (DST-aware, via cron-parser). Pure: the
// current time is always passed in.
import { CronExpressionParser } from 'cron-parser';
import type { EnvironmentSpec } from '../api/environment.js';
import type { PromotionSpec } from '../api/promotion.js';

// The macros the schema allows, as the 5-field schedules they stand for
// (cron-parser does not know @midnight).
const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

function parse(schedule: string, timeZone: string, currentDate: Date) {
  const expression = MACROS[schedule.trim().toLowerCase()] ?? schedule;
  return CronExpressionParser.parse(expression, { currentDate, tz: timeZone || 'UTC', strict: false });
}

/** The first scheduled time strictly after `after`. */
export function nextRun(schedule: string, timeZone: string, after: Date): Date {
  try {
    return parse(schedule, timeZone, after).next().toDate();
  } catch (err) {
    throw new Error(`schedule "${schedule}" in time zone "${timeZone}": ${(err as Error).message}`);
  }
}

/** The latest scheduled time at or before `at`, or undefined when there is none in the past year. */
export function previousRun(schedule: string, timeZone: string, at: Date): Date | undefined {
  // cron-parser's prev() is strictly before currentDate: nudge by 1 ms so an exact hit counts.
  try {
    const expr = parse(schedule, timeZone, new Date(at.getTime() + 1));
    const prev = expr.prev().toDate();
    return at.getTime() - prev.getTime() <= 366 * 86_400_000 ? prev : undefined;
  } catch {
    return undefined;
  }
}

export interface ScheduleProblem {
  field: 'schedule' | 'timeZone';
  message: string;
}

/** A problem at a field path of an object, e.g. `spec.freeze.windows[0].timeZone`. */
export interface FieldProblem {
  path: string;
  message: string;
}

/**
 * The one check of a schedule and its time zone, after the schema's pattern:
 * the operator and `depot validate` both use it (through the per-kind
 * functions below), so they accept and reject the same schedules.
 */
export function scheduleProblems(schedule: string, timeZone: string): ScheduleProblem[] {
  const problems: ScheduleProblem[] = [];
  if (!isTimeZone(timeZone))
    problems.push({ field: 'timeZone', message: `"${timeZone}" is not a known IANA time zone` });
  const cron = cronProblem(schedule);
  if (cron)
    problems.push({ field: 'schedule', message: `"${schedule}" is not a valid cron schedule: ${cron}` });
  return problems;
}

/** Problems of a Promotion's schedule and time zone, at their field paths. */
export function promotionScheduleProblems(spec: PromotionSpec): FieldProblem[] {
  if (spec.schedule === undefined) return [];
  return scheduleProblems(spec.schedule, spec.timeZone ?? 'UTC').map((p) => ({
    path: `spec.${p.field}`,
    message: p.message,
  }));
}

/** Problems of an Environment's freeze windows' schedules and time zones, at their field paths. */
export function freezeScheduleProblems(spec: EnvironmentSpec): FieldProblem[] {
  return (spec.freeze?.windows ?? []).flatMap((w, i) =>
    scheduleProblems(w.schedule, w.timeZone ?? 'UTC').map((p) => ({
      path: `spec.freeze.windows[${i}].${p.field}`,
      message: p.message,
    })),
  );
}

/** Throws `field: message` for the first problem of the schedule or time zone. */
export function validateSchedule(schedule: string, timeZone: string): void {
  const [first] = scheduleProblems(schedule, timeZone);
  if (first) throw new Error(`${first.field}: ${first.message}`);
}

function cronProblem(schedule: string): string | undefined {
  let expr;
  try {
    expr = parse(schedule, 'UTC', new Date(0));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // cron-parser rejects a day of month that none of the named months has (30 2).
    if (/explicit day of month/i.test(message)) return 'it never fires (no month it names has that day)';
    return message;
  }
  try {
    expr.next();
    return undefined;
  } catch {
    return 'it never fires';
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
