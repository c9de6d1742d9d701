// A Promotion's status, without I/O: what makes it not Ready (a cycle, a
// missing environment, an unusable schedule), what a run records (times,
// bounded results, outcome counts, the Ready message) and how that update
// merges into the previous status. The controller writes the result.
import { urlAllowed, urlForMessages } from '../outbound-url.js';
import {
  MAX_PROMOTION_RESULTS,
  MAX_RESULT_REASON,
  type Promotion,
  type PromotionGate,
  type PromotionResult,
  type PromotionStatus,
  type PromotionSummary,
} from '../../api/promotion.js';
import { setConditions, type ConditionInput } from '../../kube/conditions.js';
import { promotionScheduleProblems } from '../schedule.js';
import { cyclesByPromotion } from './cycles.js';
import { gateTarget } from './prometheus-gate.js';
import type { PromotionPlan } from './plan.js';

/** Why the Promotion cannot run, as a Ready=False condition, or undefined. */
export function promotionProblem(
  promotion: Promotion,
  promotions: readonly Promotion[],
  environments: ReadonlySet<string>,
  /** URL prefixes gates may call (--gate-url-allow). */
  gateUrlAllow: readonly string[] = [],
): ConditionInput | undefined {
  const cycle = cyclesByPromotion(promotions).get(promotion.metadata.name);
  if (cycle)
    return {
      type: 'Ready',
      status: 'False',
      reason: 'PromotionCycle',
      message: `${cycle}: nothing is promoted`,
    };
  for (const field of ['from', 'to'] as const) {
    const name = promotion.spec[field];
    if (!environments.has(name)) {
      return {
        type: 'Ready',
        status: 'False',
        reason: 'EnvironmentNotFound',
        message: `spec.${field}: Environment "${name}" does not exist`,
      };
    }
  }
  // The same check as `depot validate`.
  const [schedule] = promotionScheduleProblems(promotion.spec);
  if (schedule)
    return {
      type: 'Ready',
      status: 'False',
      reason: 'InvalidSchedule',
      message: `${schedule.path}: ${schedule.message}`,
    };
  const gate = gateUrlProblem(promotion, gateUrlAllow);
  if (gate) return { type: 'Ready', status: 'False', reason: 'GateNotAllowed', message: gate };
  return undefined;
}

/** The first gate whose URL the operator may not call, named with its field; nothing is asked or promoted then. */
export function gateUrlProblem(promotion: Promotion, allow: readonly string[]): string | undefined {
  for (const [list, gates] of [
    ['spec.gates', promotion.spec.gates ?? []],
    ['spec.verify.gates', promotion.spec.verify?.gates ?? []],
  ] as const) {
    const i = gates.findIndex((g) => !urlAllowed(gateTarget(g).url, allow));
    if (i >= 0) return gateNotAllowed(`${list}[${i}]`, gates[i]!, allow);
  }
  return undefined;
}

function gateNotAllowed(at: string, gate: PromotionGate, allow: readonly string[]): string {
  const { url, field } = gateTarget(gate);
  const where = `${at}.${field} (gate ${gate.name}): ${urlForMessages(url)}`;
  return allow.length === 0
    ? `${where} is not called: no gate URL is allowed; start the operator with --gate-url-allow <prefix> (Helm value gates.urlAllow); nothing is promoted`
    : `${where} is under none of the prefixes allowed by --gate-url-allow; nothing is promoted`;
}

export interface PromotionStatusUpdate {
  conditions: ConditionInput[];
  lastRunTime?: string;
  lastResumeTime?: string;
  nextRunTime?: string;
  results?: PromotionStatus['results'];
  summary?: PromotionStatus['summary'];
  holds?: PromotionStatus['holds'];
  verifications?: PromotionStatus['verifications'];
  /** A time sets status.verifySince, null removes it. */
  verifySince?: string | null;
}

/** What an evaluation records: run times, bounded results, the outcome counts and Ready. */
export function promotionRunStatus(
  promotion: Promotion,
  plan: PromotionPlan,
  now: Date,
): PromotionStatusUpdate {
  // With a schedule every due evaluation is a run; without one, a run is a promotion.
  const ran = promotion.spec.schedule ? plan.ran : plan.writes.length > 0;
  const summary = countOutcomes(plan.results);
  const results = reportedResults(plan.results);
  const listed = results.length < summary.total ? ` (${results.length} listed in results)` : '';
  return {
    ...(ran ? { lastRunTime: now.toISOString() } : {}),
    ...(plan.lastResumeTime ? { lastResumeTime: plan.lastResumeTime.toISOString() } : {}),
    ...(plan.nextRunTime ? { nextRunTime: plan.nextRunTime.toISOString() } : {}),
    results,
    summary,
    holds: plan.holds,
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'Evaluated',
        message: `${summary.total} applications: ${summary.promoted} promoted, ${summary.waiting} waiting, ${summary.blocked} blocked${summary.held ? `, ${summary.held} held` : ''}, ${summary.upToDate} up to date${listed}`,
      },
    ],
  };
}

/** The previous status with the update merged in. */
export function nextPromotionStatus(
  prev: PromotionStatus,
  generation: number | undefined,
  update: PromotionStatusUpdate,
  now: Date,
): PromotionStatus {
  const next: PromotionStatus = {
    ...prev,
    observedGeneration: generation,
    conditions: setConditions(prev.conditions, update.conditions, generation, now),
  };
  if (update.lastRunTime) next.lastRunTime = update.lastRunTime;
  if (update.lastResumeTime) next.lastResumeTime = update.lastResumeTime;
  if (update.nextRunTime) next.nextRunTime = update.nextRunTime;
  else delete next.nextRunTime;
  if (update.results) next.results = update.results;
  if (update.summary) next.summary = update.summary;
  if (update.holds?.length) next.holds = update.holds;
  else if (update.holds) delete next.holds;
  if (update.verifySince) next.verifySince = update.verifySince;
  else if (update.verifySince === null) delete next.verifySince;
  if (update.verifications?.length) next.verifications = update.verifications;
  else if (update.verifications) delete next.verifications;
  return next;
}

/** status.summary: how many results have each outcome. */
export function countOutcomes(results: readonly PromotionResult[]): PromotionSummary {
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
