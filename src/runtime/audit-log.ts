// The audit log: one JSON line per recorded change, on stdout (beside the
// operator's logs, marked "audit": true) or in a file of its own.
import { pino, type Logger } from 'pino';

export interface AuditSink {
  record(entry: Record<string, unknown>): void;
}

/** `path` undefined or "-": stdout. */
export function createAuditLog(path?: string): AuditSink {
  const logger: Logger = pino(
    // The level slot carries the audit marker (an empty level formatter makes pino write invalid JSON).
    { base: undefined, timestamp: false, formatters: { level: () => ({ audit: true }) } },
    pino.destination({ dest: path && path !== '-' ? path : 1, sync: true, mkdir: true }),
  );
  return { record: (entry) => logger.info(entry) };
}
