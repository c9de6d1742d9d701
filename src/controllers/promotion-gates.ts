// The evaluator of Promotion gates (spec.gates: http and prometheus): it makes the calls, keeps
// each gate's last answer per application and version, and requeues the
// Promotion when an answer arrives; core/promotion reads the kept answers
// (planPromotion's gateAnswers) and never waits on I/O. One call per
// application, version and gate: a passed answer is kept until the version
// or the gate changes; a pending one is asked again with backoff (up to the
// gate's interval), a failed one every interval. Every call passes the
// leader's fence at dispatch.
import { Counter } from 'prom-client';
import type { PromotionGate } from '../api/promotion.js';
import type { KeptGateAnswer } from '../core/application/gate-history.js';
import { urlForMessages } from '../core/outbound-url.js';
import {
  gateIntervalMs,
  gateQueryText,
  gateTimeoutMs,
  noDataAnswer,
  prometheusGateResult,
  prometheusQueryUrl,
  httpGateBody,
  httpGateResult,
  type GateAnswer,
  type GateAnswers,
  type GateAsk,
} from '../core/promotion/index.js';
import type { KubeObject, Request } from '../kube/resource.js';
import { backoffDelay } from '../runtime/backoff.js';
import type { TriggerSource } from '../runtime/reconciler.js';
import type { RuntimeDeps } from '../runtime/runtime-deps.js';
import { postSigned, readSecretToken, type OutboundIO } from '../integrations/outbound/post.js';

/** The first ask again of a pending or unreachable gate; doubled up to the gate's interval. */
const PENDING_BASE_MS = 2_000;

/** The Promotion a candidate is asked for. */
export interface GatedPromotion {
  namespace: string;
  name: string;
  from: string;
  to: string;
  /** The cached object, for Events. */
  object: KubeObject;
}

/**
 * How a list of gates is asked: spec.gates (default) keep a passed answer;
 * spec.verify.gates are asked every interval in a window, passed or not,
 * with ${environment} = to, and kept apart per window (`scope`).
 */
export interface AskMode {
  verify: { window: string };
}

interface Entry {
  version: string;
  /** The gate's spec as asked: a change asks again. */
  spec: string;
  answer?: GateAnswer;
  inFlight: boolean;
  /** Epoch ms after which a pending or failed answer is asked again. */
  askAgainAt: number;
  /** Pending or unreachable answers in a row (the backoff). */
  waits: number;
  /** prometheus: when the query first returned no sample for this candidate (noDataTimeout). */
  firstNoDataAt?: number;
}

export class GateEvaluator implements TriggerSource {
  private readonly entries = new Map<string, Entry>();
  /** spec.gates entry keys by namespace/application: the Application controller's GatePassed/GateFailed source. */
  private readonly byApplication = new Map<string, Set<string>>();
  private enqueue: (req: Request) => void = () => {};
  private enqueueApplication: (req: Request) => void = () => {};
  private readonly answers: Counter<'namespace' | 'promotion' | 'gate' | 'result'>;
  private readonly verifyAnswers: Counter<'namespace' | 'promotion' | 'gate' | 'result'>;

  constructor(
    private readonly deps: RuntimeDeps,
    private readonly io: OutboundIO = { get: (r, ns, n) => deps.client.get(r, ns, n), fence: deps.fence },
  ) {
    this.answers = new Counter({
      name: 'depot_promotion_gate_answers_total',
      help: 'Answers of promotion gates (spec.gates) per Promotion, gate and result (Passed, Pending, Failed).',
      labelNames: ['namespace', 'promotion', 'gate', 'result'] as const,
      registers: [deps.metrics.registry],
    });
    this.verifyAnswers = new Counter({
      name: 'depot_promotion_verification_gate_answers_total',
      help: 'Answers of verification gates (spec.verify.gates) per Promotion, gate and result (Passed, Pending, Failed).',
      labelNames: ['namespace', 'promotion', 'gate', 'result'] as const,
      registers: [deps.metrics.registry],
    });
  }

  subscribe(enqueue: (req: Request) => void): void {
    this.enqueue = enqueue;
  }

  /** Applications whose spec.gates answer turned Passed or Failed (their history records it). */
  readonly applicationAnswers: TriggerSource = {
    subscribe: (enqueue) => {
      this.enqueueApplication = enqueue;
    },
  };

  /**
   * The final spec.gates answers kept for one application, of every Promotion:
   * status.results lists at most 256 applications, these are not bounded by it.
   */
  keptAnswers(namespace: string, application: string): KeptGateAnswer[] {
    const keys = this.byApplication.get(`${namespace}/${application}`);
    if (!keys) return [];
    return [...keys].flatMap((k) => {
      const e = this.entries.get(k);
      const result = e?.answer?.result;
      if (!e || (result !== 'Passed' && result !== 'Failed')) return [];
      const [, promotion, gate] = k.split('/');
      return [
        {
          promotion: promotion!,
          application,
          version: e.version,
          gate: gate!,
          result,
          message: e.answer!.message,
        },
      ];
    });
  }

  /** The kept answers of one Promotion's gates, for planPromotion. */
  answersFor(namespace: string, promotion: string, mode?: AskMode): GateAnswers {
    return (application, version, gate) => {
      const e = this.entries.get(key(namespace, promotion, scoped(gate.name, mode), application));
      return e && e.version === version && e.spec === specOf(gate) ? e.answer : undefined;
    };
  }

  /**
   * Asks every gate of a candidate that has no answer yet or whose answer is
   * due to be asked again; returns when the earliest pending or failed answer
   * should be asked again (the Promotion requeues then), or undefined.
   */
  ask(
    p: GatedPromotion,
    candidate: GateAsk,
    gates: readonly PromotionGate[],
    now: number,
    mode?: AskMode,
  ): number | undefined {
    let next: number | undefined;
    gates.forEach((gate, index) => {
      const k = key(p.namespace, p.name, scoped(gate.name, mode), candidate.application);
      const spec = specOf(gate);
      let e = this.entries.get(k);
      if (!e || e.version !== candidate.version || e.spec !== spec) {
        e = { version: candidate.version, spec, inFlight: false, askAgainAt: 0, waits: 0 };
        this.entries.set(k, e);
        if (!mode) {
          const byApp = `${p.namespace}/${candidate.application}`;
          this.byApplication.set(byApp, (this.byApplication.get(byApp) ?? new Set()).add(k));
        }
      }
      if ((e.answer?.result === 'Passed' && !mode) || e.inFlight) return;
      if (e.answer && now < e.askAgainAt) {
        next = next === undefined ? e.askAgainAt : Math.min(next, e.askAgainAt);
        return;
      }
      e.inFlight = true;
      const entry = e;
      void this.call(p, candidate, gate, index, entry, mode).then(
        (answer) => this.answered(p, candidate, gate, entry, answer, mode),
        (err: unknown) => {
          // Not the leader (the fence), or a bug: no answer; the next reconcile asks again.
          entry.inFlight = false;
          this.deps.log.debug({ err, gate: gate.name, promotion: p.name }, 'gate call not made');
        },
      );
    });
    return next;
  }

  /** Forgets the verification answers for one application once its verification ended. */
  forgetVerification(namespace: string, promotion: string, application: string): void {
    const prefix = `${namespace}/${promotion}/verify@`;
    const suffix = `/${application}`;
    for (const k of this.entries.keys())
      if (k.startsWith(prefix) && k.endsWith(suffix) && !this.entries.get(k)!.inFlight)
        this.entries.delete(k);
  }

  /** Forgets the answers of a Promotion that is gone. */
  forget(namespace: string, promotion: string): void {
    const prefix = `${namespace}/${promotion}/`;
    for (const k of this.entries.keys())
      if (k.startsWith(prefix)) {
        this.entries.delete(k);
        const byApp = `${namespace}/${k.slice(k.lastIndexOf('/') + 1)}`;
        this.byApplication.get(byApp)?.delete(k);
        if (this.byApplication.get(byApp)?.size === 0) this.byApplication.delete(byApp);
      }
  }

  private answered(
    p: GatedPromotion,
    candidate: GateAsk,
    gate: PromotionGate,
    e: Entry,
    answer: GateAnswer & { unreachable?: boolean },
    mode?: AskMode,
  ): void {
    e.inFlight = false;
    // The version or the gate changed while the call was out: this answer is for neither.
    if (this.entries.get(key(p.namespace, p.name, scoped(gate.name, mode), candidate.application)) !== e)
      return;
    const before = e.answer?.result;
    const { unreachable, ...kept } = answer;
    e.answer = kept;
    const interval = gateIntervalMs(gate);
    const waits = answer.result === 'Pending' || unreachable;
    e.waits = waits ? e.waits + 1 : 0;
    e.askAgainAt =
      Date.parse(answer.time) +
      (waits
        ? backoffDelay(e.waits - 1, { baseMs: Math.min(PENDING_BASE_MS, interval), maxMs: interval })
        : interval);
    (mode ? this.verifyAnswers : this.answers).inc({
      namespace: p.namespace,
      promotion: p.name,
      gate: gate.name,
      result: answer.result,
    });
    if (answer.result !== before && answer.result !== 'Pending') {
      const what = mode ? `verification gate ${gate.name}` : `gate ${gate.name}`;
      const note = `${what} ${answer.result === 'Passed' ? 'passed' : 'failed'} for ${candidate.application} ${candidate.version}: ${answer.message}`;
      const reason = `${mode ? 'Verification' : ''}Gate${answer.result === 'Passed' ? 'Passed' : 'Failed'}`;
      if (answer.result === 'Passed') this.deps.events.normal(p.object, reason, note);
      else this.deps.events.warning(p.object, reason, note);
      if (!mode) this.enqueueApplication({ namespace: p.namespace, name: candidate.application });
    }
    this.enqueue({ namespace: p.namespace, name: p.name });
  }

  private async call(
    p: GatedPromotion,
    candidate: GateAsk,
    gate: PromotionGate,
    index: number,
    e: Entry,
    mode?: AskMode,
  ): Promise<GateAnswer & { unreachable?: boolean }> {
    const of = `of Promotion ${p.namespace}/${p.name}`;
    const list = mode ? 'spec.verify.gates' : 'spec.gates';
    const time = () => new Date(this.deps.clock.now()).toISOString();
    const timeoutMs = gateTimeoutMs(gate);
    const signal = AbortSignal.timeout(timeoutMs + 1000);
    if (gate.prometheus) {
      const prom = gate.prometheus;
      const query = gateQueryText(prom.query, {
        application: candidate.application,
        version: candidate.version,
        // A verification looks at the version where it runs now.
        environment: mode ? p.to : p.from,
        namespace: p.namespace,
      });
      const answer = await postSigned(this.io, {
        url: prometheusQueryUrl(prom),
        body: new URLSearchParams({ query }).toString(),
        contentType: 'application/x-www-form-urlencoded',
        timeoutMs,
        signal,
        where: `${urlForMessages(prom.address)} (${list}[${index}].prometheus.address ${of})`,
      });
      if (!answer.answered)
        return { result: 'Failed', message: answer.message, time: time(), unreachable: true };
      const verdict = prometheusGateResult(answer.status, answer.body, prom.condition);
      const now = this.deps.clock.now();
      if (verdict.result !== 'NoData') {
        delete e.firstNoDataAt;
        return { ...verdict, time: time() };
      }
      e.firstNoDataAt ??= now;
      return { ...noDataAnswer(verdict.message, e.firstNoDataAt, now, prom), time: time() };
    }
    const http = gate.http!;
    const field = `${list}[${index}].http`;
    let token: string | undefined;
    const ref = http.secretRef;
    if (ref) {
      const read = await readSecretToken(
        this.io,
        p.namespace,
        ref,
        `Secret ${p.namespace}/${ref.name} (${field}.secretRef ${of})`,
      );
      if ('error' in read) return { result: 'Failed', message: read.error, time: time() };
      token = read.token;
    }
    const answer = await postSigned(this.io, {
      url: http.url,
      body: httpGateBody({
        application: candidate.application,
        namespace: p.namespace,
        version: candidate.version,
        from: p.from,
        to: p.to,
        promotion: p.name,
      }),
      ...(token !== undefined ? { token } : {}),
      timeoutMs,
      signal,
      where: `${urlForMessages(http.url)} (${field}.url ${of})`,
    });
    if (!answer.answered)
      return { result: 'Failed', message: answer.message, time: time(), unreachable: true };
    return { ...httpGateResult(answer.status, answer.body), time: time() };
  }
}

const key = (namespace: string, promotion: string, gate: string, application: string) =>
  `${namespace}/${promotion}/${gate}/${application}`;

const specOf = (gate: PromotionGate): string => JSON.stringify(gate);

/** Verification answers are kept apart from spec.gates' and per window. */
const scoped = (gate: string, mode: AskMode | undefined) =>
  mode ? `verify@${mode.verify.window}/${gate}` : gate;
