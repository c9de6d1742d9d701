// Writing versions: request a version in an environment (set-version),
// promote the source environment's version into one, report the version a
// target runs. Each: read → check → plan (core) → one write guarded by the
// resourceVersion it was planned from → again on 409 Conflict.
import { ApplicationSchema, type Application, type ApplicationTargetStatus } from '../api/application.js';
import { Applications } from '../api/resources.js';
import { planManualPromotion } from '../core/manual-promotion.js';
import { deployedReport, versionRequest, type VersionWriter } from '../core/version-writes.js';
import { checkEnvironment, checkVersion } from './checks.js';
import { conflict, notFound } from './errors.js';
import type { ActionContext } from './port.js';
import {
  listEnvironments,
  listPromotions,
  parsedObject,
  readApplication,
  readEnvironmentSets,
  readRaw,
  retryOnConflict,
} from './read.js';

/** What a write of a version wrote (the HTTP API answers it; the CLI prints it). */
export interface VersionWritten {
  application: string;
  environment?: string;
  target?: string;
  version: string;
  fieldManager: string;
  /** promote: the source environment, and how it was chosen. */
  from?: string;
  via?: string;
}

const byName = <T extends { metadata: { name: string } }>(items: T[]) =>
  new Map(items.map((i) => [i.metadata.name, i]));

/** spec.versions[env] = version with the writer's field manager, guarded by the resourceVersion read. */
export async function applyVersion(
  ctx: ActionContext,
  app: Application,
  env: string,
  version: string,
  writer: VersionWriter,
  opts: { force?: boolean; annotations?: Record<string, string> } = {},
): Promise<VersionWritten> {
  const write = versionRequest({
    application: app.metadata.name,
    namespace: ctx.namespace,
    env,
    version,
    writer,
    force: opts.force,
    annotations: opts.annotations,
    resourceVersion: app.metadata.resourceVersion,
    stamp: ctx.stamp,
  });
  await ctx.port.apply(Applications, ctx.namespace, app.metadata.name, write.body, write.fieldManager);
  return { application: app.metadata.name, environment: env, version, fieldManager: write.fieldManager };
}

export interface SetVersionRequest {
  application: string;
  environment: string;
  version: string;
  /** Deliver even during a freeze (recorded as Forced). */
  force?: boolean;
}

/** `depot set-version` / PUT …/environments/{env}/version: what CI runs after a build. */
export function setVersion(ctx: ActionContext, req: SetVersionRequest): Promise<VersionWritten> {
  return retryOnConflict(`application "${req.application}"`, async (fresh) => {
    const app = await readApplication(ctx, req.application, fresh);
    checkEnvironment(app, req.environment, await readEnvironmentSets(ctx), ctx.namespace);
    checkVersion(app, req.version, { http: 'version', cli: `spec.versions.${req.environment}` });
    return applyVersion(
      ctx,
      app,
      req.environment,
      req.version,
      { kind: 'set-version', user: ctx.user },
      { force: req.force },
    );
  });
}

export interface PromoteRequest {
  application: string;
  environment: string;
  /** Source environment (default: the Promotion into it, else the previous one of the set). */
  from?: string;
  force?: boolean;
}

/** `depot promote` / POST …/environments/{env}/promote: the source's desired version into the environment. */
export function promote(ctx: ActionContext, req: PromoteRequest): Promise<VersionWritten> {
  return retryOnConflict(`application "${req.application}"`, async (fresh) => {
    const app = await readApplication(ctx, req.application, fresh);
    const sets = await readEnvironmentSets(ctx);
    checkEnvironment(app, req.environment, sets, ctx.namespace);
    if (req.from !== undefined && req.from !== req.environment)
      checkEnvironment(app, req.from, sets, ctx.namespace, { http: 'from', cli: '--from' });
    const [promotions, environments] = await Promise.all([listPromotions(ctx), listEnvironments(ctx)]);
    const plan = planManualPromotion({
      app,
      to: req.environment,
      from: req.from,
      promotions,
      sets: sets.valid,
      environments: byName(environments),
    });
    if (!plan.ok) throw conflict(plan.message);
    const written = await applyVersion(
      ctx,
      app,
      req.environment,
      plan.version,
      { kind: 'promote', user: ctx.user },
      { force: req.force },
    );
    return { ...written, from: plan.from, via: plan.via };
  });
}

export interface ReportDeployedRequest {
  application: string;
  target: string;
  version: string;
}

/** `depot set-deployed` / PUT …/targets/{target}/deployed: status.targets[].deployed. */
export function reportDeployed(ctx: ActionContext, req: ReportDeployedRequest): Promise<VersionWritten> {
  return retryOnConflict(`application "${req.application}"`, async (fresh) => {
    const raw = await readRaw(ctx, Applications, req.application, fresh);
    const app = parsedObject(ApplicationSchema, Applications, raw);
    checkVersion(app, req.version, { http: 'version', cli: 'version' });
    // status.targets is written whole: from the object as read, so fields a newer operator added stay.
    const targets = (raw as { status?: { targets?: ApplicationTargetStatus[] } }).status?.targets;
    const asRead = { ...app, status: { ...app.status, targets } };
    const report = deployedReport(asRead, req.target, req.version, ctx.user, ctx.now());
    if (!report.ok) throw notFound(report.message);
    await ctx.port.patch(Applications, ctx.namespace, req.application, report.patch, {
      type: 'merge',
      fieldManager: report.fieldManager,
      subresource: 'status',
    });
    return {
      application: req.application,
      target: req.target,
      version: req.version,
      fieldManager: report.fieldManager,
    };
  });
}
