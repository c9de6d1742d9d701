// `depot agent`: serves one Target (delivery: agent) from a cluster Depot
// cannot reach. Each round: poll the target's versions (If-None-Match), deliver
// with the operator's integration code (idempotent), report new deployed
// versions. A failed poll changes nothing here and retries with capped
// backoff; a server older than it needs stops it with one line. It serves
// only its own Target: an answer naming another is refused, and the hub's
// overrides apply only where --allow-override allows them.
import type { Application } from '../api/application.js';
import type { Delivery } from '../api/delivery.js';
import type { TargetVersions } from '../api/http.js';
import type { Target } from '../api/target.js';
import {
  deliveryKind,
  effectiveDelivery,
  type DeliveryOutcome,
  type DeliveryRegistry,
  type DeliveryRequest,
} from '../core/delivery.js';
import type { Clock } from '../kube/clock.js';
import { backoffDelay, type BackoffOptions } from '../runtime/backoff.js';
import type { Logger } from '../runtime/log.js';
import { ServerTooOldError, type HubClient } from './hub-client.js';
import { refusedOverrideFields, type OverrideField } from './overrides.js';

/** The Target this agent serves, as its --namespace and --target name it. */
export interface OwnTarget {
  namespace: string;
  target: string;
}

/** The hub answered for another Target: nothing of the answer is used. */
export class AnswerRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnswerRefusedError';
  }
}

export interface AgentOptions {
  hub: Pick<HubClient, 'poll' | 'reportDeployed'>;
  /** The only Target this agent serves: answers naming another are refused. */
  own: OwnTarget;
  /** The hub's override fields this agent applies (--allow-override); default none. */
  allowOverride?: readonly OverrideField[];
  /** How this agent delivers in its cluster (e.g. {argocd: {...}}); the hub's Application overrides merge over it. */
  delivery: Delivery;
  deliverers: DeliveryRegistry;
  intervalMs: number;
  /** 0..1: each wait is shortened by a random share up to this, so agents do not poll in step. */
  jitter: number;
  backoff: BackoffOptions;
  /** Shorter wait while a delivery is Pending (e.g. the local cache is still syncing). */
  pendingIntervalMs?: number;
  log: Logger;
  clock: Clock;
  random?: () => number;
  /** Counts polls by result (changed, unchanged, error). */
  onPoll?: (result: 'changed' | 'unchanged' | 'error') => void;
}

export const agentDefaults = {
  intervalMs: 30_000,
  jitter: 0.2,
  backoff: { baseMs: 1_000, maxMs: 60_000, jitter: 0.2 } satisfies BackoffOptions,
  pendingIntervalMs: 2_000,
};

/** Delivery into Argo CD Applications of this cluster, writing targetRevision (the --argocd-* flags). */
export function argocdLocalDelivery(
  applicationNamespace = 'argocd',
  applicationName = '${application}',
): Delivery {
  return { argocd: { applicationNamespace, applicationName, set: { targetRevision: {} } } };
}

/** Why an answer is not for this agent's Target; undefined when it is. */
export function foreignAnswer(versions: TargetVersions, own: OwnTarget): string | undefined {
  if (versions.namespace === own.namespace && versions.target === own.target) return undefined;
  return `agent: the hub answered for Target ${versions.namespace}/${versions.target}, but this agent serves ${own.namespace}/${own.target}: answer refused, nothing delivered or reported`;
}

/**
 * A DeliveryRequest for one application of this agent's own Target, as the
 * operator would build it (the override is merged only when it was allowed).
 */
export function deliveryRequest(
  own: OwnTarget,
  environment: string,
  item: TargetVersions['items'][number],
  local: Delivery,
): DeliveryRequest | undefined {
  if (!item.desired) return undefined;
  const application = {
    apiVersion: 'depot.sh/v1alpha1',
    kind: 'Application',
    metadata: { name: item.application, namespace: own.namespace },
    spec: {
      versionScheme: 'opaque',
      ...(item.override ? { targets: { [own.target]: item.override } } : {}),
    },
  } as Application;
  const target = {
    apiVersion: 'depot.sh/v1alpha1',
    kind: 'Target',
    metadata: { name: own.target, namespace: own.namespace },
    spec: { environment, delivery: local },
  } as Target;
  return {
    application,
    target,
    environment,
    version: item.desired,
    delivery: effectiveDelivery(target, application),
  };
}

export class Agent {
  private etag: string | undefined;
  private versions: TargetVersions | undefined;
  private failures = 0;
  /** Last outcome per application (logged on change only). */
  private readonly outcomes = new Map<string, string>();
  /**
   * The version this agent last delivered per application: delivered again
   * only when the deliverer sees its field reset (a Receiver call, which
   * nothing can read back, is made once per version, like the operator's).
   */
  private readonly delivered = new Map<string, string>();
  /** Deployed versions reported by this agent, per application. */
  private readonly reported = new Map<string, string>();
  /** When the last round succeeded (for /readyz), epoch ms. */
  lastSuccess: number | undefined;
  /** Why the last round failed, while it did. */
  lastError: string | undefined;

  constructor(private readonly opts: AgentOptions) {}

  /** Runs until the signal aborts; rejects only when the server is too old. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let wait: number;
      try {
        const pending = await this.round(signal);
        this.failures = 0;
        this.lastSuccess = this.opts.clock.now();
        this.lastError = undefined;
        wait = pending
          ? (this.opts.pendingIntervalMs ?? agentDefaults.pendingIntervalMs)
          : this.jittered(this.opts.intervalMs);
      } catch (err) {
        if (err instanceof ServerTooOldError) throw err;
        if (signal.aborted) break;
        this.lastError = (err as Error).message;
        this.opts.onPoll?.('error');
        wait = backoffDelay(this.failures++, this.opts.backoff, this.opts.random);
        if (err instanceof AnswerRefusedError)
          this.opts.log.error({ retryInMs: wait, failures: this.failures }, err.message);
        else
          this.opts.log.warn(
            { err: (err as Error).message, retryInMs: wait, failures: this.failures },
            'agent: poll or report failed; what was delivered stays as it is',
          );
      }
      await this.opts.clock.sleep(wait, signal);
    }
  }

  /** One poll, delivery of every desired version, and the deployed reports; true while a delivery is Pending. */
  async round(signal: AbortSignal): Promise<boolean> {
    const poll = await this.opts.hub.poll(this.etag, signal);
    this.opts.onPoll?.(poll.changed ? 'changed' : 'unchanged');
    if (poll.changed) {
      const foreign = foreignAnswer(poll.versions, this.opts.own);
      if (foreign) {
        // Forget the answer and what came before it: the next poll asks afresh.
        this.etag = undefined;
        this.versions = undefined;
        throw new AnswerRefusedError(foreign);
      }
      this.etag = poll.etag;
      this.versions = poll.versions;
      this.opts.log.info(
        { target: poll.versions.target, applications: poll.versions.items.length },
        'agent: versions changed',
      );
    }
    const versions = this.versions;
    if (!versions) return false;
    if (versions.delivery !== 'agent') {
      // The operator delivers to this target itself: two writers would fight.
      if (poll.changed)
        this.opts.log.error(
          { target: versions.target, delivery: versions.delivery },
          `agent: Target ${versions.target} has delivery ${versions.delivery}, not agent: this agent delivers nothing until it is set to agent: {}`,
        );
      return false;
    }
    let pending = false;
    for (const item of versions.items) {
      const request = deliveryRequest(this.opts.own, versions.environment, item, this.opts.delivery);
      if (!request) continue;
      const deliverer = this.opts.deliverers.get(deliveryKind(request.target));
      if (!deliverer) continue;
      const refused = refusedOverrideFields(item.override, this.opts.delivery, this.opts.allowOverride ?? []);
      if (refused.length > 0) {
        this.delivered.delete(item.application);
        this.noteOutcome(item.application, request.version, {
          state: 'Failed',
          message: `${request.version} not delivered: the hub's Application overrides ${refused.join(', ')} for this target, which this agent does not allow (--allow-override ${refused.join(',')})`,
          wrote: false,
        });
        continue;
      }
      const seen = deliverer.observe?.(request);
      // A refusal (consent withdrawn) goes through deliver(), which reports it and writes nothing.
      const done =
        this.delivered.get(item.application) === request.version &&
        seen?.inPlace !== false &&
        seen?.refused === undefined;
      const outcome = done
        ? { state: 'Delivered' as const, message: `${request.version} delivered earlier`, wrote: false }
        : await deliverer.deliver(request, signal);
      if (outcome.state === 'Delivered') this.delivered.set(item.application, request.version);
      else this.delivered.delete(item.application);
      if (outcome.state === 'Pending') pending = true;
      this.noteOutcome(item.application, request.version, outcome);
      const deployed = deliverer.observe?.(request).deployed;
      if (deployed && deployed !== item.deployed && deployed !== this.reported.get(item.application)) {
        await this.opts.hub.reportDeployed(item.application, deployed, signal);
        this.reported.set(item.application, deployed);
        this.opts.log.info({ application: item.application, deployed }, 'agent: reported deployed version');
      }
    }
    return pending;
  }

  /** Logs an application's outcome when it changed. */
  private noteOutcome(application: string, version: string, outcome: DeliveryOutcome): void {
    const summary = `${outcome.state}: ${outcome.message}`;
    if (this.outcomes.get(application) === summary) return;
    this.outcomes.set(application, summary);
    const log =
      outcome.state === 'Failed'
        ? this.opts.log.warn.bind(this.opts.log)
        : this.opts.log.info.bind(this.opts.log);
    log({ application, version, state: outcome.state, wrote: outcome.wrote }, `agent: ${outcome.message}`);
  }

  private jittered(ms: number): number {
    return Math.round(ms * (1 - this.opts.jitter * (this.opts.random ?? Math.random)()));
  }
}
