// Promotions: planning behind named gates, the schedule, requirement order,
// cycles and status shaping. What the controllers, the CLI and the server use.
export {
  coveredApplications,
  gateInput,
  planPromotion,
  promotionRun,
  type GateAsk,
  type PromotionInput,
  type PromotionPlan,
} from './plan.js';
export {
  gateIntervalMs,
  gateTimeoutMs,
  httpGateBody,
  httpGateResult,
  type GateAnswer,
  type GateAnswers,
} from './gate-answers.js';
export { PROMOTION_GATES, type Gate, type GateInput, type GateOutcome, type PromotionRun } from './gates.js';
export { orderByRequirements, requirementLevels, type PromotionWrite } from './order.js';
export { dueRun, SUSPENDED_REASON, wasInactive } from './schedule.js';
export { cycleMessage, cyclesByPromotion, findPromotionCycles, type PromotionCycle } from './cycles.js';
export {
  countOutcomes,
  nextPromotionStatus,
  promotionProblem,
  promotionRunStatus,
  reportedResults,
  type PromotionStatusUpdate,
} from './status.js';
export {
  gateQueryText,
  gateTarget,
  noDataAnswer,
  prometheusGateResult,
  prometheusQueryUrl,
} from './prometheus-gate.js';
