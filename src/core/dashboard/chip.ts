// The state chip of one matrix cell: the most pressing reason the cell is not
// simply "desired = deployed". In order: the environment's own block of the
// requested version (frozen, rejected, other blocks), a failed delivery, then
// what stops the next version coming in by a Promotion (held, rejected,
// approval, gates, verification, soak, other blocks), then a delivery under way.
import type { Application, ApplicationEnvironmentStatus } from '../../api/application.js';
import type { DashboardChip, DashboardDeployed } from '../../api/dashboard.js';
import type { Promotion, PromotionResult } from '../../api/promotion.js';
import { rejection } from '../rejections.js';
import { waitsForApproval } from './promotions.js';
import { clip, untilIn } from './text.js';

const chip = (kind: DashboardChip['kind'], text: string, until?: string): DashboardChip => ({
  kind,
  text: clip(text),
  ...(until ? { until } : {}),
});

/** The environment's block of its requested version (status.environments[].blocked). */
export function blockChip(status: ApplicationEnvironmentStatus | undefined): DashboardChip | undefined {
  const b = status?.blocked;
  if (!b) return undefined;
  if (b.reason === 'Frozen') return chip('frozen', b.message, untilIn(b.message));
  if (b.reason === 'Rejected') return chip('rejected', b.message);
  return chip('blocked', b.message);
}

/** Delivery to the environment's targets: failed (or contested) first, then still under way. */
export function deliveryChips(deployed: readonly DashboardDeployed[]): {
  failed?: DashboardChip;
  delivering?: DashboardChip;
} {
  const failed = deployed.find((d) => d.state === 'Failed' || d.state === 'Contested');
  const pending = deployed.find(
    (d) => d.state === 'Pending' || (d.state === 'Delivered' && d.drift) || d.state === 'Blocked',
  );
  return {
    ...(failed
      ? { failed: chip('failed', `${failed.target}: ${failed.message ?? `delivery ${failed.state}`}`) }
      : {}),
    ...(pending
      ? {
          delivering:
            pending.state === 'Blocked'
              ? chip('blocked', `${pending.target}: ${pending.message ?? 'delivery blocked'}`)
              : chip(
                  'delivering',
                  pending.message
                    ? `${pending.target}: ${pending.message}`
                    : `delivering to ${pending.target}`,
                ),
        }
      : {}),
  };
}

/**
 * What the Promotion into `environment` last said of the application: held,
 * rejected, waiting for approval, a gate pending, verifying, soaking, blocked.
 * Waits that are not a state of this cell (a schedule, deployment upstream) give none.
 */
export function promotionChip(
  app: Application,
  environment: string,
  promotions: readonly Promotion[],
): DashboardChip | undefined {
  let best: DashboardChip | undefined;
  for (const p of promotions) {
    if (p.spec.to !== environment) continue;
    const r = p.status?.results?.find((x) => x.application === app.metadata.name);
    const c = (r && resultChip(app, p, r)) ?? verificationChip(app, p);
    if (c && (!best || PROMOTION_ORDER.indexOf(c.kind) < PROMOTION_ORDER.indexOf(best.kind))) best = c;
  }
  return best;
}

const PROMOTION_ORDER: readonly DashboardChip['kind'][] = [
  'held',
  'rejected',
  'approval',
  'gate',
  'verifying',
  'soak',
  'blocked',
];

function resultChip(app: Application, p: Promotion, r: PromotionResult): DashboardChip | undefined {
  const reason = r.reason ?? '';
  const what = `${p.metadata.name}: ${reason}`;
  switch (r.outcome) {
    case 'Held':
      return chip('held', what);
    case 'Blocked':
      return chip(r.version !== undefined && rejection(app, r.version) ? 'rejected' : 'blocked', what);
    case 'Waiting':
      if (waitsForApproval(r)) return chip('approval', what);
      if (r.gates?.some((g) => g.result === 'Pending')) {
        const pending = r.gates.filter((g) => g.result === 'Pending').map((g) => g.name);
        return chip('gate', `${p.metadata.name}: gate ${pending.join(', ')} pending for ${r.version ?? '?'}`);
      }
      if (reason.startsWith('soaking')) return chip('soak', what, untilIn(reason));
      return undefined;
    default:
      return undefined;
  }
}

/**
 * A verification running after delivery (Promotion status.verifications[],
 * written by the verification step): read tolerantly, since it only adds a chip.
 */
function verificationChip(app: Application, p: Promotion): DashboardChip | undefined {
  const list = (p.status as { verifications?: unknown } | undefined)?.verifications;
  if (!Array.isArray(list)) return undefined;
  for (const v of list as Record<string, unknown>[]) {
    if (v?.application !== app.metadata.name) continue;
    const state = String(v.state ?? v.phase ?? v.result ?? '');
    if (!/^(Verifying|Running|Pending|InProgress)$/.test(state)) continue;
    const version = typeof v.version === 'string' ? ` ${v.version}` : '';
    const message = typeof v.message === 'string' ? `: ${v.message}` : '';
    return chip(
      'verifying',
      `${p.metadata.name}: verifying${version}${message}`,
      untilIn(String(v.message ?? '')),
    );
  }
  return undefined;
}

/** The cell's chip: the first of the ordered candidates. */
export function cellChip(
  status: ApplicationEnvironmentStatus | undefined,
  deployed: readonly DashboardDeployed[],
  app: Application,
  environment: string,
  promotions: readonly Promotion[],
): DashboardChip | undefined {
  const delivery = deliveryChips(deployed);
  return (
    blockChip(status) ?? delivery.failed ?? promotionChip(app, environment, promotions) ?? delivery.delivering
  );
}
