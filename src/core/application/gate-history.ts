// GatePassed / GateFailed history entries: a Promotion's gate answers for an
// application's version (its status.results[].gates) recorded on the
// Application when the outcome changes, not on every ask. Level-based: the
// newest entry of the same gate, Promotion, environment and version says
// what was recorded last, so a repeated reconcile or a restart adds nothing.
import type { HistoryEntry } from '../../api/application.js';
import type { Promotion } from '../../api/promotion.js';
import type { NewEntry } from './history.js';

/** One final gate answer a Promotion reports for one application and version. */
export interface GateFact {
  promotion: string;
  /** The Promotion's `to`: where the version would go. */
  environment: string;
  version: string;
  gate: string;
  result: 'Passed' | 'Failed';
  message?: string;
}

/** A final gate answer the operator keeps in memory (status.results lists at most 256 applications). */
export interface KeptGateAnswer {
  promotion: string;
  application: string;
  version: string;
  gate: string;
  result: 'Passed' | 'Failed';
  message?: string;
}

/**
 * The passed and failed gate answers for an application: those the Promotions
 * report in status.results, and those the operator keeps for applications the
 * bounded list leaves out (of Promotions that still exist), each once.
 */
export function gateFacts(
  application: string,
  promotions: readonly Promotion[],
  kept: readonly KeptGateAnswer[] = [],
): GateFact[] {
  const reported = promotions.flatMap((p) => {
    const r = p.status?.results?.find((x) => x.application === application);
    if (!r?.version || !r.gates) return [];
    const version = r.version;
    return r.gates.flatMap((g) =>
      g.result === 'Pending'
        ? []
        : [
            {
              promotion: p.metadata.name,
              environment: p.spec.to,
              version,
              gate: g.name,
              result: g.result,
              ...(g.message !== undefined ? { message: g.message } : {}),
            },
          ],
    );
  });
  const seen = new Set(reported.map((f) => `${f.promotion}/${f.gate}/${f.version}`));
  const fromMemory = kept.flatMap((k): GateFact[] => {
    const p = promotions.find((x) => x.metadata.name === k.promotion);
    if (k.application !== application || !p || seen.has(`${k.promotion}/${k.gate}/${k.version}`)) return [];
    return [
      {
        promotion: k.promotion,
        environment: p.spec.to,
        version: k.version,
        gate: k.gate,
        result: k.result,
        ...(k.message !== undefined ? { message: k.message } : {}),
      },
    ];
  });
  return [...reported, ...fromMemory];
}

const prefix = (f: Pick<GateFact, 'gate' | 'promotion'>) => `gate ${f.gate} of Promotion ${f.promotion} `;

/** Entries for the facts whose outcome differs from the newest entry recorded for the same gate and version. */
export function gateHistory(
  history: readonly HistoryEntry[] | undefined,
  facts: readonly GateFact[],
  now: Date,
): NewEntry[] {
  return facts.flatMap((f) => {
    const type = f.result === 'Passed' ? 'GatePassed' : 'GateFailed';
    const actor = `promotion ${f.promotion}`;
    const newest = history?.find(
      (h) =>
        (h.type === 'GatePassed' || h.type === 'GateFailed') &&
        h.environment === f.environment &&
        h.to === f.version &&
        h.actor === actor &&
        h.message?.startsWith(prefix(f)),
    );
    if (newest?.type === type) return [];
    return [
      {
        time: now.toISOString(),
        type,
        environment: f.environment,
        to: f.version,
        actor,
        message: `${prefix(f)}${f.result === 'Passed' ? 'passed' : 'failed'}${f.message ? `: ${f.message}` : ''}`,
      },
    ];
  });
}
