// Which pending requests of one environment are delivered together: the
// largest set whose moves break no rule; among equals, the one that keeps the
// current version of applications first in requirement order, then by name
// (docs/concepts.md, Compatibility). Exact up to SEARCH_BUDGET steps per group
// of linked requests, then greedy, and says so (`exact: false`).
import { requirementOrder, sortByRequirements, type RequirementOrder } from './order.js';
import { withVersion, type RuleBook, type Violation } from './rules.js';

export const SEARCH_BUDGET = 200_000;

export interface SetChoiceInput {
  book: RuleBook;
  /** Environment name, for messages. */
  place: string;
  /** Desired versions now. */
  current: ReadonlyMap<string, string>;
  /** Application → the requested version that could otherwise be delivered now. */
  pending: ReadonlyMap<string, string>;
}

export interface SetChoice {
  /** The requests it chose among. */
  pending: ReadonlyMap<string, string>;
  /** The requests delivered, in requirement order. */
  chosen: string[];
  /** The combination once they are. */
  result: Map<string, string>;
  /** Requests that stay pending, with the rules they would break. */
  blocked: Map<string, Violation[]>;
  /** Chosen application → chosen applications it needs at their new version (outside its cycle): they become desired first. */
  after: Map<string, string[]>;
  exact: boolean;
}

const MOVE = 1;
const STAY = 0;
/** Bits of a pair constraint: which (this, other) states are allowed; (stay, stay) always is. */
const MM = 1;
const MS = 2;
const SM = 4;

interface Variable {
  name: string;
  /** Can move as far as applications that keep their version are concerned. */
  movable: boolean;
  /** Constraints with variables earlier in the search order. */
  earlier: { other: number; allowed: number }[];
}

export function chooseRequests(input: SetChoiceInput): SetChoice {
  const { book, place, current, pending } = input;
  const order = requirementOrder(pending.keys(), (n) => book.requirementsOf(n));
  const names = sortByRequirements(pending.keys(), order);
  const position = new Map(names.map((n, i) => [n, i]));
  const moved = (n: string) => pending.get(n)!;

  // Constraints between pending applications, and what each can do alone.
  const vars: Variable[] = names.map((name) => ({ name, movable: true, earlier: [] }));
  const linked = new Map<number, Set<number>>();
  for (const x of names) {
    const i = position.get(x)!;
    const alone = withVersion(current, x, moved(x));
    const partners = new Set([...book.requirementsOf(x), ...book.ownersOf(x)]);
    for (const y of partners) {
      const j = position.get(y);
      if (j === undefined) continue;
      if (j < i) {
        const allowed = pairAllowed(book, x, y, current, moved);
        if (allowed === (MM | MS | SM)) continue; // always holds: no constraint
        vars[i]!.earlier.push({ other: j, allowed });
        (linked.get(i) ?? linked.set(i, new Set()).get(i)!).add(j);
        (linked.get(j) ?? linked.set(j, new Set()).get(j)!).add(i);
      }
    }
    // Rules with applications that keep their version (not pending).
    const fixed = book.violationsInvolving(x, alone, place).filter((v) => !involvesPending(v, x, pending));
    vars[i]!.movable = fixed.length === 0;
  }

  const states = new Array<number>(names.length).fill(STAY);
  let exact = true;
  for (const group of groups(names.length, linked)) {
    const solved = solveGroup(group, vars);
    exact &&= solved.exact;
    for (const [k, i] of group.entries()) states[i] = solved.states[k]!;
  }

  const result = new Map(current);
  const chosen = names.filter((_, i) => states[i] === MOVE);
  for (const n of chosen) result.set(n, moved(n));
  const blocked = new Map<string, Violation[]>();
  for (const n of names) {
    if (states[position.get(n)!] === MOVE) continue;
    blocked.set(n, book.violationsInvolving(n, withVersion(result, n, moved(n)), place));
  }
  return { pending, chosen, result, blocked, after: afterMap(chosen, book, order, current, moved), exact };
}

function involvesPending(v: Violation, x: string, pending: ReadonlyMap<string, string>): boolean {
  const other = v.application === x ? v.requires.application : v.application;
  return pending.has(other);
}

/** Which (x, y) states keep the rules between x and y (both ways). */
function pairAllowed(
  book: RuleBook,
  x: string,
  y: string,
  current: ReadonlyMap<string, string>,
  moved: (n: string) => string,
): number {
  const holds = (xMoves: boolean, yMoves: boolean) => {
    const vx = xMoves ? moved(x) : current.get(x);
    const vy = yMoves ? moved(y) : current.get(y);
    return book.holdsOn(x, vx, y, vy) && book.holdsOn(y, vy, x, vx);
  };
  return (holds(true, true) ? MM : 0) | (holds(true, false) ? MS : 0) | (holds(false, true) ? SM : 0);
}

/** Connected groups of variables (indexes ascending). */
function groups(n: number, linked: ReadonlyMap<number, Set<number>>): number[][] {
  const seen = new Set<number>();
  const out: number[][] = [];
  for (let start = 0; start < n; start++) {
    if (seen.has(start)) continue;
    const group: number[] = [];
    const todo = [start];
    seen.add(start);
    while (todo.length > 0) {
      const i = todo.pop()!;
      group.push(i);
      for (const j of linked.get(i) ?? []) {
        if (seen.has(j)) continue;
        seen.add(j);
        todo.push(j);
      }
    }
    out.push(group.sort((a, b) => a - b));
  }
  return out;
}

function allowedWith(state: number, otherState: number, allowed: number): boolean {
  if (state === STAY && otherState === STAY) return true;
  if (state === MOVE && otherState === MOVE) return (allowed & MM) !== 0;
  if (state === MOVE) return (allowed & MS) !== 0;
  return (allowed & SM) !== 0;
}

/**
 * The largest consistent assignment of one group, preferring STAY for the
 * earlier variables among equally large ones: a depth-first search that tries
 * STAY first visits assignments in exactly that preference order.
 */
function solveGroup(
  group: readonly number[],
  vars: readonly Variable[],
): { states: number[]; exact: boolean } {
  const local = new Map(group.map((g, k) => [g, k]));
  const k = group.length;
  const constraints = group.map((g) =>
    vars[g]!.earlier.flatMap((c) =>
      local.has(c.other) ? [{ other: local.get(c.other)!, allowed: c.allowed }] : [],
    ),
  );
  const movable = group.map((g) => vars[g]!.movable);
  const movableAfter = new Array<number>(k + 1).fill(0);
  for (let i = k - 1; i >= 0; i--) movableAfter[i] = movableAfter[i + 1]! + (movable[i] ? 1 : 0);

  let best = greedy(k, constraints, movable);
  let bestSize = best.filter((s) => s === MOVE).length;
  let bestFromSearch = false;
  const states = new Array<number>(k).fill(STAY);
  let steps = 0;
  let exhausted = false;

  const consistent = (i: number, state: number) =>
    constraints[i]!.every((c) => allowedWith(state, states[c.other]!, c.allowed));

  const search = (i: number, size: number) => {
    if (exhausted) return;
    if (++steps > SEARCH_BUDGET) {
      exhausted = true;
      return;
    }
    const bound = size + movableAfter[i]!;
    if (bound < bestSize || (bound === bestSize && bestFromSearch)) return;
    if (i === k) {
      best = [...states];
      bestSize = size;
      bestFromSearch = true;
      return;
    }
    if (consistent(i, STAY)) {
      states[i] = STAY;
      search(i + 1, size);
    }
    if (movable[i] && consistent(i, MOVE)) {
      states[i] = MOVE;
      search(i + 1, size + 1);
      states[i] = STAY;
    }
  };
  search(0, 0);
  return { states: best, exact: !exhausted };
}

/** All that can move, then drop the most conflicting (the earliest on a tie) until consistent. */
function greedy(
  k: number,
  constraints: readonly { other: number; allowed: number }[][],
  movable: readonly boolean[],
): number[] {
  const states = movable.map((m) => (m ? MOVE : STAY));
  for (;;) {
    const conflicts = new Array<number>(k).fill(0);
    let any = false;
    for (let i = 0; i < k; i++)
      for (const c of constraints[i]!)
        if (!allowedWith(states[i]!, states[c.other]!, c.allowed)) {
          any = true;
          if (states[i] === MOVE) conflicts[i]!++;
          if (states[c.other] === MOVE) conflicts[c.other]!++;
        }
    if (!any) return states;
    let drop = -1;
    for (let i = 0; i < k; i++)
      if (states[i] === MOVE && (drop < 0 || conflicts[i]! > conflicts[drop]!)) drop = i;
    states[drop] = STAY;
  }
}

/**
 * Chosen application → the chosen applications it must wait for: those it
 * requires (outside its cycle) whose current version its new one does not
 * accept. A requirement the current version already meets imposes no order.
 */
function afterMap(
  chosen: readonly string[],
  book: RuleBook,
  order: RequirementOrder,
  current: ReadonlyMap<string, string>,
  moved: (n: string) => string,
): Map<string, string[]> {
  const set = new Set(chosen);
  const out = new Map<string, string[]>();
  for (const n of chosen) {
    const first = book
      .requirementsOf(n)
      .filter(
        (r) =>
          set.has(r) &&
          order.component.get(r) !== order.component.get(n) &&
          !book.holdsOn(n, moved(n), r, current.get(r)),
      );
    if (first.length > 0) out.set(n, first);
  }
  return out;
}
