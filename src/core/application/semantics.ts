// What the Application schema cannot decide, checked the same way by
// `depot validate` (offline) and by the controller (as Ready=False): versions
// that semver does not parse, and compatibility ranges it does not parse.
import semver from 'semver';
import type { ApplicationSpec } from '../../api/application.js';

export interface FieldProblem {
  path: string;
  message: string;
}

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
  (spec.compatibility ?? []).forEach((rule, i) => {
    if (rule.when !== undefined && semver.validRange(rule.when) === null)
      problems.push({
        path: `spec.compatibility[${i}].when`,
        message: `"${rule.when}" is not a valid semver range`,
      });
    if (semver.validRange(rule.requires.versions) === null)
      problems.push({
        path: `spec.compatibility[${i}].requires.versions`,
        message: `"${rule.requires.versions}" is not a valid semver range`,
      });
  });
  return problems;
}
