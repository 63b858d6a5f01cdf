import { describe, expect, it } from '@jest/globals';
import {
  eventFor,
  HandlingLevel,
  INCIDENT_EVENTS,
  IncidentAction,
  IncidentEventType,
  IncidentStatus,
  levelAbove,
  nextStatus,
} from '../../src/incidents/incident-workflow';

describe('incident state machine', () => {
  it('walks the closed loop', () => {
    let status = IncidentStatus.REPORTED;
    for (const [action, expected] of [
      [IncidentAction.ACCEPT, IncidentStatus.ACCEPTED],
      [IncidentAction.DISPATCH, IncidentStatus.DISPATCHED],
      [IncidentAction.START, IncidentStatus.IN_PROGRESS],
      [IncidentAction.RESOLVE, IncidentStatus.RESOLVED],
      [IncidentAction.VERIFY_FAILED, IncidentStatus.DISPATCHED],
      [IncidentAction.START, IncidentStatus.IN_PROGRESS],
      [IncidentAction.RESOLVE, IncidentStatus.RESOLVED],
      [IncidentAction.VERIFY_PASSED, IncidentStatus.CLOSED],
    ] as const) {
      status = nextStatus(status, action)!;
      expect(status).toBe(expected);
    }
  });

  it('refuses actions out of order and on finished cases', () => {
    expect(nextStatus(IncidentStatus.REPORTED, IncidentAction.DISPATCH)).toBeNull();
    expect(nextStatus(IncidentStatus.CLOSED, IncidentAction.ESCALATE)).toBeNull();
    expect(nextStatus(IncidentStatus.REJECTED, IncidentAction.ACCEPT)).toBeNull();
    expect(nextStatus(IncidentStatus.IN_PROGRESS, IncidentAction.RATE)).toBeNull();
  });

  it('escalation returns an open case to ACCEPTED one level up', () => {
    expect(nextStatus(IncidentStatus.IN_PROGRESS, IncidentAction.ESCALATE)).toBe(IncidentStatus.ACCEPTED);
    expect(levelAbove(HandlingLevel.GRID)).toBe(HandlingLevel.COMMUNITY);
    expect(levelAbove(HandlingLevel.TOWN)).toBe(HandlingLevel.COUNTY);
    expect(levelAbove(HandlingLevel.COUNTY)).toBeNull();
  });
});

describe('incident event contract: each action appends exactly one event, named after it', () => {
  const S = IncidentStatus;
  it('maps every action to its event type', () => {
    const events = Object.fromEntries(Object.entries(INCIDENT_EVENTS).map(([action, rule]) => [action, rule.event]));
    expect(events).toEqual({
      REPORT: 'CREATED',
      ACCEPT: 'ACCEPTED',
      REJECT: 'REJECTED',
      DISPATCH: 'DISPATCHED',
      START: 'STARTED',
      RESOLVE: 'RESOLVED',
      VERIFY_PASSED: 'CLOSED',
      VERIFY_FAILED: 'VERIFIED',
      ESCALATE: 'ESCALATED',
      RATE: 'RATED',
      UPDATE: 'UPDATED',
      MARK_OVERDUE: 'OVERDUE',
      MERGE: 'MERGED',
    });
    // Every event type is emitted by exactly one action: none is dead, none ambiguous.
    expect(Object.values(events).sort()).toEqual(Object.values(IncidentEventType).sort());
  });

  it('records the states before and after of each step', () => {
    expect(eventFor(null, IncidentAction.REPORT)).toEqual({ type: 'CREATED', fromStatus: null, toStatus: S.REPORTED });
    expect(eventFor(S.REPORTED, IncidentAction.ACCEPT)).toEqual({ type: 'ACCEPTED', fromStatus: S.REPORTED, toStatus: S.ACCEPTED });
    expect(eventFor(S.REPORTED, IncidentAction.REJECT)).toEqual({ type: 'REJECTED', fromStatus: S.REPORTED, toStatus: S.REJECTED });
    expect(eventFor(S.ACCEPTED, IncidentAction.DISPATCH)).toEqual({ type: 'DISPATCHED', fromStatus: S.ACCEPTED, toStatus: S.DISPATCHED });
    expect(eventFor(S.DISPATCHED, IncidentAction.START)).toEqual({ type: 'STARTED', fromStatus: S.DISPATCHED, toStatus: S.IN_PROGRESS });
    expect(eventFor(S.IN_PROGRESS, IncidentAction.RESOLVE)).toEqual({ type: 'RESOLVED', fromStatus: S.IN_PROGRESS, toStatus: S.RESOLVED });
    expect(eventFor(S.RESOLVED, IncidentAction.VERIFY_PASSED)).toEqual({ type: 'CLOSED', fromStatus: S.RESOLVED, toStatus: S.CLOSED });
    expect(eventFor(S.RESOLVED, IncidentAction.VERIFY_FAILED)).toEqual({ type: 'VERIFIED', fromStatus: S.RESOLVED, toStatus: S.DISPATCHED });
    expect(eventFor(S.IN_PROGRESS, IncidentAction.ESCALATE)).toEqual({ type: 'ESCALATED', fromStatus: S.IN_PROGRESS, toStatus: S.ACCEPTED });
    expect(eventFor(S.CLOSED, IncidentAction.RATE)).toEqual({ type: 'RATED', fromStatus: S.CLOSED, toStatus: S.CLOSED });
    expect(eventFor(S.DISPATCHED, IncidentAction.MARK_OVERDUE)).toEqual({ type: 'OVERDUE', fromStatus: S.DISPATCHED, toStatus: S.DISPATCHED });
  });

  it('ingested updates and merges leave any status as it is; the sweeper only marks dispatched or started cases', () => {
    for (const status of Object.values(S)) {
      expect(eventFor(status, IncidentAction.UPDATE)).toEqual({ type: 'UPDATED', fromStatus: status, toStatus: status });
      expect(eventFor(status, IncidentAction.MERGE)).toEqual({ type: 'MERGED', fromStatus: status, toStatus: status });
      const overdue = eventFor(status, IncidentAction.MARK_OVERDUE);
      expect(overdue === null).toBe(status !== S.DISPATCHED && status !== S.IN_PROGRESS);
    }
  });

  it('refuses what the state machine refuses, and only REPORT creates', () => {
    expect(eventFor(S.CLOSED, IncidentAction.VERIFY_PASSED)).toBeNull();
    expect(eventFor(S.REPORTED, IncidentAction.REPORT)).toBeNull();
    for (const action of Object.values(IncidentAction)) {
      if (action !== IncidentAction.REPORT) expect(eventFor(null, action)).toBeNull();
      for (const status of Object.values(S)) {
        const event = eventFor(status, action);
        expect(event?.toStatus ?? null).toBe(nextStatus(status, action));
      }
    }
  });
});
