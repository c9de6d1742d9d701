// Promotion planning: which applications a Promotion moves from one
// environment to the next now (every gate lets them through), which wait or
// are blocked (the first gate that stops them says why), and in which order
// the writes go out. Pure: time is passed in.
import type { Application } from '../../api/application.js';
import {
  MAX_PROMOTION_RESULTS,
  type Promotion,
  type PromotionHold,
  type PromotionResult,
} from '../../api/promotion.js';
import { parseDuration } from '../../kube/duration.js';
import { matchesSelector } from '../../kube/selector.js';
import { planCombination, type CombinationPlan } from '../compatibility/promotion-plan.js';
import { currentHold } from '../holds.js';
import { versionsFor, type Step } from '../versions.js';
import {
  approvedBy,
  externalGates,
  firstStop,
  PROMOTION_GATES,
  type Gate,
  type GateInput,
  type PromotionRun,
} from './gates.js';
import { gateResults, type GateAnswers } from './gate-answers.js';
import { orderByRequirements, requirementLevels, type PromotionWrite } from './order.js';
import { dueRun, wasInactive } from './schedule.js';

export interface PromotionPlan {
  results: PromotionResult[];
  /** spec.versions[to] to write, in dependency order (required applications first). */
  writes: PromotionWrite[];
  /**
   * The writes in levels: a write comes a level after the writes of the
   * applications whose new version it needs (so core's request lands before
   * dash's); the writes of one level may go out together.
   */
  levels: PromotionWrite[][];
  /** Set when this evaluation is a run (a scheduled time has come, or no schedule). */
  ran: boolean;
  /** Set when the promotion is active again after its status said suspended or not ready. */
  lastResumeTime?: Date;
  nextRunTime?: Date;
  /** The earliest time something may become eligible (soak end, next run). */
  requeueAt?: Date;
  /** Holds in force after this evaluation (status.holds). */
  holds: PromotionHold[];
  /** Candidates that passed every other gate and wait for spec.gates: the evaluator asks these. */
  gateAsks: GateAsk[];
}

/** One candidate for spec.gates: the application, the version from desires and what to requests now. */
export interface GateAsk {
  application: string;
  version: string;
  current: string | undefined;
}

export interface PromotionInput {
  promotion: Promotion;
  applications: readonly Application[];
  now: Date;
  /** The gates to check, in order (default PROMOTION_GATES; timing gates last). */
  gates?: readonly Gate[];
  /** The kept answers of spec.gates (the controller's evaluator). */
  gateAnswers?: GateAnswers;
  /** The Promotions of the namespace (those into `from` verify versions for spec.requireVerified). */
  promotions?: readonly Promotion[];
}

/** Applications a Promotion covers: selected, and having both environments. */
export function coveredApplications(
  promotion: Promotion,
  applications: readonly Application[],
): Application[] {
  const { from, to, selector } = promotion.spec;
  return applications.filter((a) => {
    if (!matchesSelector(selector, a.metadata.labels)) return false;
    const envs = a.status?.environments?.map((e) => e.name) ?? [];
    return envs.includes(from) && envs.includes(to);
  });
}

/** One evaluation of `promotion` at `now` (the same for every application it covers). */
export function promotionRun(
  promotion: Promotion,
  now: Date,
  gateAnswers?: GateAnswers,
  promotions?: readonly Promotion[],
): PromotionRun {
  return {
    promotion,
    from: promotion.spec.from,
    to: promotion.spec.to,
    now,
    afterMs: promotion.spec.after ? parseDuration(promotion.spec.after) : 0,
    ...dueRun(promotion, now),
    ...(gateAnswers ? { gateAnswers } : {}),
    ...(promotions ? { upstream: promotions.filter((p) => p.spec.to === promotion.spec.from) } : {}),
  };
}

/** What the gates see of a covered application; undefined while `from` desires no version. */
export function gateInput(run: PromotionRun, app: Application): GateInput | undefined {
  const source = app.status?.environments?.find((e) => e.name === run.from);
  const candidate = source?.desired;
  if (!source || !candidate) return undefined;
  const current = app.spec.versions?.[run.to];
  const versions = versionsFor(app);
  let step: Step | undefined;
  return {
    run,
    app,
    versions,
    source,
    candidate,
    current,
    step: () => (step ??= versions.step(current, candidate)),
    hold: currentHold(app, run.promotion, run.now),
  };
}

export function planPromotion({
  promotion: given,
  applications,
  now,
  gates = PROMOTION_GATES,
  gateAnswers,
  promotions,
}: PromotionInput): PromotionPlan {
  const resumed = wasInactive(given);
  // A resume counts as the start of the schedule: nothing runs for the time before it.
  const promotion = resumed
    ? { ...given, status: { ...given.status, lastResumeTime: now.toISOString() } }
    : given;
  const { from, to } = promotion.spec;
  const run = promotionRun(promotion, now, gateAnswers, promotions);
  const specGates = promotion.spec.gates ?? [];
  const gateAsks: GateAsk[] = [];
  const results: PromotionResult[] = [];
  const writes: PromotionWrite[] = [];
  const holds: PromotionHold[] = [];
  // With a schedule, wake up for the next run, after a run too.
  let requeueAt: Date | undefined = run.next;
  const earlier = (d: Date) => {
    if (!requeueAt || d < requeueAt) requeueAt = d;
  };

  for (const app of coveredApplications(promotion, applications)) {
    const application = app.metadata.name;
    const input = gateInput(run, app);
    if (!input) {
      results.push({ application, outcome: 'Waiting', reason: `no version is desired in ${from} yet` });
      continue;
    }
    const { candidate, current, hold, versions } = input;
    if (hold) holds.push(hold);
    const stop = firstStop(gates, input);
    // Eligible (only timing gates wait): a newer version than the one rolled back from ends the hold.
    if (hold && (!stop || stop.gate.kind === 'timing') && versions.newer(candidate, hold.version))
      holds.splice(holds.indexOf(hold), 1);
    if (stop?.gate === externalGates) gateAsks.push({ application, version: candidate, current });
    if (stop) {
      const { outcome, reason, requeueAt: at, approvals } = stop.outcome;
      // The gates' answers stay in the result after the version moved (UpToDate), for the history of the application.
      const answered =
        stop.outcome.gates ??
        gateResults(specGates, gateAnswers, application, candidate).filter((g) => g.time !== undefined);
      results.push({
        application,
        version: candidate,
        outcome,
        reason,
        ...approvals,
        ...(answered.length > 0 ? { gates: answered } : {}),
      });
      if (at) earlier(at);
      continue;
    }
    const approver = approvedBy(input);
    results.push({
      application,
      version: candidate,
      outcome: 'Promoted',
      reason: `${current ?? 'nothing'} → ${candidate} from ${from}${approver ? `, approved by ${approver.approvers}${approver.note}` : ''}`,
      ...approver?.result,
      ...(specGates.length > 0 ? { gates: gateResults(specGates, gateAnswers, application, candidate) } : {}),
    });
    writes.push({ application, version: candidate, ...(approver ? { approvedBy: approver.approvers } : {}) });
  }

  // The new combination of `to` as a whole: what the rules hold back waits, with the rule.
  const combination =
    writes.length > 0
      ? planCombination(to, applications, new Map(writes.map((w) => [w.application, w.version])))
      : NOTHING_TO_PLAN;
  for (const r of results) {
    const why = combination.held.get(r.application);
    if (r.outcome === 'Promoted' && why !== undefined) {
      r.outcome = 'Waiting';
      r.reason = `held back by compatibility in ${to}: ${why}`;
    }
  }
  const promotable = orderByRequirements(
    writes.filter((w) => combination.promoted.has(w.application)),
    applications,
  );

  return {
    results: results.sort((a, b) => a.application.localeCompare(b.application)),
    writes: promotable,
    levels: requirementLevels(promotable, applications, combination.needs),
    ran: run.due,
    ...(resumed ? { lastResumeTime: now } : {}),
    ...(run.next ? { nextRunTime: run.next } : {}),
    ...(requeueAt ? { requeueAt } : {}),
    gateAsks,
    holds: holds.sort((a, b) => a.application.localeCompare(b.application)).slice(0, MAX_PROMOTION_RESULTS),
  };
}

const NOTHING_TO_PLAN: CombinationPlan = { promoted: new Set(), held: new Map(), needs: () => false };
