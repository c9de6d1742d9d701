// The audit log: one JSON line per recorded change, on stdout (beside the
// operator's logs, marked "audit": true) or in a file of its own.
import { pino, type Logger } from 'pino';

export interface AuditSink {
  record(entry: Record<string, unknown>): void;
}

/** `path` undefined or "-": stdout. */
export function createAuditLog(path?: string): AuditSink {
  const logger: Logger = pino(
    { base: { audit: true }, timestamp: false, messageKey: 'message', formatters: { level: () => ({}) } },
    pino.destination({ dest: path && path !== '-' ? path : 1, sync: true, mkdir: true }),
  );
  return { record: (entry) => logger.info(entry) };
}
