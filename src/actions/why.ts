// `depot why APP ENV [VERSION]` as one read shared by the CLI (the user's
// own reads of the cluster), the HTTP API (this replica's caches) and the
// dashboard: the namespace's Applications, Environments, EnvironmentSets and
// Promotions, answered by core/why from the planner at the context's time.
import type { Why } from '../api/http.js';
import { explainWhy, WhyError } from '../core/why/why.js';
import { invalid, notFound } from './errors.js';
import type { ActionContext } from './port.js';
import {
  listApplications,
  listEnvironments,
  listPromotions,
  readApplication,
  readEnvironmentSets,
} from './read.js';

export interface WhyQuestion {
  application: string;
  environment: string;
  /** Default: the newest known version. */
  version?: string;
}

export async function why(ctx: ActionContext, q: WhyQuestion): Promise<Why> {
  const [app, applications, environments, sets, promotions] = await Promise.all([
    readApplication(ctx, q.application),
    listApplications(ctx),
    listEnvironments(ctx),
    readEnvironmentSets(ctx),
    listPromotions(ctx),
  ]);
  try {
    return explainWhy({
      app,
      environment: q.environment,
      ...(q.version !== undefined ? { version: q.version } : {}),
      applications,
      environments: new Map(environments.map((e) => [e.metadata.name, e])),
      sets: sets.valid,
      promotions,
      now: ctx.now(),
    });
  } catch (err) {
    if (!(err instanceof WhyError)) throw err;
    throw err.kind === 'notFound'
      ? notFound(err.message, { http: 'environment', cli: 'ENV' })
      : invalid(err.message, { http: 'version', cli: 'VERSION' });
  }
}
