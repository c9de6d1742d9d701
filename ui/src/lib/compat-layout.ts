// A layered layout of a namespace's compatibility rules: an application sits
// one column right of the furthest application it requires, so requirements
// read left to right (core before dash). Small graphs: no library needed.
import type { CompatibilityRule } from './contract.js';

export interface CompatNode {
  id: string;
  layer: number;
  x: number;
  y: number;
}
export interface CompatEdge {
  from: string;
  to: string;
  /** e.g. "dash >=2.0.0 requires core >=1.12.0 <2.0.0". */
  labels: string[];
}
export interface CompatLayout {
  nodes: CompatNode[];
  edges: CompatEdge[];
  width: number;
  height: number;
}

export const NODE_WIDTH = 150;
export const NODE_HEIGHT = 36;
const COLUMN_GAP = 110;
const ROW_GAP = 28;
const MARGIN = 16;

export function ruleText(app: string, rule: CompatibilityRule): string {
  return `${app}${rule.when ? ` ${rule.when}` : ''} requires ${rule.requires.application} ${rule.requires.versions}`;
}

export function compatLayout(
  apps: readonly { name: string; rules: readonly CompatibilityRule[] }[],
): CompatLayout {
  const requires = new Map<string, Set<string>>();
  const edges = new Map<string, CompatEdge>();
  const names = new Set<string>();
  for (const a of apps) {
    names.add(a.name);
    for (const r of a.rules) {
      const to = r.requires.application;
      names.add(to);
      (requires.get(a.name) ?? requires.set(a.name, new Set()).get(a.name)!).add(to);
      const key = `${a.name}\0${to}`;
      const edge = edges.get(key) ?? { from: a.name, to, labels: [] };
      edge.labels.push(ruleText(a.name, r));
      edges.set(key, edge);
    }
  }
  const layer = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (n: string): number => {
    const known = layer.get(n);
    if (known !== undefined) return known;
    if (visiting.has(n)) return 0; // a cycle (validate reports it): break it here
    visiting.add(n);
    let d = 0;
    for (const r of requires.get(n) ?? []) d = Math.max(d, depth(r) + 1);
    visiting.delete(n);
    layer.set(n, d);
    return d;
  };
  const columns: string[][] = [];
  for (const n of [...names].sort()) (columns[depth(n)] ??= []).push(n);
  const nodes: CompatNode[] = [];
  columns.forEach((col, l) =>
    col.forEach((id, i) =>
      nodes.push({
        id,
        layer: l,
        x: MARGIN + l * (NODE_WIDTH + COLUMN_GAP),
        y: MARGIN + i * (NODE_HEIGHT + ROW_GAP),
      }),
    ),
  );
  const tallest = Math.max(0, ...columns.map((c) => c.length));
  return {
    nodes,
    edges: [...edges.values()],
    width: MARGIN * 2 + Math.max(0, columns.length * (NODE_WIDTH + COLUMN_GAP) - COLUMN_GAP),
    height: MARGIN * 2 + Math.max(0, tallest * (NODE_HEIGHT + ROW_GAP) - ROW_GAP),
  };
}
