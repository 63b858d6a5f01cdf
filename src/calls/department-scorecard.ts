import { CallWorkRow, DispatchWorkRow } from '../access/scope';

/**
 * The department scorecard (考核) as pure functions: rows of dispatches and calls in, figures per department out.
 * The definitions are the schema's (`DepartmentScore`) and the README's; the rows come from
 * `ScopedReader.departmentWork`.
 *
 * A department's work is made of items, each counted once: every dispatch of a case to it (派遣) and every call
 * of a town on it (乡呼县应). For each item:
 * - **received**: when it was dispatched or called (the window selects items by this time);
 * - **acknowledged**: a dispatch when the department started handling it (its first STARTED event after the
 *   dispatch), a call when the department acknowledged it (`acknowledgeCall`); **on time** when at or before its
 *   acknowledgement deadline — a call's `acknowledgeDueAt`, a dispatch's dispatch time plus the same configured
 *   acknowledgement time;
 * - **resolved**: a dispatch when the case is RESOLVED or CLOSED now (at its last RESOLVED event), a call when
 *   answered (`answerCall`); **on time** when at or before its deadline — the case's due time (`dueAt`: that of the
 *   dispatch, or of the last return after a failed verification), a call's `answerDueAt`; a dispatch without a
 *   due time cannot be late;
 * - **returned**: a dispatch whose resolution failed verification at least once (a VERIFIED event after it);
 * - **satisfaction**: a dispatch's case rating (`rateIncident`), a call's rating by the town (`rateCall`).
 */

/** One dispatch or call, as the figures see it. */
export interface WorkItem {
  department: string;
  kind: 'DISPATCH' | 'CALL';
  receivedAt: Date;
  acknowledgeDueAt: Date;
  acknowledgedAt: Date | null;
  /** Null: no deadline (a dispatch without a due time), so not late. */
  resolveDueAt: Date | null;
  resolvedAt: Date | null;
  returned: boolean;
  satisfaction: number | null;
}

/** A department's figures; the schema's `DepartmentScore`. */
export interface DepartmentFigures {
  department: string;
  received: number;
  dispatched: number;
  called: number;
  acknowledged: number;
  acknowledgedOnTime: number;
  resolved: number;
  resolvedOnTime: number;
  returned: number;
  meanSecondsToAcknowledge: number | null;
  meanSecondsToResolve: number | null;
  ratings: number;
  meanSatisfaction: number | null;
}

/** The items of the rows: dispatches get the acknowledgement deadline `acknowledgeMinutes` after dispatch. */
export function workItems(dispatches: readonly DispatchWorkRow[], calls: readonly CallWorkRow[], acknowledgeMinutes: number): WorkItem[] {
  return [
    ...dispatches.map(
      (row): WorkItem => ({
        department: row.department,
        kind: 'DISPATCH',
        receivedAt: row.dispatchedAt,
        acknowledgeDueAt: new Date(row.dispatchedAt.getTime() + acknowledgeMinutes * 60_000),
        acknowledgedAt: row.startedAt,
        resolveDueAt: row.dueAt,
        resolvedAt: row.resolvedAt,
        returned: row.returns > 0,
        satisfaction: row.satisfaction,
      }),
    ),
    ...calls.map(
      (row): WorkItem => ({
        department: row.department,
        kind: 'CALL',
        receivedAt: row.calledAt,
        acknowledgeDueAt: row.acknowledgeDueAt,
        acknowledgedAt: row.acknowledgedAt,
        resolveDueAt: row.answerDueAt,
        resolvedAt: row.answeredAt,
        returned: false,
        satisfaction: row.satisfaction,
      }),
    ),
  ];
}

/** Figures per department, by department name (code-point order). */
export function scoreDepartments(items: readonly WorkItem[]): DepartmentFigures[] {
  const byDepartment = new Map<string, WorkItem[]>();
  for (const item of items) {
    const list = byDepartment.get(item.department) ?? [];
    list.push(item);
    byDepartment.set(item.department, list);
  }
  return [...byDepartment.keys()].sort(byCodePoint).map((department) => figuresOf(department, byDepartment.get(department)!));
}

function figuresOf(department: string, items: readonly WorkItem[]): DepartmentFigures {
  const acknowledged = items.filter((item) => item.acknowledgedAt !== null);
  const resolved = items.filter((item) => item.resolvedAt !== null);
  const rated = items.filter((item) => item.satisfaction !== null);
  return {
    department,
    received: items.length,
    dispatched: items.filter((item) => item.kind === 'DISPATCH').length,
    called: items.filter((item) => item.kind === 'CALL').length,
    acknowledged: acknowledged.length,
    acknowledgedOnTime: acknowledged.filter((item) => item.acknowledgedAt!.getTime() <= item.acknowledgeDueAt.getTime()).length,
    resolved: resolved.length,
    resolvedOnTime: resolved.filter((item) => item.resolveDueAt === null || item.resolvedAt!.getTime() <= item.resolveDueAt.getTime()).length,
    returned: items.filter((item) => item.returned).length,
    meanSecondsToAcknowledge: mean(acknowledged.map((item) => (item.acknowledgedAt!.getTime() - item.receivedAt.getTime()) / 1000)),
    meanSecondsToResolve: mean(resolved.map((item) => (item.resolvedAt!.getTime() - item.receivedAt.getTime()) / 1000)),
    ratings: rated.length,
    meanSatisfaction: mean(rated.map((item) => item.satisfaction!)),
  };
}

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length;
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
