// The watch events of a controller's own writes (controller-runtime users
// filter them with generation/resourceVersion predicates): the reconcile that
// wrote already planned with what the event brings, so planning it again only
// costs a second pass. A write records the resourceVersion the API server
// answered; the update event carrying exactly that version is skipped, once.
// An event that arrives while the write is still in flight is held until the
// answer says whose it is; every other event (another writer's, a deletion)
// passes.
import type { InformerEvent } from './informer.js';
import type { KubeObject } from '../kube/resource.js';

export interface OwnWrite {
  /** The write was stored as `resourceVersion` (undefined: nothing was written). */
  finish(resourceVersion: string | undefined): void;
  /** The write failed: nothing of ours to skip. */
  abandon(): void;
}

interface InFlight {
  writes: number;
  /** resourceVersions of the update events held meanwhile. */
  held: Set<string>;
  /** What the writes in flight stored so far. */
  stored: Set<string>;
}

export class OwnWrites {
  private readonly inFlight = new Map<string, InFlight>();
  /** Per key: the version our last write stored whose event has not come yet. */
  private readonly unseen = new Map<string, string>();

  /** `release` hands over the held events that turned out not to be ours (or not only). */
  constructor(private readonly release: (key: string) => void) {}

  /** Call right before sending a write of `key`. */
  begin(key: string): OwnWrite {
    let flight = this.inFlight.get(key);
    if (!flight) this.inFlight.set(key, (flight = { writes: 0, held: new Set(), stored: new Set() }));
    flight.writes++;
    let open = true;
    const close = (stored: string | undefined) => {
      if (!open) return;
      open = false;
      if (stored !== undefined) flight.stored.add(stored);
      if (--flight.writes > 0) return;
      if (this.inFlight.get(key) === flight) this.inFlight.delete(key);
      const others = [...flight.held].filter((rv) => !flight.stored.has(rv));
      for (const rv of flight.stored) if (!flight.held.has(rv)) this.unseen.set(key, rv);
      if (others.length > 0) this.release(key);
    };
    return { finish: (rv) => close(rv), abandon: () => close(undefined) };
  }

  /**
   * Whether an informer event of `key` should be handled now: false for the
   * event of our own write, and for an update held until a write in flight answers.
   */
  admit(key: string, event: InformerEvent<KubeObject>): boolean {
    const rv = event.object.metadata?.resourceVersion;
    if (event.type === 'delete' || rv === undefined) {
      this.unseen.delete(key);
      return true;
    }
    const flight = this.inFlight.get(key);
    if (flight) {
      flight.held.add(rv);
      return false;
    }
    if (this.unseen.get(key) === rv) {
      this.unseen.delete(key);
      return false;
    }
    return true;
  }

  /** The object is gone: nothing to remember of it. */
  forget(key: string): void {
    this.unseen.delete(key);
  }
}
