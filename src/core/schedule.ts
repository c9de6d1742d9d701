// Cron arithmetic in a time zone; pure, the time is passed in. A time the
// clock skips runs once, as late as the gap is long; a time it shows twice
// runs at its first occurrence. The mapping only moves forward, so nextRun and
// previousRun agree (cron-parser's own time zone mode disagrees with itself
// there and fails on 30-minute changes).
import { CronExpressionParser } from 'cron-parser';
import type { EnvironmentSpec } from '../api/environment.js';
import type { PromotionSpec } from '../api/promotion.js';
import type { FieldProblem } from '../api/field-problem.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Longer than any clock change (Troll's 2 h), for the look-back of previousRun. */
const LONGEST_CHANGE = 3 * HOUR;
/** Wall-clock candidates examined per call before giving up (never reached by a valid schedule). */
const MAX_CANDIDATES = 10_000;

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

/** Wall-clock times of the schedule, as UTC dates, iterated from `wall`. */
function wallClock(schedule: string, wall: number) {
  const expression = MACROS[schedule.trim().toLowerCase()] ?? schedule;
  return CronExpressionParser.parse(expression, { currentDate: new Date(wall), tz: 'UTC', strict: false });
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** How far the zone's clock is ahead of UTC at an instant, in ms. */
function offsetAt(timeZone: string, instant: number): number {
  const whole = Math.floor(instant / 1000) * 1000;
  const part = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(new Date(whole))
      .map((p) => [p.type, Number(p.value)]),
  ) as Record<string, number>;
  const wall = Date.UTC(part.year!, part.month! - 1, part.day!, part.hour!, part.minute!, part.second!);
  return wall - whole;
}

const toWall = (timeZone: string, instant: number) => instant + offsetAt(timeZone, instant);

/** The instant a wall-clock time runs at, by the rule above. */
function toInstant(timeZone: string, wall: number): number {
  const before = offsetAt(timeZone, wall - DAY);
  const after = offsetAt(timeZone, wall + DAY);
  const shown = [before, after]
    .map((offset) => wall - offset)
    .filter((instant) => toWall(timeZone, instant) === wall);
  // Shown twice: the first; never shown (a gap): with the offset before the change.
  return shown.length > 0 ? Math.min(...shown) : wall - before;
}

function scheduleError(schedule: string, timeZone: string, err: unknown): Error {
  const message = err instanceof Error ? err.message : String(err);
  return new Error(`schedule "${schedule}" in time zone "${timeZone}": ${message}`);
}

/** The first scheduled time strictly after `after`. */
export function nextRun(schedule: string, timeZone: string, after: Date): Date {
  const tz = timeZone || 'UTC';
  try {
    // Wall-clock times before the one shown at `after` run at or before it.
    const candidates = wallClock(schedule, toWall(tz, after.getTime()));
    for (let i = 0; i < MAX_CANDIDATES; i++) {
      const instant = toInstant(tz, candidates.next().getTime());
      if (instant > after.getTime()) return new Date(instant);
    }
  } catch (err) {
    throw scheduleError(schedule, tz, err);
  }
  throw scheduleError(schedule, tz, 'no run found');
}

/** The latest scheduled time at or before `at`, or undefined when there is none in the past year. */
export function previousRun(schedule: string, timeZone: string, at: Date): Date | undefined {
  const tz = timeZone || 'UTC';
  const atMs = at.getTime();
  // A clock set back shortly before `at` shows wall times ahead of `at`'s that ran before it.
  const setBack = Math.max(0, offsetAt(tz, atMs - LONGEST_CHANGE) - offsetAt(tz, atMs));
  try {
    // prev() is strictly before its start: 1 ms later so an exact hit counts.
    const candidates = wallClock(schedule, toWall(tz, atMs) + setBack + 1);
    for (let i = 0; i < MAX_CANDIDATES; i++) {
      const instant = toInstant(tz, candidates.prev().getTime());
      if (instant <= atMs) return atMs - instant <= 366 * DAY ? new Date(instant) : undefined;
    }
  } catch {
    // No earlier time at all (cron-parser's search limit).
  }
  return undefined;
}

/**
 * The one check of a schedule and its time zone (paths relative to them), after the schema's pattern:
 * the operator and `depot validate` both use it (through the per-kind
 * functions below), so they accept and reject the same schedules.
 */
export function scheduleProblems(schedule: string, timeZone: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!isTimeZone(timeZone))
    problems.push({ path: 'timeZone', message: `"${timeZone}" is not a known IANA time zone` });
  const cron = cronProblem(schedule);
  if (cron)
    problems.push({ path: 'schedule', message: `"${schedule}" is not a valid cron schedule: ${cron}` });
  return problems;
}

/** Problems of a Promotion's schedule and time zone, at their field paths. */
export function promotionScheduleProblems(spec: PromotionSpec): FieldProblem[] {
  if (spec.schedule === undefined) return [];
  return scheduleProblems(spec.schedule, spec.timeZone ?? 'UTC').map((p) => ({
    path: `spec.${p.path}`,
    message: p.message,
  }));
}

/** Problems of an Environment's freeze windows' schedules and time zones, at their field paths. */
export function freezeScheduleProblems(spec: EnvironmentSpec): FieldProblem[] {
  return (spec.freeze?.windows ?? []).flatMap((w, i) =>
    scheduleProblems(w.schedule, w.timeZone ?? 'UTC').map((p) => ({
      path: `spec.freeze.windows[${i}].${p.path}`,
      message: p.message,
    })),
  );
}

function cronProblem(schedule: string): string | undefined {
  let expr;
  try {
    expr = wallClock(schedule, 0);
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
