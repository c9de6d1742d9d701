// What a regular expression cannot decide: semver ranges and versions parsed
// by the `semver` package, cron schedules by cron-parser (value ranges, names),
// time zones by the runtime's IANA database.
import { CronExpressionParser } from 'cron-parser';
import semver from 'semver';
import type { Catalog } from './catalog.js';
import { problemAt } from './located.js';
import type { Problem } from './problem.js';

export function checkSemantics(catalog: Catalog): Problem[] {
  const problems: Problem[] = [];
  for (const a of catalog.applications) {
    const report = (path: string, message: string) =>
      problems.push(problemAt(a, 'Application', path, message));
    const { spec } = a.object;
    if (spec.versionScheme === 'semver') {
      for (const [env, version] of Object.entries(spec.versions ?? {})) {
        if (!semver.valid(version))
          report(`spec.versions.${env}`, `"${version}" is not a valid semantic version`);
      }
    }
    (spec.compatibility ?? []).forEach((rule, i) => {
      if (rule.when !== undefined && semver.validRange(rule.when) === null) {
        report(`spec.compatibility[${i}].when`, `"${rule.when}" is not a valid semver range`);
      }
      if (semver.validRange(rule.requires.versions) === null) {
        report(
          `spec.compatibility[${i}].requires.versions`,
          `"${rule.requires.versions}" is not a valid semver range`,
        );
      }
    });
  }
  for (const e of catalog.environments) {
    (e.object.spec.freeze?.windows ?? []).forEach((w, i) => {
      const path = `spec.freeze.windows[${i}]`;
      problems.push(
        ...scheduleProblems(w.schedule, w.timeZone).map((m) =>
          problemAt(e, 'Environment', `${path}.${m.field}`, m.message),
        ),
      );
    });
  }
  for (const p of catalog.promotions) {
    const { schedule, timeZone } = p.object.spec;
    if (schedule !== undefined) {
      problems.push(
        ...scheduleProblems(schedule, timeZone ?? 'UTC').map((m) =>
          problemAt(p, 'Promotion', `spec.${m.field}`, m.message),
        ),
      );
    }
  }
  return problems;
}

interface FieldMessage {
  field: 'schedule' | 'timeZone';
  message: string;
}

function scheduleProblems(schedule: string, timeZone: string): FieldMessage[] {
  if (!isTimeZone(timeZone))
    return [{ field: 'timeZone', message: `"${timeZone}" is not a known IANA time zone` }];
  try {
    CronExpressionParser.parse(schedule, { tz: timeZone });
    return [];
  } catch (err) {
    return [
      {
        field: 'schedule',
        message: `"${schedule}" is not a valid cron schedule: ${err instanceof Error ? err.message : String(err)}`,
      },
    ];
  }
}

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
