// The pure part of leader election (client-go's leaderelection, reduced):
// what a candidate does given the Lease it just read. A lease is judged by
// when *this* process saw its record change, on its own clock, never by the
// renewTime written with another machine's clock; resourceVersion is only
// compared for equality.
import { microTime } from '../kube/time.js';

export interface LeaseRecord {
  /** '' when nobody holds the lease (released). */
  holderIdentity: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions: number;
  resourceVersion: string;
}

export interface Observation {
  record: LeaseRecord;
  /** Local time when this exact record (resourceVersion) was first seen. */
  observedAt: number;
}

export type LeaderDecision =
  | { action: 'create' }
  | { action: 'acquire'; reason: 'free' | 'expired' }
  | { action: 'renew' }
  | { action: 'wait'; holder: string; retryAt: number };

/** The observation after reading `record` at `now`: the old one if nothing changed. */
export function observe(
  previous: Observation | undefined,
  record: LeaseRecord | undefined,
  now: number,
): Observation | undefined {
  if (!record) return undefined;
  if (previous && previous.record.resourceVersion === record.resourceVersion) return previous;
  return { record, observedAt: now };
}

export function decide(
  identity: string,
  now: number,
  observed: Observation | undefined,
  leaseDurationMs: number,
): LeaderDecision {
  if (!observed) return { action: 'create' };
  const { record } = observed;
  if (record.holderIdentity === identity) return { action: 'renew' };
  if (!record.holderIdentity) return { action: 'acquire', reason: 'free' };
  const duration = record.leaseDurationSeconds ? record.leaseDurationSeconds * 1000 : leaseDurationMs;
  const expiresAt = observed.observedAt + duration;
  if (now >= expiresAt) return { action: 'acquire', reason: 'expired' };
  return { action: 'wait', holder: record.holderIdentity, retryAt: expiresAt };
}

export interface LeaseSpecValue {
  holderIdentity?: string;
  leaseDurationSeconds: number;
  acquireTime: string;
  renewTime: string;
  leaseTransitions: number;
}

/** The spec to write for create/acquire/renew. */
export function nextSpec(
  identity: string,
  now: number,
  previous: LeaseRecord | undefined,
  leaseDurationMs: number,
): LeaseSpecValue {
  const keepsHolder = previous?.holderIdentity === identity;
  const transitions = previous?.leaseTransitions ?? 0;
  return {
    holderIdentity: identity,
    leaseDurationSeconds: Math.max(1, Math.round(leaseDurationMs / 1000)),
    acquireTime: keepsHolder && previous.acquireTime ? previous.acquireTime : microTime(now),
    renewTime: microTime(now),
    leaseTransitions: previous && !keepsHolder ? transitions + 1 : transitions,
  };
}

/** The spec that hands the lease over at once: no holder (client-go writes the same on release). */
export function releasedSpec(now: number, previous: LeaseRecord): LeaseSpecValue {
  return {
    leaseDurationSeconds: 1,
    acquireTime: microTime(now),
    renewTime: microTime(now),
    leaseTransitions: previous.leaseTransitions,
  };
}
