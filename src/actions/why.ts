// `depot why APP ENV [VERSION]` as one read shared by the CLI (the user's
// own reads of the cluster), the HTTP API (this replica's caches) and the
// dashboard: the namespace's Applications, Environments, EnvironmentSets and
// Promotions, answered by core/why from the planner at the context's time.
import { ApplicationSchema, type Application } from '../api/application.js';
import type { Why } from '../api/http.js';
import { PromotionSchema, type Promotion } from '../api/promotion.js';
import { Applications, Promotions } from '../api/resources.js';
import { parseTolerant } from '../api/tolerant.js';
import { explainWhy, WhyError } from '../core/why/why.js';
import type { KubeObject } from '../kube/resource.js';
import { invalid, notFound } from './errors.js';
import type { ActionContext } from './port.js';
import { listEnvironments, parsedObject, readEnvironmentSets, readRaw } from './read.js';

export interface WhyQuestion {
  application: string;
  environment: string;
  /** Default: the newest known version. */
  version?: string;
}

// Parsed once per cached object (the HTTP API's informer caches keep the same
// object until it changes), so a question in a namespace of thousands of
// Applications parses only what changed since the last one. Read-only: shared.
const parseApplication = memoized((raw) => parseTolerant(ApplicationSchema, raw));
const parsePromotion = memoized((raw) => parseTolerant(PromotionSchema, raw));

/** `parse` remembered per object (a WeakMap: forgotten with the object the cache replaced). */
function memoized<R>(parse: (raw: KubeObject) => R): (raw: KubeObject) => R {
  const memo = new WeakMap<KubeObject, R>();
  return (raw) => {
    if (!memo.has(raw)) memo.set(raw, parse(raw));
    return memo.get(raw)!;
  };
}

/** Every object that parses; one that does not is left out (the operator reports it). */
function readable<T>(
  raws: KubeObject[],
  parse: (raw: KubeObject) => { ok: true; value: T } | { ok: false },
): T[] {
  return raws.flatMap((raw) => {
    const parsed = parse(raw);
    return parsed.ok ? [parsed.value] : [];
  });
}

export async function why(ctx: ActionContext, q: WhyQuestion): Promise<Why> {
  const [raw, apps, environments, sets, promotions] = await Promise.all([
    readRaw(ctx, Applications, q.application),
    ctx.port.list(Applications, ctx.namespace),
    listEnvironments(ctx),
    readEnvironmentSets(ctx),
    ctx.port.list(Promotions, ctx.namespace),
  ]);
  const parsed = parseApplication(raw);
  const app: Application = parsed.ok ? parsed.value : parsedObject(ApplicationSchema, Applications, raw);
  try {
    return explainWhy({
      app,
      environment: q.environment,
      ...(q.version !== undefined ? { version: q.version } : {}),
      applications: readable<Application>(apps, parseApplication),
      environments: new Map(environments.map((e) => [e.metadata.name, e])),
      sets: sets.valid,
      promotions: readable<Promotion>(promotions, parsePromotion),
      now: ctx.now(),
    });
  } catch (err) {
    if (!(err instanceof WhyError)) throw err;
    throw err.kind === 'notFound'
      ? notFound(err.message, { http: 'environment', cli: 'ENV' })
      : invalid(err.message, { http: 'version', cli: 'VERSION' });
  }
}
