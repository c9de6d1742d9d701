// Delivery planning, without I/O: which method a Target uses, its settings
// for one application (the Target's own, with the Application's
// `spec.targets.<target>` overrides merged over them), `${…}` templates
// expanded, and the contract the integrations (Argo CD, Flux, agent)
// implement. The controllers pass each integration a DeliveryRequest and
// fold the DeliveryState it returns into the Application's status.
import type { Application, DeliveryState } from '../api/application.js';
import type { Delivery, DeliveryKind, DeliveryOverride } from '../api/delivery.js';
import type { Target } from '../api/target.js';
import type { TemplateVariable } from '../api/templates.js';

export function deliveryKind(target: Target): DeliveryKind {
  const d = target.spec.delivery ?? {};
  if (d.argocd) return 'argocd';
  if (d.flux) return 'flux';
  if (d.agent) return 'agent';
  return 'none';
}

/**
 * The Target's delivery settings for one application: the Application's
 * override of the same kind (spec.targets.<target>) replaces the fields it
 * sets; an override of another kind does not apply.
 */
export function effectiveDelivery(target: Target, app: Application): Delivery {
  const own: Delivery = target.spec.delivery ?? { none: {} };
  const override: DeliveryOverride | undefined = app.spec.targets?.[target.metadata.name];
  if (own.argocd && override?.argocd) return { argocd: { ...own.argocd, ...override.argocd } };
  if (own.flux?.patch && override?.flux?.patch)
    return { flux: { ...own.flux, patch: { ...own.flux.patch, ...override.flux.patch } } };
  return own;
}

export type TemplateValues = Record<TemplateVariable, string>;

/** The variables of one delivery: `${application}`, `${environment}`, `${target}`, `${namespace}`. */
export function templateValues(app: Application, environment: string, target: Target): TemplateValues {
  return {
    application: app.metadata.name,
    environment,
    target: target.metadata.name,
    namespace: target.metadata.namespace ?? app.metadata.namespace ?? '',
  };
}

/** Expands `${variable}`; admission already refused unknown variables, so any left are an error. */
export function expandTemplate(template: string, values: TemplateValues): string {
  return template.replace(/\$\{([^}]*)\}/g, (whole, name: string) => {
    if (name in values) return values[name as TemplateVariable];
    throw new Error(`unknown template variable ${whole} in "${template}"`);
  });
}

/** What an integration is asked to do for one (application, target). */
export interface DeliveryRequest {
  application: Application;
  target: Target;
  environment: string;
  /** The version to deliver. */
  version: string;
  /** The Target's settings with the Application's overrides merged. */
  delivery: Delivery;
  /** The state recorded after the last attempt, if any. */
  previous?: DeliveryState;
}

/**
 * An integration (src/integrations/<kind>): delivers a version and reports
 * the outcome as a DeliveryState (Delivered, Pending, Failed or Blocked,
 * with a message naming the object and the field).
 */
export interface Deliverer {
  kind: DeliveryKind;
  deliver(request: DeliveryRequest, signal: AbortSignal): Promise<DeliveryState>;
}

/**
 * The delivery state of a target without an integration at work: `none`
 * publishes at once; other kinds wait for their integration; an unchanged
 * desired version keeps its state.
 */
export function publishedState(
  kind: DeliveryKind,
  desired: string | undefined,
  previous: { desired?: string; delivery?: DeliveryState } | undefined,
  now: Date,
): DeliveryState {
  if (desired === undefined)
    return { state: 'Pending', message: 'no version is desired in this environment yet' };
  if (previous?.desired === desired && previous.delivery) return previous.delivery;
  if (kind === 'none')
    return { state: 'Delivered', message: 'published (delivery: none)', lastAttempt: now.toISOString() };
  return { state: 'Pending', message: `waiting for ${kind} delivery of ${desired}`, attempts: 0 };
}
