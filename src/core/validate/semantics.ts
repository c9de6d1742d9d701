// What a regular expression cannot decide, with the operator's own checks:
// semver versions and ranges (core/application/semantics.ts), cron schedules
// and time zones (core/schedule.ts: cron-parser, the runtime's IANA database).
import { applicationProblems } from '../application/semantics.js';
import { catalogOf } from '../compatibility/namespace.js';
import { ruleProblems } from '../compatibility/rules.js';
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
  // Compatibility rules, with the controller's check (an unknown application: references.ts).
  const byNamespace = new Map<string, ReturnType<typeof catalogOf>>();
  for (const a of catalog.applications) {
    let apps = byNamespace.get(a.namespace);
    if (!apps)
      byNamespace.set(
        a.namespace,
        (apps = catalogOf(
          catalog.applications.filter((x) => x.namespace === a.namespace).map((x) => x.object),
        )),
      );
    for (const p of ruleProblems(apps.get(a.name)!, apps))
      if (p.reason !== 'UnknownApplication') problems.push(problemAt(a, 'Application', p.path, p.message));
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
