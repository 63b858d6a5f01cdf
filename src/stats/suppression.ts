/*
 * Small-cell suppression (统计小格抑制) of grouped statistics, for viewers that see personal data masked: a group
 * small enough to single out a person is shown without its measures. Pure functions; no I/O.
 */

/** The default smallest group a viewer that sees personal data masked is shown (`GRIDHUB_STATS_MIN_CELL`). */
export const DEFAULT_STATS_MIN_CELL = 5;

/** One group of a grouped table: its key (one value per grouped dimension, in groupBy order) and its row count. */
export interface Cell {
  key: readonly unknown[];
  count: number;
}

/** Passes of complementary suppression before giving up and suppressing every cell (never reached in practice). */
const MAX_PASSES = 100;

/**
 * The cells a viewer that sees personal data masked may not see:
 *
 * 1. **primary**: every cell of 1 to `minCell - 1` rows;
 * 2. **complementary**: a suppressed cell must not be recoverable as a coarser total minus the visible cells of it.
 *    For every way of leaving out some of the grouped dimensions — the totals another query grouped by fewer
 *    dimensions answers, the overall total included — the cells that add up to one such total hold either no
 *    suppressed cell or at least two: where they hold exactly one, the smallest visible one of them (first in order
 *    among equals) is suppressed too. Repeated until nothing changes.
 *
 * This protects one answer and the coarser answers to the same filter. Differences between answers to different
 * filters (two report windows a minute apart) are not covered; nor are sums across several lines (a full audit
 * would need linear programming) — the README says so.
 * @returns the indices of the suppressed cells in `cells`.
 */
export function suppressedCells(cells: readonly Cell[], minCell: number): Set<number> {
  const suppressed = new Set<number>();
  cells.forEach((cell, i) => {
    if (cell.count > 0 && cell.count < minCell) suppressed.add(i);
  });
  if (suppressed.size === 0) return suppressed;
  const lines = linesOf(cells);
  for (let pass = 0; ; pass++) {
    if (pass === MAX_PASSES) return new Set(cells.map((_cell, i) => i));
    let changed = false;
    for (const line of lines) {
      let hidden = 0;
      let smallest = -1;
      for (const i of line) {
        if (suppressed.has(i)) hidden++;
        else if (smallest === -1 || cells[i].count < cells[smallest].count) smallest = i;
      }
      if (hidden === 1 && smallest !== -1) {
        suppressed.add(smallest);
        changed = true;
      }
    }
    if (!changed) return suppressed;
  }
}

/**
 * For every non-empty set of key positions left out, the cells that share the rest of their key (in cell order):
 * the cells that add up to one total of a coarser grouping. Lines of one cell are left out (their total is the cell).
 */
function linesOf(cells: readonly Cell[]): number[][] {
  const dimensions = cells[0]?.key.length ?? 0;
  const lines: number[][] = [];
  for (let dropped = 1; dropped < 2 ** dimensions; dropped++) {
    const kept = Array.from({ length: dimensions }, (_value, position) => position).filter((position) => !(dropped & (1 << position)));
    const byRest = new Map<string, number[]>();
    cells.forEach((cell, i) => {
      const rest = JSON.stringify(kept.map((position) => cell.key[position] ?? null));
      const line = byRest.get(rest);
      if (line) line.push(i);
      else byRest.set(rest, [i]);
    });
    for (const line of byRest.values()) if (line.length > 1) lines.push(line);
  }
  return lines;
}

/** Whether a mean over `averaged` rows may be shown to a viewer that sees personal data masked. */
export function meanShown(averaged: number, minCell: number): boolean {
  return averaged >= minCell;
}
