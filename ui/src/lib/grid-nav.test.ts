import { moveCursor, nextRow, type GridItem } from './grid-nav.js';

const ns = (n: number): GridItem => ({ kind: 'namespace', environments: Array(n).fill('e') });
const row = (n: number): GridItem => ({ kind: 'row', environments: Array(n).fill('e') });
// [ns a] r1 r2 [ns b] r4(2 envs) [ns c (empty)]
const items = [ns(3), row(3), row(3), ns(2), row(2), ns(1)];

describe('grid navigation', () => {
  it('skips namespace headers and stops at the first and last application', () => {
    expect(nextRow(items, 2, 1)).toBe(4);
    expect(nextRow(items, 4, -1)).toBe(2);
    expect(nextRow(items, 4, 1)).toBe(4);
    expect(nextRow(items, 1, -1)).toBe(1);
    expect(nextRow(items, 1, 10)).toBe(4);
    expect(nextRow(items, -1, 1)).toBe(1);
  });

  it('moves by arrows, clamping the column to the row it lands on', () => {
    expect(moveCursor(items, { row: 1, col: 3 }, 'ArrowDown', false)).toEqual({ row: 2, col: 3 });
    expect(moveCursor(items, { row: 2, col: 3 }, 'ArrowDown', false)).toEqual({ row: 4, col: 2 });
    expect(moveCursor(items, { row: 1, col: 3 }, 'ArrowRight', false)).toEqual({ row: 1, col: 3 });
    expect(moveCursor(items, { row: 1, col: 0 }, 'ArrowLeft', false)).toEqual({ row: 1, col: 0 });
    expect(moveCursor(items, { row: 1, col: 1 }, 'ArrowRight', false)).toEqual({ row: 1, col: 2 });
  });

  it('Home/End go to the row ends, with Ctrl to the first/last application', () => {
    expect(moveCursor(items, { row: 2, col: 2 }, 'Home', false)).toEqual({ row: 2, col: 0 });
    expect(moveCursor(items, { row: 2, col: 0 }, 'End', false)).toEqual({ row: 2, col: 3 });
    expect(moveCursor(items, { row: 1, col: 1 }, 'End', true)).toEqual({ row: 4, col: 2 });
    expect(moveCursor(items, { row: 4, col: 1 }, 'Home', true)).toEqual({ row: 1, col: 0 });
    expect(moveCursor(items, { row: 1, col: 1 }, 'PageDown', false)).toEqual({ row: 4, col: 1 });
  });

  it('ignores other keys', () => {
    expect(moveCursor(items, { row: 1, col: 1 }, 'a', false)).toBeNull();
    expect(moveCursor(items, { row: 1, col: 1 }, 'Enter', false)).toBeNull();
  });
});
