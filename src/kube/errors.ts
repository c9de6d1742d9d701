// Errors from the API server, whichever client made the call: our KubeClient
// throws KubeApiError; client-node's typed APIs throw ApiException (with
// `code`); the Watch reports `statusCode`.
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

/** The HTTP status of a failed request, or undefined for network errors. */
export function statusCodeOf(err: unknown): number | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as { code?: unknown; statusCode?: unknown };
  if (typeof e.code === 'number') return e.code;
  if (typeof e.statusCode === 'number') return e.statusCode;
  return undefined;
}

export const isNotFound = (err: unknown) => statusCodeOf(err) === 404;
export const isConflict = (err: unknown) => statusCodeOf(err) === 409;
export const isGone = (err: unknown) => statusCodeOf(err) === 410;
/** 422 Unprocessable: the API server found the request invalid (or a JSON patch test failed). */
export const isInvalid = (err: unknown) => statusCodeOf(err) === 422;

/** The API server's message for a failed request, else the error's own. */
export function apiErrorMessage(err: unknown): string {
  if (err instanceof KubeApiError) return err.message;
  const body = (err as { body?: unknown } | undefined)?.body;
  if (typeof body === 'string') {
    try {
      const status = JSON.parse(body) as { message?: string };
      if (status.message) return status.message;
    } catch {
      /* not JSON */
    }
  }
  if (body && typeof body === 'object' && 'message' in body)
    return String((body as { message: unknown }).message);
  if (err instanceof Error)
    return err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message;
  return String(err);
}

/**
 * One line a user can act on, for a failed request about `what` (e.g.
 * `application "core"`): not found, not installed, credentials, permission,
 * unreachable server; otherwise the API server's own message.
 */
export function explainApiError(
  err: unknown,
  where: { what: string; resource: string; named: boolean; namespace?: string; server?: string },
): string {
  const code = statusCodeOf(err);
  const inNamespace = where.namespace ? ` in namespace ${where.namespace}` : '';
  if (code === 404 && where.named) return `${where.what} not found${inNamespace}`;
  if (code === 404) return `the ${where.resource} resource is not installed: apply crds/ first`;
  if (code === 401) return 'the API server rejected the credentials of the current kubeconfig (401)';
  if (code === 403) return `forbidden: ${apiErrorMessage(err)}`;
  const cause = (err as { cause?: { code?: string } } | undefined)?.cause?.code;
  if (code === undefined && (cause === 'ECONNREFUSED' || /ECONNREFUSED/.test(String(err))))
    return `cannot reach the API server ${where.server ?? ''}: connection refused`.replace('  ', ' ');
  return `${where.what}: ${apiErrorMessage(err)}`;
}
