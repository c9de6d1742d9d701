// Promotion cycles (a→b, b→a, or longer): the one finder behind both the
// controller (a Ready=False condition on every Promotion involved, which then
// promotes nothing) and `depot validate` (a problem on each, before they land).
import type { Promotion } from '../../api/promotion.js';

export interface PromotionCycle<T> {
  /** The Promotions of the cycle, along it from the alphabetically first environment. */
  members: T[];
  /** e.g. `dev → staging → dev` */
  path: string;
}

/** The one message for a cycle: `promotion cycle dev → staging → dev (Promotions up, down)`. */
export function cycleMessage<T>(cycle: PromotionCycle<T>, name: (p: T) => string): string {
  return `promotion cycle ${cycle.path} (Promotions ${cycle.members.map(name).join(', ')})`;
}

/**
 * Every Promotion that lies on a cycle, grouped by strongly connected
 * component of the environment graph (a component with an edge inside is a
 * cycle). `spec` reads the Promotion of an element (a Promotion, or one
 * located in a file).
 */
export function findPromotionCycles<T>(
  list: readonly T[],
  spec: (p: T) => Pick<Promotion['spec'], 'from' | 'to'>,
  name: (p: T) => string,
): PromotionCycle<T>[] {
  const edges = new Map<string, T[]>();
  for (const p of list) edges.set(spec(p).from, [...(edges.get(spec(p).from) ?? []), p]);

  // Tarjan's algorithm over environments.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const p of edges.get(v) ?? []) {
      const w = spec(p).to;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      components.push(component);
    }
  };
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) visit(v);

  const cycles: PromotionCycle<T>[] = [];
  for (const component of components) {
    const members = new Set(component);
    const inside = list.filter((p) => members.has(spec(p).from) && members.has(spec(p).to));
    if (inside.length === 0) continue;
    const ordered = orderAlongCycle(inside, spec, name);
    const path = [...ordered.map((p) => spec(p).from), spec(ordered[0]!).from].join(' → ');
    cycles.push({ members: ordered, path });
  }
  return cycles;
}

/** Starts at the alphabetically first environment and follows the edges, for a readable path. */
function orderAlongCycle<T>(
  inside: readonly T[],
  spec: (p: T) => Pick<Promotion['spec'], 'from' | 'to'>,
  name: (p: T) => string,
): T[] {
  const remaining = [...inside].sort(
    (a, b) => spec(a).from.localeCompare(spec(b).from) || name(a).localeCompare(name(b)),
  );
  const ordered: T[] = [remaining.shift()!];
  while (remaining.length > 0) {
    const next = remaining.findIndex((p) => spec(p).from === spec(ordered[ordered.length - 1]!).to);
    ordered.push(...remaining.splice(next === -1 ? 0 : next, 1));
  }
  return ordered;
}

/** Name of each Promotion on a cycle → the message of its cycle. */
export function cyclesByPromotion(promotions: readonly Promotion[]): Map<string, string> {
  const name = (p: Promotion) => p.metadata.name;
  const out = new Map<string, string>();
  for (const cycle of findPromotionCycles(promotions, (p) => p.spec, name))
    for (const p of cycle.members) out.set(name(p), cycleMessage(cycle, name));
  return out;
}
