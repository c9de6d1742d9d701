// Promotions as the dashboard shows them: the environment graph's edges with
// the next run, the last run's counts and what waits for an approval.
import type { DashboardPromotion } from '../../api/dashboard.js';
import type { Promotion } from '../../api/promotion.js';
import { APPROVAL_REQUIRED } from '../approvals.js';

export function dashboardPromotion(p: Promotion): DashboardPromotion {
  const summary = p.status?.summary;
  const approvals = (p.status?.results ?? [])
    .filter((r) => r.outcome === 'Waiting' && r.version !== undefined && waitsForApproval(r))
    .map((r) => ({ application: r.application, version: r.version! }))
    .sort((a, b) => a.application.localeCompare(b.application));
  return {
    name: p.metadata.name,
    from: p.spec.from,
    to: p.spec.to,
    ...(p.status?.nextRunTime ? { nextRun: p.status.nextRunTime } : {}),
    waiting: summary?.waiting ?? 0,
    promoted: summary?.promoted ?? 0,
    blocked: summary?.blocked ?? 0,
    approvals,
  };
}

export function waitsForApproval(r: { approvalsNeeded?: number; reason?: string }): boolean {
  return (r.approvalsNeeded ?? 0) > 0 || (r.reason?.startsWith(APPROVAL_REQUIRED) ?? false);
}
