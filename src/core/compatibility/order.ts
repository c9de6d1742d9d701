// Requirement order: an application comes after the applications it
// requires (core before dash). Applications in a requirement cycle share a
// level. Iterative (a chain of 1,000 rules must not overflow the stack).

/** Application → the applications it requires. */
export type RequirementGraph = (name: string) => readonly string[];

export interface RequirementOrder {
  /** 0 for an application that requires nothing (in the graph), else 1 + the highest level it requires. */
  level: Map<string, number>;
  /** Strongly connected component id: equal ids require each other (a cycle). */
  component: Map<string, number>;
}

/** Levels and cycles of `names` (requirements outside `names` are ignored). */
export function requirementOrder(names: Iterable<string>, requires: RequirementGraph): RequirementOrder {
  const nodes = [...names];
  const inSet = new Set(nodes);
  const edges = new Map(nodes.map((n) => [n, requires(n).filter((r) => inSet.has(r))]));
  const component = tarjan(nodes, edges);
  // Tarjan emits components in reverse topological order: requirements first.
  const members = new Map<number, string[]>();
  for (const n of nodes) {
    const c = component.get(n)!;
    members.set(c, [...(members.get(c) ?? []), n]);
  }
  const level = new Map<string, number>();
  const ids = [...members.keys()].sort((a, b) => a - b);
  for (const c of ids) {
    let l = 0;
    for (const n of members.get(c)!)
      for (const r of edges.get(n)!) {
        const rc = component.get(r)!;
        if (rc !== c) l = Math.max(l, level.get(r)! + 1);
      }
    for (const n of members.get(c)!) level.set(n, l);
  }
  return { level, component };
}

/** Sorts names by requirement level, then by name. */
export function sortByRequirements(names: Iterable<string>, order: RequirementOrder): string[] {
  return [...names].sort(
    (a, b) => (order.level.get(a) ?? 0) - (order.level.get(b) ?? 0) || (a < b ? -1 : a > b ? 1 : 0),
  );
}

/** Tarjan's algorithm, iterative; component ids in completion order (requirements first). */
function tarjan(
  nodes: readonly string[],
  edges: ReadonlyMap<string, readonly string[]>,
): Map<string, number> {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const component = new Map<string, number>();
  let next = 0;
  let comp = 0;
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: { node: string; edge: number }[] = [{ node: root, edge: 0 }];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const out = edges.get(frame.node)!;
      if (frame.edge < out.length) {
        const to = out[frame.edge++]!;
        if (!index.has(to)) {
          index.set(to, next);
          low.set(to, next++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, edge: 0 });
        } else if (onStack.has(to)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]!.node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        let n: string;
        do {
          n = stack.pop()!;
          onStack.delete(n);
          component.set(n, comp);
        } while (n !== frame.node);
        comp++;
      }
    }
  }
  return component;
}
