// `depot dashboard`'s reviewer: the kubeconfig's user asks the API server
// what it may do itself (SelfSubjectAccessReview with its own credentials),
// so the buttons follow exactly that user's RBAC. Answers are cached like
// the in-cluster reviews (review-cache.ts); there is no token to review.
import type { KubeApi } from '../../kube/client.js';
import { apiErrorMessage } from '../../kube/errors.js';
import type { KubeObject, ResourceType } from '../../kube/resource.js';
import { reviewCacheDefaults, type Access, type AccessReviewer, type Decision } from '../access-review.js';
import { HttpError } from '../http-error.js';
import { ReviewCache } from '../review-cache.js';

export const SelfSubjectAccessReviews: ResourceType = {
  group: 'authorization.k8s.io',
  version: 'v1',
  plural: 'selfsubjectaccessreviews',
  kind: 'SelfSubjectAccessReview',
  namespaced: false,
};

export class SelfAccessReviewer implements AccessReviewer {
  private readonly decisions: ReviewCache<Decision>;

  constructor(
    private readonly api: Pick<KubeApi, 'create'>,
    now: () => number = Date.now,
  ) {
    this.decisions = new ReviewCache({ ...reviewCacheDefaults, now, admits: (d) => d.allowed });
  }

  /** No tokens in local mode: every request is the kubeconfig's user. */
  async authenticate(): Promise<undefined> {
    return undefined;
  }

  authorize(_user: unknown, access: Access): Promise<Decision> {
    return this.decisions.get(JSON.stringify(access), () => this.review(access));
  }

  private async review(access: Access): Promise<Decision> {
    try {
      const review = (await this.api.create(SelfSubjectAccessReviews, {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { group: 'depot.sh', ...access } },
      } as KubeObject)) as { status?: { allowed?: boolean; reason?: string } };
      return { allowed: review.status?.allowed === true, reason: review.status?.reason };
    } catch (err) {
      throw new HttpError(
        503,
        'Unavailable',
        `cannot ask the API server a SelfSubjectAccessReview: ${apiErrorMessage(err)}`,
      );
    }
  }
}
