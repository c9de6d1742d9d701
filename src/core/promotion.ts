// Promotion planning: which applications a Promotion moves from one
// environment to the next now, which wait (soak time, deployment, schedule)
// and which are blocked (step not allowed, downgrade). Pure: time is passed in.
import type { Application } from '../api/application.js';
import {
  MAX_PROMOTION_RESULTS,
  MAX_RESULT_REASON,
  type Promotion,
  type PromotionResult,
  type PromotionHold,
  type PromotionSummary,
} from '../api/promotion.js';
import { findCondition } from '../kube/conditions.js';
import { formatDuration, parseDuration } from '../kube/duration.js';
import { nextRun } from './schedule.js';
import { matchesSelector } from '../kube/selector.js';
import { stepAllowed, versionsFor } from './versions.js';
import { planCombination, type CombinationPlan } from './compatibility/promotion-plan.js';
import { requirementOrder, sortByRequirements } from './compatibility/order.js';
import { currentHold, heldReason, holdCovers } from './holds.js';
import { rejectedMessage, rejection } from './rejections.js';
import { APPROVAL_REQUIRED, approverOf, findApproval } from './approvals.js';

export interface PromotionWrite {
  application: string;
  version: string;
  /** Who approved this version (approval-gated Promotions). */
  approvedBy?: string;
}

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
}

export interface PromotionInput {
  promotion: Promotion;
  applications: readonly Application[];
  now: Date;
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

/** Reason of the Ready condition of a suspended promotion. */
export const SUSPENDED_REASON = 'Suspended';

/**
 * Whether the last status the controller wrote says the promotion was not
 * active: suspended (Ready=True, reason Suspended) or not ready (Ready=False).
 * Evaluating it now is then a resume.
 */
export function wasInactive(promotion: Promotion): boolean {
  const ready = findCondition(promotion.status?.conditions, 'Ready');
  return ready !== undefined && (ready.status !== 'True' || ready.reason === SUSPENDED_REASON);
}

/**
 * When the schedule's next run is due: the first scheduled time after the
 * last run, the last resume or creation, whichever is latest. Time spent
 * suspended or not ready thus accumulates no runs, while scheduled times
 * missed while the operator was down make the next evaluation a run (once).
 */
export function dueRun(promotion: Promotion, now: Date): { due: boolean; next?: Date } {
  const { schedule, timeZone } = promotion.spec;
  if (!schedule) return { due: true };
  const { lastRunTime, lastResumeTime } = promotion.status ?? {};
  const starts = [lastRunTime, lastResumeTime, promotion.metadata.creationTimestamp]
    .filter((t): t is string => t !== undefined)
    .map((t) => Date.parse(t));
  const since = starts.length > 0 ? new Date(Math.max(...starts)) : now;
  const next = nextRun(schedule, timeZone ?? 'UTC', since);
  if (next <= now) return { due: true, next: nextRun(schedule, timeZone ?? 'UTC', now) };
  return { due: false, next };
}

export function planPromotion({ promotion: given, applications, now }: PromotionInput): PromotionPlan {
  const resumed = wasInactive(given);
  // A resume counts as the start of the schedule: nothing runs for the time before it.
  const promotion = resumed
    ? { ...given, status: { ...given.status, lastResumeTime: now.toISOString() } }
    : given;
  const { from, to } = promotion.spec;
  const afterMs = promotion.spec.after ? parseDuration(promotion.spec.after) : 0;
  const { due, next } = dueRun(promotion, now);
  const results: PromotionResult[] = [];
  const writes: PromotionWrite[] = [];
  const holds: PromotionHold[] = [];
  const gated = promotion.spec.approval?.required === true;
  // With a schedule, wake up for the next run, after a run too.
  let requeueAt: Date | undefined = next;
  const earlier = (d: Date) => {
    if (!requeueAt || d < requeueAt) requeueAt = d;
  };

  for (const app of coveredApplications(promotion, applications)) {
    const name = app.metadata.name;
    const v = versionsFor(app);
    const source = app.status!.environments!.find((e) => e.name === from)!;
    const candidate = source.desired;
    const current = app.spec.versions?.[to];
    const result = (outcome: PromotionResult['outcome'], reason: string, version = candidate) =>
      results.push({ application: name, ...(version ? { version } : {}), outcome, reason });

    if (!candidate) {
      result('Waiting', `no version is desired in ${from} yet`);
      continue;
    }
    // A rollback by someone else in `to` holds what it rolled back from (and older).
    const hold = currentHold(app, promotion, now);
    if (hold) holds.push(hold);
    if (current !== undefined && v.same(candidate, current)) {
      result('UpToDate', `${to} already requests ${current}`);
      continue;
    }
    const rejected = rejection(app, candidate);
    if (rejected) {
      result('Blocked', rejectedMessage(app, rejected));
      continue;
    }
    if (hold && holdCovers(v, hold, candidate)) {
      result('Held', heldReason(hold, to));
      continue;
    }
    if (!v.ordered && promotion.spec.allow?.length) {
      result(
        'Blocked',
        `spec.allow needs semantic versions; ${name} uses versionScheme opaque (remove allow or select only semver applications)`,
      );
      continue;
    }
    const step = v.step(current, candidate);
    if (step === 'downgrade') {
      result(
        'Blocked',
        `${candidate} is older than ${current} in ${to}; downgrades are promoted only by hand (depot promote)`,
      );
      continue;
    }
    if (!stepAllowed(step, promotion.spec.allow)) {
      result(
        'Blocked',
        `${current} → ${candidate} is a ${step} step; spec.allow permits ${promotion.spec.allow!.join(', ')}`,
      );
      continue;
    }
    const since = source.desiredSince ? new Date(source.desiredSince) : now;
    const eligibleAt = new Date(since.getTime() + afterMs);
    if (eligibleAt > now) {
      result(
        'Waiting',
        `soaking in ${from} for ${formatDuration(afterMs)}, until ${eligibleAt.toISOString()}`,
      );
      earlier(eligibleAt);
      continue;
    }
    if (promotion.spec.requireDeployed !== false) {
      const sourceTargets = (app.status?.targets ?? []).filter((t) => t.environment === from);
      // No target means no report: passing would promote what nobody saw deployed.
      if (sourceTargets.length === 0) {
        result(
          'Waiting',
          `${from} has no Target, so nothing can report ${candidate} deployed; add a Target to ${from} or set requireDeployed: false`,
        );
        continue;
      }
      const missing = sourceTargets.filter((t) => !v.same(t.deployed, candidate));
      if (missing.length > 0) {
        result(
          'Waiting',
          `waiting for ${candidate} to be reported deployed on ${missing.map((t) => `${t.name} (reports ${t.deployed ?? 'nothing'})`).join(', ')}`,
        );
        continue;
      }
    }
    // Eligible: a newer version than the one rolled back from ends the hold.
    if (hold && v.newer(candidate, hold.version)) holds.splice(holds.indexOf(hold), 1);
    if (!due) {
      result('Waiting', `eligible; next scheduled run at ${next!.toISOString()}`);
      continue;
    }
    const approval = gated ? findApproval(promotion, name, candidate) : undefined;
    if (gated && !approval) {
      result(
        'Waiting',
        `${APPROVAL_REQUIRED}: ${candidate} waits for approval (depot approve ${promotion.metadata.name} ${name} ${candidate})`,
      );
      continue;
    }
    const approvedBy = approval ? approverOf(promotion, approval) : undefined;
    result(
      'Promoted',
      `${current ?? 'nothing'} → ${candidate} from ${from}${approvedBy ? `, approved by ${approvedBy}` : ''}`,
    );
    writes.push({ application: name, version: candidate, ...(approvedBy ? { approvedBy } : {}) });
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
    ran: due,
    ...(resumed ? { lastResumeTime: now } : {}),
    ...(next ? { nextRunTime: next } : {}),
    ...(requeueAt ? { requeueAt } : {}),
    holds: holds.sort((a, b) => a.application.localeCompare(b.application)).slice(0, MAX_PROMOTION_RESULTS),
  };
}

const NOTHING_TO_PLAN: CombinationPlan = { promoted: new Set(), held: new Map(), needs: () => false };

/** Counts of every result by outcome. */
export function summarize(results: readonly PromotionResult[]): PromotionSummary {
  const count = (outcome: PromotionResult['outcome']) => results.filter((r) => r.outcome === outcome).length;
  return {
    promoted: count('Promoted'),
    waiting: count('Waiting'),
    blocked: count('Blocked'),
    held: count('Held'),
    upToDate: count('UpToDate'),
    total: results.length,
  };
}

/**
 * What status.results holds, within the schema's limits so the status write
 * never fails: the applications that need attention (not UpToDate) first,
 * each group by name, at most `limit`; reasons cut to their limit.
 */
export function reportedResults(
  results: readonly PromotionResult[],
  limit = MAX_PROMOTION_RESULTS,
): PromotionResult[] {
  const byName = (a: PromotionResult, b: PromotionResult) => a.application.localeCompare(b.application);
  const upToDate = results.filter((r) => r.outcome === 'UpToDate').sort(byName);
  const others = results.filter((r) => r.outcome !== 'UpToDate').sort(byName);
  return [...others, ...upToDate]
    .slice(0, limit)
    .map((r) => (r.reason === undefined ? r : { ...r, reason: cut(r.reason, MAX_RESULT_REASON) }));
}

const CUT_MARK = '… (cut)';

/**
 * The text, or its start and a mark when it is longer than `max`. Counted in
 * UTF-16 units (zod's count, never less than the API server's count of
 * characters), without splitting a character.
 */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const start = text.slice(0, max - CUT_MARK.length).replace(/[\uD800-\uDBFF]$/, '');
  return start + CUT_MARK;
}

/** Application → the applications its rules name. */
function requirementsOf(applications: readonly Application[]): (name: string) => string[] {
  const requires = new Map(
    applications.map((a) => [
      a.metadata.name,
      [...new Set((a.spec.compatibility ?? []).map((r) => r.requires.application))],
    ]),
  );
  return (name) => requires.get(name) ?? [];
}

/**
 * Orders writes so that an application comes after the ones it requires
 * (core before dash): a set of versions that only work together moves
 * together, in an order where each step can be evaluated. Applications in a
 * requirement cycle keep name order.
 */
export function orderByRequirements(
  writes: PromotionWrite[],
  applications: readonly Application[],
): PromotionWrite[] {
  const byName = new Map(writes.map((w) => [w.application, w]));
  const order = requirementOrder(byName.keys(), requirementsOf(applications));
  return sortByRequirements(byName.keys(), order).map((n) => byName.get(n)!);
}

/**
 * Writes (in requirement order) grouped in levels: each write comes in a
 * level after every write of an application it requires, so the writes of
 * one level may go out together while core still lands before dash.
 */
export function requirementLevels(
  ordered: readonly PromotionWrite[],
  applications: readonly Application[],
  needs: (app: string, required: string) => boolean = () => true,
): PromotionWrite[][] {
  const requires = requirementsOf(applications);
  const order = requirementOrder(
    ordered.map((w) => w.application),
    (name) => requires(name).filter((r) => needs(name, r)),
  );
  const levels: PromotionWrite[][] = [];
  for (const w of ordered) (levels[order.level.get(w.application)!] ??= []).push(w);
  return levels.filter((l) => l !== undefined);
}

/** Names of Promotions that take part in a cycle (a→b, b→a, or longer). */
export function promotionCycles(promotions: readonly Promotion[]): Map<string, string> {
  const edges = new Map<string, Promotion[]>();
  for (const p of promotions) edges.set(p.spec.from, [...(edges.get(p.spec.from) ?? []), p]);
  const inCycle = new Map<string, string>();
  for (const start of promotions) {
    // Depth-first from start.to looking for a way back to start.from.
    const stack: { env: string; path: Promotion[] }[] = [{ env: start.spec.to, path: [start] }];
    const seen = new Set<string>();
    while (stack.length > 0) {
      const { env, path } = stack.pop()!;
      if (env === start.spec.from) {
        const description = [...path.map((p) => p.spec.from), env].join(' → ');
        for (const p of path) if (!inCycle.has(p.metadata.name)) inCycle.set(p.metadata.name, description);
        break;
      }
      if (seen.has(env)) continue;
      seen.add(env);
      for (const p of edges.get(env) ?? []) stack.push({ env: p.spec.to, path: [...path, p] });
    }
  }
  return inCycle;
}
