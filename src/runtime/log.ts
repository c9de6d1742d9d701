// Structured JSON logs (one object per line on stdout) with pino. Every
// reconcile log line carries the controller and the object key, so
// `grep '"key":"team-a/web"'` shows one object's story.
import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';
import type { Request } from '../kube/resource.js';
import { requestKey } from '../kube/resource.js';

export type { Logger } from 'pino';

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

export function createLogger(
  opts: { level?: LogLevel; name?: string; destination?: DestinationStream } = {},
): Logger {
  return pino(
    {
      name: opts.name ?? 'depot',
      level: opts.level ?? 'info',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: stdSerializers.err },
      base: { pid: process.pid },
    },
    opts.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** The logger a reconcile gets: every line names the controller and the object. */
export function reconcileLogger(log: Logger, controller: string, req: Request, reconcileId: number): Logger {
  return log.child({ controller, key: requestKey(req), reconcileId });
}
