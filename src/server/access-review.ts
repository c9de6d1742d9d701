// Who a request is and what it may do, asked of the API server so that HTTP
// permissions equal kubectl RBAC: `Authorization: Bearer <token>` →
// TokenReview; the verb and resource the request maps to → SubjectAccessReview.
// Both answers are cached briefly in bounded caches; a token is kept only as
// its SHA-256 and never logged.
import { createHash } from 'node:crypto';
import type { KubeApi } from '../kube/client.js';
import { apiErrorMessage } from '../kube/errors.js';
import type { KubeObject, ResourceType } from '../kube/resource.js';
import { TokenBucket } from '../kube/rate-limiter.js';
import { HttpError } from './http-error.js';
import { TtlCache } from './ttl-cache.js';
import { audienceUser, DEFAULT_TOKEN_AUDIENCES, type TokenReviewStatus } from './token-audiences.js';

export interface UserInfo {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/** What a request does, as RBAC names it (group depot.sh). */
export interface Access {
  verb: 'get' | 'list' | 'patch';
  resource: 'applications' | 'environments' | 'targets' | 'promotions';
  subresource?: 'status';
  namespace: string;
  name?: string;
}

export interface AccessReviewer {
  /** The token audiences it accepts (named in the 401 message), when it checks them. */
  readonly audiences?: readonly string[];
  /** The user of a bearer token; undefined when the API server does not accept it. */
  authenticate(token: string): Promise<UserInfo | undefined>;
  /** Whether the user may do it; `reason` from the authorizer when given. */
  authorize(user: UserInfo, access: Access): Promise<{ allowed: boolean; reason?: string }>;
}

const TokenReviews: ResourceType = {
  group: 'authentication.k8s.io',
  version: 'v1',
  plural: 'tokenreviews',
  kind: 'TokenReview',
  namespaced: false,
};
const SubjectAccessReviews: ResourceType = {
  group: 'authorization.k8s.io',
  version: 'v1',
  plural: 'subjectaccessreviews',
  kind: 'SubjectAccessReview',
  namespaced: false,
};

export const reviewCacheDefaults = { ttlMs: 10_000, maxEntries: 4096 };
/**
 * Reviews sent to the API server per second (burst 100): requests with new
 * tokens beyond it get 429, so a flood of made-up tokens cannot spend the
 * operator's own API budget.
 */
export const reviewRateDefaults = { qps: 50, burst: 100 };

export class KubeAccessReviewer implements AccessReviewer {
  private readonly users: TtlCache<UserInfo | null>;
  private readonly decisions: TtlCache<{ allowed: boolean; reason?: string }>;
  private readonly limiter: TokenBucket;
  readonly audiences: readonly string[];

  constructor(
    private readonly api: Pick<KubeApi, 'create'>,
    opts: {
      /** Tokens must be made for one of these (--token-audiences). */
      audiences?: readonly string[];
      ttlMs?: number;
      maxEntries?: number;
      now?: () => number;
      rate?: { qps: number; burst: number };
    } = {},
  ) {
    const cache = {
      ttlMs: opts.ttlMs ?? reviewCacheDefaults.ttlMs,
      maxEntries: opts.maxEntries ?? reviewCacheDefaults.maxEntries,
      now: opts.now ?? Date.now,
    };
    const now = cache.now;
    this.audiences = opts.audiences ?? DEFAULT_TOKEN_AUDIENCES;
    this.limiter = new TokenBucket(opts.rate ?? reviewRateDefaults, {
      now,
      setTimer: () => ({ cancel: () => undefined }),
      sleep: async () => undefined,
    });
    this.users = new TtlCache(cache);
    this.decisions = new TtlCache(cache);
  }

  async authenticate(token: string): Promise<UserInfo | undefined> {
    const key = createHash('sha256').update(token).digest('base64url');
    const cached = this.users.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const review = await this.review<{ status?: TokenReviewStatus }>(TokenReviews, {
      spec: { token, audiences: this.audiences },
    });
    const user = audienceUser(review.status, this.audiences);
    this.users.set(key, user);
    return user ?? undefined;
  }

  async authorize(user: UserInfo, access: Access): Promise<{ allowed: boolean; reason?: string }> {
    const key = JSON.stringify([user.username, user.uid, user.groups, user.extra, access]);
    const cached = this.decisions.get(key);
    if (cached) return cached;
    const review = await this.review<{ status?: { allowed?: boolean; reason?: string } }>(
      SubjectAccessReviews,
      {
        spec: {
          user: user.username,
          uid: user.uid,
          groups: user.groups,
          extra: user.extra,
          resourceAttributes: { group: 'depot.sh', ...access },
        },
      },
    );
    const decision = { allowed: review.status?.allowed === true, reason: review.status?.reason };
    this.decisions.set(key, decision);
    return decision;
  }

  private async review<T>(resource: ResourceType, body: Record<string, unknown>): Promise<T> {
    if (!this.limiter.tryTake())
      throw new HttpError(429, 'TooManyRequests', 'too many new tokens to review right now; retry shortly');
    try {
      return (await this.api.create(resource, {
        apiVersion: `${resource.group}/${resource.version}`,
        kind: resource.kind,
        ...body,
      } as KubeObject)) as T;
    } catch (err) {
      // Never echo the request: it holds the token.
      throw new HttpError(
        503,
        'Unavailable',
        `cannot ask the API server for a ${resource.kind}: ${apiErrorMessage(err)}`,
      );
    }
  }
}
