import { registerEnumType } from 'type-graphql';

/**
 * The incident closed loop (design §4) as pure data: states, actions, event types, handling levels, and the table
 * of which action appends which event between which states. No I/O; the workflow service checks rights and
 * versions around it.
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

/**
 * What happened to an incident: the `type` of an incident event. Which action appends which type is the table
 * {@link INCIDENT_EVENTS}; the schema descriptions are in incident-event.entity.ts.
 */
export enum IncidentEventType {
  CREATED = 'CREATED',
  UPDATED = 'UPDATED',
  ACCEPTED = 'ACCEPTED',
  REJECTED = 'REJECTED',
  DISPATCHED = 'DISPATCHED',
  STARTED = 'STARTED',
  RESOLVED = 'RESOLVED',
  VERIFIED = 'VERIFIED',
  CLOSED = 'CLOSED',
  ESCALATED = 'ESCALATED',
  RATED = 'RATED',
  OVERDUE = 'OVERDUE',
  MERGED = 'MERGED',
}

/** Everything that happens to an incident: the workflow actions, and what ingestion and the system do to it. */
export enum IncidentAction {
  /** A source system or grid worker reports it (it did not exist before). */
  REPORT = 'REPORT',
  ACCEPT = 'ACCEPT',
  REJECT = 'REJECT',
  DISPATCH = 'DISPATCH',
  START = 'START',
  RESOLVE = 'RESOLVE',
  VERIFY_PASSED = 'VERIFY_PASSED',
  VERIFY_FAILED = 'VERIFY_FAILED',
  ESCALATE = 'ESCALATE',
  RATE = 'RATE',
  /** Ingestion of a changed incident from its source system. */
  UPDATE = 'UPDATE',
  /** The sweeper finds it past its due time. */
  MARK_OVERDUE = 'MARK_OVERDUE',
  /** A duplicate is merged into it (it is the surviving incident). */
  MERGE = 'MERGE',
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

const { REPORTED, ACCEPTED, DISPATCHED, IN_PROGRESS, RESOLVED, CLOSED, REJECTED } = IncidentStatus;
const ALL_STATUSES = Object.values(IncidentStatus);
const OPEN_STATUSES = [REPORTED, ACCEPTED, DISPATCHED, IN_PROGRESS];
const unchanged = (statuses: readonly IncidentStatus[]) => statuses.map((status) => [status, status] as const);

/** One row of {@link INCIDENT_EVENTS}. */
export interface IncidentEventRule {
  /** The one event the action appends. */
  event: IncidentEventType;
  /** State before (null: the incident does not exist yet) → state after; actions not listed are refused. */
  transitions: ReadonlyArray<readonly [IncidentStatus | null, IncidentStatus]>;
}

/**
 * The public contract between the workflow and the live updates (design §4): each action appends exactly one event,
 * of this type, moving the incident between these states. The state machine ({@link nextStatus}, {@link eventFor})
 * and the demo generator both read it.
 */
export const INCIDENT_EVENTS: Readonly<Record<IncidentAction, IncidentEventRule>> = {
  REPORT: { event: IncidentEventType.CREATED, transitions: [[null, REPORTED]] },
  ACCEPT: { event: IncidentEventType.ACCEPTED, transitions: [[REPORTED, ACCEPTED]] },
  REJECT: { event: IncidentEventType.REJECTED, transitions: [[REPORTED, REJECTED]] },
  DISPATCH: { event: IncidentEventType.DISPATCHED, transitions: [[ACCEPTED, DISPATCHED]] },
  START: { event: IncidentEventType.STARTED, transitions: [[DISPATCHED, IN_PROGRESS]] },
  RESOLVE: { event: IncidentEventType.RESOLVED, transitions: [[IN_PROGRESS, RESOLVED]] },
  // The verification that closes a case is its closing.
  VERIFY_PASSED: { event: IncidentEventType.CLOSED, transitions: [[RESOLVED, CLOSED]] },
  // Verification failed: back to the handler it was dispatched to.
  VERIFY_FAILED: { event: IncidentEventType.VERIFIED, transitions: [[RESOLVED, DISPATCHED]] },
  // Escalation hands an open case to the next level up, which accepts it afresh.
  ESCALATE: { event: IncidentEventType.ESCALATED, transitions: OPEN_STATUSES.map((status) => [status, ACCEPTED] as const) },
  // Rating records satisfaction and leaves the state as it is.
  RATE: { event: IncidentEventType.RATED, transitions: unchanged([RESOLVED, CLOSED]) },
  // The source's changed data; the state stays unless the source says otherwise (the caller passes that on).
  UPDATE: { event: IncidentEventType.UPDATED, transitions: unchanged(ALL_STATUSES) },
  // A due time is set at dispatch (and cleared by escalation), so only a dispatched or started case can be overdue.
  MARK_OVERDUE: { event: IncidentEventType.OVERDUE, transitions: unchanged([DISPATCHED, IN_PROGRESS]) },
  // Appended to the surviving incident, whose state stays.
  MERGE: { event: IncidentEventType.MERGED, transitions: unchanged(ALL_STATUSES) },
};

const NEXT = new Map(
  Object.entries(INCIDENT_EVENTS).map(([action, rule]) => [action as IncidentAction, new Map(rule.transitions)] as const),
);

/** The state after `action` in `status` (null: not created yet), or null when the action is not allowed there. */
export function nextStatus(status: IncidentStatus | null, action: IncidentAction): IncidentStatus | null {
  return NEXT.get(action)!.get(status) ?? null;
}

/** What an incident event records of a step: its type and the states before and after. */
export interface IncidentStep {
  type: IncidentEventType;
  fromStatus: IncidentStatus | null;
  toStatus: IncidentStatus;
}

/** The event `action` appends in `status` (null: not created yet), or null when the action is not allowed there. */
export function eventFor(status: IncidentStatus | null, action: IncidentAction): IncidentStep | null {
  const toStatus = nextStatus(status, action);
  return toStatus === null ? null : { type: INCIDENT_EVENTS[action].event, fromStatus: status, toStatus };
}

const LEVELS = [HandlingLevel.GRID, HandlingLevel.COMMUNITY, HandlingLevel.TOWN, HandlingLevel.COUNTY];

/** The level above `level`, or null at the top (county). */
export function levelAbove(level: HandlingLevel): HandlingLevel | null {
  return LEVELS[LEVELS.indexOf(level) + 1] ?? null;
}
