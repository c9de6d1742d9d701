// When a release goes wrong: roll back, release a rollback's hold on Promotions, reject and
// unreject a version, approve a version waiting in an approval-gated Promotion. Each checks its
// input first (nothing written when it refuses), plans with the pure core functions and writes
// with a field manager naming the user, guarded by the resourceVersion it planned from.
import { API_VERSION } from '../api/group.js';
import { releaseAnnotation, rollbackReasonAnnotation, UNREJECT_ANNOTATION } from '../api/annotations.js';
import { Applications, Promotions } from '../api/resources.js';
import { ApplicationSchema, type RejectedVersion } from '../api/application.js';
import { approveManager } from '../core/approvals.js';
import { planApproval, planReject, planRollback, planUnreject } from '../core/release-control.js';
import { rejectManager, unrejectManager } from '../core/rejections.js';
import { versionsFor } from '../core/versions.js';
import { checkEnvironment } from './checks.js';
import { conflict, invalid } from './errors.js';
import type { ActionContext } from './port.js';
import {
  listApplications,
  listPromotions,
  parsedObject,
  readApplication,
  readEnvironmentSets,
  readPromotion,
  readRaw,
  retryOnConflict,
} from './read.js';
import { applyVersion } from './versions.js';
import type { Application } from '../api/application.js';

export const RELEASE_MANAGER_PREFIX = 'depot-release.';
const MAX_REASON = 1024;

export interface RollbackRequest {
  application: string;
  environment: string;
  /** The version to roll back to (default: the previous desired one in the history). */
  to?: string;
  /** Also reject the version rolled back from. */
  reject?: boolean;
  /** Why (history, and the rejection's reason). */
  reason?: string;
}

export interface RollbackDone {
  application: string;
  environment: string;
  /** The version now requested. */
  version: string;
  /** The version rolled back from. */
  rolledBackFrom: string;
  rejected: boolean;
  fieldManager: string;
}

function checkReason(reason: string): void {
  const input = { http: 'reason', cli: '--reason' };
  if (reason.trim() === '') throw invalid('must say why the version is rejected', input);
  if (reason.length > MAX_REASON) throw invalid(`is longer than ${MAX_REASON} characters`, input);
}

function checkVersionSyntax(app: Application, version: string, input: { http: string; cli?: string }): void {
  const v = versionsFor(app);
  if (!v.valid(version))
    throw invalid(
      `"${version}" is not a ${v.scheme} version, so ${app.metadata.name} can never run it`,
      input,
    );
}

/** `depot rollback` / POST …/environments/{env}/rollback. */
export async function rollback(ctx: ActionContext, req: RollbackRequest): Promise<RollbackDone> {
  const env = req.environment;
  const reason = req.reason ?? (req.reject ? `rolled back in ${env}` : undefined);
  if (reason !== undefined) checkReason(reason);
  const done = await retryOnConflict(`application "${req.application}"`, async (fresh) => {
    const app = await readApplication(ctx, req.application, fresh);
    checkEnvironment(app, env, await readEnvironmentSets(ctx), ctx.namespace);
    if (req.to !== undefined) checkVersionSyntax(app, req.to, { http: 'to', cli: '--to' });
    const plan = planRollback(app, env, req.to);
    if (!plan.ok) throw conflict(plan.message);
    if (req.reject) checkRejectable(app, plan.from, reason!);
    const written = await applyVersion(
      ctx,
      app,
      env,
      plan.to,
      { kind: 'rollback', user: ctx.user },
      reason ? { annotations: { [rollbackReasonAnnotation(env)]: reason } } : {},
    );
    return { from: plan.from, fieldManager: written.fieldManager, to: plan.to };
  });
  if (req.reject) await reject(ctx, { application: req.application, version: done.from, reason: reason! });
  return {
    application: req.application,
    environment: env,
    version: done.to,
    rolledBackFrom: done.from,
    rejected: req.reject ?? false,
    fieldManager: done.fieldManager,
  };
}

export interface ReleaseRequest {
  application: string;
  environment: string;
}

export interface Done {
  application: string;
  environment?: string;
  promotion?: string;
  version: string;
  fieldManager: string;
  /** Approvals: every approver of the version that counts, this one included. */
  approvers?: string[];
  /** Approvals: how many more approvals the version needs (0: approved). */
  approvalsNeeded?: number;
}

/** `depot release` / POST …/environments/{env}/release: ends the holds of a rollback. */
export async function release(ctx: ActionContext, req: ReleaseRequest): Promise<Done> {
  const { application: name, environment: env } = req;
  const app = await readApplication(ctx, name);
  const holds = (await listPromotions(ctx))
    .filter((p) => p.spec.to === env)
    .flatMap((p) => (p.status?.holds ?? []).filter((h) => h.application === name));
  if (holds.length === 0) throw conflict(`${name} has no hold in ${env}`);
  // One release covers every hold of an older or the same version.
  const v = versionsFor(app);
  const version = holds.map((h) => h.version).reduce((a, b) => (v.newer(b, a) ? b : a));
  const fieldManager = `${RELEASE_MANAGER_PREFIX}${env}.${ctx.user}`.slice(0, 128);
  // Not guarded: the annotation names the version released, whatever changed meanwhile.
  await ctx.port.apply(
    Applications,
    ctx.namespace,
    name,
    {
      apiVersion: API_VERSION,
      kind: 'Application',
      metadata: { name, namespace: ctx.namespace, annotations: { [releaseAnnotation(env)]: version } },
    },
    fieldManager,
  );
  return { application: name, environment: env, version, fieldManager };
}

export interface RejectRequest {
  application: string;
  version: string;
  reason: string;
}

function checkRejectable(app: Application, version: string, reason: string): void {
  checkVersionSyntax(app, version, { http: 'version' });
  const plan = planReject(app, version, reason);
  if (!plan.ok) throw conflict(plan.message);
}

/** `depot reject` / POST …/applications/{app}/rejections: never promoted, new requests blocked unless forced. */
export async function reject(ctx: ActionContext, req: RejectRequest): Promise<Done> {
  checkReason(req.reason);
  return retryOnConflict(`application "${req.application}"`, async (fresh) => {
    const app = await readApplication(ctx, req.application, fresh);
    checkRejectable(app, req.version, req.reason);
    const fieldManager = rejectManager(req.version, ctx.user);
    await ctx.port.apply(
      Applications,
      ctx.namespace,
      req.application,
      {
        apiVersion: API_VERSION,
        kind: 'Application',
        metadata: {
          name: req.application,
          namespace: ctx.namespace,
          resourceVersion: app.metadata.resourceVersion,
        },
        spec: {
          rejectedVersions: [
            { version: req.version, reason: req.reason, ...(ctx.stamp ? { rejectedBy: ctx.user } : {}) },
          ],
        },
      },
      fieldManager,
    );
    return { application: req.application, version: req.version, fieldManager };
  });
}

export interface UnrejectRequest {
  application: string;
  version: string;
}

/** `depot unreject` / DELETE …/applications/{app}/rejections/{version}. */
export async function unreject(ctx: ActionContext, req: UnrejectRequest): Promise<Done> {
  return retryOnConflict(`application "${req.application}"`, async (fresh) => {
    const raw = await readRaw(ctx, Applications, req.application, fresh);
    const app = parsedObject(ApplicationSchema, Applications, raw);
    const plan = planUnreject(app, req.version);
    if (!plan.ok) throw conflict(plan.message);
    // The list is written whole, from the object as read (fields a newer Depot added stay);
    // guarded by its resourceVersion, so a change meanwhile means planning again.
    const rejected = ((raw as { spec?: { rejectedVersions?: RejectedVersion[] } }).spec?.rejectedVersions ??
      []) as RejectedVersion[];
    const fieldManager = unrejectManager(ctx.user);
    await ctx.port.patch(
      Applications,
      ctx.namespace,
      req.application,
      {
        metadata: {
          resourceVersion: app.metadata.resourceVersion,
          annotations: { [UNREJECT_ANNOTATION]: plan.version },
        },
        spec: { rejectedVersions: rejected.filter((_, i) => i !== plan.index) },
      },
      { type: 'merge', fieldManager },
    );
    return { application: req.application, version: plan.version, fieldManager };
  });
}

export interface ApproveRequest {
  promotion: string;
  application: string;
  /** Default: the version waiting; else it must be exactly that one. */
  version?: string;
}

/** `depot approve` / POST …/promotions/{promotion}/approvals: that exact version of the application. */
export async function approve(ctx: ActionContext, req: ApproveRequest): Promise<Done> {
  return retryOnConflict(`promotion "${req.promotion}"`, async (fresh) => {
    const [promotion, applications] = await Promise.all([
      readPromotion(ctx, req.promotion, fresh),
      listApplications(ctx),
    ]);
    const plan = planApproval(promotion, applications, req.application, req.version, ctx.user);
    if (!plan.ok) throw conflict(plan.message);
    const fieldManager = approveManager(req.application, plan.version, ctx.user);
    await ctx.port.apply(
      Promotions,
      ctx.namespace,
      req.promotion,
      {
        apiVersion: API_VERSION,
        kind: 'Promotion',
        metadata: {
          name: req.promotion,
          namespace: ctx.namespace,
          resourceVersion: promotion.metadata.resourceVersion,
        },
        // The approver is the authenticated user (a policy checks it); one entry and field
        // manager per approver, so approvals by different people never remove each other.
        spec: { approvals: [{ application: req.application, version: plan.version, approver: ctx.user }] },
      },
      fieldManager,
    );
    return {
      application: req.application,
      promotion: req.promotion,
      version: plan.version,
      fieldManager,
      approvers: plan.tally.approvers,
      approvalsNeeded: plan.tally.missing,
    };
  });
}
