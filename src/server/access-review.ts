// Who a request is and what it may do, asked of the API server so that HTTP
// permissions equal kubectl RBAC: `Authorization: Bearer <token>` →
// TokenReview; the verb and resource the request maps to → SubjectAccessReview.
// Answers are cached (review-cache.ts) and new reviews are limited per client
// (review-admission.ts); a token is kept only as its SHA-256 and never logged.
import { createHash } from 'node:crypto';
import type { KubeApi } from '../kube/client.js';
import { apiErrorMessage } from '../kube/errors.js';
import type { RateLimiterOptions } from '../kube/rate-limiter.js';
import type { KubeObject, ResourceType } from '../kube/resource.js';
import { HttpError } from './http-error.js';
import {
  ReviewAdmission,
  reviewLimitDefaults,
  type RequestOrigin,
  type ReviewLimits,
} from './review-admission.js';
import { ReviewCache, type ReviewCacheOptions, type ReviewReason } from './review-cache.js';
import { audienceUser, DEFAULT_TOKEN_AUDIENCES, type TokenReviewStatus } from './token-audiences.js';

export interface UserInfo {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/**
 * What a request does, as RBAC names it (group depot.sh). `targets/report` is
 * a virtual subresource (no such endpoint exists): RBAC matches it by name,
 * so a Role can grant an agent `update` on `targets/report` for one Target.
 */
export type Access = {
  namespace: string;
  name?: string;
} & (
  | {
      verb: 'get' | 'list' | 'patch';
      resource: 'applications' | 'environments' | 'targets' | 'promotions';
      subresource?: 'status';
    }
  | { verb: 'update'; resource: 'targets'; subresource: 'report' }
);

/** Reporting what a Target runs (deployed versions, agent contacts): `update targets/report <target>`. */
export const reportAccess = (namespace: string, target: string): Access => ({
  verb: 'update',
  resource: 'targets',
  subresource: 'report',
  namespace,
  name: target,
});

export interface AccessReviewer {
  /** The token audiences it accepts (named in the 401 message), when it checks them. */
  readonly audiences?: readonly string[];
  /** The user of a bearer token; undefined when the API server does not accept it. */
  authenticate(token: string, origin?: RequestOrigin): Promise<UserInfo | undefined>;
  /** Whether the user may do it; `reason` from the authorizer when given. */
  authorize(
    user: UserInfo,
    access: Access,
    origin?: RequestOrigin,
  ): Promise<{ allowed: boolean; reason?: string }>;
}

export interface Decision {
  allowed: boolean;
  reason?: string;
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

export const reviewCacheDefaults: Omit<ReviewCacheOptions, 'now'> = {
  maxBytes: 16 * 1024 * 1024,
  ttlMs: 60_000,
  refreshAfterMs: 10_000,
  refusalTtlMs: 10_000,
};

/**
 * The API budget of the reviews (--api-review-qps/-burst): a client-side rate limit of its
 * own, so that reviews never wait behind reconciles nor reconciles behind reviews.
 */
export const reviewBudgetDefaults: RateLimiterOptions = { qps: 100, burst: 200 };

/** The key of a token in caches and limits: its SHA-256, never the token. */
export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('base64url');

export class KubeAccessReviewer implements AccessReviewer {
  private readonly users: ReviewCache<UserInfo | null>;
  private readonly decisions: ReviewCache<Decision>;
  private readonly admission: ReviewAdmission;
  readonly audiences: readonly string[];

  /** `api` should have a rate budget of its own (--api-review-qps), apart from the reconciles'. */
  constructor(
    private readonly api: Pick<KubeApi, 'create'>,
    opts: {
      /** Tokens must be made for one of these (--token-audiences). */
      audiences?: readonly string[];
      cache?: Partial<Omit<ReviewCacheOptions, 'now'>>;
      limits?: ReviewLimits;
      now?: () => number;
    } = {},
  ) {
    const now = opts.now ?? Date.now;
    this.audiences = opts.audiences ?? DEFAULT_TOKEN_AUDIENCES;
    const cache = { ...reviewCacheDefaults, ...opts.cache, now };
    this.users = new ReviewCache({ ...cache, admits: (user) => user !== null });
    this.decisions = new ReviewCache({ ...cache, admits: (d) => d.allowed });
    this.admission = new ReviewAdmission(opts.limits ?? reviewLimitDefaults, now);
  }

  async authenticate(token: string, origin?: RequestOrigin): Promise<UserInfo | undefined> {
    const hash = tokenHash(token);
    const from = origin ?? { address: 'unknown', tokenHash: hash };
    const user = await this.users.get(hash, async (reason) => {
      this.admit(reason, from);
      const found = await this.reviewToken(token);
      if (found) this.admission.remember(hash);
      return found;
    });
    return user ?? undefined;
  }

  async authorize(user: UserInfo, access: Access, origin?: RequestOrigin): Promise<Decision> {
    const key = JSON.stringify([user.username, user.uid, user.groups, user.extra, access]);
    const from = origin ?? { address: 'unknown', tokenHash: `user:${user.username}` };
    return this.decisions.get(key, async (reason) => {
      this.admit(reason, from);
      return this.reviewAccess(user, access);
    });
  }

  /** The user of a token as the API server authenticates it; null when it does not. */
  private async reviewToken(token: string): Promise<UserInfo | null> {
    const review = await this.review<{ status?: TokenReviewStatus }>(TokenReviews, {
      spec: { token, audiences: this.audiences },
    });
    return audienceUser(review.status, this.audiences);
  }

  private async reviewAccess(user: UserInfo, access: Access): Promise<Decision> {
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
    return { allowed: review.status?.allowed === true, reason: review.status?.reason };
  }

  /** A new review passes the admission limits (429 otherwise); refreshing an answer in use does not. */
  private admit(reason: ReviewReason, origin: RequestOrigin): void {
    if (reason === 'new') this.admission.admit(origin);
  }

  private async review<T>(resource: ResourceType, body: Record<string, unknown>): Promise<T> {
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
