// Approval gates (Promotion spec.approval.required): an eligible version is
// promoted only once spec.approvals lists that application at that exact
// version. `depot approve` applies each approval with a field manager naming
// the approver (per entry, so approving another version does not remove it),
// which managedFields keeps, so the Promoted history entry can name them.
import type { Promotion, PromotionApproval } from '../api/promotion.js';
import { listEntryWriter, type ManagedFieldsEntry } from './field-managers.js';

export const APPROVE_MANAGER_PREFIX = 'depot-approve.';

export const approveManager = (application: string, version: string, user: string): string =>
  `${APPROVE_MANAGER_PREFIX}${application}@${version}.${user}`.slice(0, 128);

/** The approval of exactly this version of this application, if any. */
export function findApproval(
  promotion: Promotion,
  application: string,
  version: string,
): PromotionApproval | undefined {
  return promotion.spec.approvals?.find((a) => a.application === application && a.version === version);
}

/** Who approved: the user of `depot approve`, else the field manager that wrote the entry. */
export function approverOf(promotion: Promotion, approval: PromotionApproval): string {
  const writer = listEntryWriter(
    promotion.metadata.managedFields as ManagedFieldsEntry[] | undefined,
    ['f:spec', 'f:approvals'],
    { application: approval.application, version: approval.version },
  );
  if (!writer) return 'unknown';
  const own = `${APPROVE_MANAGER_PREFIX}${approval.application}@${approval.version}.`;
  return writer.manager.startsWith(own) ? writer.manager.slice(own.length) : writer.manager;
}

/** Reason of a result that waits for an approval. */
export const APPROVAL_REQUIRED = 'ApprovalRequired';
