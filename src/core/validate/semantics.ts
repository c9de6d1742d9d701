// What a regular expression cannot decide: semver ranges and versions parsed
// by the `semver` package; cron schedules and time zones by the operator's
// own check (core/schedule.ts: cron-parser, the runtime's IANA database).
import semver from 'semver';
import { freezeScheduleProblems, promotionScheduleProblems } from '../schedule.js';
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
  // The operator's own check of schedules and time zones (core/schedule.ts).
  for (const e of catalog.environments)
    for (const p of freezeScheduleProblems(e.object.spec))
      problems.push(problemAt(e, 'Environment', p.path, p.message));
  for (const p of catalog.promotions)
    for (const problem of promotionScheduleProblems(p.object.spec))
      problems.push(problemAt(p, 'Promotion', problem.path, problem.message));
  return problems;
}
