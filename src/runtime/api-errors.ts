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
