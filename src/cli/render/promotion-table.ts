// The rows of `depot get promotions` and `depot history`: plain cells, so the
// tables stay testable without a terminal. Gates show as `name (kind)`; a
// version held by its gates shows each gate that has not passed with its last
// answer (shortened in the table, whole with -o wide); verification shows its
// window, onFailure and counts by state.
import type { HistoryEntry } from '../../api/application.js';
import type { Promotion, PromotionGate, PromotionResult } from '../../api/promotion.js';
import { waitingForApproval } from '../../core/release-control.js';
import { verificationCounts } from '../../core/promotion/verification.js';

export type Paint = (kind: 'blocked' | 'drift' | 'ok' | 'dim', text: string) => string;
const plain: Paint = (_kind, text) => text;

/** Longest gate answer shown in the table (-o wide shows it whole). */
export const SHORT_ANSWER = 60;

export const PROMOTION_HEAD = [
  'NAME',
  'FROM',
  'TO',
  'AFTER',
  'SCHEDULE',
  'LAST RUN',
  'NEXT RUN',
  'HELD',
  'WAITING APPROVAL',
  'GATES',
  'WAITING ON GATES',
  'VERIFY',
  'READY',
];

const gateKind = (g: PromotionGate) => (g.prometheus ? 'prometheus' : 'http');

/** `smoke (http), errors (prometheus)`. */
export const gateList = (p: Promotion): string =>
  (p.spec.gates ?? []).map((g) => `${g.name} (${gateKind(g)})`).join(', ');

const shorten = (text: string, wide: boolean) =>
  wide || text.length <= SHORT_ANSWER ? text : `${text.slice(0, SHORT_ANSWER - 1)}…`;

/** `core@1.2.0: smoke Failed: HTTP 500: down`: each gate of each version that has not passed, with its last answer. */
export function gatesWaiting(p: Promotion, wide = false): string[] {
  return (p.status?.results ?? []).flatMap((r) =>
    r.outcome !== 'Waiting' && r.outcome !== 'Blocked'
      ? []
      : (r.gates ?? [])
          .filter((g) => g.result !== 'Passed')
          .map(
            (g) =>
              `${r.application}@${r.version ?? '?'}: ${g.name} ${g.result}${g.message ? `: ${shorten(g.message, wide)}` : ''}`,
          ),
  );
}

/** `core@1.2.0 needs 1 more (approved by alice)`: who approved and how many are still needed. */
export function approvalState(r: PromotionResult): string {
  const by = r.approvers?.length ? ` (approved by ${r.approvers.join(', ')})` : '';
  return r.approvalsNeeded === undefined
    ? `${r.application}@${r.version}`
    : `${r.application}@${r.version} needs ${r.approvalsNeeded} more${by}`;
}

/**
 * `15m rollback+reject: 1 verifying, 2 verified, 1 failed` (spec.verify and
 * its verifications), `requires verified` (spec.requireVerified); -o wide
 * adds each failed verification with its reason.
 */
export function verificationState(p: Promotion, wide = false): string {
  const parts: string[] = [];
  const verify = p.spec.verify;
  if (verify) {
    const c = verificationCounts(p.status?.verifications);
    const action = `${verify.onFailure ?? 'rollback'}${verify.reject ? '+reject' : ''}`;
    parts.push(
      `${verify.for} ${action}: ${c.verifying} verifying, ${c.verified} verified, ${c.failed} failed`,
    );
  }
  if (p.spec.requireVerified) parts.push('requires verified');
  const failed = wide
    ? (p.status?.verifications ?? [])
        .filter((r) => r.phase === 'Failed')
        .map((r) => `\n${r.application}@${r.version}: ${r.message ?? ''}`)
    : [];
  return parts.length ? parts.join('; ') + failed.join('') : '-';
}

export function promotionRow(p: Promotion, ready: string, wide = false): string[] {
  return [
    p.metadata.name,
    p.spec.from,
    p.spec.to,
    p.spec.after ?? '-',
    p.spec.schedule ? `${p.spec.schedule}${p.spec.timeZone ? ` ${p.spec.timeZone}` : ''}` : '-',
    p.status?.lastRunTime ?? '-',
    p.status?.nextRunTime ?? '-',
    (p.status?.holds ?? []).map((h) => `${h.application}@${h.version} (by ${h.by})`).join(', ') || '-',
    waitingForApproval(p).map(approvalState).join('; ') || '-',
    gateList(p) || '-',
    gatesWaiting(p, wide).join('\n') || '-',
    verificationState(p, wide),
    ready,
  ];
}

export const HISTORY_HEAD = ['TIME', 'TYPE', 'ENVIRONMENT', 'TARGET', 'FROM', 'TO', 'ACTOR', 'MESSAGE'];

const isGateEntry = (h: HistoryEntry) => h.type === 'GatePassed' || h.type === 'GateFailed';

/** How an entry's type is painted: outcomes of checks and rollbacks stand out. */
const TYPE_PAINT: Partial<Record<HistoryEntry['type'], 'ok' | 'drift'>> = {
  GatePassed: 'ok',
  GateFailed: 'drift',
  Verified: 'ok',
  VerificationFailed: 'drift',
  RolledBack: 'drift',
};

/**
 * One history row. A gate entry is about a candidate version, not a change:
 * its TO reads `1.2.0 (candidate)` and its environment the one the version
 * would go to; GateFailed is painted like drift, GatePassed like success.
 */
export function historyRow(h: HistoryEntry, paint: Paint = plain): string[] {
  const gate = isGateEntry(h);
  const kind = TYPE_PAINT[h.type];
  const type = kind ? paint(kind, h.type) : h.type;
  const to = gate && h.to !== undefined ? `${h.to} (candidate)` : (h.to ?? '');
  return [
    h.time,
    type,
    h.environment ?? '',
    h.target ?? '',
    h.from ?? '',
    to,
    h.actor ?? '',
    h.message ?? '',
  ];
}
