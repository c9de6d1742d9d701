// Records that a depot agent polled its target: status.agent of a Target
// with delivery: agent gets the time, the agent's version and its user. The
// write is throttled per target: at most one per interval from this replica,
// whatever version or user the polls name (the caller has checked that the
// user may report for the target), and none while the status is fresh and the
// same; the Target controller turns the target not Ready after a silence.
import { LRUCache } from 'lru-cache';
import { Targets } from '../api/resources.js';
import type { AgentContact, Target } from '../api/target.js';
import { deliveryKind } from '../core/delivery.js';
import type { KubeObject } from '../kube/resource.js';
import type { RuntimeDeps } from '../runtime/runtime-deps.js';
import { lruPerf } from './review-cache.js';

export const AGENT_CONTACT_MANAGER = 'depot-http-api.agent-contact';
export const agentContactIntervalMs = 30_000;

export class AgentContacts {
  private readonly inFlight = new Set<string>();
  /** Targets this replica wrote a contact to within the interval. */
  private readonly written: LRUCache<string, true>;

  constructor(
    private readonly deps: Pick<RuntimeDeps, 'informers' | 'writer' | 'clock' | 'log'>,
    private readonly intervalMs: number = agentContactIntervalMs,
  ) {
    this.written = new LRUCache({
      max: 20_000,
      ttl: intervalMs,
      ttlResolution: 0,
      perf: lruPerf(() => deps.clock.now()),
    });
  }

  /** Records a poll (fire and forget: the poll's answer never waits for it). */
  record(namespace: string, target: string, version: string, user: string | undefined): void {
    const key = `${namespace}/${target}`;
    if (this.inFlight.has(key) || this.written.has(key)) return;
    const cached = this.deps.informers.informer<KubeObject>(Targets).get(namespace, target) as
      (Target & KubeObject) | undefined;
    if (!cached || deliveryKind(cached) !== 'agent') return;
    const now = this.deps.clock.now();
    const previous = cached.status?.agent;
    if (
      previous &&
      previous.version === version &&
      previous.user === user &&
      now - Date.parse(previous.lastContact) < this.intervalMs
    )
      return;
    const contact: AgentContact = {
      lastContact: new Date(now).toISOString(),
      version: version.slice(0, 64),
      ...(user ? { user: user.slice(0, 512) } : {}),
    };
    this.inFlight.add(key);
    this.written.set(key, true);
    // Made for the agent on whichever replica it reaches: not fenced by leadership.
    void this.deps
      .writer(AGENT_CONTACT_MANAGER, { fenced: false })
      .update(
        Targets,
        cached,
        (draft) => {
          draft.status = { ...(draft.status ?? {}), agent: contact } as Target['status'];
        },
        { subresource: 'status' },
      )
      .catch((err: unknown) =>
        this.deps.log.warn(
          { err: (err as Error).message, target: key },
          'HTTP API: cannot record the agent contact',
        ),
      )
      .finally(() => this.inFlight.delete(key));
  }
}
