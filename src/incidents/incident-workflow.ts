import { registerEnumType } from 'type-graphql';

/**
 * The incident closed loop (design §4) as pure data: states, actions, handling levels and the transition table.
 * No I/O; the workflow service checks rights and versions around it.
 */

export enum IncidentStatus {
  REPORTED = 'REPORTED',
  ACCEPTED = 'ACCEPTED',
  DISPATCHED = 'DISPATCHED',
  IN_PROGRESS = 'IN_PROGRESS',
  RESOLVED = 'RESOLVED',
  CLOSED = 'CLOSED',
  REJECTED = 'REJECTED',
}
registerEnumType(IncidentStatus, {
  name: 'IncidentStatus',
  description: 'Workflow state of an incident (案件状态)',
  valuesConfig: {
    REPORTED: { description: 'Reported, awaiting acceptance (上报)' },
    ACCEPTED: { description: 'Accepted as a case (受理/立案)' },
    DISPATCHED: { description: 'Dispatched to a department and assignee (派遣)' },
    IN_PROGRESS: { description: 'Being handled (处置中)' },
    RESOLVED: { description: 'Handled, awaiting verification (处置完成)' },
    CLOSED: { description: 'Verified and closed (核查结案)' },
    REJECTED: { description: 'Not a case (不予受理)' },
  },
});

export enum IncidentAction {
  ACCEPT = 'ACCEPT',
  REJECT = 'REJECT',
  DISPATCH = 'DISPATCH',
  START = 'START',
  RESOLVE = 'RESOLVE',
  VERIFY_PASSED = 'VERIFY_PASSED',
  VERIFY_FAILED = 'VERIFY_FAILED',
  ESCALATE = 'ESCALATE',
  RATE = 'RATE',
}

/** Handling level: "small matters stay in the village, big ones go to the town". */
export enum HandlingLevel {
  GRID = 'GRID',
  COMMUNITY = 'COMMUNITY',
  TOWN = 'TOWN',
  COUNTY = 'COUNTY',
}
registerEnumType(HandlingLevel, {
  name: 'HandlingLevel',
  description: 'Level that handles an incident (处置层级)',
  valuesConfig: {
    GRID: { description: 'Grid (网格)' },
    COMMUNITY: { description: 'Community or village (社区/村)' },
    TOWN: { description: 'Town or sub-district (镇/街道)' },
    COUNTY: { description: 'County or district (县/区)' },
  },
});

const TRANSITIONS: Record<IncidentAction, Partial<Record<IncidentStatus, IncidentStatus>>> = {
  ACCEPT: { REPORTED: IncidentStatus.ACCEPTED },
  REJECT: { REPORTED: IncidentStatus.REJECTED },
  DISPATCH: { ACCEPTED: IncidentStatus.DISPATCHED },
  START: { DISPATCHED: IncidentStatus.IN_PROGRESS },
  RESOLVE: { IN_PROGRESS: IncidentStatus.RESOLVED },
  VERIFY_PASSED: { RESOLVED: IncidentStatus.CLOSED },
  VERIFY_FAILED: { RESOLVED: IncidentStatus.DISPATCHED },
  // Escalation hands an open case to the next level up, which accepts it afresh.
  ESCALATE: {
    REPORTED: IncidentStatus.ACCEPTED,
    ACCEPTED: IncidentStatus.ACCEPTED,
    DISPATCHED: IncidentStatus.ACCEPTED,
    IN_PROGRESS: IncidentStatus.ACCEPTED,
  },
  // Rating records satisfaction and leaves the state as it is.
  RATE: { RESOLVED: IncidentStatus.RESOLVED, CLOSED: IncidentStatus.CLOSED },
};

/** The state after `action`, or null when the action is not allowed in `status`. */
export function nextStatus(status: IncidentStatus, action: IncidentAction): IncidentStatus | null {
  return TRANSITIONS[action][status] ?? null;
}

const LEVELS = [HandlingLevel.GRID, HandlingLevel.COMMUNITY, HandlingLevel.TOWN, HandlingLevel.COUNTY];

/** The level above `level`, or null at the top (county). */
export function levelAbove(level: HandlingLevel): HandlingLevel | null {
  return LEVELS[LEVELS.indexOf(level) + 1] ?? null;
}
