// One application as a row of the dashboard's matrix: per environment the
// requested and desired version, what each target runs (the delivered object
// named, drift marked), and the state chip. Pure: everything is passed in.
import type { Application, ApplicationTargetStatus } from '../../api/application.js';
import type { DashboardCell, DashboardDeployed, DashboardRow } from '../../api/dashboard.js';
import type { Promotion } from '../../api/promotion.js';
import type { Target } from '../../api/target.js';
import { effectiveDelivery, expandTemplate, templateValues } from '../delivery.js';
import { versionsFor } from '../versions.js';
import { cellChip } from './chip.js';
import { clip } from './text.js';

export interface RowContext {
  /** The namespace's Targets by name. */
  target(name: string): Target | undefined;
  /** The namespace's Promotions. */
  promotions: readonly Promotion[];
}

export const rowKey = (namespace: string, name: string): string => `${namespace}/${name}`;

export function dashboardRow(app: Application, ctx: RowContext): DashboardRow {
  const namespace = app.metadata.namespace ?? '';
  const versions = versionsFor(app);
  const statuses = new Map((app.status?.environments ?? []).map((e) => [e.name, e]));
  const names = new Set([...statuses.keys(), ...Object.keys(app.spec.versions ?? {})]);
  const targets = app.status?.targets ?? [];
  const cells: Record<string, DashboardCell> = {};
  for (const environment of [...names].sort()) {
    const status = statuses.get(environment);
    const desired = status?.desired;
    const deployed = targets
      .filter((t) => t.environment === environment)
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((t) => deployedOn(app, t, ctx.target(t.name), desired, versions.same.bind(versions)));
    const requested = status?.requested ?? app.spec.versions?.[environment];
    const chip = cellChip(status, deployed, app, environment, ctx.promotions);
    cells[environment] = {
      ...(requested !== undefined ? { requested } : {}),
      ...(desired !== undefined ? { desired } : {}),
      deployed,
      ...(chip ? { chip } : {}),
    };
  }
  const ready = app.status?.conditions?.find((c) => c.type === 'Ready');
  return {
    namespace,
    name: app.metadata.name,
    labels: { ...(app.metadata.labels ?? {}) },
    ...(ready
      ? {
          ready: {
            status: ready.status,
            ...(ready.reason ? { reason: ready.reason } : {}),
            ...(ready.message ? { message: clip(ready.message) } : {}),
          },
        }
      : {}),
    cells,
  };
}

function deployedOn(
  app: Application,
  t: ApplicationTargetStatus,
  target: Target | undefined,
  envDesired: string | undefined,
  same: (a: string | undefined, b: string | undefined) => boolean,
): DashboardDeployed {
  const desired = t.desired ?? envDesired;
  const { kind, object } = target
    ? deliveredObject(app, target, t.environment ?? '')
    : { kind: 'none' as const };
  const state = t.delivery?.state;
  const troubled = state !== undefined && state !== 'Delivered';
  return {
    target: t.name,
    kind,
    ...(object ? { object } : {}),
    ...(t.deployed !== undefined ? { version: t.deployed } : {}),
    ...(state ? { state } : {}),
    drift: t.deployed !== undefined && desired !== undefined && !same(t.deployed, desired),
    ...(troubled && t.delivery?.message ? { message: clip(t.delivery.message) } : {}),
  };
}

/** The kind of delivery and the object it writes (namespace/name), as the application's settings render it. */
export function deliveredObject(
  app: Application,
  target: Target,
  environment: string,
): { kind: DashboardDeployed['kind']; object?: string } {
  const d = effectiveDelivery(target, app);
  const values = templateValues(app, environment, target);
  const render = (template: string | undefined, fallback: string): string => {
    try {
      return template === undefined ? fallback : expandTemplate(template, values);
    } catch {
      return template ?? fallback;
    }
  };
  const targetNs = target.metadata.namespace ?? '';
  if (d.argocd)
    return {
      kind: 'argocd',
      object: `${render(d.argocd.applicationNamespace, 'argocd')}/${render(d.argocd.applicationName, app.metadata.name)}`,
    };
  if (d.flux?.patch) {
    const p = d.flux.patch;
    const ns = render(p.namespace, targetNs);
    if (p.kind === 'HelmRelease') return { kind: 'flux-helmrelease', object: `${ns}/${render(p.name, '')}` };
    if (p.appliedBy)
      return {
        kind: 'flux-kustomization',
        object: `${render(p.appliedBy.namespace, ns)}/${render(p.appliedBy.name, '')}`,
      };
    return { kind: 'flux-kustomization', object: `${p.kind} ${ns}/${render(p.name, '')}` };
  }
  if (d.flux) return { kind: 'flux-kustomization' };
  if (d.agent) return { kind: 'agent' };
  return { kind: 'none' };
}
