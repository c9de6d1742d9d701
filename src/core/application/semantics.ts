// What the Application schema cannot decide, checked the same way by
// `depot validate` (offline) and by the controller: versions that semver
// does not parse. Compatibility rules: core/compatibility/rules.ts (ruleProblems).
import semver from 'semver';
import type { ApplicationSpec } from '../../api/application.js';
import type { FieldProblem } from '../../api/field-problem.js';

export function applicationProblems(spec: ApplicationSpec): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (spec.versionScheme === 'semver') {
    for (const [env, version] of Object.entries(spec.versions ?? {})) {
      if (!semver.valid(version))
        problems.push({
          path: `spec.versions.${env}`,
          message: `"${version}" is not a valid semantic version`,
        });
    }
  }
  return problems;
}
