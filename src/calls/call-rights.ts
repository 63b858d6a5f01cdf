import { Role, Viewer } from '../auth/viewer';
import { HandlingLevel, IncidentStatus } from '../incidents/incident-workflow';
import { isWithin } from '../shared/region-code';
import { CallStatus } from './department-call.entity';

/**
 * Who may take which step of a call (乡呼县应), and in which order, as pure functions of the viewer and the call:
 *
 * - **call** (`callDepartment`) and **rate** (`rateCall`): a town command centre — a `COMMAND_CENTER` token whose
 *   region is a town (9 digits) and that is no department's seat — on a case whose grid lies in its town. A call is
 *   placed on a case the town handles (level TOWN) while it is open (ACCEPTED, DISPATCHED or IN_PROGRESS); it is
 *   rated by the town it is in (any seat of that town's command centre), once, after the answer.
 * - **acknowledge** and **answer** (`acknowledgeCall`, `answerCall`): the seat of the called department — a
 *   `COMMAND_CENTER` token whose `department` claim is the called department and whose region is the case's county
 *   or wider (a city-wide company such as 乌海市热力公司 may hold a city token).
 * - `ADMIN`, `ANALYST`, `GRID_WORKER` and `DEPARTMENT` tokens read calls in their scope and take no step.
 */

/** A step after the call is placed. */
export enum CallAction {
  ACKNOWLEDGE = 'ACKNOWLEDGE',
  ANSWER = 'ANSWER',
  RATE = 'RATE',
}

/** Each step: the status it needs, the status it leaves, and the mutation that takes it. */
export const CALL_STEPS: Readonly<Record<CallAction, { from: CallStatus; to: CallStatus; mutation: string }>> = {
  ACKNOWLEDGE: { from: CallStatus.CALLED, to: CallStatus.ACKNOWLEDGED, mutation: 'acknowledgeCall' },
  ANSWER: { from: CallStatus.ACKNOWLEDGED, to: CallStatus.ANSWERED, mutation: 'answerCall' },
  RATE: { from: CallStatus.ANSWERED, to: CallStatus.RATED, mutation: 'rateCall' },
};

/** Incident states in which a town may call: accepted as a case and not yet resolved. */
export const CALLABLE_STATUSES: readonly IncidentStatus[] = [IncidentStatus.ACCEPTED, IncidentStatus.DISPATCHED, IncidentStatus.IN_PROGRESS];

/** The status after `action` on a call in `status`, or null when the action is not allowed there. */
export function callStepFrom(status: CallStatus, action: CallAction): CallStatus | null {
  const step = CALL_STEPS[action];
  return step.from === status ? step.to : null;
}

/** The mutations allowed on a call in `status` (at most one: the steps are a line). */
export function allowedCallMutations(status: CallStatus): string[] {
  return Object.values(CALL_STEPS)
    .filter((step) => step.from === status)
    .map((step) => step.mutation);
}

const TOWN_CODE_LENGTH = 9;
const COUNTY_CODE_LENGTH = 6;

/** Why `viewer` may not act as the town command centre of the case in `gridCode` (call, rate), or null when it may. */
export function townRefusal(viewer: Viewer, gridCode: string): string | null {
  if (!viewer.has(Role.COMMAND_CENTER)) {
    return `only a town command centre (a COMMAND_CENTER token of a town) calls county departments and rates their answers; your token is ${[...viewer.roles].join(', ')}`;
  }
  if (viewer.department !== null) return `the seat of a department (${viewer.department}) answers calls; the town command centre places and rates them`;
  const region = viewer.regionCode;
  if (region === null || region.length !== TOWN_CODE_LENGTH) {
    return `a command centre of region ${region} is not a town's: only a town command centre (9-digit region) calls county departments and rates their answers`;
  }
  // A case outside the viewer's scope is not described (its grid, like the call, is nothing a query would show).
  if (!isWithin(gridCode, region)) return `the case lies outside your town ${region}`;
  return null;
}

/** Why `viewer` may not act as the seat of `department` for a case in `gridCode` (acknowledge, answer), or null. */
export function seatRefusal(viewer: Viewer, department: string, gridCode: string): string | null {
  const region = viewer.regionCode;
  // Scope first: a call outside it is not described (neither its case's grid nor the department called).
  if (region !== null && !isWithin(gridCode, region)) return `the case lies outside your region ${region}`;
  if (!viewer.has(Role.COMMAND_CENTER) || viewer.department === null) {
    return `only the seat of ${department} (a COMMAND_CENTER token with that department claim) acknowledges and answers this call`;
  }
  if (region === null || region.length > COUNTY_CODE_LENGTH) {
    return `the seat of a county department holds a county (or wider) region; yours is ${region}`;
  }
  if (viewer.department !== department) return `this call is to ${department}, not to ${viewer.department}`;
  return null;
}

/** Why a town may not call on a case at `level` in `status`: the level is a right (FORBIDDEN), the status a state. */
export function callLevelRefusal(level: HandlingLevel): string | null {
  return level === HandlingLevel.TOWN ? null : `the town calls on the cases it handles (TOWN level); this one is handled at ${level}`;
}

/**
 * Whether a step due at `due` is late at `now`: done after its deadline, or not done and the deadline has passed.
 * Computed when read, so no sweeper marks calls.
 */
export function isLate(doneAt: Date | null | undefined, due: Date, now: Date): boolean {
  return (doneAt ?? now).getTime() > due.getTime();
}
