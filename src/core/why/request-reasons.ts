// Why a version does not become desired in an environment once requested:
// the Application planner's own checks (core/application/decision.ts), each
// asked on its own so that every reason shows, not only the first: an
// invalid version, a rejection, a missing Environment, a freeze window and
// the compatibility rules of the namespace (with what would satisfy them).
import type { Application } from '../../api/application.js';
import type { WhyReason } from '../../api/http.js';
import type { CompatibilityView } from '../compatibility/namespace.js';
import type { RuleBook, Violation } from '../compatibility/rules.js';
import { meets, withVersion } from '../compatibility/rules.js';
import { freezeState } from '../freeze.js';
import { rejectedMessage, rejection } from '../rejections.js';
import { versionsFor, type Versions } from '../versions.js';
import type { Environment } from '../../api/environment.js';
import type { SetChoice } from '../compatibility/set-choice.js';

export interface RequestQuestion {
  app: Application;
  env: string;
  version: string;
  versions: Versions;
  environment: Environment | undefined;
  /** The request carries the force annotation (freezes and rejections do not hold it). */
  forced: boolean;
  now: Date;
  compatibility: CompatibilityView & { book: RuleBook; choices: Map<string, SetChoice> };
  /** Every application of the namespace (what the rules' required versions are known from). */
  applications: readonly Application[];
}

/** Every reason the planner holds `version` back from being desired in `env`, were it requested. */
export function requestReasons(q: RequestQuestion): WhyReason[] {
  const { app, env, version, versions: v } = q;
  const name = app.metadata.name;
  if (!v.valid(version))
    return [{ kind: 'invalidVersion', message: `"${version}" is not a ${v.scheme} version of ${name}` }];
  const reasons: WhyReason[] = [];
  const rejected = rejection(app, version);
  if (rejected && !q.forced)
    reasons.push({
      kind: 'rejected',
      message: `${name} ${version} is ${rejectedMessage(app, rejected)}: depot unreject ${name} ${version} to allow it (or request it with --force)`,
    });
  if (!q.environment)
    reasons.push({
      kind: 'environmentNotFound',
      message: `Environment "${env}" does not exist in this namespace; ${version} waits for it`,
    });
  else reasons.push(...freezeReasons(q.environment, env, name, version, q.forced, q.now));
  reasons.push(...compatibilityReasons(q));
  return reasons;
}

function freezeReasons(
  environment: Environment,
  env: string,
  name: string,
  version: string,
  forced: boolean,
  now: Date,
): WhyReason[] {
  if (forced) return [];
  try {
    const freeze = freezeState(environment.spec.freeze, now);
    if (!freeze.frozen) return [];
    return [
      {
        kind: 'frozen',
        message: `${env} is ${freeze.message}; ${name} ${version} waits (depot set-version ${name} ${env} ${version} --force delivers it anyway)`,
        ...(freeze.until ? { until: freeze.until.toISOString() } : {}),
      },
    ];
  } catch (err) {
    return [
      {
        kind: 'frozen',
        message: `the freeze windows of ${env} cannot be evaluated (requests are held back): ${(err as Error).message}`,
      },
    ];
  }
}

/** The namespace's verdict on `version` in `env`, and for each broken rule what would satisfy it. */
function compatibilityReasons(q: RequestQuestion): WhyReason[] {
  const { app, env, version } = q;
  const name = app.metadata.name;
  // decide() asks the rules only of a request whose Environment exists.
  if (!q.environment) return [];
  const verdict = q.compatibility.verdict(app, env, version);
  if (verdict.kind === 'deliver') return [];
  if (verdict.kind === 'after')
    return [
      {
        kind: 'compatibility',
        message: `${name} ${version} moves with ${verdict.requires.join(', ')} and waits until their new versions are desired in ${env} first (requirement order)`,
      },
    ];
  const choice = q.compatibility.choices.get(env);
  const violations = choice
    ? q.compatibility.book.violationsInvolving(name, withVersion(choice.result, name, version), env)
    : [];
  if (violations.length === 0) return [{ kind: 'compatibility', message: verdict.blocked.message }];
  return violations.map((x) => ({ kind: 'compatibility', message: violationText(q, x) }));
}

function violationText(q: RequestQuestion, x: Violation): string {
  const name = q.app.metadata.name;
  const { application: req, versions: range } = x.requires;
  if (x.application === name) {
    const known = knownMatching(q, req, range);
    return `${x.message}: satisfied once ${q.env} runs ${req} ${range}${known.length ? ` (known: ${known.join(', ')}; depot why ${req} ${q.env} ${known[0]})` : ' (no known version of it matches)'}`;
  }
  return `${name} ${q.version} breaks a rule of ${x.application} in ${q.env}: ${x.application} ${x.version} requires ${req} ${range}: satisfied once ${q.env} runs a version of ${x.application} whose rules accept ${req} ${q.version}`;
}

/** Known versions of `application` in the range, newest first (at most five named). */
function knownMatching(q: RequestQuestion, application: string, range: string): string[] {
  const other = q.applications.find((a) => a.metadata.name === application);
  if (!other) return [];
  const { scheme } = versionsFor(other);
  return (other.status?.knownVersions ?? [])
    .map((k) => k.version)
    .filter((k) => meets(scheme, k, range))
    .slice(0, 5);
}
