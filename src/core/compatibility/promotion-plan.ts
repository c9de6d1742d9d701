// A Promotion plans the new combination of its target environment as a
// whole: its candidates, with the requests already pending there, go through
// the same set choice as the Application controller's, so applications that
// only work together are promoted together (or not at all), and one that the
// rules hold back waits with the rule as its reason.
import type { Application } from '../../api/application.js';
import { catalogOf } from './namespace.js';
import { blockedBy } from './namespace.js';
import { RuleBook } from './rules.js';
import { chooseRequests } from './set-choice.js';

export interface CombinationPlan {
  /** Candidates to write. */
  promoted: Set<string>;
  /** Candidates held back, with why. */
  held: Map<string, string>;
  /** Whether the candidate `app` needs `required` at its candidate version (its current one will not do). */
  needs(app: string, required: string): boolean;
}

export function planCombination(
  env: string,
  applications: readonly Application[],
  candidates: ReadonlyMap<string, string>,
): CombinationPlan {
  const current = new Map<string, string>();
  const pending = new Map<string, string>();
  for (const a of applications) {
    const name = a.metadata.name;
    const entry = a.status?.environments?.find((e) => e.name === env);
    if (entry?.desired !== undefined) current.set(name, entry.desired);
    const requested = candidates.get(name) ?? a.spec.versions?.[env];
    if (requested !== undefined && requested !== entry?.desired) pending.set(name, requested);
  }
  const book = new RuleBook(catalogOf(applications));
  const choice = chooseRequests({ book, place: env, current, pending });
  const chosen = new Set(choice.chosen);
  const promoted = new Set<string>();
  const held = new Map<string, string>();
  for (const [name, version] of candidates) {
    if (chosen.has(name)) promoted.add(name);
    else held.set(name, blockedBy(name, version, env, choice.blocked.get(name) ?? []).message);
  }
  return {
    promoted,
    held,
    needs: (app, required) => !book.holdsOn(app, candidates.get(app), required, current.get(required)),
  };
}
