// An HTTP API failure: its status code and the JSON body {error, message}
// every 4xx and 5xx carries. Handlers throw it; the server writes it.
import type { ZodError } from 'zod';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string) => new HttpError(400, 'BadRequest', message);
export const notFound = (message: string) => new HttpError(404, 'NotFound', message);

/** A zod failure as a 400 naming the field: `version: must be a version: …`. */
export function invalidInput(err: ZodError, where: string): HttpError {
  const issue = err.issues[0];
  if (!issue) return badRequest(`${where} is invalid`);
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys')
    return badRequest(`${where}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`);
  const field = path || where;
  const message = issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
  return badRequest(`${field}: ${message}`);
}
