// Promotion cycles (a→b, b→a): the controller reports them on every Promotion
// involved and does nothing; `depot validate` reports them before they land.
import type { Promotion } from '../../api/index.js';
import type { Located } from './catalog.js';
import { byNamespace, problemAt } from './located.js';
import type { Problem } from './problem.js';

export function checkPromotionCycles(promotions: Located<Promotion>[]): Problem[] {
  const problems: Problem[] = [];
  for (const list of byNamespace(promotions).values()) {
    for (const cycle of findCycles(list)) {
      const path = [...cycle.map((p) => p.object.spec.from), cycle[0]!.object.spec.from].join(' → ');
      const names = cycle.map((p) => p.name).join(', ');
      for (const p of cycle)
        problems.push(problemAt(p, 'Promotion', 'spec.to', `promotion cycle ${path} (Promotions ${names})`));
    }
  }
  return problems;
}

/** Every promotion that lies on a cycle, grouped by strongly connected component. */
function findCycles(list: Located<Promotion>[]): Located<Promotion>[][] {
  const edges = new Map<string, Located<Promotion>[]>();
  for (const p of list) edges.set(p.object.spec.from, [...(edges.get(p.object.spec.from) ?? []), p]);

  // Tarjan's algorithm over environments; a component with an edge inside it is a cycle.
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
      const w = p.object.spec.to;
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

  const cycles: Located<Promotion>[][] = [];
  for (const component of components) {
    const members = new Set(component);
    const inside = list.filter((p) => members.has(p.object.spec.from) && members.has(p.object.spec.to));
    if (inside.length > 0) cycles.push(orderAlongCycle(inside));
  }
  return cycles;
}

/** Starts at the alphabetically first environment and follows the edges, for a readable path. */
function orderAlongCycle(inside: Located<Promotion>[]): Located<Promotion>[] {
  const remaining = [...inside].sort(
    (a, b) => a.object.spec.from.localeCompare(b.object.spec.from) || a.name.localeCompare(b.name),
  );
  const ordered: Located<Promotion>[] = [remaining.shift()!];
  while (remaining.length > 0) {
    const next = remaining.findIndex(
      (p) => p.object.spec.from === ordered[ordered.length - 1]!.object.spec.to,
    );
    ordered.push(...remaining.splice(next === -1 ? 0 : next, 1));
  }
  return ordered;
}
