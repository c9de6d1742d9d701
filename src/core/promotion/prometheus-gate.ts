// The prometheus gate, without I/O: the query with its variables replaced,
// the condition, and what Prometheus's answer to an instant query means
// (one sample compared with the threshold; no sample is pending for at most
// noDataTimeout, then fails). The call is made by the controllers' evaluator.
import type { PromotionGate, PromotionPrometheusGate } from '../../api/promotion.js';
import { parseDuration } from '../../kube/duration.js';
import { bounded, type GateAnswer } from './gate-answers.js';

export const DEFAULT_NO_DATA_TIMEOUT_MS = 10 * 60_000;

export interface GateVariables {
  application: string;
  version: string;
  /** The Promotion's from: where the version runs now. */
  environment: string;
  namespace: string;
}

/** Inside a PromQL string literal: backslashes and quotes escaped, so a value cannot end the string. */
const promqlStringContent = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/'/g, "\\'");

/** The query with ${application}, ${version}, ${environment} and ${namespace} replaced. */
export function gateQueryText(query: string, vars: GateVariables): string {
  return query.replace(
    /\$\{(application|version|environment|namespace)\}/g,
    (_m, name: keyof GateVariables) => promqlStringContent(vars[name]),
  );
}

const OPS = {
  '<': (a: number, b: number) => a < b,
  '<=': (a: number, b: number) => a <= b,
  '>': (a: number, b: number) => a > b,
  '>=': (a: number, b: number) => a >= b,
  '==': (a: number, b: number) => a === b,
  '!=': (a: number, b: number) => a !== b,
} as const;

export interface Condition {
  op: keyof typeof OPS;
  threshold: number;
  text: string;
}

/** `< 0.01` → {op, threshold}; undefined when it does not parse (admission refuses those). */
export function parseCondition(text: string): Condition | undefined {
  const m = /^\s*(<=|>=|==|!=|<|>)\s*(-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)\s*$/.exec(text);
  if (!m) return undefined;
  const threshold = Number(m[2]);
  return Number.isFinite(threshold)
    ? { op: m[1] as Condition['op'], threshold, text: `${m[1]} ${m[2]}` }
    : undefined;
}

export const noDataTimeoutMs = (gate: PromotionPrometheusGate): number =>
  gate.noDataTimeout ? parseDuration(gate.noDataTimeout) : DEFAULT_NO_DATA_TIMEOUT_MS;

/** The URL the evaluator POSTs the query to. */
export const prometheusQueryUrl = (gate: PromotionPrometheusGate): string =>
  `${gate.address.replace(/\/+$/, '')}/api/v1/query`;

/** What Prometheus answered, or 'NoData' (the caller decides how long that is pending). */
export type PrometheusVerdict = Omit<GateAnswer, 'time'> | { result: 'NoData'; message: string };

interface QueryAnswer {
  status?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

/** The answer of POST /api/v1/query: one sample compared with the condition. */
export function prometheusGateResult(status: number, body: string, conditionText: string): PrometheusVerdict {
  const condition = parseCondition(conditionText);
  if (!condition)
    return { result: 'Failed', message: bounded(`condition "${conditionText}" does not parse`) };
  let answer: QueryAnswer | undefined;
  try {
    answer = JSON.parse(body) as QueryAnswer;
  } catch {
    answer = undefined;
  }
  if (status < 200 || status >= 300 || answer?.status !== 'success') {
    const why = answer?.error ?? body;
    return {
      result: 'Failed',
      message: bounded(`Prometheus answered HTTP ${status}${why ? `: ${why}` : ''}`),
    };
  }
  const { resultType, result } = answer.data ?? {};
  let value: string | undefined;
  if (resultType === 'scalar' && Array.isArray(result)) value = String(result[1]);
  else if (resultType === 'vector' && Array.isArray(result)) {
    if (result.length === 0) return { result: 'NoData', message: 'the query returned no sample' };
    if (result.length > 1)
      return {
        result: 'Failed',
        message: `the query returned ${result.length} samples; it must return one (aggregate it, e.g. with sum or max)`,
      };
    value = String((result[0] as { value?: unknown[] }).value?.[1]);
  } else
    return {
      result: 'Failed',
      message: `the query returned a ${resultType ?? 'missing'} result; it must return one sample`,
    };
  const n = Number(value);
  if (value === undefined || Number.isNaN(n)) return { result: 'NoData', message: `the sample is ${value}` };
  const passed = OPS[condition.op](n, condition.threshold);
  return {
    result: passed ? 'Passed' : 'Failed',
    message: `${value} ${passed ? 'satisfies' : 'does not satisfy'} ${condition.text}`,
  };
}

/** No sample: pending until noDataTimeout after the first empty answer for the candidate, then failed. */
export function noDataAnswer(
  message: string,
  firstNoDataMs: number,
  nowMs: number,
  gate: PromotionPrometheusGate,
): Omit<GateAnswer, 'time'> {
  const timeout = noDataTimeoutMs(gate);
  return nowMs - firstNoDataMs >= timeout
    ? { result: 'Failed', message: bounded(`${message} for ${Math.round(timeout / 1000)} s (noDataTimeout)`) }
    : { result: 'Pending', message: bounded(message) };
}

/** The URL a gate calls (checked against --gate-url-allow) and the field that names it. */
export function gateTarget(gate: PromotionGate): { url: string; field: string } {
  return gate.prometheus
    ? { url: prometheusQueryUrl(gate.prometheus), field: 'prometheus.address' }
    : { url: gate.http!.url, field: 'http.url' };
}
