// The I/O of a Flux `receiver` delivery: a POST of the payload to the Receiver
// URL, only under an allowed prefix, with a timeout and no redirects. For
// generic-hmac the token comes from one `get` of the Secret the Target names
// (Depot never caches Secrets); it only signs the body and appears in no
// message, log or status.
import type { FluxReceiver } from '../../api/delivery.js';
import { oneLine, postSigned, readSecretToken, type OutboundIO } from '../outbound/post.js';
import { receiverBody, urlAllowed, urlForMessages, type ReceiverPayload } from './receiver-request.js';

/** One uncached read (DeliveryIO.get): Depot keeps no cache of Secrets; and the fence (DeliveryIO.fence). */
export type SecretReader = OutboundIO;

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
    const ref = receiver.secretRef;
    if (!ref)
      return {
        state: 'Failed',
        message: `spec.delivery.flux.receiver.secretRef of Target ${target.namespace}/${target.name} is required for generic-hmac`,
      };
    const secret = `Secret ${target.namespace}/${ref.name} (spec.delivery.flux.receiver.secretRef of Target ${target.namespace}/${target.name})`;
    const read = await readSecretToken(api, target.namespace, ref, secret);
    if ('error' in read) return { state: 'Failed', message: read.error };
    token = read.token;
  }

  const answer = await postSigned(api, {
    url: receiver.url,
    body: receiverBody(payload),
    ...(token !== undefined ? { token } : {}),
    timeoutMs: opts.timeoutMs,
    signal,
    where,
  });
  if (!answer.answered) return { state: 'Failed', message: answer.message };
  const { status } = answer;
  if (status >= 200 && status < 300)
    return { state: 'Delivered', message: `${where} accepted ${payload.version} (HTTP ${status})` };
  const text = oneLine(answer.body, ANSWER_EXCERPT);
  const redirect = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
  return {
    state: 'Failed',
    statusCode: status,
    message: `${where} answered HTTP ${status}${redirect}${text ? `: ${text}` : ''}`,
  };
}
