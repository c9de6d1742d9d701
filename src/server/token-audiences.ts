// Depot tokens are for Depot: TokenReviews name the audiences the operator
// accepts (--token-audiences, default depot), and a token counts only when
// the API server says it was made for one of them (status.audiences), so a
// token made for Depot is not a kube-apiserver credential and the reverse.
import type { UserInfo } from './access-review.js';

export const DEFAULT_TOKEN_AUDIENCES: readonly string[] = ['depot'];

export interface TokenReviewStatus {
  authenticated?: boolean;
  user?: UserInfo;
  /** The intersection of the review's and the token's audiences (empty: the API server's own, or an authenticator unaware of audiences). */
  audiences?: string[];
}

/** The reviewed user when the token is authenticated for one of `audiences`; null otherwise. */
export function audienceUser(
  status: TokenReviewStatus | undefined,
  audiences: readonly string[],
): UserInfo | null {
  if (!status?.authenticated || !status.user?.username) return null;
  return status.audiences?.some((a) => audiences.includes(a)) ? status.user : null;
}

/** The 401 message: what the API server did not accept, and the audience to request a token for. */
export function audienceRefusal(audiences: readonly string[]): string {
  const first = audiences[0] ?? DEFAULT_TOKEN_AUDIENCES[0]!;
  const named = audiences.length === 1 ? `the audience ${first}` : `the audiences ${audiences.join(', ')}`;
  return `the bearer token was not accepted by the Kubernetes API server for ${named}: request a token for ${first} (kubectl create token <serviceaccount> --audience ${first}, or a projected ServiceAccount token with audience: ${first})`;
}
