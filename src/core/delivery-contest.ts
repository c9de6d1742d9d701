// A field Depot delivered that another writer keeps resetting (typically an Argo CD
// ApplicationSet): the first reset is re-applied at once, the next after growing delays, and
// after `threshold` resets in a row the target is Contested: no writes until the object's spec
// fingerprint changes or `maxMs` has passed. Resets are "in a row" while each comes less than
// `maxMs` after Depot's previous re-apply. Pure: time is passed in.

export interface ContestPolicy {
  /** The delay before the second re-apply; doubled for each one after it. */
  baseMs: number;
  /** The longest delay, the probe interval of a Contested target, and the window of "in a row". */
  maxMs: number;
  /** Resets in a row that make the target Contested. */
  threshold: number;
}

export const CONTEST_THRESHOLD = 4;

export interface Contest {
  /** Resets in a row so far. */
  resets: number;
  /** When Depot last re-applied (epoch ms). */
  lastReapplyAt?: number;
  /** The reset count reached the threshold: do not re-apply, mark the target Contested. */
  contested: boolean;
  /** The fingerprint of the object's spec when it was marked Contested. */
  spec?: string;
}

/** A reset was seen at `now`: the new contest and how long to wait before acting. */
export function resetSeen(
  previous: Contest | undefined,
  now: number,
  policy: ContestPolicy,
): { contest: Contest; delayMs: number } {
  const inRow = previous?.lastReapplyAt !== undefined && now - previous.lastReapplyAt < policy.maxMs;
  const resets = inRow ? previous.resets + 1 : 1;
  const contest: Contest = {
    resets,
    ...(previous?.lastReapplyAt !== undefined ? { lastReapplyAt: previous.lastReapplyAt } : {}),
    contested: resets >= policy.threshold,
  };
  if (contest.contested || resets === 1) return { contest, delayMs: 0 };
  return { contest, delayMs: Math.min(policy.maxMs, policy.baseMs * 2 ** (resets - 2)) };
}

/** Depot re-applied the field at `now`. */
export function reapplied(contest: Contest | undefined, now: number): Contest {
  return { resets: contest?.resets ?? 0, lastReapplyAt: now, contested: false };
}

/** The object's spec changed since the target was marked Contested: worth one more try. */
export function contestedObjectChanged(contest: Contest | undefined, spec: string | undefined): boolean {
  return (
    contest?.contested === true && spec !== undefined && contest.spec !== undefined && spec !== contest.spec
  );
}

const seconds = (ms: number) => (ms >= 60_000 ? `${Math.round(ms / 60_000)}m` : `${Math.round(ms / 1000)}s`);

/** The Contested state's message: who resets what, what Depot does now, and what ends it. */
export function contestedMessage(opts: {
  /** The object and field, e.g. "Argo CD Application argocd/web spec.source.targetRevision". */
  field: string;
  version: string;
  resets: number;
  /** Field managers that own the field now (from metadata.managedFields), if known. */
  writers: readonly string[];
  found?: string;
  maxMs: number;
  /** How to make the writer leave the field alone. */
  remedy: string;
}): string {
  const by = opts.writers.length
    ? `by ${opts.writers.join(', ')} (the field's manager in metadata.managedFields)`
    : 'by another writer (metadata.managedFields names none but Depot)';
  const found = opts.found !== undefined ? ` to ${opts.found}` : '';
  return (
    `${opts.field} was reset${found} ${opts.resets} times in a row ${by}: Depot stopped re-applying ${opts.version}; ` +
    `it tries again when the object's spec changes, at the latest in ${seconds(opts.maxMs)}. ${opts.remedy}`
  );
}
