// Depot's outbound POST (Flux Receivers, promotion gates): only to a URL the
// caller has checked against its allow-list, JSON, signed with an HMAC of
// the body when a token is given, with a timeout, no redirects, and the
// leader's fence checked at dispatch. The token comes from one uncached
// `get` of a Secret (Depot never caches Secrets) and appears in no message.
import { apiErrorMessage } from '../../kube/errors.js';
import { Secrets, type KubeObject, type ResourceType } from '../../kube/resource.js';
import { hmacSignature, SIGNATURE_HEADER } from '../../core/outbound-url.js';

/** One uncached read of a Secret, and the leader's fence. */
export interface OutboundIO {
  get(resource: ResourceType, namespace: string, name: string): Promise<KubeObject | undefined>;
  /** Throws when the POST may not start now (leadership); checked at dispatch, after the Secret's read. */
  fence?: () => void;
}

export interface PostRequest {
  url: string;
  body: string;
  /** Default application/json. */
  contentType?: string;
  /** Signs the body (X-Signature: sha256=<hex>) and is removed from every message. */
  token?: string;
  timeoutMs: number;
  signal: AbortSignal;
  /** Names the call in messages, e.g. "receiver http://nc/… (spec…url of Target ns/edge)". */
  where: string;
}

export type PostAnswer =
  /** The server answered: its status and the start of its body (secrets removed, at most BODY_LIMIT characters). */
  | { answered: true; status: number; body: string }
  /** No answer: timeout, cancelled, unreachable. */
  | { answered: false; message: string };

/** How much of an answer's body is read. */
export const BODY_LIMIT = 4096;

export async function postSigned(io: OutboundIO, req: PostRequest): Promise<PostAnswer> {
  const headers: Record<string, string> = { 'Content-Type': req.contentType ?? 'application/json' };
  if (req.token !== undefined) headers[SIGNATURE_HEADER] = hmacSignature(req.body, req.token);
  const redact = redactor(req.token);
  const timeout = AbortSignal.timeout(req.timeoutMs);
  // At dispatch: nothing awaits between this check and the request leaving.
  io.fence?.();
  try {
    const res = await fetch(req.url, {
      method: 'POST',
      headers,
      body: req.body,
      redirect: 'manual',
      signal: AbortSignal.any([req.signal, timeout]),
    });
    return { answered: true, status: res.status, body: redact(await readBody(res)) };
  } catch (err) {
    if (timeout.aborted)
      return { answered: false, message: `${req.where} did not answer within ${req.timeoutMs / 1000} s` };
    if (req.signal.aborted) return { answered: false, message: `${req.where}: the call was cancelled` };
    return { answered: false, message: redact(`${req.where} is unreachable: ${networkError(err)}`) };
  }
}

/** Removes the token from a text (an answer may echo it). */
export const redactor =
  (token: string | undefined) =>
  (text: string): string =>
    token ? text.split(token).join('[redacted]') : text;

/** The start of a text on one line, at most `max` characters. */
export function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/**
 * The token of a Secret key, or one error for a missing Secret, a missing key
 * and an empty key (a tenant learns nothing about which). `secret` names it
 * in messages, e.g. "Secret ns/x (spec.gates[0].http.secretRef of Promotion ns/p)".
 */
export async function readSecretToken(
  io: OutboundIO,
  namespace: string,
  ref: { name: string; key: string },
  secret: string,
): Promise<{ token: string } | { error: string }> {
  let obj: KubeObject | undefined;
  try {
    obj = await io.get(Secrets, namespace, ref.name);
  } catch (err) {
    return { error: `reading ${secret} failed: ${apiErrorMessage(err)}` };
  }
  const data = (obj?.data ?? {}) as Record<string, string>;
  const encoded = data[ref.key];
  const token = encoded === undefined ? '' : Buffer.from(encoded, 'base64').toString('utf8');
  if (token === '') return { error: `${secret} does not exist or has no non-empty key ${ref.key}` };
  return { token };
}

/** At most BODY_LIMIT characters of the body; the rest is not read. */
async function readBody(res: Response): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return '';
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (text.length < BODY_LIMIT) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    /* a broken answer body: the status code says enough */
  } finally {
    await reader.cancel().catch(() => {});
  }
  return text.slice(0, BODY_LIMIT);
}

/** undici reports network failures as `fetch failed` with the system error as the cause. */
function networkError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  if (cause?.code) return cause.code;
  if (cause?.message) return cause.message;
  return err instanceof Error ? err.message : String(err);
}
