// Failures that retrying cannot fix (controller-runtime's
// reconcile.TerminalError). The controller logs one once, counts it, reports
// it as a Warning Event on the object and does not requeue the key: only a
// change (or a resync) reconciles it again. A write the API server rejects
// as invalid (422) is one: the same request would be rejected forever.
import { apiErrorMessage, statusCodeOf } from '../kube/errors.js';
import { resourceId, type KubeObject, type ResourceType } from '../kube/resource.js';

export class TerminalError extends Error {
  /** CamelCase reason of the Warning Event, e.g. WriteRejected. */
  readonly reason: string;
  /** The object the Event is about (default: the reconciled one). */
  readonly regarding?: KubeObject;
  /** The same failure was already reported: do not log or report it again. */
  readonly repeated: boolean;

  constructor(
    message: string,
    opts: { reason?: string; regarding?: KubeObject; repeated?: boolean; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'TerminalError';
    this.reason = opts.reason ?? 'ReconcileFailed';
    this.regarding = opts.regarding;
    this.repeated = opts.repeated ?? false;
  }

  /** The same error, marked as already reported. */
  again(): TerminalError {
    return new TerminalError(this.message, {
      reason: this.reason,
      regarding: this.regarding,
      repeated: true,
      cause: this.cause,
    });
  }
}

export const isTerminal = (err: unknown): err is TerminalError => err instanceof TerminalError;

/** 422: the API server's validation (schema, CEL) rejected the request. */
export const isInvalid = (err: unknown) => statusCodeOf(err) === 422;

/**
 * The API server refused the request as too large: 413 for a body over its
 * own limit, or etcd's "request is too large" for an object over etcd's
 * request limit (1.5 MiB by default), whatever status code carries it.
 */
export function isTooLarge(err: unknown): boolean {
  if (statusCodeOf(err) === 413) return true;
  return /request is too large|request entity too large|too large to be stored/i.test(apiErrorMessage(err));
}

/** The reason of a too-large write's TerminalError (and its Warning Event). */
export const TOO_LARGE = 'TooLarge';

/** A too-large write of `obj` (about `bytes` of JSON) as a TerminalError naming the size. */
export function terminalIfTooLarge(
  err: unknown,
  resource: ResourceType,
  obj: KubeObject,
  subresource: 'status' | undefined,
  bytes: () => number,
): unknown {
  if (!isTooLarge(err)) return err;
  const what = `${subresource === 'status' ? 'status of ' : ''}${resource.kind} ${keyText(obj)}`;
  return new TerminalError(
    `the API server refused the ${what} as too large (the object would take about ${bytes()} bytes of JSON; etcd takes requests up to 1.5 MiB by default), so it is not retried until something changes: ${apiErrorMessage(err)}`,
    { reason: TOO_LARGE, regarding: obj, cause: err },
  );
}

/** A 422 on writing `obj` as a TerminalError naming the object and the field; any other error as it was. */
export function terminalIfInvalid(
  err: unknown,
  resource: ResourceType,
  obj: KubeObject,
  subresource: 'status' | undefined,
): unknown {
  if (!isInvalid(err)) return err;
  const what = `${subresource === 'status' ? 'status of ' : ''}${resource.kind} ${keyText(obj)}`;
  return new TerminalError(
    `the API server rejected the ${what} as invalid, so it is not retried until something changes: ${apiErrorMessage(err)}`,
    { reason: subresource === 'status' ? 'StatusRejected' : 'WriteRejected', regarding: obj, cause: err },
  );
}

function keyText(obj: KubeObject): string {
  const ns = obj.metadata?.namespace;
  return ns ? `${ns}/${obj.metadata?.name ?? ''}` : (obj.metadata?.name ?? '');
}

/**
 * The writes the API server rejected as invalid, so that the same write is
 * not sent again (a resync recomputes it): per object, the rejected patch.
 * Timestamps do not count (a recomputed status carries a new `now`, which
 * never makes a write valid). Bounded: the oldest entries go first.
 */
export class RejectedWrites {
  private readonly byKey = new Map<string, { patch: string; error: TerminalError }>();

  constructor(private readonly max = 1000) {}

  static key(resource: ResourceType, obj: KubeObject, subresource: 'status' | undefined): string {
    return `${resourceId(resource)}/${subresource ?? ''}/${keyText(obj)}`;
  }

  /** The error to throw instead of sending `patch` again, if it was rejected before. */
  check(key: string, patch: unknown): TerminalError | undefined {
    const entry = this.byKey.get(key);
    return entry && entry.patch === fingerprint(patch) ? entry.error.again() : undefined;
  }

  remember(key: string, patch: unknown, error: TerminalError): void {
    this.byKey.delete(key);
    this.byKey.set(key, { patch: fingerprint(patch), error });
    while (this.byKey.size > this.max) this.byKey.delete(this.byKey.keys().next().value!);
  }

  /** A write of the object went through: what was rejected before no longer matters. */
  forget(key: string): void {
    this.byKey.delete(key);
  }

  get size(): number {
    return this.byKey.size;
  }
}

const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function fingerprint(patch: unknown): string {
  return JSON.stringify(patch, (_, v: unknown) => (typeof v === 'string' && rfc3339.test(v) ? '<time>' : v));
}
