// Depot-specific settings of the controllers (flags of `depot operator`).
import type { AuditSink } from '../runtime/audit-log.js';
import type { DeliverySettings } from '../core/delivery.js';
import type { DeliveryOptions } from './delivery/tracker.js';
import type { AuditSinkOptions } from './history-sink.js';

export interface DepotOptions {
  /** Entries kept in Application status.history. */
  historyLimit: number;
  /** Bytes an Application's status may take (--status-byte-budget); default DEFAULT_STATUS_BYTE_BUDGET. */
  statusByteBudget?: number;
  /** --verified-actors: Depot's admission policies stamp who made each change. */
  verifiedActors?: boolean;
  audit: AuditSink;
  /** Every history entry as a CloudEvent to this receiver (--audit-sink); none when undefined. */
  auditSink?: AuditSinkOptions;
  /** What the integrations may do (authorization check, Receiver URL allow-list). */
  deliverySettings?: DeliverySettings;
  /** Retry backoff and concurrency of delivery attempts. */
  delivery?: DeliveryOptions;
  /** URL prefixes promotion gates may call (--gate-url-allow); empty: none. */
  gateUrlAllow?: string[];
  /** How long a depot agent may be silent before its Target is not Ready (--agent-silence). */
  agentSilenceMs?: number;
  /** Points where tests stop or kill the operator; set only by test fixtures, never by flags or environment. */
  hooks?: DepotHooks;
}

export interface DepotHooks {
  /** After an Application status write that added history, before its entries are sent. */
  afterApplicationStatusWrite?: () => Promise<void>;
  /** After a Promotion's writes of spec.versions, before its status update. */
  afterPromotionWrites?: (promotion: { namespace: string; name: string; writes: number }) => Promise<void>;
}
