// Verification after delivery (spec.verify) inside the Promotion's reconcile:
// plans each application's verification with core, asks the verification
// gates through the evaluator (fenced, in the background), and acts on a
// failure: rolls `to` back (a merge patch under the field manager
// depot-verification, guarded by the resourceVersion the plan read, so a
// later write by someone else is never undone), rejects the version, holds.
// Every write goes through the leader's fence (deps.writer).
import { Counter } from 'prom-client';
import type { Application } from '../api/application.js';
import { rollbackReasonAnnotation } from '../api/annotations.js';
import type { Promotion, PromotionHold, PromotionVerification } from '../api/promotion.js';
import { Applications } from '../api/resources.js';
import { MAX_PROMOTION_RESULTS } from '../api/promotion.js';
import { coveredApplications } from '../core/promotion/index.js';
import {
  isTerminal,
  planVerification,
  reportedVerifications,
  VERIFICATION_MANAGER,
  verificationActor,
  type VerificationFailure,
} from '../core/promotion/verification.js';
import { isConflict } from '../kube/errors.js';
import type { KubeObject } from '../kube/resource.js';
import type { ReconcileContext } from '../runtime/reconciler.js';
import type { RuntimeDeps } from '../runtime/runtime-deps.js';
import type { GateEvaluator, GatedPromotion } from './promotion-gates.js';

export interface VerificationRun {
  /** status.verifications (undefined: the Promotion has no spec.verify and none recorded). */
  verifications?: PromotionVerification[];
  /** status.verifySince: set on the first run with spec.verify, removed without it. */
  verifySince?: string | null;
  /** Holds a failed verification adds (onFailure hold). */
  holds: PromotionHold[];
  /** The earliest time to look again. */
  wakeAt?: number;
  /** A rollback met a newer write: plan again soon. */
  conflict: boolean;
}

export class Verifier {
  private readonly outcomes: Counter<'namespace' | 'promotion' | 'outcome'>;

  constructor(
    private readonly deps: RuntimeDeps,
    private readonly gates: GateEvaluator,
  ) {
    this.outcomes = new Counter({
      name: 'depot_promotion_verifications_total',
      help: 'Verifications (spec.verify) that ended, per Promotion and outcome (Verified, Failed, MovedOn).',
      labelNames: ['namespace', 'promotion', 'outcome'] as const,
      registers: [deps.metrics.registry],
    });
  }

  async run(
    promotion: Promotion,
    cached: KubeObject,
    applications: readonly Application[],
    now: Date,
    ctx: Pick<ReconcileContext, 'log'>,
  ): Promise<VerificationRun> {
    const namespace = promotion.metadata.namespace!;
    const name = promotion.metadata.name;
    const verify = promotion.spec.verify;
    const out: VerificationRun = { holds: [], conflict: false };
    if (!verify) {
      // spec.verify removed: what was recorded stays until it is (a status without it).
      if (promotion.status?.verifications?.length) out.verifications = [];
      if (promotion.status?.verifySince) out.verifySince = null;
      return out;
    }
    if (!promotion.status?.verifySince) out.verifySince = now.toISOString();
    const gated: GatedPromotion = {
      namespace,
      name,
      from: promotion.spec.from,
      to: promotion.spec.to,
      object: cached,
    };
    const records: PromotionVerification[] = [];
    const earlier = (t: number | undefined) => {
      if (t !== undefined && (out.wakeAt === undefined || t < out.wakeAt)) out.wakeAt = t;
    };
    for (const app of coveredApplications(promotion, applications)) {
      const step = planVerification({
        promotion,
        app,
        now,
        answers: (window) => this.gates.answersFor(namespace, name, { verify: { window } }),
      });
      if (!step.record) continue;
      if (step.ask)
        earlier(
          this.gates.ask(
            gated,
            { application: step.ask.application, version: step.ask.version, current: step.ask.version },
            verify.gates,
            now.getTime(),
            { verify: { window: step.ask.window } },
          ),
        );
      earlier(step.wakeAt?.getTime());
      if (step.failure) {
        const acted = await this.act(promotion, cached, app, step.failure, ctx);
        if (!acted) {
          out.conflict = true;
          // Keep what was recorded: the next pass plans again from the newer object.
          const prev = promotion.status?.verifications?.find((r) => r.application === app.metadata.name);
          if (prev) records.push(prev);
          continue;
        }
        if (step.failure.hold) out.holds.push(step.failure.hold);
      }
      records.push(step.record);
      if (step.changed) this.announce(cached, promotion, step.record);
    }
    out.verifications = reportedVerifications(records, MAX_PROMOTION_RESULTS);
    return out;
  }

  /** An Event for each transition; a finished verification is counted and its answers forgotten. */
  private announce(cached: KubeObject, promotion: Promotion, r: PromotionVerification): void {
    const { namespace, name } = promotion.metadata;
    const what = `${r.application} ${r.version} in ${promotion.spec.to}`;
    switch (r.phase) {
      case 'Deploying':
        return this.deps.events.normal(
          cached,
          'VerificationPending',
          `${what}: waiting for it to be deployed`,
        );
      case 'Verifying':
        return this.deps.events.normal(cached, 'Verifying', `${what}: ${r.message ?? 'verifying'}`);
      case 'Verified':
        this.deps.events.normal(cached, 'Verified', `${what} verified: ${r.message ?? ''}`);
        break;
      case 'Failed':
        this.deps.events.warning(cached, 'VerificationFailed', `${what}: ${r.message ?? ''}`);
        break;
      case 'MovedOn':
        this.deps.events.normal(cached, 'VerificationMovedOn', `${what}: ${r.message ?? ''}`);
        break;
    }
    if (isTerminal(r)) {
      this.outcomes.inc({ namespace: namespace!, promotion: name, outcome: r.phase });
      this.gates.forgetVerification(namespace!, name, r.application);
    }
  }

  /**
   * The rollback and the rejection of a failed verification, in one merge
   * patch guarded by the resourceVersion read; false when the application
   * changed since (nothing written: plan again).
   */
  private async act(
    promotion: Promotion,
    cached: KubeObject,
    app: Application,
    f: VerificationFailure,
    ctx: Pick<ReconcileContext, 'log'>,
  ): Promise<boolean> {
    if (f.rollbackTo === undefined && !f.reject) return true;
    const to = promotion.spec.to;
    const actor = verificationActor(promotion.metadata.name);
    const reason = `verification by Promotion ${promotion.metadata.name} failed: ${f.reason}`.slice(0, 1024);
    const writer = this.deps.writer(VERIFICATION_MANAGER);
    try {
      await writer.update(
        Applications,
        app as unknown as KubeObject,
        (draft) => {
          const d = draft as unknown as Application;
          if (f.rollbackTo !== undefined) {
            d.spec.versions = { ...d.spec.versions, [to]: f.rollbackTo };
            // The operator acts as the Promotion (it may attribute): history and holds name it.
            d.spec.requestedBy = { ...d.spec.requestedBy, [to]: { user: actor, version: f.rollbackTo } };
            d.metadata.annotations = { ...d.metadata.annotations, [rollbackReasonAnnotation(to)]: reason };
          }
          if (f.reject)
            d.spec.rejectedVersions = [
              ...(d.spec.rejectedVersions ?? []),
              { version: f.version, reason, rejectedBy: actor },
            ];
        },
        { conflictRetries: 0 },
      );
    } catch (err) {
      if (!isConflict(err)) throw err;
      ctx.log.info(
        { application: f.application, version: f.version, to },
        'the application changed since it was read: verification plans again instead of rolling back',
      );
      return false;
    }
    if (f.rollbackTo !== undefined)
      this.deps.events.warning(
        cached,
        'RolledBack',
        `${f.application}: ${to} rolled back from ${f.version} to ${f.rollbackTo}: ${f.reason}`,
      );
    if (f.reject)
      this.deps.events.warning(cached, 'Rejected', `${f.application} ${f.version} rejected: ${f.reason}`);
    ctx.log.info(
      { application: f.application, version: f.version, to, rollbackTo: f.rollbackTo },
      'verification failed',
    );
    return true;
  }
}
