// The checks every write of a version makes before anything is written.
import type { Application } from '../api/application.js';
import type { EnvironmentSet } from '../api/environment-set.js';
import { opaqueVersion, semverVersion } from '../api/semver.js';
import { resolveEnvironments } from '../core/application/resolution.js';
import { invalid, notFound, type RefusedInput } from './errors.js';

/**
 * The application's environments from its spec and EnvironmentSets as they
 * are now, so the check works before the operator has written a status; the
 * status's environments count too only while a set is missing or unreadable
 * (a status written before a set changed does not decide).
 */
export function environmentsOf(
  app: Application,
  sets: { valid: ReadonlyMap<string, EnvironmentSet>; invalid: ReadonlySet<string> },
  namespace: string,
): { names: string[]; unresolved: string[] } {
  // Environment objects are not needed for the names (a missing one is the operator's report).
  const { names } = resolveEnvironments(app, sets.valid, new Map());
  const unresolvedSets = (app.spec.environmentSets ?? []).filter((name) => !sets.valid.has(name));
  if (unresolvedSets.length > 0) {
    for (const e of app.status?.environments ?? []) if (!names.includes(e.name)) names.push(e.name);
  }
  const unresolved = unresolvedSets.map((name) =>
    sets.invalid.has(name)
      ? `EnvironmentSet "${name}" is invalid (see \`kubectl describe environmentset ${name}\`)`
      : `EnvironmentSet "${name}" does not exist in namespace ${namespace}`,
  );
  return { names, unresolved };
}

/**
 * Refuses an environment the application does not have (a typo such as
 * `prd`), naming the ones it has. Not found for the environment of the
 * request itself; invalid for another input naming one (`from`).
 */
export function checkEnvironment(
  app: Application,
  env: string,
  sets: { valid: ReadonlyMap<string, EnvironmentSet>; invalid: ReadonlySet<string> },
  namespace: string,
  input?: RefusedInput,
): void {
  const { names, unresolved } = environmentsOf(app, sets, namespace);
  if (names.includes(env)) return;
  const known = names.length > 0 ? names.join(', ') : 'none';
  const why = unresolved.length > 0 ? `: ${unresolved.join('; ')}` : '';
  const reason = `${env} is not an environment of ${app.metadata.name} (${known}${why})`;
  throw input ? invalid(reason, input) : notFound(reason);
}

const formats = { semver: semverVersion, opaque: opaqueVersion };
const patterns = { semver: new RegExp(semverVersion.pattern), opaque: new RegExp(opaqueVersion.pattern) };

/** The version must be one of the application's scheme, as admission checks it (the same patterns). */
export function checkVersion(app: Application, version: string, input: RefusedInput): void {
  const scheme = app.spec.versionScheme;
  const format = formats[scheme];
  if (version.length <= format.maxLength && patterns[scheme].test(version)) return;
  throw invalid(`${format.message} (${app.metadata.name} has versionScheme ${scheme})`, input);
}
