// Flag kits of the long-running commands (`depot operator`, `depot agent`):
// each kit is the commander options of one concern and the type they parse
// to, and every value parser refuses a bad value with one line naming the flag.
import { Command, Option } from 'commander';
import { formatDuration, parseDuration } from '../kube/duration.js';
import { logLevels, type LogLevel } from '../runtime/log.js';
import { UserError } from './errors.js';

/** Adds options in order (help lists them in this order). */
export function addOptions(command: Command, ...kits: readonly Option[][]): Command {
  for (const option of kits.flat()) command.addOption(option);
  return command;
}

/** An option with a value parser and an optional default. */
export function valueOption<T>(
  flags: string,
  description: string,
  parse: (value: string, previous: T) => T,
  defaultValue?: T,
): Option {
  const option = new Option(flags, description).argParser(parse);
  return defaultValue === undefined ? option : option.default(defaultValue);
}

/** A Go-style duration flag (`30s`, `1m30s`) in milliseconds, whose help shows its default as a duration. */
export function durationOption(flags: string, description: string, defaultMs: number): Option {
  return new Option(flags, description)
    .argParser((v: string) => {
      try {
        return parseDuration(v);
      } catch (err) {
        throw new UserError(`${flags.split(' ')[0]}: ${(err as Error).message}`);
      }
    })
    .default(defaultMs, formatDuration(defaultMs));
}

export function positiveInt(flag: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1)
      throw new UserError(`${flag} must be a whole number of at least 1, got "${v}"`);
    return n;
  };
}

const BYTE_UNITS: Record<string, number> = { '': 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 };

/** A byte count, plain or with a Kubernetes binary suffix: `524288`, `512Ki`, `128Mi`, `1Gi`. */
export function byteSize(flag: string): (v: string) => number {
  return (v) => {
    const m = /^(\d{1,15})(Ki|Mi|Gi)?$/.exec(v.trim());
    const n = m ? Number(m[1]) * BYTE_UNITS[m[2] ?? '']! : NaN;
    if (!Number.isSafeInteger(n) || n < 1)
      throw new UserError(`${flag} must be a positive byte count such as 524288, 512Ki or 128Mi, got "${v}"`);
    return n;
  };
}

/** Bytes as the flags take them: `128Mi` when it divides evenly, else the number. */
export function formatBytes(n: number): string {
  for (const unit of ['Gi', 'Mi', 'Ki'] as const)
    if (n % BYTE_UNITS[unit]! === 0) return `${n / BYTE_UNITS[unit]!}${unit}`;
  return String(n);
}

export function positiveNumber(flag: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new UserError(`${flag} must be a positive number, got "${v}"`);
    return n;
  };
}

export function fraction(flag: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0 || n > 1)
      throw new UserError(`${flag} must be between 0 and 1, got "${v}"`);
    return n;
  };
}

/** The non-empty, trimmed items of a comma-separated value. */
export function commaList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A repeatable comma-separated flag: each use adds its items. */
export function appendCommaList(value: string, previous: string[]): string[] {
  return [...previous, ...commaList(value)];
}

/** Adds the comma-separated prefixes of one URL allow-list flag (--receiver-url-allow, --gate-url-allow); each must be an http(s) URL. */
export const urlPrefixes =
  (flag: string) =>
  (value: string, previous: string[]): string[] => {
    const added = commaList(value);
    for (const prefix of added) {
      const url = URL.parse(prefix);
      if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
        throw new UserError(`${flag}: ${prefix} is not an http:// or https:// URL prefix`);
    }
    return [...previous, ...added];
  };

/** --kubeconfig, --context: which cluster the command talks to. */
export interface KubeconfigFlags {
  kubeconfig?: string;
  context?: string;
}

export function kubeconfigFlags(help: { kubeconfig: string; context: string }): Option[] {
  return [new Option('--kubeconfig <path>', help.kubeconfig), new Option('--context <name>', help.context)];
}

/** --health-addr: /healthz and /readyz (and, for the agent, /metrics). */
export interface HealthFlags {
  healthAddr: string;
}

export function healthFlags(description: string): Option[] {
  return [new Option('--health-addr <host:port>', description).default(':8081')];
}

export interface LogFlags {
  logLevel: LogLevel;
}

export function logFlags(): Option[] {
  return [new Option('--log-level <level>', 'log level').choices(logLevels).default('info')];
}

/** --no-delivery-authorization: write Argo CD / Flux objects without their opt-in. */
export interface DeliveryAuthorizationFlags {
  deliveryAuthorization: boolean;
}

export function deliveryAuthorizationFlags(description: string): Option[] {
  return [new Option('--no-delivery-authorization', description)];
}
