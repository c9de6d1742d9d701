// The I/O of a Flux `receiver` delivery: a POST of the payload to the Receiver
// URL, only under an allowed prefix, with a timeout and no redirects. For
// generic-hmac the token comes from one `get` of the Secret the Target names
// (Depot never caches Secrets); it only signs the body and appears in no
// message, log or status.
import type { FluxReceiver } from '../../api/delivery.js';
import { apiErrorMessage } from '../../kube/errors.js';
import { Secrets, type KubeObject, type ResourceType } from '../../kube/resource.js';
import {
  hmacSignature,
  receiverBody,
  SIGNATURE_HEADER,
  urlAllowed,
  urlForMessages,
  type ReceiverPayload,
} from './receiver-request.js';

/** One uncached read (DeliveryIO.get): Depot keeps no cache of Secrets; and the fence (DeliveryIO.fence). */
export interface SecretReader {
  get(resource: ResourceType, namespace: string, name: string): Promise<KubeObject | undefined>;
  /** Throws when the POST may not start now (leadership); checked at dispatch, after the Secret's read. */
  fence?: () => void;
}

export interface TargetRef {
  namespace: string;
  name: string;
}

export interface ReceiverOptions {
  /** URL prefixes Depot may call (`--receiver-url-allow`); empty: none. */
  allow: readonly string[];
  timeoutMs: number;
}

export type ReceiverResult =
  | { state: 'Delivered'; message: string }
  | {
      state: 'Failed';
      message: string;
      /** The receiver's HTTP status, when it answered. */ statusCode?: number;
      /** Calling again cannot help until the Target or the operator's flags change. */
      waitForChange?: boolean;
    };

/** How much of a receiver's error answer goes into the message. */
const ANSWER_EXCERPT = 200;

export async function callReceiver(
  api: SecretReader,
  receiver: FluxReceiver,
  payload: ReceiverPayload,
  target: TargetRef,
  opts: ReceiverOptions,
  signal: AbortSignal,
): Promise<ReceiverResult> {
  const where = `receiver ${urlForMessages(receiver.url)} (spec.delivery.flux.receiver.url of Target ${target.namespace}/${target.name})`;
  if (!urlAllowed(receiver.url, opts.allow))
    return {
      state: 'Failed',
      message:
        opts.allow.length === 0
          ? `${where} not called: no receiver URL is allowed; start the operator with --receiver-url-allow <prefix>`
          : `${where} not called: the URL is under none of the prefixes allowed by --receiver-url-allow`,
      waitForChange: true,
    };

  let token: string | undefined;
  if (receiver.type === 'generic-hmac') {
    const read = await readToken(api, receiver, target);
    if ('error' in read) return { state: 'Failed', message: read.error };
    token = read.token;
  }

  const body = receiverBody(payload);
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (token !== undefined) headers[SIGNATURE_HEADER] = hmacSignature(body, token);
  const redact = (text: string) => (token ? text.split(token).join('[redacted]') : text);
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  // At dispatch: nothing awaits between this check and the request leaving.
  api.fence?.();
  try {
    const res = await fetch(receiver.url, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.any([signal, timeout]),
    });
    if (res.status >= 200 && res.status < 300) {
      await res.body?.cancel();
      return { state: 'Delivered', message: `${where} accepted ${payload.version} (HTTP ${res.status})` };
    }
    const answer = redact(await excerpt(res));
    const redirect = res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : '';
    return {
      state: 'Failed',
      statusCode: res.status,
      message: `${where} answered HTTP ${res.status}${redirect}${answer ? `: ${answer}` : ''}`,
    };
  } catch (err) {
    if (timeout.aborted)
      return { state: 'Failed', message: `${where} did not answer within ${opts.timeoutMs / 1000} s` };
    if (signal.aborted) return { state: 'Failed', message: `${where}: the call was cancelled` };
    return { state: 'Failed', message: redact(`${where} is unreachable: ${networkError(err)}`) };
  }
}

async function readToken(
  api: SecretReader,
  receiver: FluxReceiver,
  target: TargetRef,
): Promise<{ token: string } | { error: string }> {
  const ref = receiver.secretRef;
  if (!ref)
    return {
      error: `spec.delivery.flux.receiver.secretRef of Target ${target.namespace}/${target.name} is required for generic-hmac`,
    };
  const secret = `Secret ${target.namespace}/${ref.name} (spec.delivery.flux.receiver.secretRef of Target ${target.namespace}/${target.name})`;
  let obj: KubeObject | undefined;
  try {
    obj = await api.get(Secrets, target.namespace, ref.name);
  } catch (err) {
    return { error: `reading ${secret} failed: ${apiErrorMessage(err)}` };
  }
  // One message for a missing Secret, a missing key and an empty key: a Target learns nothing about which.
  const data = (obj?.data ?? {}) as Record<string, string>;
  const encoded = data[ref.key];
  const token = encoded === undefined ? '' : Buffer.from(encoded, 'base64').toString('utf8');
  if (token === '') return { error: `${secret} does not exist or has no non-empty key ${ref.key}` };
  return { token };
}

/** The start of an error answer, on one line; at most a few KiB of it are read. */
async function excerpt(res: Response): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return '';
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (text.length < 4 * ANSWER_EXCERPT) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    /* a broken answer body: the status code says enough */
  } finally {
    await reader.cancel().catch(() => {});
  }
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > ANSWER_EXCERPT ? `${line.slice(0, ANSWER_EXCERPT)}…` : line;
}

/** undici reports network failures as `fetch failed` with the system error as the cause. */
function networkError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  if (cause?.code) return cause.code;
  if (cause?.message) return cause.message;
  return err instanceof Error ? err.message : String(err);
}
