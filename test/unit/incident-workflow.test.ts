import { describe, expect, it } from '@jest/globals';
import { HandlingLevel, IncidentAction, IncidentStatus, levelAbove, nextStatus } from '../../src/incidents/incident-workflow';

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
