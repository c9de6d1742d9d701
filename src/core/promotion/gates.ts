// The gates a version passes, in order, before a Promotion writes it: each
// looks at one thing and either stops the version with an outcome (and its
// reason) or lets it through. A new gate (an HTTP or metrics check) is one
// more entry in PROMOTION_GATES. Pure: time is passed in.
import type { Application, ApplicationEnvironmentStatus } from '../../api/application.js';
import {
  MAX_MIN_APPROVALS,
  type Promotion,
  type PromotionGateResult,
  type PromotionHold,
  type PromotionResult,
} from '../../api/promotion.js';
import { gateResults, gateStop, type GateAnswers } from './gate-answers.js';
import { formatDuration } from '../../kube/duration.js';
import {
  approvalWaitingReason,
  approverList,
  requesterNote,
  tallyFor,
  type ApprovalTally,
} from '../approvals.js';
import { heldReason, holdCovers } from '../holds.js';
import { rejectedMessage, rejection } from '../rejections.js';
import { stepAllowed as allowsStep, type Step, type Versions } from '../versions.js';

/** One evaluation of a Promotion: the same for every application it covers. */
export interface PromotionRun {
  promotion: Promotion;
  from: string;
  to: string;
  now: Date;
  /** spec.after in milliseconds (0 without). */
  afterMs: number;
  /** Whether a scheduled run is due now (always, without a schedule). */
  due: boolean;
  /** The next scheduled run, with a schedule. */
  next?: Date;
  /** The answers of spec.gates the controller's evaluator keeps (none: every gate is pending). */
  gateAnswers?: GateAnswers;
  /** The Promotions into `from` (their spec.verify and status.verifications), for spec.requireVerified. */
  upstream?: readonly Promotion[];
}

/** What the gates see of one application: the version `from` desires and what `to` requests. */
export interface GateInput {
  run: PromotionRun;
  app: Application;
  versions: Versions;
  /** The application's status in `from`. */
  source: ApplicationEnvironmentStatus;
  /** The version desired in `from`: what would be promoted. */
  candidate: string;
  /** The version `to` requests now. */
  current: string | undefined;
  /** The step current → candidate (computed once, when a gate first asks). */
  step(): Step;
  /** This Promotion's hold on the application, if one is in force. */
  hold: PromotionHold | undefined;
}

/** Why a version does not move now. */
export interface GateOutcome {
  outcome: Exclude<PromotionResult['outcome'], 'Promoted'>;
  reason: string;
  /** When to look again (the end of a soak). */
  requeueAt?: Date;
  /** Approval gates: who approved so far and how many more are needed. */
  approvals?: Pick<PromotionResult, 'approvers' | 'approvalsNeeded'>;
  /** spec.gates: each gate's last answer. */
  gates?: PromotionGateResult[];
}

export interface Gate {
  name: string;
  /**
   * `eligibility` gates decide whether the version may move at all; `timing`
   * gates only when. A version newer than a hold that passes every
   * eligibility gate ends the hold, even while a timing gate waits.
   */
  kind: 'eligibility' | 'timing';
  check(input: GateInput): GateOutcome | undefined;
}

const waiting = (reason: string, requeueAt?: Date): GateOutcome => ({
  outcome: 'Waiting',
  reason,
  ...(requeueAt ? { requeueAt } : {}),
});
const blocked = (reason: string): GateOutcome => ({ outcome: 'Blocked', reason });

/** `to` already requests the version: nothing to do (a restart after the write promotes nothing again). */
export const upToDate: Gate = {
  name: 'upToDate',
  kind: 'eligibility',
  check: ({ run, versions, candidate, current }) =>
    current !== undefined && versions.same(candidate, current)
      ? { outcome: 'UpToDate', reason: `${run.to} already requests ${current}` }
      : undefined,
};

/** A version in spec.rejectedVersions is never promoted. */
export const rejected: Gate = {
  name: 'rejected',
  kind: 'eligibility',
  check: ({ app, candidate }) => {
    const entry = rejection(app, candidate);
    return entry ? blocked(rejectedMessage(app, entry)) : undefined;
  },
};

/** A rollback by someone else in `to` holds what it rolled back from (and older). */
export const held: Gate = {
  name: 'held',
  kind: 'eligibility',
  check: ({ run, versions, candidate, hold }) =>
    hold && holdCovers(versions, hold, candidate)
      ? { outcome: 'Held', reason: heldReason(hold, run.to) }
      : undefined,
};

/** spec.allow classifies steps, which opaque versions do not have. */
export const opaqueAllow: Gate = {
  name: 'opaqueAllow',
  kind: 'eligibility',
  check: ({ run, app, versions }) =>
    !versions.ordered && run.promotion.spec.allow?.length
      ? blocked(
          `spec.allow needs semantic versions; ${app.metadata.name} uses versionScheme opaque (remove allow or select only semver applications)`,
        )
      : undefined,
};

/** An older version is promoted only by hand. */
export const downgrade: Gate = {
  name: 'downgrade',
  kind: 'eligibility',
  check: ({ run, candidate, current, step }) =>
    step() === 'downgrade'
      ? blocked(
          `${candidate} is older than ${current} in ${run.to}; downgrades are promoted only by hand (depot promote)`,
        )
      : undefined,
};

/** spec.allow limits the semver step (patch, minor, major). */
export const stepAllowed: Gate = {
  name: 'stepAllowed',
  kind: 'eligibility',
  check: ({ run, candidate, current, step }) => {
    const { allow } = run.promotion.spec;
    return allowsStep(step(), allow)
      ? undefined
      : blocked(`${current} → ${candidate} is a ${step()} step; spec.allow permits ${allow!.join(', ')}`);
  },
};

/** spec.after: the version has been desired in `from` long enough. */
export const soak: Gate = {
  name: 'soak',
  kind: 'eligibility',
  check: ({ run, source }) => {
    const since = source.desiredSince ? new Date(source.desiredSince) : run.now;
    const eligibleAt = new Date(since.getTime() + run.afterMs);
    return eligibleAt > run.now
      ? waiting(
          `soaking in ${run.from} for ${formatDuration(run.afterMs)}, until ${eligibleAt.toISOString()}`,
          eligibleAt,
        )
      : undefined;
  },
};

/** spec.requireDeployed (default): every target of `from` reports the version deployed. */
export const deployed: Gate = {
  name: 'deployed',
  kind: 'eligibility',
  check: ({ run, app, versions, candidate }) => {
    if (run.promotion.spec.requireDeployed === false) return undefined;
    const sourceTargets = (app.status?.targets ?? []).filter((t) => t.environment === run.from);
    // No target means no report: passing would promote what nobody saw deployed.
    if (sourceTargets.length === 0)
      return waiting(
        `${run.from} has no Target, so nothing can report ${candidate} deployed; add a Target to ${run.from} or set requireDeployed: false`,
      );
    const missing = sourceTargets.filter((t) => !versions.same(t.deployed, candidate));
    return missing.length > 0
      ? waiting(
          `waiting for ${candidate} to be reported deployed on ${missing.map((t) => `${t.name} (reports ${t.deployed ?? 'nothing'})`).join(', ')}`,
        )
      : undefined;
  },
};

/** spec.requireVerified: the version passed the verification (spec.verify) of a Promotion into `from`. */
export const verified: Gate = {
  name: 'verified',
  kind: 'eligibility',
  check: ({ run, app, versions, candidate }) => {
    if (run.promotion.spec.requireVerified !== true) return undefined;
    const name = app.metadata.name;
    const recorded = app.status?.history?.some(
      (h) => h.type === 'Verified' && h.environment === run.from && versions.same(h.to, candidate),
    );
    const verifiers = (run.upstream ?? []).filter((p) => p.spec.to === run.from && p.spec.verify);
    const records = verifiers.flatMap((p) =>
      (p.status?.verifications ?? [])
        .filter((r) => r.application === name && versions.same(r.version, candidate))
        .map((r) => ({ promotion: p.metadata.name, r })),
    );
    if (recorded || records.some(({ r }) => r.phase === 'Verified')) return undefined;
    const failed = records.find(({ r }) => r.phase === 'Failed');
    if (failed)
      return blocked(
        `requireVerified: the verification of ${candidate} in ${run.from} by Promotion ${failed.promotion} failed: ${failed.r.message ?? ''}`,
      );
    const ongoing = records.find(({ r }) => r.phase === 'Deploying' || r.phase === 'Verifying');
    if (ongoing)
      return waiting(
        `requireVerified: ${candidate} is ${ongoing.r.phase === 'Deploying' ? 'not deployed yet' : 'being verified'} in ${run.from} (Promotion ${ongoing.promotion}${ongoing.r.message ? `: ${ongoing.r.message}` : ''})`,
      );
    return waiting(
      verifiers.length === 0
        ? `requireVerified: no Promotion into ${run.from} has spec.verify, so nothing verifies ${candidate}`
        : `requireVerified: ${candidate} has not been verified in ${run.from} (only versions promoted there by ${verifiers.map((p) => p.metadata.name).join(', ')} are verified)`,
    );
  },
};

/**
 * spec.schedule: eligible versions move at the scheduled times only. A
 * candidate whose spec.gates were asked (they are asked only once every
 * earlier step, the schedule too, let it through) keeps that run until its
 * gates pass: their answers come after the run, not by the next one.
 */
export const schedule: Gate = {
  name: 'schedule',
  kind: 'timing',
  check: ({ run, app, candidate }) =>
    run.due || askedAtARun(run, app.metadata.name, candidate)
      ? undefined
      : waiting(`eligible; next scheduled run at ${run.next!.toISOString()}`),
};

/**
 * Whether any of spec.gates was asked for this application and version: the
 * evaluator keeps an answer, or (its answers are in memory; after a restart)
 * the last status lists one.
 */
function askedAtARun(run: PromotionRun, application: string, candidate: string): boolean {
  const gates = run.promotion.spec.gates ?? [];
  if (gates.length === 0) return false;
  if (run.gateAnswers && gates.some((gate) => run.gateAnswers!(application, candidate, gate) !== undefined))
    return true;
  const listed = run.promotion.status?.results?.find(
    (r) => r.application === application && r.version === candidate,
  );
  return listed?.gates?.some((g) => g.time !== undefined && gates.some((s) => s.name === g.name)) ?? false;
}

/** spec.approval: minApprovals distinct people approved the exact version, the requester not counted (four eyes). */
export const approval: Gate = {
  name: 'approval',
  kind: 'timing',
  check: ({ run, app, versions, candidate }) => {
    const { promotion } = run;
    if (promotion.spec.approval?.required !== true) return undefined;
    const tally = tallyFor(promotion, app, versions, candidate);
    if (tally.missing === 0) return undefined;
    return {
      ...waiting(approvalWaitingReason(promotion.metadata.name, app.metadata.name, candidate, tally)),
      approvals: resultApprovals(tally),
    };
  },
};

/** spec.gates: every gate passed for this application and version (the evaluator asks them; this reads its answers). */
export const externalGates: Gate = {
  name: 'gates',
  kind: 'timing',
  check: ({ run, app, candidate }) => {
    const gates = run.promotion.spec.gates ?? [];
    if (gates.length === 0) return undefined;
    const results = gateResults(gates, run.gateAnswers, app.metadata.name, candidate);
    const stop = gateStop(gates, results);
    return stop ? { ...stop, gates: results } : undefined;
  },
};

const resultApprovals = (tally: ApprovalTally) => ({
  approvers: tally.approvers.slice(0, MAX_MIN_APPROVALS),
  approvalsNeeded: tally.missing,
});

/** Who approved the version (every approver that counted), for the Promoted result and the write. */
export function approvedBy({
  run,
  app,
  versions,
  candidate,
}: GateInput): { approvers: string; note: string; result: GateOutcome['approvals'] } | undefined {
  if (run.promotion.spec.approval?.required !== true) return undefined;
  const tally = tallyFor(run.promotion, app, versions, candidate);
  return {
    approvers: approverList(tally.approvers),
    note: requesterNote(candidate, tally),
    result: resultApprovals(tally),
  };
}

/** The gates in the order they are checked; the first outcome is the result. */
export const PROMOTION_GATES: readonly Gate[] = [
  upToDate,
  rejected,
  held,
  opaqueAllow,
  downgrade,
  stepAllowed,
  soak,
  deployed,
  verified,
  schedule,
  approval,
  externalGates,
];

/** The first gate that stops the version, with its outcome; undefined when every gate lets it through. */
export function firstStop(
  gates: readonly Gate[],
  input: GateInput,
): { gate: Gate; outcome: GateOutcome } | undefined {
  for (const gate of gates) {
    const outcome = gate.check(input);
    if (outcome) return { gate, outcome };
  }
  return undefined;
}
