// A request body as the API accepts it: application/json, at most `limit`
// bytes (413 beyond, without reading on), valid JSON (400 otherwise).
import type { IncomingMessage } from 'node:http';
import { HttpError, badRequest } from './http-error.js';

export const DEFAULT_BODY_LIMIT = 64 * 1024;

/** The parsed JSON body, or undefined when there is none and `optional`. */
export async function readJsonBody(
  req: IncomingMessage,
  opts: { limit: number; optional: boolean },
): Promise<unknown> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > opts.limit) throw tooLarge(opts.limit);
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > opts.limit) throw tooLarge(opts.limit);
    chunks.push(chunk);
  }
  if (size === 0 && opts.optional) return undefined;
  if (type !== 'application/json')
    throw new HttpError(
      415,
      'UnsupportedMediaType',
      `Content-Type must be application/json${type ? `, not ${type}` : ''}`,
    );
  if (size === 0) throw badRequest('body: required, a JSON object');
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw badRequest(`body: not valid JSON (${(err as Error).message})`);
  }
}

const tooLarge = (limit: number) =>
  new HttpError(413, 'PayloadTooLarge', `the body is larger than ${limit} bytes`);
