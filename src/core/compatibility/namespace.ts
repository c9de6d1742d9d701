// Compatibility across one namespace: for each environment, the combination
// desired now, the pending requests that could otherwise move (valid, not
// frozen unless forced, Environment present), and the set of them chosen to
// move (set-choice.ts). Every Application's reconcile reads its verdict from
// the same choice, so requests that only work together move together.
import type { Application } from '../../api/application.js';
import type { Environment } from '../../api/environment.js';
import type { EnvironmentSet } from '../../api/environment-set.js';
import type { Blocked, CompatibilityCheck, CompatibilityVerdict } from '../application/decision.js';
import { gate } from '../application/decision.js';
import { isForced } from '../application/force.js';
import { resolveEnvironments, type UnreadableObjects } from '../application/resolution.js';
import { versionsFor } from '../versions.js';
import {
  RuleBook,
  ruleProblems,
  withVersion,
  type Catalog,
  type Combination,
  type Member,
  type RuleProblem,
  type Violation,
} from './rules.js';
import { chooseRequests, type SetChoice } from './set-choice.js';

export const REQUIREMENT_NOT_MET = 'RequirementNotMet';

export interface NamespaceInput {
  applications: readonly Application[];
  environments: ReadonlyMap<string, Environment>;
  sets: ReadonlyMap<string, EnvironmentSet>;
  unreadable?: UnreadableObjects;
  now: Date;
  /** applicationStates, possibly memoized by the caller (default: computed). */
  statesOf?: (app: Application) => readonly ApplicationEnvState[];
  /**
   * The version desired now (default: as in `applications`). A view may be
   * kept while the chosen requests are applied one by one; this says which
   * already are, for the requirement order.
   */
  desiredNow?: (app: string, env: string) => string | undefined;
}

/** One application in one environment: desired now, and the request that could otherwise move. */
export interface ApplicationEnvState {
  env: string;
  desired?: string;
  pending?: string;
}

export interface CompatibilityView {
  verdict: CompatibilityCheck;
  /** Whether the choice delivers `version` of `app` in `env` (now, or after its requirements). */
  chose?(app: string, env: string, version: string): boolean;
  /** Whether the choice was made with this request pending. */
  saw?(app: string, env: string, version: string): boolean;
  /**
   * Whether a request the choice did not see can move by itself: every rule
   * involving it holds both in the combination `live` says runs now and in
   * the one the choice leads to.
   */
  fitsAlone?(
    app: string,
    env: string,
    version: string,
    live: (app: string, env: string) => string | undefined,
  ): boolean;
  /** Rules of `app` that `version`, desired in `env`, breaks there (after the choice). */
  broken(app: string, env: string, version: string): Violation[];
  /** Rules of `app` that cannot be evaluated or name an unknown application. */
  problems(app: string): RuleProblem[];
}

export function catalogOf(applications: readonly Application[]): Map<string, Member> {
  return new Map(
    applications.map((a) => [
      a.metadata.name,
      {
        name: a.metadata.name,
        scheme: versionsFor(a).scheme,
        rules: a.spec.compatibility ?? [],
      },
    ]),
  );
}

/** Where an application is, what is desired there, and which request could move (as far as all but the rules go). */
export function applicationStates(
  app: Application,
  input: Omit<NamespaceInput, 'applications'>,
): ApplicationEnvState[] {
  const v = versionsFor(app);
  const resolved = resolveEnvironments(app, input.sets, input.environments, input.unreadable);
  const before = new Map((app.status?.environments ?? []).map((e) => [e.name, e]));
  const names = resolved.incomplete ? [...new Set([...before.keys(), ...resolved.names])] : resolved.names;
  return names.map((env) => {
    const desired = before.get(env)?.desired;
    const requested = app.spec.versions?.[env];
    const gated = gate({
      app,
      env,
      environment: input.environments.get(env),
      requested,
      versions: v,
      before: before.get(env),
      forced: requested !== undefined && isForced(app, v, env, requested),
      now: input.now,
    });
    return {
      env,
      ...(desired !== undefined ? { desired } : {}),
      ...(gated.kind === 'eligible' ? { pending: requested! } : {}),
    };
  });
}

/** Environment → the versions desired now and the pending requests, of a namespace. */
export function environmentStates(
  input: NamespaceInput,
): Map<string, { current: Map<string, string>; pending: Map<string, string> }> {
  const out = new Map<string, { current: Map<string, string>; pending: Map<string, string> }>();
  const statesOf = input.statesOf ?? ((app: Application) => applicationStates(app, input));
  for (const app of input.applications) {
    const name = app.metadata.name;
    for (const st of statesOf(app)) {
      let s = out.get(st.env);
      if (!s) out.set(st.env, (s = { current: new Map(), pending: new Map() }));
      if (st.desired !== undefined) s.current.set(name, st.desired);
      if (st.pending !== undefined) s.pending.set(name, st.pending);
    }
  }
  return out;
}

/** The view every Application of the namespace decides with. */
export function namespaceCompatibility(input: NamespaceInput): CompatibilityView & {
  book: RuleBook;
  choices: Map<string, SetChoice>;
} {
  const catalog: Catalog = catalogOf(input.applications);
  const book = new RuleBook(catalog);
  const choices = new Map<string, SetChoice>();
  for (const [env, { current, pending }] of environmentStates(input))
    choices.set(env, chooseRequests({ book, place: env, current, pending }));
  const desiredThen = new Map(
    input.applications.map((a) => [
      a.metadata.name,
      new Map((a.status?.environments ?? []).map((e) => [e.name, e.desired])),
    ]),
  );
  const chosen = new Map([...choices].map(([env, c]) => [env, new Set(c.chosen)]));
  const desiredNow = input.desiredNow ?? ((app: string, env: string) => desiredThen.get(app)?.get(env));

  const verdict = (app: Application, env: string, version: string): CompatibilityVerdict => {
    const name = app.metadata.name;
    const choice = choices.get(env);
    if (!choice) return { kind: 'deliver' };
    if (choice.result.get(name) === version && chosen.get(env)!.has(name)) {
      // Chosen: once the chosen versions of the applications it requires are desired.
      const first = (choice.after.get(name) ?? []).filter((r) => desiredNow(r, env) !== choice.result.get(r));
      return first.length > 0 ? { kind: 'after', requires: first } : { kind: 'deliver' };
    }
    // Not chosen (or a request the choice did not see): the rules it breaks on the chosen result.
    const violations = book.violationsInvolving(name, withVersion(choice.result, name, version), env);
    return violations.length === 0
      ? { kind: 'deliver' }
      : { kind: 'blocked', blocked: blockedBy(name, version, env, violations) };
  };

  return {
    book,
    choices,
    verdict,
    chose: (app, env, version) =>
      choices.get(env)?.result.get(app) === version && !!chosen.get(env)?.has(app),
    saw: (app, env, version) => choices.get(env)?.pending.get(app) === version,
    fitsAlone: (app, env, version, live) => {
      const choice = choices.get(env);
      if (!choice) return false;
      const now: Combination = { get: (a) => (a === app ? version : live(a, env)) };
      return (
        book.violationsInvolving(app, withVersion(choice.result, app, version), env).length === 0 &&
        book.violationsInvolving(app, now, env).length === 0
      );
    },
    broken: (app, env, version) => {
      const result = choices.get(env)?.result;
      return result ? book.ownViolations(app, version, withVersion(result, app, version), env) : [];
    },
    problems: (app) => {
      const member = catalog.get(app);
      return member ? ruleProblems(member, catalog) : [];
    },
  };
}

/**
 * The block of a request, naming every rule it breaks: its own
 * (`dash 2.0.0 requires core >=1.12.0 <2.0.0; staging runs core 1.11.3`) and
 * those of applications it would break (`core 2.0.0 breaks a rule of dash in
 * prod: dash 1.9.4 requires core >=1.9.0 <1.12.0`).
 */
export function blockedBy(
  app: string,
  version: string,
  env: string,
  violations: readonly Violation[],
): Blocked {
  const messages = violations.map((v) =>
    v.application === app
      ? v.message
      : `${app} ${version} breaks a rule of ${v.application} in ${env}: ${v.application} ${v.version} requires ${v.requires.application} ${v.requires.versions}`,
  );
  return { reason: REQUIREMENT_NOT_MET, message: [...new Set(messages)].join('; ') };
}
