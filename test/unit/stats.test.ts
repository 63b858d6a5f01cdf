import { describe, expect, it } from '@jest/globals';
import { GridhubError } from '../../src/shared/errors';
import { EntityKind } from '../../src/sources/source-system';
import { checkGroupBy, estimateStatsCost, INCIDENT_DIMENSIONS, IncidentStatsDimension, PERSON_DIMENSIONS } from '../../src/stats/stats-dimensions';
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

describe('groupBy', () => {
  const refusal = (groupBy: string[]) => {
    try {
      checkGroupBy(groupBy as IncidentStatsDimension[], INCIDENT_DIMENSIONS);
    } catch (error) {
      return { code: (error as GridhubError).extensions.code, field: (error as GridhubError).extensions.field, message: (error as Error).message };
    }
    return null;
  };

  it('takes each dimension once, one region level and one time bucket at most', () => {
    expect(refusal(['TOWN', 'STATUS', 'MONTH', 'SOURCE'])).toBeNull();
    expect(refusal([])).toBeNull();
    expect(refusal(['STATUS', 'STATUS'])).toMatchObject({ code: 'BAD_USER_INPUT', field: 'groupBy', message: expect.stringContaining('STATUS twice') });
    expect(refusal(['COUNTY', 'TOWN'])).toMatchObject({ code: 'BAD_USER_INPUT', field: 'groupBy', message: expect.stringContaining('COUNTY and TOWN') });
    expect(refusal(['DAY', 'MONTH'])).toMatchObject({ code: 'BAD_USER_INPUT', field: 'groupBy', message: expect.stringContaining('DAY and MONTH') });
  });

  it('groups people by region with the exact expressions the region-level indexes cover', () => {
    expect(PERSON_DIMENSIONS.COUNTY.sql).toBe('left(e.grid_code, 6)');
    expect(PERSON_DIMENSIONS.TOWN.sql).toBe('left(e.grid_code, 9)');
    expect(PERSON_DIMENSIONS.COMMUNITY.sql).toBe('left(e.grid_code, 12)');
    expect(PERSON_DIMENSIONS.GRID.sql).toBe('e.grid_code');
  });
});

describe('the cost of a stats field', () => {
  it('is a scan weight by the breadth of the region plus the estimated groups times what a group selects', () => {
    // A county by town and status: 1,000 + 8 towns × 8 statuses (7 and null) × 3.
    expect(estimateStatsCost(EntityKind.INCIDENT, { filter: { regionCode: '150302' }, groupBy: ['TOWN', 'STATUS'] }, 3, 10_000)).toBe(1_000 + 64 * 3);
    // The padded form is the same region; a town grouped by county is one group.
    expect(estimateStatsCost(EntityKind.INCIDENT, { filter: { regionCode: '150302001000' }, groupBy: ['COUNTY'] }, 3, 10_000)).toBe(200 + 3);
    // A city by grid: ~960 grids.
    expect(estimateStatsCost(EntityKind.PERSON, { filter: { regionCode: '1503' }, groupBy: ['GRID'] }, 4, 10_000)).toBe(5_000 + 960 * 4);
    // Everything by grid: 11,520 estimated, priced at the cap.
    expect(estimateStatsCost(EntityKind.INCIDENT, { groupBy: ['GRID'] }, 5, 10_000)).toBe(20_000 + 10_000 * 5);
    // A bad region code prices as no region (the resolver refuses it).
    expect(estimateStatsCost(EntityKind.INCIDENT, { filter: { regionCode: 'x' }, groupBy: [] }, 5, 10_000)).toBe(20_000 + 5);
  });

  it('counts the buckets of the filtered report window, a year’s when it is open', () => {
    const window = { regionCode: '150302', reportedFrom: new Date('2025-03-01T00:00:00+08:00'), reportedTo: new Date('2025-04-01T00:00:00+08:00') };
    expect(estimateStatsCost(EntityKind.INCIDENT, { filter: window, groupBy: ['DAY'] }, 1, 10_000)).toBe(1_000 + 32);
    expect(estimateStatsCost(EntityKind.INCIDENT, { filter: { regionCode: '150302' }, groupBy: ['WEEK'] }, 1, 10_000)).toBe(1_000 + 54);
  });
});
