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
  /** Points where tests stop or kill the operator; set only by test fixtures. */
  hooks?: DepotHooks;
}

export interface DepotHooks {
  /** After an Application status write that added history, before its entries are sent. */
  afterApplicationStatusWrite?: () => Promise<void>;
}
