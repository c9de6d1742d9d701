// One POST of a CloudEvent in structured JSON mode, with the outbound rules of
// Flux receivers: a timeout, no redirects followed, the answer's excerpt
// bounded, and the URL's credentials and query kept out of every message.
import { CLOUDEVENTS_CONTENT_TYPE, type CloudEvent } from '../core/cloudevent.js';

export type PostResult = { ok: true; status: number } | { ok: false; message: string };

/** How much of an error answer goes into the message. */
const ANSWER_EXCERPT = 200;

/** The URL without user info, query or fragment (they may hold secrets). */
export function sinkUrlForMessages(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}

export async function postCloudEvent(
  url: string,
  event: CloudEvent,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<PostResult> {
  const where = `audit sink ${sinkUrlForMessages(url)}`;
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': CLOUDEVENTS_CONTENT_TYPE },
      body: JSON.stringify(event),
      redirect: 'manual',
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    if (res.status >= 200 && res.status < 300) {
      await res.body?.cancel();
      return { ok: true, status: res.status };
    }
    const answer = (await res.text().catch(() => '')).replace(/\s+/g, ' ').trim();
    const redirect = res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : '';
    const cut = answer.length > ANSWER_EXCERPT ? `${answer.slice(0, ANSWER_EXCERPT)}…` : answer;
    return { ok: false, message: `${where} answered HTTP ${res.status}${redirect}${cut ? `: ${cut}` : ''}` };
  } catch (err) {
    if (timeout.aborted)
      return { ok: false, message: `${where} did not answer within ${timeoutMs / 1000} s` };
    if (signal?.aborted) return { ok: false, message: `${where}: the call was cancelled` };
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return {
      ok: false,
      message: `${where} is unreachable: ${cause?.code ?? cause?.message ?? (err as Error).message}`,
    };
  }
}
