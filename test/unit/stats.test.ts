import { describe, expect, it } from '@jest/globals';
import { Cell, meanShown, suppressedCells } from '../../src/stats/suppression';

const cells = (rows: Array<[unknown[], number]>): Cell[] => rows.map(([key, count]) => ({ key, count }));
const keysOf = (table: Cell[], hidden: Set<number>) => [...hidden].sort((a, b) => a - b).map((i) => table[i].key.join('/'));

describe('small-cell suppression', () => {
  it('hides nothing when every cell reaches the minimum, and never a cell of 0', () => {
    expect(suppressedCells(cells([[['a'], 5], [['b'], 9]]), 5).size).toBe(0);
    expect(suppressedCells(cells([[['a'], 0], [['b'], 9]]), 5).size).toBe(0);
    expect(suppressedCells([], 5).size).toBe(0);
  });

  it('hides each cell under the minimum; two of them protect each other against the total', () => {
    const table = cells([[['a'], 4], [['b'], 1], [['c'], 30]]);
    expect(keysOf(table, suppressedCells(table, 5))).toEqual(['a', 'b']);
  });

  it('hides the smallest other cell too when one alone would be the total minus the visible cells (first among equals)', () => {
    const table = cells([[['a'], 30], [['b'], 2], [['c'], 7], [['d'], 7]]);
    expect(keysOf(table, suppressedCells(table, 5))).toEqual(['b', 'c']);
  });

  it('protects every row and column total of a two-way table, and the grand total', () => {
    // Primary (A,x). Column x alone would give it away: (B,x), its smallest other cell, goes too; then rows A and B
    // each hold one hidden cell: (A,y) and (B,y). Every row, column and the table then hold 0 or at least 2.
    const table = cells([
      [['A', 'x'], 2], [['A', 'y'], 6], [['A', 'z'], 9],
      [['B', 'x'], 7], [['B', 'y'], 8], [['B', 'z'], 9],
      [['C', 'x'], 9], [['C', 'y'], 9], [['C', 'z'], 9],
    ]);
    expect(keysOf(table, suppressedCells(table, 5))).toEqual(['A/x', 'A/y', 'B/x', 'B/y']);
  });

  it('hides a whole 2×2 table with one small cell', () => {
    const table = cells([[['A', 'x'], 3], [['A', 'y'], 10], [['B', 'x'], 10], [['B', 'y'], 10]]);
    expect(suppressedCells(table, 5).size).toBe(4);
  });

  it('treats null as a key value of its own', () => {
    const table = cells([[['A', null], 3], [['A', 'x'], 3], [['B', null], 40]]);
    // (A,null) and (A,x) protect each other in row A; column null holds one hidden cell: (B,null) goes too.
    expect(keysOf(table, suppressedCells(table, 5))).toEqual(['A/', 'A/x', 'B/']);
  });

  it('shows a mean only over at least the minimum', () => {
    expect(meanShown(4, 5)).toBe(false);
    expect(meanShown(5, 5)).toBe(true);
  });
});
