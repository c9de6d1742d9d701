// Which new reviews the HTTP API may send: a request whose token or access is
// not cached costs a TokenReview or SubjectAccessReview, so new reviews are
// limited per client address, per token (its SHA-256) and in total; over a
// limit the request gets 429. A token the API server accepted recently is
// "known": its new reviews pass the address and total limits (only its own
// per-token limit applies), so a flood of made-up tokens cannot lock it out.
import { LRUCache } from 'lru-cache';
import { TokenBucket, type RateLimiterOptions } from '../kube/rate-limiter.js';
import { HttpError } from './http-error.js';
import { lruPerf } from './review-cache.js';

/** Where a request comes from, as far as the limits are concerned. */
export interface RequestOrigin {
  /** The client's address (the forwarded one behind a trusted proxy). */
  address: string;
  /** SHA-256 (base64url) of the bearer token. */
  tokenHash: string;
}

export interface ReviewLimits {
  /** New reviews per client address. */
  perAddress: RateLimiterOptions;
  /** New reviews per token. */
  perToken: RateLimiterOptions;
  /** New reviews over all clients (known tokens excepted). */
  total: RateLimiterOptions;
  /** How long a token the API server accepted stays known after its last review. */
  knownForMs: number;
  /** Addresses and tokens tracked at most (the least recently seen are forgotten first). */
  maxTracked: number;
}

export const reviewLimitDefaults: ReviewLimits = {
  perAddress: { qps: 5, burst: 20 },
  perToken: { qps: 20, burst: 80 },
  total: { qps: 50, burst: 100 },
  knownForMs: 15 * 60_000,
  maxTracked: 10_000,
};

export class ReviewAdmission {
  private readonly addresses: LRUCache<string, TokenBucket>;
  private readonly tokens: LRUCache<string, TokenBucket>;
  private readonly known: LRUCache<string, true>;
  private readonly total: TokenBucket;

  constructor(
    private readonly limits: ReviewLimits,
    private readonly now: () => number,
  ) {
    const tracked = { max: limits.maxTracked };
    this.addresses = new LRUCache(tracked);
    this.tokens = new LRUCache(tracked);
    this.known = new LRUCache({
      ...tracked,
      ttl: limits.knownForMs,
      ttlResolution: 0,
      perf: lruPerf(now),
    });
    this.total = this.bucket(limits.total);
  }

  /** Takes one new review for the request, or throws 429 naming the limit it is over. */
  admit(origin: RequestOrigin): void {
    if (!take(this.tokens, origin.tokenHash, () => this.bucket(this.limits.perToken)))
      throw tooMany('this token');
    if (this.known.get(origin.tokenHash)) return;
    if (!take(this.addresses, origin.address, () => this.bucket(this.limits.perAddress)))
      throw tooMany(`address ${origin.address}`);
    if (!this.total.tryTake()) throw tooMany('all clients');
  }

  /** The API server accepted this token: its reviews pass the address and total limits for a while. */
  remember(tokenHash: string): void {
    this.known.set(tokenHash, true);
  }

  private bucket(rate: RateLimiterOptions): TokenBucket {
    return new TokenBucket(rate, {
      now: this.now,
      setTimer: () => ({ cancel: () => undefined }),
      sleep: async () => undefined,
    });
  }
}

function take(buckets: LRUCache<string, TokenBucket>, key: string, make: () => TokenBucket): boolean {
  let bucket = buckets.get(key);
  if (!bucket) {
    bucket = make();
    buckets.set(key, bucket);
  }
  return bucket.tryTake();
}

function tooMany(whose: string): HttpError {
  return new HttpError(
    429,
    'TooManyRequests',
    `too many new tokens or accesses to review for ${whose} right now; retry shortly`,
  );
}
