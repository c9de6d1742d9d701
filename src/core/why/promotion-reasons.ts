// Why no Promotion has moved a version into an environment: for each
// Promotion into it that covers the application, the planner's own named
// steps (core/promotion/gates.ts, PROMOTION_GATES or the list given) asked
// one by one with the same input the controller builds, so every step that
// stops the version shows, and a step added to the list shows with no change
// here. A step is reported by its name; a few add what the user needs next.
import type { Application } from '../../api/application.js';
import type { WhyReason } from '../../api/http.js';
import type { Promotion } from '../../api/promotion.js';
import { findCondition } from '../../kube/conditions.js';
import { requesterOf } from '../approvals.js';
import type { GateAnswers } from '../promotion/gate-answers.js';
import {
  approval,
  externalGates,
  PROMOTION_GATES,
  schedule,
  type Gate,
  type GateInput,
  type GateOutcome,
} from '../promotion/gates.js';
import { coveredApplications, gateInput, promotionRun } from '../promotion/plan.js';

export interface PromotionQuestion {
  app: Application;
  env: string;
  version: string;
  promotions: readonly Promotion[];
  now: Date;
  /** The planner's steps, in order (default PROMOTION_GATES). */
  gates?: readonly Gate[];
}

/** The Promotions into `env` that cover the application. */
export const promotionsInto = (
  promotions: readonly Promotion[],
  app: Application,
  env: string,
): Promotion[] =>
  promotions
    .filter((p) => p.spec.to === env && coveredApplications(p, [app]).length > 0)
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));

/** Every reason each Promotion into `env` does not move `version` now. */
export function promotionReasons(q: PromotionQuestion): WhyReason[] {
  return promotionsInto(q.promotions, q.app, q.env).flatMap((p) => reasonsOf(p, q));
}

function reasonsOf(promotion: Promotion, q: PromotionQuestion): WhyReason[] {
  const name = promotion.metadata.name;
  const app = q.app.metadata.name;
  const { from } = promotion.spec;
  const out: WhyReason[] = [];
  if (promotion.spec.suspend)
    out.push({ kind: 'suspended', message: `Promotion ${name} is suspended (spec.suspend: true)` });
  const ready = findCondition(promotion.status?.conditions, 'Ready');
  if (ready?.status === 'False')
    out.push({
      kind: 'promotionNotReady',
      message: `Promotion ${name} is not ready (${ready.reason}): ${ready.message ?? ''}`,
    });
  const run = promotionRun(promotion, q.now, keptAnswers(promotion), q.promotions);
  const input = gateInput(run, q.app);
  const why = `depot why ${app} ${from} ${q.version}`;
  if (!input)
    return [
      ...out,
      {
        kind: 'source',
        message: `Promotion ${name} moves what ${from} desires, and ${from} desires no version of ${app} yet (${why})`,
      },
    ];
  if (!input.versions.same(input.candidate, q.version))
    return [
      ...out,
      {
        kind: 'source',
        message: `Promotion ${name} moves what ${from} desires: ${input.candidate}, not ${q.version} (${why})`,
      },
    ];
  let eligible = true;
  for (const gate of q.gates ?? PROMOTION_GATES) {
    const outcome = ask(gate, input);
    if (!outcome) continue;
    const prefix =
      gate.kind === 'timing' && !eligible ? `Promotion ${name}, once eligible` : `Promotion ${name}`;
    if (gate.kind === 'eligibility') eligible = false;
    const until = outcome.requeueAt ?? (gate === schedule && !run.due ? run.next : undefined);
    out.push({
      kind: gate.name,
      message: `${prefix}: ${outcome.reason}${detail(gate, input, outcome)}`,
      ...(until ? { until: until.toISOString() } : {}),
    });
  }
  if (out.length === 0)
    out.push({
      kind: 'pending',
      message: `Promotion ${name} lets ${q.version} through: it is written at the Promotion's next evaluation`,
    });
  return out;
}

/**
 * One step's answer. The planner asks a step only after the earlier ones let
 * the version through; one that cannot judge a version an earlier step
 * already stops (it throws) adds nothing.
 */
function ask(gate: Gate, input: GateInput): GateOutcome | undefined {
  try {
    return gate.check(input);
  } catch {
    return undefined;
  }
}

/** What a step's own reason leaves out and the user needs: who may approve, each gate's last answer. */
function detail(gate: Gate, input: GateInput, outcome: GateOutcome): string {
  const spec = input.run.promotion.spec;
  if (gate === approval && spec.approval) {
    const min = spec.approval.minApprovals ?? 1;
    const self = spec.approval.allowSelfApproval === true;
    const requester = requesterOf(input.app, input.versions, input.candidate);
    return `; who may approve: any user allowed to patch promotions/${input.run.promotion.metadata.name} (depot approve), ${min} distinct approver${min === 1 ? '' : 's'} (minApprovals), ${
      self
        ? 'the one who requested it included (allowSelfApproval: true)'
        : `not the one who first requested ${input.candidate} (allowSelfApproval: false)${requester ? (requester.verified ? '' : '; the requester the history names was not verified') : '; the history no longer names that requester'}`
    }`;
  }
  if (gate === externalGates && outcome.gates?.length)
    return `; last answers: ${outcome.gates
      .map(
        (g) => `${g.name} ${g.result}${g.time ? ` at ${g.time}` : ''}${g.message ? ` (${g.message})` : ''}`,
      )
      .join(', ')}`;
  return '';
}

/** The gates' last answers the Promotion's status keeps (results[].gates), for the version of its result. */
function keptAnswers(promotion: Promotion): GateAnswers {
  return (application, version, gate) => {
    const result = promotion.status?.results?.find((r) => r.application === application);
    if (result?.version !== version) return undefined;
    const g = result.gates?.find((x) => x.name === gate.name);
    return g?.time ? { result: g.result, message: g.message ?? '', time: g.time } : undefined;
  };
}
