// Four-eyes approval gates (Promotion spec.approval): an eligible version is
// promoted once spec.approvals holds minApprovals distinct approvers of that
// exact version, none of them the identity that first requested it (unless
// allowSelfApproval). Approvers are the users the API server authenticated.
import { createHash } from 'node:crypto';
import type { Application } from '../api/application.js';
import type { Promotion } from '../api/promotion.js';
import type { Versions } from './versions.js';

export const APPROVE_MANAGER_PREFIX = 'depot-approve.';

/** Longest field manager the API server accepts. */
const MAX_MANAGER = 128;

/**
 * One field manager per approver and version, so approving never removes
 * another person's approval. A name too long for a field manager ends in a
 * hash of the whole name instead of being cut (two long user names sharing
 * a prefix would otherwise share a manager, and one apply would drop the
 * other's entry).
 */
export function approveManager(application: string, version: string, user: string): string {
  const name = `${APPROVE_MANAGER_PREFIX}${application}@${version}.${user}`;
  if (name.length <= MAX_MANAGER) return name;
  const digest = createHash('sha256').update(name).digest('hex').slice(0, 16);
  return `${name.slice(0, MAX_MANAGER - digest.length - 1)}~${digest}`;
}

/** Reason of a result that waits for an approval. */
export const APPROVAL_REQUIRED = 'ApprovalRequired';

/** Who first requested a version, and whether Depot verified that identity. */
export interface Requester {
  actor: string;
  /** False when the actor was read from a field manager (no admission stamp): anyone can name one. */
  verified: boolean;
}

/**
 * The identity that first requested the version: the actor of the oldest
 * Requested entry for it in the application's history (newest first), in any
 * environment. A Promotion's write is a Promoted entry, so it is never the
 * requester. Undefined when the history no longer holds that entry.
 */
export function requesterOf(app: Application, versions: Versions, version: string): Requester | undefined {
  const history = app.status?.history ?? [];
  for (let i = history.length - 1; i >= 0; i--) {
    const h = history[i]!;
    if (h.type === 'Requested' && versions.same(h.to, version))
      return h.actor && h.actor !== 'unknown'
        ? { actor: h.actor, verified: h.actorUnverified !== true }
        : undefined;
  }
  return undefined;
}

/** Where the approvals of one version stand. */
export interface ApprovalTally {
  /** spec.approval.minApprovals. */
  required: number;
  /** The distinct approvers that count, in the order of spec.approvals. */
  approvers: string[];
  /** An approval by the requester was left out (allowSelfApproval is false). */
  selfApprovalIgnored: boolean;
  /** The requester could not be found, so no approval could be ruled out as theirs. */
  requesterUnknown: boolean;
  /** The requester's identity was not verified, so an approval under another name may still be theirs. */
  requesterUnverified: boolean;
  /** How many more approvals are needed: 0 when the version is approved. */
  missing: number;
}

/** Counts the approvals of exactly this version of the application. */
export function tallyApprovals(
  promotion: Promotion,
  application: string,
  version: string,
  requester: Requester | undefined,
): ApprovalTally {
  const gate = promotion.spec.approval;
  const required = gate?.minApprovals ?? 1;
  const selfAllowed = gate?.allowSelfApproval === true;
  const approvers: string[] = [];
  let selfApprovalIgnored = false;
  for (const a of promotion.spec.approvals ?? []) {
    if (a.application !== application || a.version !== version || approvers.includes(a.approver)) continue;
    if (!selfAllowed && a.approver === requester?.actor) selfApprovalIgnored = true;
    else approvers.push(a.approver);
  }
  return {
    required,
    approvers,
    selfApprovalIgnored,
    requesterUnknown: !selfAllowed && requester === undefined,
    requesterUnverified: !selfAllowed && requester?.verified === false,
    missing: Math.max(0, required - approvers.length),
  };
}

/** The tally of the version for this application, its requester read from the history. */
export function tallyFor(
  promotion: Promotion,
  app: Application,
  versions: Versions,
  version: string,
): ApprovalTally {
  return tallyApprovals(promotion, app.metadata.name, version, requesterOf(app, versions, version));
}

/** Longest list of approvers in a message; the rest are counted ("and 3 more"). */
const MAX_NAMES_CHARS = 1024;

/** "alice, bob" — bounded, so that a reason or history message stays within its limit. */
export function approverList(names: readonly string[], maxChars = MAX_NAMES_CHARS): string {
  let out = '';
  for (const [i, name] of names.entries()) {
    const next = out ? `${out}, ${name}` : name;
    if (next.length > maxChars)
      return out
        ? `${out} and ${names.length - i} more`
        : `${name.slice(0, maxChars)} and ${names.length - 1} more`;
    out = next;
  }
  return out;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Why the version waits: how many approvals it still needs, who counted so far
 * (spec.approvals shows them anyway), and that an approval by the requester
 * was ignored, without saying whose (the requester is the Application's).
 */
export function approvalWaitingReason(
  promotion: string,
  application: string,
  version: string,
  tally: ApprovalTally,
): string {
  const command = `(depot approve ${promotion} ${application} ${version})`;
  if (tally.required === 1 && tally.approvers.length === 0 && !tally.selfApprovalIgnored)
    return `${APPROVAL_REQUIRED}: ${version} waits for approval ${command}`;
  const counted = `${tally.approvers.length} of ${tally.required} distinct approvers${tally.approvers.length ? `: ${approverList(tally.approvers)}` : ''}`;
  const ignored = tally.selfApprovalIgnored
    ? `; an approval by whoever first requested ${version} does not count (spec.approval.allowSelfApproval is false)`
    : '';
  return `${APPROVAL_REQUIRED}: ${version} waits for ${plural(tally.missing, 'more approval')} (${counted}${ignored}) ${command}`;
}

/** The Promoted result's note when the requester could not be ruled out ('' when it was). */
export function requesterNote(version: string, tally: ApprovalTally): string {
  if (tally.requesterUnknown)
    return ` (the history no longer holds the Requested entry of ${version}, so self-approval could not be ruled out)`;
  if (tally.requesterUnverified)
    return ` (the Requested entry of ${version} names an actor that was not verified, so self-approval could not be ruled out)`;
  return '';
}
