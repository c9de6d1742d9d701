// `depot why APP ENV [VERSION]`: whether a version of an application is in an
// environment (desired there and reported deployed on every target), and if
// not, every reason, each from the planner the controllers run: the
// Application's decision (freeze, rejection, compatibility), the Promotion
// steps into the environment (soak, schedule, approval, gates, hold, …) and
// delivery per target. Pure: the caller reads the namespace; time is passed in.
import type { Application } from '../../api/application.js';
import type { Environment } from '../../api/environment.js';
import type { EnvironmentSet } from '../../api/environment-set.js';
import type { Why, WhyReason } from '../../api/http.js';
import type { Promotion } from '../../api/promotion.js';
import { isForced } from '../application/force.js';
import { resolveEnvironments } from '../application/resolution.js';
import { namespaceCompatibility } from '../compatibility/namespace.js';
import type { Gate } from '../promotion/gates.js';
import { versionsFor } from '../versions.js';
import { deliveryReasons, environmentTargets } from './delivery-reasons.js';
import { whyLines } from './lines.js';
import { promotionReasons, promotionsInto } from './promotion-reasons.js';
import { requestReasons } from './request-reasons.js';

export interface WhyInput {
  app: Application;
  environment: string;
  /** Default: the newest known version (status.knownVersions). */
  version?: string;
  /** Every Application of the namespace (the rules are the namespace's). */
  applications: readonly Application[];
  environments: ReadonlyMap<string, Environment>;
  sets: ReadonlyMap<string, EnvironmentSet>;
  promotions: readonly Promotion[];
  now: Date;
  /** The Promotion planner's steps (default PROMOTION_GATES). */
  gates?: readonly Gate[];
}

/** A question that has no answer: an unknown environment, an invalid version. */
export class WhyError extends Error {
  constructor(
    readonly kind: 'notFound' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'WhyError';
  }
}

export function explainWhy(input: WhyInput): Why {
  const { app, environment: env, now } = input;
  const name = app.metadata.name;
  const v = versionsFor(app);
  const envs = environmentNames(input);
  if (!envs.includes(env))
    throw new WhyError('notFound', `${env} is not an environment of ${name} (${envs.join(', ') || 'none'})`);
  const status = app.status?.environments?.find((e) => e.name === env);
  const requested = app.spec.versions?.[env];
  const desired = status?.desired;
  const version = input.version ?? app.status?.knownVersions?.[0]?.version ?? requested;
  if (version === undefined)
    throw new WhyError(
      'invalid',
      `no version of ${name} is known yet: name one (depot why ${name} ${env} VERSION)`,
    );
  if (!v.valid(version))
    throw new WhyError('invalid', `"${version}" is not a ${v.scheme} version of ${name}`);

  const targets = environmentTargets(app, env);
  const reasons: WhyReason[] = [];
  if (!v.same(desired, version)) reasons.push(...notDesired(input, version, requested, status?.blocked));
  else reasons.push(...deliveryReasons(env, version, targets, v));
  const facts = {
    application: name,
    namespace: app.metadata.namespace ?? '',
    environment: env,
    version,
    present: reasons.length === 0,
    ...(requested !== undefined ? { requested } : {}),
    ...(desired !== undefined ? { desired } : {}),
    reasons,
    targets,
  };
  return {
    ...facts,
    lines: whyLines({ ...facts, setBy: status?.setBy, desiredSince: status?.desiredSince }, now),
  };
}

/** The application's environments: resolved from its sets, and those its status records. */
function environmentNames(input: WhyInput): string[] {
  const resolved = resolveEnvironments(input.app, input.sets, input.environments).names;
  const recorded = (input.app.status?.environments ?? []).map((e) => e.name);
  return [...new Set([...resolved, ...recorded])];
}

function notDesired(
  input: WhyInput,
  version: string,
  requested: string | undefined,
  blocked: { reason: string; message: string } | null | undefined,
): WhyReason[] {
  const { app, environment: env, now } = input;
  const name = app.metadata.name;
  const v = versionsFor(app);
  // The Application's rules are the namespace's: this application as given, with the others.
  const applications = [app, ...input.applications.filter((a) => a.metadata.name !== name)];
  const isRequested = v.same(requested, version);
  const request = requestReasons({
    app,
    env,
    version,
    versions: v,
    environment: input.environments.get(env),
    forced: isRequested && isForced(app, v, env, version),
    now,
    compatibility: namespaceCompatibility({
      applications,
      environments: input.environments,
      sets: input.sets,
      now,
    }),
    applications,
  });
  if (isRequested) {
    if (request.length > 0) return request;
    // Nothing holds it back now: the operator has not decided since (or the status says what did).
    return [
      blocked
        ? { kind: 'pending', message: `last decision: ${blocked.reason}: ${blocked.message}` }
        : {
            kind: 'pending',
            message: `${env} requests ${version} and nothing holds it back: the operator has not made it desired yet`,
          },
    ];
  }
  const into = promotionsInto(input.promotions, app, env);
  const notRequested: WhyReason = {
    kind: 'notRequested',
    message:
      into.length > 0
        ? `${env} requests ${requested ?? 'no version'}, not ${version}; ${into.map((p) => p.metadata.name).join(', ')} would request it`
        : `${env} requests ${requested ?? 'no version'}, not ${version}, and no Promotion into ${env} covers ${name} (depot set-version ${name} ${env} ${version})`,
  };
  const seen = new Set(request.map((r) => r.kind));
  const promoted = promotionReasons({
    app,
    env,
    version,
    promotions: into,
    now,
    ...(input.gates ? { gates: input.gates } : {}),
  }).filter((r) => !seen.has(r.kind));
  return [notRequested, ...request, ...promoted];
}
