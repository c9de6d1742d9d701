// Delivery planning without I/O: which method a Target uses, its settings for
// one application (the Target's own with the Application's
// `spec.targets.<target>` settings merged over them), `${…}` templates
// expanded, and the Deliverer contract the integrations implement; the
// controllers fold the state each returns into the Application's status.
import type { Application, DeliveryState } from '../api/application.js';
import type { Delivery, DeliveryKind, DeliveryOverride, IntegrationKind } from '../api/delivery.js';
import type { Target } from '../api/target.js';
import type { TemplateVariable } from '../api/templates.js';
import type { KubeObject, ResourceType } from '../kube/resource.js';
import { ConditionType } from '../api/conditions.js';

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

/**
 * Expands `${variable}`; admission already refused unknown variables, so any
 * left are an error. A variable holds no `$` or `{`: an unclosed `${` stops at
 * the next one, so the scan stays linear in the template.
 */
export function expandTemplate(template: string, values: TemplateValues): string {
  return template.replace(/\$\{([^${}]*)\}/g, (whole, name: string) => {
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

/** One Kubernetes object a delivery writes (and watches for reverts and deployed versions). */
export interface DeliveryObject {
  resource: ResourceType;
  namespace: string;
  name: string;
}

/** A read from an informer cache: not synced means "unknown", never "absent". */
export type CachedRead = { synced: false } | { synced: true; object: KubeObject | undefined };

/**
 * The I/O an integration gets from the operator (it may not import the
 * runtime): cached reads of the objects it delivers to, one uncached get
 * (e.g. a Secret), and writes under Depot's delivery field manager that are
 * fenced by leadership and seen by the caches at once.
 */
export interface DeliveryIO {
  /** The object from a cache watching only its namespace (started on first use). */
  read(resource: ResourceType, namespace: string, name: string): CachedRead;
  /** An uncached read, e.g. one Secret; undefined when it does not exist. */
  get(resource: ResourceType, namespace: string, name: string): Promise<KubeObject | undefined>;
  /**
   * Read-modify-write: `mutate` changes a copy of `current`, and the
   * difference is merge-patched guarded by `current`'s resourceVersion (a
   * 409 re-reads the object and runs `mutate` on the fresh copy). Nothing is
   * sent when nothing changed. `mutate` may throw to refuse the write.
   */
  update<T extends KubeObject>(
    resource: ResourceType,
    current: T,
    mutate: (draft: T) => void,
  ): Promise<{ written: boolean; object: T }>;
  /** A patch of one object (merge or JSON patch), e.g. the reconcile.fluxcd.io/requestedAt annotation. */
  patch(
    resource: ResourceType,
    namespace: string,
    name: string,
    body: unknown,
    type: 'merge' | 'json',
  ): Promise<KubeObject>;
  /**
   * Throws when this process may not start a side effect now (the operator's
   * leadership fence); called right before a call outside the API server
   * (a Flux Receiver POST). Absent: always allowed (the agent).
   */
  fence?: () => void;
}

/** The operator's settings for every integration (flags of `depot operator`). */
export interface DeliverySettings {
  /** The integrations the operator runs (--integrations; default all); a Target of another kind is Blocked, nothing is read or written. */
  integrations?: readonly IntegrationKind[];
  /**
   * Check the owner's consent (depot.sh/authorized-targets, depot.sh/authorized-fields)
   * before reading or writing an object (--no-delivery-authorization turns it off).
   */
  checkAuthorization: boolean;
  /** Prefixes a Flux Receiver URL must start with (--receiver-url-allow). */
  receiverUrlAllow: string[];
  /** Timeout of one outgoing HTTP call (a Receiver). */
  httpTimeoutMs: number;
}

/**
 * The result of one delivery attempt. The machinery (controllers/delivery)
 * adds attempts and lastAttempt, retries Failed and Pending with capped
 * exponential backoff per target, and records a Reapplied history entry
 * when an attempt had to write a version it had delivered before.
 */
export interface DeliveryOutcome {
  state: DeliveryState['state'];
  /** Names the object and the field; never a secret. */
  message: string;
  /** This attempt wrote (a patch, a POST); false when the version was already in place. */
  wrote?: boolean;
  /** What the field held before this attempt wrote (the `from` of a Reapplied entry). */
  found?: string;
  /**
   * Retrying cannot help until the delivered object changes (it is missing,
   * does not authorize the target, lacks the field): the machinery retries
   * as soon as a watched object of the application changes, and otherwise
   * only after the longest backoff delay.
   */
  waitForChange?: boolean;
}

/** What an integration reads back from its object, from the cache only. */
export interface DeliveryObservation {
  /**
   * Whether Depot's field holds the requested version now; undefined when it
   * cannot be told (cache not synced, object missing, a Receiver). False
   * after a delivery means an external writer reset it: Depot re-applies.
   */
  inPlace?: boolean;
  /** The version the deployment system reports as running (e.g. Argo CD Synced + Healthy). */
  deployed?: string;
  /**
   * The deployment system's own report that it failed on the spec holding
   * the delivered version, in its words (Flux Ready=False, Argo CD's
   * ComparisonError): the target shows Failed with it while it lasts;
   * nothing is re-attempted (the field is in place).
   */
  failure?: string;
  /**
   * The object does not consent to this Target or its field (or is missing):
   * nothing of it was read, and this says why in the words of a refused write.
   * A target recorded Delivered is attempted again so that it shows the refusal.
   */
  refused?: string;
  /** What Depot's field holds now (when it can be told). */
  current?: string;
  /**
   * A fingerprint of the object's spec: a Contested target is tried again
   * when it changes. Not metadata.generation: Argo CD's Application CRD has
   * no status subresource, so every status write bumps it.
   */
  spec?: string;
}

/**
 * An integration (src/integrations/<kind>): delivers a version and reports
 * the outcome (Delivered, Pending, Failed or Blocked, with a message naming
 * the object and the field). deliver() must be idempotent: when the version
 * is in place it writes nothing and answers Delivered with wrote: false.
 */
export interface Deliverer {
  kind: DeliveryKind;
  deliver(request: DeliveryRequest, signal: AbortSignal): Promise<DeliveryOutcome>;
  /** Reads the deployed version and whether the field still holds the version (cache only, synchronous). */
  observe?(request: DeliveryRequest): DeliveryObservation;
  /**
   * Who else writes Depot's field now (field managers from the live object's
   * metadata.managedFields; an uncached read), for the Contested message.
   */
  fieldWriters?(request: DeliveryRequest): Promise<string[]>;
  /** How to make another writer leave the field alone (the Contested message ends with it). */
  contestRemedy?: string;
  /** The object this request writes, watched so that its changes re-run the application; undefined if none or unknown. */
  objectOf?(request: DeliveryRequest): DeliveryObject | undefined;
  /** Other objects observe() reads (e.g. the Flux Kustomization that applies a patched source), watched the same way. */
  alsoReads?(request: DeliveryRequest): DeliveryObject[];
}

/** The integrations the operator runs, by kind (built from its flags in controllers/delivery/registry.ts). */
export type DeliveryRegistry = ReadonlyMap<DeliveryKind, Deliverer>;

/**
 * The delivery state of a target without an integration at work: `none`
 * publishes at once; other kinds wait for their integration; an unchanged
 * desired version keeps its state.
 */
export function publishedState(
  kind: DeliveryKind,
  desired: string | undefined,
  previous: { desired?: string; deployed?: string; delivery?: DeliveryState } | undefined,
  now: Date,
  /** The Target (delivery: agent: its Ready condition says whether its agent is silent). */
  target?: Pick<Target, 'status'>,
): DeliveryState {
  if (desired === undefined)
    return { state: 'Pending', message: 'no version is desired in this environment yet' };
  if (kind === 'agent') {
    // A depot agent pulls the version and reports it deployed: that report is its delivery.
    if (previous?.deployed === desired) {
      if (previous.desired === desired && previous.delivery?.state === 'Delivered') return previous.delivery;
      return {
        state: 'Delivered',
        message: `the depot agent reports ${desired} deployed`,
        lastAttempt: now.toISOString(),
      };
    }
    const ready = target?.status?.conditions?.find((c) => c.type === ConditionType.Ready);
    if (ready?.reason === 'AgentSilent')
      return { state: 'Failed', message: `${desired} not delivered: ${ready.message}` };
  }
  if (previous?.desired === desired && previous.delivery) return previous.delivery;
  if (kind === 'none')
    return { state: 'Delivered', message: 'published (delivery: none)', lastAttempt: now.toISOString() };
  return { state: 'Pending', message: `waiting for ${kind} delivery of ${desired}`, attempts: 0 };
}
