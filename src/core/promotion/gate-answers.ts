// Promotion gates (spec.gates): what a gate's answer means, and the step of
// PROMOTION_GATES that reads the answers the controllers' evaluator keeps.
// Pure: the calls happen in src/controllers/promotion-gates.ts; core only
// reads what they answered.
import {
  MAX_GATE_MESSAGE,
  type GateResult,
  type PromotionGate,
  type PromotionGateResult,
} from '../../api/promotion.js';
import { formatDuration, parseDuration } from '../../kube/duration.js';

/** The last answer of one gate for one application and version. */
export interface GateAnswer {
  result: GateResult;
  message: string;
  /** When it answered (ISO). */
  time: string;
}

/** Looks up the kept answer of a gate for an application and version; undefined: not asked yet. */
export type GateAnswers = (
  application: string,
  version: string,
  gate: PromotionGate,
) => GateAnswer | undefined;

export const DEFAULT_GATE_INTERVAL_MS = 60_000;
export const DEFAULT_GATE_TIMEOUT_MS = 10_000;

export const gateIntervalMs = (gate: PromotionGate): number =>
  gate.interval ? parseDuration(gate.interval) : DEFAULT_GATE_INTERVAL_MS;
export const gateTimeoutMs = (gate: PromotionGate): number => {
  const timeout = (gate.http ?? gate.prometheus)?.timeout;
  return timeout ? parseDuration(timeout) : DEFAULT_GATE_TIMEOUT_MS;
};

/** The body POSTed to an http gate: the exact bytes sent and signed. */
export const httpGateBody = (p: {
  application: string;
  namespace: string;
  version: string;
  from: string;
  to: string;
  promotion: string;
}): string =>
  JSON.stringify({
    application: p.application,
    namespace: p.namespace,
    version: p.version,
    from: p.from,
    to: p.to,
    promotion: p.promotion,
  });

/** A gate message: one line, at most MAX_GATE_MESSAGE characters. */
export const bounded = (text: string): string => {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_GATE_MESSAGE ? `${line.slice(0, MAX_GATE_MESSAGE - 1)}…` : line;
};

/** The body's JSON object, if it is one. */
function jsonObject(body: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(body);
    return v !== null && typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What an http gate's answer means: 2xx with no body or {"result":"pass"}
 * passes; {"result":"pending"}, 425 or 429 waits; anything else fails. The
 * message is the answer's `message` (or the start of its body), on one line,
 * bounded; the caller has removed secrets from the body.
 */
export function httpGateResult(status: number, body: string): Omit<GateAnswer, 'time'> {
  const obj = jsonObject(body);
  const said = typeof obj?.message === 'string' ? obj.message : undefined;
  const verdict = obj?.result;
  const text = (prefix: string) =>
    bounded(said !== undefined ? `${prefix}: ${said}` : body.trim() ? `${prefix}: ${body}` : prefix);
  if (status >= 200 && status < 300) {
    if (body.trim() === '' || verdict === 'pass')
      return { result: 'Passed', message: bounded(said ?? `passed (HTTP ${status})`) };
    if (verdict === 'pending') return { result: 'Pending', message: bounded(said ?? 'pending') };
    if (verdict === 'fail') return { result: 'Failed', message: bounded(said ?? 'failed') };
    return {
      result: 'Failed',
      message: text(`HTTP ${status} with a body other than {"result":"pass"|"pending"|"fail"}`),
    };
  }
  if (status === 425 || status === 429) return { result: 'Pending', message: text(`HTTP ${status}`) };
  if (status >= 300 && status < 400)
    return { result: 'Failed', message: bounded(`HTTP ${status} (redirects are not followed)`) };
  return { result: 'Failed', message: text(`HTTP ${status}`) };
}

/** The gates' last answers for one application and version, in spec order. */
export function gateResults(
  gates: readonly PromotionGate[],
  answers: GateAnswers | undefined,
  application: string,
  version: string,
): PromotionGateResult[] {
  return gates.map((gate) => {
    const a = answers?.(application, version, gate);
    return a
      ? { name: gate.name, result: a.result, message: a.message, time: a.time }
      : { name: gate.name, result: 'Pending', message: 'not answered yet' };
  });
}

/** Why a version waits or is refused by its gates; undefined when every gate passed. */
export function gateStop(
  gates: readonly PromotionGate[],
  results: readonly PromotionGateResult[],
): { outcome: 'Waiting' | 'Blocked'; reason: string } | undefined {
  const named = (r: PromotionGateResult) => {
    const gate = gates.find((g) => g.name === r.name)!;
    return `gate ${r.name} ${r.result === 'Failed' ? 'failed' : 'is pending'}: ${r.message ?? ''} (asked again within ${formatDuration(gateIntervalMs(gate))})`;
  };
  const failed = results.find((r) => r.result === 'Failed');
  if (failed) return { outcome: 'Blocked', reason: named(failed) };
  const pending = results.find((r) => r.result === 'Pending');
  if (pending) return { outcome: 'Waiting', reason: named(pending) };
  return undefined;
}
