// Questions answered from one namespace's Applications, for the CLI and the
// HTTP API: compat (the known versions of APP that work with given versions,
// and with what an environment runs, newest first), check (SUCCESS, or
// CONFLICT with every broken rule, as {result, packages, description}), and
// the matrix (per environment, desired versions and whether their rules hold).
import type { Application, KnownVersion } from '../../api/application.js';
import { newestFirst } from '../application/known-versions.js';
import { versionsFor, type Versions } from '../versions.js';
import { catalogOf } from './namespace.js';
import { rejection } from '../rejections.js';
import { RuleBook, type Combination, type Violation } from './rules.js';

export interface VersionRef {
  application: string;
  version: string;
}

/** `core@1.11.0` → {application, version}; an error message when it is not that shape. */
export function parseVersionRef(text: string): VersionRef | string {
  const at = text.indexOf('@');
  if (at <= 0 || at === text.length - 1) return `"${text}" is not APP@VERSION, e.g. core@1.11.0`;
  return { application: text.slice(0, at), version: text.slice(at + 1) };
}

export interface QuestionScope {
  applications: readonly Application[];
  /** Answer for what this environment runs (the given versions replace its own). */
  environment?: string;
}

/** Why a question cannot be answered (an unknown application or environment, a bad version). */
export class QuestionError extends Error {}

interface Setup {
  book: RuleBook;
  combination: Map<string, string>;
  place: string;
}

function setup(scope: QuestionScope, given: readonly VersionRef[]): Setup {
  const apps = new Map(scope.applications.map((a) => [a.metadata.name, a]));
  const combination = new Map<string, string>();
  if (scope.environment !== undefined) {
    const env = scope.environment;
    const present = scope.applications.filter((a) => a.status?.environments?.some((e) => e.name === env));
    if (present.length === 0) throw new QuestionError(`no application has the environment "${env}"`);
    for (const a of present) {
      const desired = a.status!.environments!.find((e) => e.name === env)!.desired;
      if (desired !== undefined) combination.set(a.metadata.name, desired);
    }
  }
  for (const ref of given) {
    const app = apps.get(ref.application);
    if (!app) throw new QuestionError(`no Application "${ref.application}" in this namespace`);
    const appVersions = versionsFor(app);
    if (!appVersions.valid(ref.version))
      throw new QuestionError(
        `${ref.application}@${ref.version}: "${ref.version}" is not a ${appVersions.scheme} version`,
      );
    combination.set(ref.application, ref.version);
  }
  const place = scope.environment ?? 'the given set';
  return { book: new RuleBook(catalogOf(scope.applications)), combination, place };
}

/**
 * The violations that involve `app` in `combination`. Without an environment,
 * only rules between applications of the combination count; the others are
 * named in `unchecked`.
 */
function judged(
  s: Setup,
  app: string,
  withEnvironment: boolean,
): { violations: Violation[]; unchecked: string[] } {
  const all = s.book.violationsInvolving(app, s.combination as Combination, s.place);
  if (withEnvironment) return { violations: all, unchecked: [] };
  const inSet = (v: Violation) => s.combination.has(v.requires.application);
  return {
    violations: all.filter(inSet),
    unchecked: all
      .filter((v) => !inSet(v))
      .map(
        (v) =>
          `${v.application} ${v.version} requires ${v.requires.application} ${v.requires.versions} (not in the set)`,
      ),
  };
}

export interface CheckAnswer {
  result: 'SUCCESS' | 'CONFLICT';
  /** The versions asked about, as given (APP@VERSION). */
  packages: string[];
  environment: string | null;
  /** null on SUCCESS; else every broken rule, one per line. */
  description: string | null;
  conflicts: Violation[];
  /** Rules on applications outside the set, not checked (without an environment). */
  unchecked: string[];
}

/** Do these versions work together (in an environment, with what else it runs)? */
export function checkVersions(scope: QuestionScope, given: readonly VersionRef[]): CheckAnswer {
  if (given.length === 0) throw new QuestionError('name at least one APP@VERSION');
  const s = setup(scope, given);
  const seen = new Set<string>();
  const conflicts: Violation[] = [];
  const unchecked = new Set<string>();
  for (const ref of given) {
    const j = judged(s, ref.application, scope.environment !== undefined);
    for (const v of j.violations) {
      const key = `${v.application}\n${v.rule}`;
      if (seen.has(key)) continue;
      seen.add(key);
      conflicts.push(v);
    }
    j.unchecked.forEach((u) => unchecked.add(u));
  }
  return {
    result: conflicts.length === 0 ? 'SUCCESS' : 'CONFLICT',
    packages: given.map((g) => `${g.application}@${g.version}`),
    environment: scope.environment ?? null,
    description: conflicts.length === 0 ? null : conflicts.map((c) => c.message).join('\n'),
    conflicts,
    unchecked: [...unchecked],
  };
}

export interface CompatAnswer {
  application: string;
  environment: string | null;
  with: string[];
  /** Known versions that work, newest first. */
  versions: KnownVersion[];
  /** Known versions that do not, with the rules they break. */
  incompatible: { version: string; conflicts: string[] }[];
  unchecked: string[];
}

/** The known versions of `application` that work with `given` (and what the environment runs). */
export function compatibleVersions(
  scope: QuestionScope,
  application: string,
  given: readonly VersionRef[],
): CompatAnswer {
  const app = scope.applications.find((a) => a.metadata.name === application);
  if (!app) throw new QuestionError(`no Application "${application}" in this namespace`);
  if (given.some((g) => g.application === application))
    throw new QuestionError(`--with names ${application} itself; name the other applications`);
  const s = setup(scope, given);
  const appVersions = versionsFor(app);
  const versions: KnownVersion[] = [];
  const incompatible: CompatAnswer['incompatible'] = [];
  const unchecked = new Set<string>();
  for (const known of candidates(app, appVersions)) {
    s.combination.set(application, known.version);
    const j = judged(s, application, scope.environment !== undefined);
    j.unchecked.forEach((u) => unchecked.add(u));
    if (j.violations.length === 0) versions.push(known);
    else incompatible.push({ version: known.version, conflicts: j.violations.map((v) => v.message) });
  }
  return {
    application,
    environment: scope.environment ?? null,
    with: given.map((g) => `${g.application}@${g.version}`),
    versions,
    incompatible,
    unchecked: [...unchecked],
  };
}

/**
 * status.knownVersions, plus what the status shows (an older operator kept no
 * list), newest first; never a rejected version (spec.rejectedVersions).
 */
function candidates(app: Application, appVersions: Versions): KnownVersion[] {
  const out = [...(app.status?.knownVersions ?? [])];
  const add = (version: string | undefined, environment: string) => {
    if (version !== undefined && !out.some((k) => appVersions.same(k.version, version)))
      out.push({ version, firstSeen: '', via: 'Requested', environment });
  };
  for (const e of app.status?.environments ?? []) {
    add(e.desired, e.name);
    add(e.requested, e.name);
  }
  return newestFirst(
    appVersions,
    out.filter((k) => appVersions.valid(k.version) && rejection(app, k.version) === undefined),
  );
}

export interface MatrixCell {
  application: string;
  desired: string | null;
  requested: string | null;
  blocked: { reason: string; message: string } | null;
  /** Whether its rules hold against what the environment desires. */
  rulesHold: boolean;
  broken: string[];
}

export interface MatrixRow {
  environment: string;
  applications: MatrixCell[];
}

/** Per environment (first seen first), each application's desired version and whether its rules hold. */
export function compatibilityMatrix(applications: readonly Application[]): MatrixRow[] {
  const book = new RuleBook(catalogOf(applications));
  const envs: string[] = [];
  for (const a of applications)
    for (const e of a.status?.environments ?? []) if (!envs.includes(e.name)) envs.push(e.name);
  const sorted = [...applications].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  return envs.map((env) => {
    const combination = new Map<string, string>();
    for (const a of applications) {
      const d = a.status?.environments?.find((e) => e.name === env)?.desired;
      if (d !== undefined) combination.set(a.metadata.name, d);
    }
    const cells = sorted.flatMap((a): MatrixCell[] => {
      const e = a.status?.environments?.find((x) => x.name === env);
      if (!e) return [];
      const broken =
        e.desired === undefined
          ? []
          : book.ownViolations(a.metadata.name, e.desired, combination, env).map((v) => v.message);
      return [
        {
          application: a.metadata.name,
          desired: e.desired ?? null,
          requested: e.requested ?? null,
          blocked: e.blocked ?? null,
          rulesHold: broken.length === 0,
          broken,
        },
      ];
    });
    return { environment: env, applications: cells };
  });
}
