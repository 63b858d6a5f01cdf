import { WorkSums } from '../access/scope';

/**
 * The department scorecard (考核): the definitions, and the pure step from the database's sums to the figures.
 * The schema (`DepartmentScore`) and the README give the same definitions; `ScopedReader.departmentWork` applies
 * them to each item and sums per department and kind, so that a county's year of cases never leaves the database
 * row by row.
 *
 * A department's work is made of items, each counted once: every dispatch of a case to it (派遣) and every call
 * of a town on it (乡呼县应). For each item:
 * - **received**: when it was dispatched or called (the window selects items by this time). The dispatch of a case
 *   is the one that stands — its first DISPATCHED event after its last ESCALATED event — credited to the department
 *   the case is dispatched to now (`Incident.department`); a dispatch that escalation undid counts for nobody;
 * - **acknowledged**: a dispatch when the department started handling it (its first STARTED event after the
 *   dispatch), a call when the department acknowledged it (`acknowledgeCall`); **on time** when at or before its
 *   acknowledgement deadline — a call's `acknowledgeDueAt`, a dispatch's time plus the configured acknowledgement
 *   time (`GRIDHUB_CALL_ACK_MINUTES`);
 * - **resolved**: a dispatch when the case is RESOLVED or CLOSED now (at its last RESOLVED event, the resolution
 *   that stands), a call when answered (`answerCall`); **on time** when at or before its deadline — the case's due
 *   time (`dueAt`: that of the dispatch, or of the last return after a failed verification), a call's
 *   `answerDueAt`; a dispatch without a due time cannot be late;
 * - **returned**: a dispatch whose resolution failed verification at least once (a VERIFIED event after it);
 * - **satisfaction**: a dispatch's case rating (`rateIncident`), a call's rating by the town (`rateCall`).
 * Dispatches and calls are pooled: counts add up, means are over all the items that have the value.
 */

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

/** Figures per department from the sums per department and kind, by department name (code-point order). */
export function scoreDepartments(sums: readonly WorkSums[]): DepartmentFigures[] {
  const byDepartment = new Map<string, WorkSums[]>();
  for (const row of sums) byDepartment.set(row.department, [...(byDepartment.get(row.department) ?? []), row]);
  return [...byDepartment.keys()].sort(byCodePoint).map((department) => {
    const rows = byDepartment.get(department)!;
    const total = (key: keyof Omit<WorkSums, 'department' | 'kind'>) => rows.reduce((sum, row) => sum + row[key], 0);
    const ofKind = (kind: WorkSums['kind']) => rows.filter((row) => row.kind === kind).reduce((sum, row) => sum + row.received, 0);
    return {
      department,
      received: total('received'),
      dispatched: ofKind('DISPATCH'),
      called: ofKind('CALL'),
      acknowledged: total('acknowledged'),
      acknowledgedOnTime: total('acknowledgedOnTime'),
      resolved: total('resolved'),
      resolvedOnTime: total('resolvedOnTime'),
      returned: total('returned'),
      meanSecondsToAcknowledge: mean(total('acknowledgeSeconds'), total('acknowledged')),
      meanSecondsToResolve: mean(total('resolveSeconds'), total('resolved')),
      ratings: total('ratings'),
      meanSatisfaction: mean(total('satisfactionSum'), total('ratings')),
    };
  });
}

function mean(sum: number, count: number): number | null {
  return count === 0 ? null : sum / count;
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
