// Who made a change, for history: the identity the API server authenticated
// (stamped at admission by Depot's policies into spec.requestedBy.<env> and
// spec.rejectedVersions[].rejectedBy) when the policies are installed, else
// the field manager's name, which a client chooses: marked unverified.
import type { Application } from '../api/application.js';

export interface Actor {
  actor: string;
  /** The actor is a client-chosen name (field manager), not an authenticated identity. */
  unverified?: true;
}

/** How actors are read: from the admission stamps (policies installed) or from field managers. */
export interface ActorSource {
  /** --verified-actors: Depot's admission policies stamp every change. */
  verified: boolean;
}

/**
 * The actor of the request of `env`: its stamp, when the stamp records this
 * very version (a stamp of an older write names someone else), verified only
 * where the policies write every stamp; otherwise the field manager's name,
 * unverified.
 */
export function requestActor(
  app: Application,
  env: string,
  fromManager: string | undefined,
  source: ActorSource,
): Actor | undefined {
  const stamp = app.spec.requestedBy?.[env];
  const requested = app.spec.versions?.[env];
  if (stamp && requested !== undefined && stamp.version === requested)
    return source.verified ? { actor: stamp.user } : { actor: stamp.user, unverified: true };
  return fromManager === undefined ? undefined : { actor: fromManager, unverified: true };
}

/** Whether who rejected `entry` is authenticated: its stamp where the policies write every stamp. */
export const rejectionVerified = (entry: { rejectedBy?: string }, source: ActorSource): boolean =>
  source.verified && entry.rejectedBy !== undefined;

/** The history entry fields of an actor: `actorUnverified` only when it is. */
export const actorFields = (a: Actor): { actor: string; actorUnverified?: true } =>
  a.unverified ? { actor: a.actor, actorUnverified: true } : { actor: a.actor };
