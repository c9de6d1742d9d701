// Who may see what on the dashboard, by the API's rules: a namespace is shown
// to a user who may list its Applications (the matrix's rows), its Promotions
// only to one who may list those too; the permissions of the buttons are the
// RBAC of the routes the buttons call. Every answer comes from the reviewer
// (SubjectAccessReview, or SelfSubjectAccessReview in `depot dashboard`),
// cached and counted against the review budget.
import {
  DASHBOARD_ACTIONS,
  type DashboardAction,
  type DashboardPermission,
  type DashboardPermissions,
} from '../../api/dashboard.js';
import type { Access, AccessReviewer, UserInfo } from '../access-review.js';
import type { RequestOrigin } from '../review-admission.js';

export interface Viewer {
  /** Undefined: an anonymous read (allowed by --api-anonymous-reads): every served namespace. */
  user?: UserInfo;
  origin?: RequestOrigin;
}

export interface NamespaceView {
  /** May list Applications: the namespace is shown. */
  rows: boolean;
  /** May list Promotions: its Promotions are shown. */
  promotions: boolean;
}

export async function namespaceView(
  reviewer: AccessReviewer,
  viewer: Viewer,
  namespace: string,
): Promise<NamespaceView> {
  if (!viewer.user) return { rows: true, promotions: true };
  const list = (resource: 'applications' | 'promotions'): Access => ({ verb: 'list', resource, namespace });
  const [rows, promotions] = await Promise.all([
    reviewer.authorize(viewer.user, list('applications'), viewer.origin),
    reviewer.authorize(viewer.user, list('promotions'), viewer.origin),
  ]);
  return { rows: rows.allowed, promotions: rows.allowed && promotions.allowed };
}

/** The access each action's route needs (routes.ts): patch on the Application, approve: patch on the Promotion. */
export function actionAccess(
  action: DashboardAction,
  namespace: string,
  application: string,
  promotion?: string,
): Access {
  if (action === 'approve')
    return { verb: 'patch', resource: 'promotions', namespace, ...(promotion ? { name: promotion } : {}) };
  return { verb: 'patch', resource: 'applications', namespace, name: application };
}

export async function permissions(
  reviewer: AccessReviewer,
  viewer: Viewer,
  namespace: string,
  application: string,
  promotion?: string,
): Promise<DashboardPermissions> {
  const entries = await Promise.all(
    DASHBOARD_ACTIONS.map(async (action): Promise<[DashboardAction, DashboardPermission]> => {
      if (!viewer.user) return [action, { allowed: false, reason: 'writes need a bearer token: log in' }];
      const access = actionAccess(action, namespace, application, promotion);
      const d = await reviewer.authorize(viewer.user, access, viewer.origin);
      if (d.allowed) return [action, { allowed: true }];
      return [action, { allowed: false, reason: refusal(viewer.user.username, access, d.reason) }];
    }),
  );
  return { actions: Object.fromEntries(entries) as DashboardPermissions['actions'] };
}

/** The same sentence the API's 403 gives for the write. */
export function refusal(username: string, access: Access, reason?: string): string {
  const what = `${access.resource}.depot.sh${access.name ? ` "${access.name}"` : ''}`;
  return `user "${username}" may not ${access.verb} ${what} in namespace ${access.namespace}${reason ? `: ${reason}` : ''}`;
}
