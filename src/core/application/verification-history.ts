// Verified / VerificationFailed history entries: the end of a Promotion's
// verification (spec.verify) of an application's version, as its
// status.verifications records it, written once on the Application. The
// entry's time is the verification's end, which makes it idempotent: a
// repeated reconcile or a restart finds it and adds nothing.
import type { HistoryEntry } from '../../api/application.js';
import type { Promotion } from '../../api/promotion.js';
import { verificationActor } from '../promotion/verification.js';
import type { NewEntry } from './history.js';

/** One finished verification a Promotion reports for one application. */
export interface VerificationFact {
  promotion: string;
  /** The Promotion's `to`, where the version was verified. */
  environment: string;
  version: string;
  result: 'Verified' | 'Failed';
  finishedAt: string;
  message?: string;
}

/** The finished (Verified or Failed) verifications the Promotions report for an application. */
export function verificationFacts(application: string, promotions: readonly Promotion[]): VerificationFact[] {
  return promotions.flatMap((p) =>
    (p.status?.verifications ?? []).flatMap((r): VerificationFact[] =>
      r.application === application && r.finishedAt && (r.phase === 'Verified' || r.phase === 'Failed')
        ? [
            {
              promotion: p.metadata.name,
              environment: p.spec.to,
              version: r.version,
              result: r.phase,
              finishedAt: r.finishedAt,
              ...(r.message !== undefined ? { message: r.message } : {}),
            },
          ]
        : [],
    ),
  );
}

/** Entries for the facts not in the history yet (nor older than what it still holds). */
export function verificationHistory(
  history: readonly HistoryEntry[] | undefined,
  facts: readonly VerificationFact[],
): NewEntry[] {
  const oldest = history?.length ? Date.parse(history[history.length - 1]!.time) : undefined;
  return facts.flatMap((f): NewEntry[] => {
    const type = f.result === 'Verified' ? 'Verified' : 'VerificationFailed';
    const time = new Date(f.finishedAt).toISOString();
    const actor = verificationActor(f.promotion);
    if (oldest !== undefined && Date.parse(time) < oldest) return [];
    const recorded = history?.some(
      (h) =>
        h.type === type &&
        h.environment === f.environment &&
        h.to === f.version &&
        h.actor === actor &&
        Date.parse(h.time) === Date.parse(time),
    );
    if (recorded) return [];
    return [
      {
        time,
        type,
        environment: f.environment,
        to: f.version,
        actor,
        message:
          `${f.version} ${f.result === 'Verified' ? 'verified' : 'failed verification'} in ${f.environment} (Promotion ${f.promotion})${f.message ? `: ${f.message}` : ''}`.slice(
            0,
            4096,
          ),
      },
    ];
  });
}
