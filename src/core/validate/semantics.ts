// What a regular expression cannot decide, with the operator's own checks:
// semver versions and ranges (core/application/semantics.ts), cron schedules
// and time zones (core/schedule.ts: cron-parser, the runtime's IANA database).
import { applicationProblems } from '../application/semantics.js';
import { freezeScheduleProblems, promotionScheduleProblems } from '../schedule.js';
import type { Catalog } from './catalog.js';
import { problemAt } from './located.js';
import type { Problem } from './problem.js';

export function checkSemantics(catalog: Catalog): Problem[] {
  const problems: Problem[] = [];
  // The controllers' own checks (core/application/semantics.ts, core/schedule.ts).
  for (const a of catalog.applications)
    for (const p of applicationProblems(a.object.spec))
      problems.push(problemAt(a, 'Application', p.path, p.message));
  // The operator's own check of schedules and time zones (core/schedule.ts).
  for (const e of catalog.environments)
    for (const p of freezeScheduleProblems(e.object.spec))
      problems.push(problemAt(e, 'Environment', p.path, p.message));
  for (const p of catalog.promotions)
    for (const problem of promotionScheduleProblems(p.object.spec))
      problems.push(problemAt(p, 'Promotion', problem.path, problem.message));
  return problems;
}
