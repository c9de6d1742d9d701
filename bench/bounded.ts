// Runs many API requests with bounded concurrency, retrying what the API
// server asks to retry (429 Too Many Requests from priority and fairness, 503,
// 504) and dropped connections, with the server's Retry-After when it gives one.
import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetry: RetryPolicy = { attempts: 10, baseDelayMs: 100, maxDelayMs: 5_000 };

const retryableCodes = new Set([429, 503, 504]);
const retryableNetworkCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'UND_ERR_SOCKET']);

/** Whether an error of a request is worth retrying, and the server's Retry-After if any. */
export function retryable(err: unknown): { retry: boolean; retryAfter?: string } {
  const e = err as { code?: unknown; headers?: Record<string, string>; cause?: { code?: unknown } };
  if (typeof e?.code === 'number')
    return { retry: retryableCodes.has(e.code), retryAfter: e.headers?.['retry-after'] };
  const network = typeof e?.code === 'string' ? e.code : e?.cause?.code;
  return { retry: typeof network === 'string' && retryableNetworkCodes.has(network) };
}

/** Delay before retry number `attempt` (1 = the first retry): Retry-After if given, else doubling. */
export function retryDelayMs(attempt: number, retryAfter: string | undefined, policy: RetryPolicy): number {
  const seconds = retryAfter !== undefined ? Number(retryAfter) : NaN;
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, policy.maxDelayMs);
  return Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
}

export interface BoundedResult {
  /** Items whose call succeeded. */
  done: number;
  /** Retries made (all items together). */
  retries: number;
  /** True when the deadline stopped the run before every item was tried. */
  stoppedAtDeadline: boolean;
}

export interface BoundedOptions {
  concurrency: number;
  /** Epoch milliseconds after which no new item is started. */
  deadline?: number;
  signal?: AbortSignal;
  retry?: RetryPolicy;
}

/**
 * Calls `fn` for every item, at most `concurrency` at a time. A retryable
 * error is retried with backoff; any other error (or one that stays after the
 * last attempt) stops the run: calls in flight finish, then it is thrown.
 */
export async function forEachBounded<T>(
  items: readonly T[],
  fn: (item: T, attempt: number) => Promise<void>,
  opts: BoundedOptions,
): Promise<BoundedResult> {
  const policy = opts.retry ?? defaultRetry;
  let next = 0;
  let done = 0;
  let retries = 0;
  let failure: unknown;
  let stoppedAtDeadline = false;

  const stop = () => failure !== undefined || opts.signal?.aborted === true;
  const worker = async () => {
    while (!stop() && next < items.length) {
      if (opts.deadline !== undefined && Date.now() > opts.deadline) {
        stoppedAtDeadline = true;
        return;
      }
      const item = items[next++]!;
      for (let attempt = 1; ; attempt++) {
        try {
          await fn(item, attempt);
          done++;
          break;
        } catch (err) {
          const r = retryable(err);
          if (!r.retry || attempt >= policy.attempts || stop()) {
            failure ??= err;
            return;
          }
          retries++;
          await sleep(retryDelayMs(attempt, r.retryAfter, policy));
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, items.length)) }, worker));
  if (failure !== undefined) throw failure;
  if (opts.signal?.aborted) throw new Error('interrupted');
  return { done, retries, stoppedAtDeadline };
}
