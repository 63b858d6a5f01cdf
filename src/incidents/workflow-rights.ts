import { Role, Viewer } from '../auth/viewer';
import { isWithin } from '../shared/region-code';
import { HandlingLevel, IncidentAction } from './incident-workflow';

/**
 * Who may run which workflow action on which case (design §4 and §6), as pure functions of the viewer and the
 * case. The rule, by role:
 *
 * - `ADMIN`: every action on every case in its region (no region: everywhere).
 * - `GRID_WORKER` (token region = its grid, 15 digits): every action on cases of its own grid handled at GRID level.
 * - `COMMAND_CENTER`: its region's length is its level — a community (12 digits), town (9) or county (6) command
 *   centre runs every action on cases handled at that level under its region. A city's or province's command
 *   centre supervises and handles no case itself.
 * - `COMMAND_CENTER` with a `department` claim: the seat of a handling department (处置部门). It starts and
 *   resolves the cases dispatched to that department under its region, at any level, and nothing else. The
 *   handling level's own actors (above) may also start and resolve on the department's behalf (a department
 *   without a seat reports by phone).
 * - `DEPARTMENT` (a department's data system) and `ANALYST`: no workflow action.
 *
 * Reporting creates the case at the reporter's level: a grid worker's grid, a command centre's own level (ADMIN:
 * GRID).
 */

/** The actions people run through the workflow mutations (the others are the system's). */
export const WORKFLOW_ACTIONS = [
  IncidentAction.REPORT,
  IncidentAction.ACCEPT,
  IncidentAction.REJECT,
  IncidentAction.DISPATCH,
  IncidentAction.START,
  IncidentAction.RESOLVE,
  IncidentAction.VERIFY_PASSED,
  IncidentAction.VERIFY_FAILED,
  IncidentAction.ESCALATE,
  IncidentAction.RATE,
] as const;
/** One of {@link WORKFLOW_ACTIONS}. */
export type WorkflowAction = (typeof WORKFLOW_ACTIONS)[number];

/** What a handling department's seat may do, on the cases dispatched to it. */
const DEPARTMENT_ACTIONS: ReadonlySet<IncidentAction> = new Set([IncidentAction.START, IncidentAction.RESOLVE]);

/** A case as the rights see it. */
export interface CaseRef {
  gridCode: string;
  level: HandlingLevel;
  /** The department it is dispatched to, if any. */
  department: string | null;
}

const LEVEL_OF_CODE_LENGTH: Readonly<Record<number, HandlingLevel>> = {
  6: HandlingLevel.COUNTY,
  9: HandlingLevel.TOWN,
  12: HandlingLevel.COMMUNITY,
};

/** The level a command centre of region `regionCode` handles cases at, or null (a city's or province's). */
export function commandCentreLevel(regionCode: string | null): HandlingLevel | null {
  return regionCode === null ? null : (LEVEL_OF_CODE_LENGTH[regionCode.length] ?? null);
}

/** Why `viewer` may not run `action` on `target`, or null when it may. */
export function workflowRefusal(viewer: Viewer, action: WorkflowAction, target: CaseRef): string | null {
  const reasons: string[] = [];
  for (const role of viewer.roles) {
    const reason = refusalAs(role, viewer, action, target);
    if (reason === null) return null;
    reasons.push(reason);
  }
  return reasons[0] ?? 'the token has no role';
}

function refusalAs(role: Role, viewer: Viewer, action: WorkflowAction, target: CaseRef): string | null {
  const region = viewer.regionCode;
  const outside = region !== null && !isWithin(target.gridCode, region);
  // A case outside the viewer's scope is not described (its grid is where it happened, which a query would not
  // show): only a report names the grid, which the reporter gave or placed by its coordinates.
  const reporting = action === IncidentAction.REPORT;
  const outsideReason = reporting ? `the case's grid ${target.gridCode} lies outside your region ${region}` : `the case lies outside your region ${region}`;
  switch (role) {
    case Role.ADMIN:
      return outside ? outsideReason : null;
    case Role.GRID_WORKER:
      if (region === null || region.length !== 15) return "a grid worker's token must name its grid (15 digits)";
      if (target.gridCode !== region) return `a grid worker acts in its own grid ${region} only; this case is in ${reporting ? `grid ${target.gridCode}` : 'another grid'}`;
      if (target.level !== HandlingLevel.GRID) return `a grid worker acts on cases handled at GRID level; this one is handled at ${target.level}`;
      return null;
    case Role.COMMAND_CENTER: {
      if (outside) return outsideReason;
      if (viewer.department !== null) {
        if (!DEPARTMENT_ACTIONS.has(action)) return `the seat of a department (${viewer.department}) may only start and resolve the cases dispatched to it`;
        if (target.department !== viewer.department) {
          return `this case is ${target.department === null ? 'not dispatched to a department' : `dispatched to ${target.department}`}, not to ${viewer.department}`;
        }
        return null;
      }
      const level = commandCentreLevel(region);
      if (level === null) return `a command centre of region ${region} handles no cases itself: cases are handled at community, town or county level`;
      if (target.level !== level) return `your token is a ${level} command centre; this case is handled at ${target.level}`;
      return null;
    }
    default:
      return `${role} tokens run no workflow action (ADMIN, COMMAND_CENTER and GRID_WORKER do)`;
  }
}

/**
 * The level a case reported by `viewer` in grid `gridCode` starts at, or the reason it may not report there:
 * a grid worker reports in its own grid (GRID), a command centre under its region at its own level, ADMIN
 * anywhere in its region (GRID).
 */
export function reportingLevel(viewer: Viewer, gridCode: string): { level: HandlingLevel } | { refusal: string } {
  const reasons: string[] = [];
  const ranked = [Role.ADMIN, Role.COMMAND_CENTER, Role.GRID_WORKER].filter((role) => viewer.has(role));
  for (const role of ranked) {
    const level = role === Role.COMMAND_CENTER ? commandCentreLevel(viewer.regionCode) : HandlingLevel.GRID;
    if (role === Role.COMMAND_CENTER && viewer.department !== null) {
      reasons.push(`the seat of a department (${viewer.department}) may only start and resolve the cases dispatched to it`);
      continue;
    }
    if (level === null) {
      reasons.push(`a command centre of region ${viewer.regionCode} handles no cases itself: cases are handled at community, town or county level`);
      continue;
    }
    const reason = refusalAs(role, viewer, IncidentAction.REPORT, { gridCode, level, department: null });
    if (reason === null) return { level };
    reasons.push(reason);
  }
  for (const role of viewer.roles) if (!ranked.includes(role)) reasons.push(refusalAs(role, viewer, IncidentAction.REPORT, { gridCode, level: HandlingLevel.GRID, department: null })!);
  return { refusal: reasons[0] ?? 'the token has no role' };
}
