// Depot-specific settings of the controllers (flags of `depot operator`).
import type { AuditSink } from '../runtime/audit-log.js';

export interface DepotOptions {
  /** Entries kept in Application status.history. */
  historyLimit: number;
  audit: AuditSink;
  /**
   * Test hook: pause this long after a Promotion's writes and before its
   * status update, so a test can kill the process exactly there.
   */
  pauseAfterPromotionWriteMs?: number;
}
