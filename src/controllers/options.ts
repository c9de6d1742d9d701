// Depot-specific settings of the controllers (flags of `depot operator`).
import type { AuditSink } from '../runtime/audit-log.js';

export interface DepotOptions {
  /** Entries kept in Application status.history. */
  historyLimit: number;
  audit: AuditSink;
  /**
   * Called after a Promotion's writes and before its status update. Only
   * code sets it (no flag, no environment variable): a test's own entry
   * point uses it to stop the process exactly there.
   */
  afterPromotionWrites?: (promotion: { namespace: string; name: string; writes: number }) => Promise<void>;
}
