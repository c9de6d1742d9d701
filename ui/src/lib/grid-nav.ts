// Keyboard movement in the matrix grid: rows are the application items (the
// namespace headers are skipped), columns are 0 (the name) to the row's
// number of environments.

export interface GridPos {
  row: number;
  col: number;
}

export interface GridItem {
  kind: 'namespace' | 'row';
  environments: readonly string[];
}

/** The row `step` application rows away from `from` (negative: up), stopping at the first or last. */
export function nextRow(items: readonly GridItem[], from: number, step: number): number {
  let i = from;
  const dir = Math.sign(step);
  for (let n = 0; n < Math.abs(step); n++) {
    let j = i + dir;
    while (items[j] && items[j]!.kind !== 'row') j += dir;
    if (!items[j]) break;
    i = j;
  }
  return i;
}

/** Where a key moves the cursor; null when the key is not a grid movement. */
export function moveCursor(
  items: readonly GridItem[],
  at: GridPos,
  key: string,
  ctrl: boolean,
): GridPos | null {
  const cols = (r: number) => items[r]?.environments.length ?? 0;
  const col = (r: number, c: number) => Math.max(0, Math.min(c, cols(r)));
  const vertical = (r: number) => ({ row: r, col: col(r, at.col) });
  switch (key) {
    case 'ArrowDown':
      return vertical(nextRow(items, at.row, 1));
    case 'ArrowUp':
      return vertical(nextRow(items, at.row, -1));
    case 'PageDown':
      return vertical(nextRow(items, at.row, 10));
    case 'PageUp':
      return vertical(nextRow(items, at.row, -10));
    case 'ArrowRight':
      return { row: at.row, col: col(at.row, at.col + 1) };
    case 'ArrowLeft':
      return { row: at.row, col: col(at.row, at.col - 1) };
    case 'Home': {
      const r = ctrl ? nextRow(items, -1, 1) : at.row;
      return { row: r, col: 0 };
    }
    case 'End': {
      const r = ctrl ? nextRow(items, items.length, -1) : at.row;
      return { row: r, col: cols(r) };
    }
    default:
      return null;
  }
}
