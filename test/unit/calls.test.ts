import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { WorkSums } from '../../src/access/scope';
import { Role, Viewer } from '../../src/auth/viewer';
import {
  allowedCallMutations,
  CallAction,
  callLevelRefusal,
  callStepFrom,
  isLate,
  seatRefusal,
  townRefusal,
} from '../../src/calls/call-rights';
import { CallStatus, DepartmentCall } from '../../src/calls/department-call.entity';
import { scoreDepartments } from '../../src/calls/department-scorecard';
import { timelineSteps, TimelineStepKind } from '../../src/calls/incident-timeline';
import { IncidentEvent } from '../../src/incidents/incident-event.entity';
import { HandlingLevel } from '../../src/incidents/incident-workflow';
import { loadConfig } from '../../src/config';

const viewer = (roles: Role[], region: string | null, department: string | null = null) => new Viewer('someone', new Set(roles), region, null, department);
const GRID = '150302001001001';
const HOUSING = '海勃湾区住房和城乡建设局';

describe('call steps', () => {
  it('go CALLED → ACKNOWLEDGED → ANSWERED → RATED, one at a time', () => {
    expect(callStepFrom(CallStatus.CALLED, CallAction.ACKNOWLEDGE)).toBe(CallStatus.ACKNOWLEDGED);
    expect(callStepFrom(CallStatus.ACKNOWLEDGED, CallAction.ANSWER)).toBe(CallStatus.ANSWERED);
    expect(callStepFrom(CallStatus.ANSWERED, CallAction.RATE)).toBe(CallStatus.RATED);
    expect(callStepFrom(CallStatus.CALLED, CallAction.ANSWER)).toBeNull();
    expect(callStepFrom(CallStatus.CALLED, CallAction.RATE)).toBeNull();
    expect(callStepFrom(CallStatus.ACKNOWLEDGED, CallAction.ACKNOWLEDGE)).toBeNull();
    expect(callStepFrom(CallStatus.RATED, CallAction.RATE)).toBeNull();
    expect(allowedCallMutations(CallStatus.CALLED)).toEqual(['acknowledgeCall']);
    expect(allowedCallMutations(CallStatus.RATED)).toEqual([]);
  });

  it('are late when done after the deadline, or not done and past it', () => {
    const due = new Date('2031-01-01T00:30:00Z');
    expect(isLate(new Date('2031-01-01T00:30:00Z'), due, new Date('2031-02-01T00:00:00Z'))).toBe(false);
    expect(isLate(new Date('2031-01-01T00:30:01Z'), due, new Date('2031-01-01T00:00:00Z'))).toBe(true);
    expect(isLate(null, due, new Date('2031-01-01T00:29:00Z'))).toBe(false);
    expect(isLate(null, due, new Date('2031-01-01T00:31:00Z'))).toBe(true);
  });
});

describe('call rights', () => {
  it('a town command centre calls and rates in its own town only', () => {
    expect(townRefusal(viewer([Role.COMMAND_CENTER], '150302001'), GRID)).toBeNull();
    expect(townRefusal(viewer([Role.COMMAND_CENTER], '150302002'), GRID)).toContain('outside your town');
    expect(townRefusal(viewer([Role.COMMAND_CENTER], '150302'), GRID)).toContain('not a town');
    expect(townRefusal(viewer([Role.COMMAND_CENTER], '150302001001'), GRID)).toContain('not a town');
    expect(townRefusal(viewer([Role.COMMAND_CENTER], '150302001', HOUSING), GRID)).toContain('seat of a department');
    expect(townRefusal(viewer([Role.ADMIN], null), GRID)).toContain('only a town command centre');
    expect(townRefusal(viewer([Role.ANALYST, Role.GRID_WORKER], '150302001'), GRID)).toContain('only a town command centre');
    expect(callLevelRefusal(HandlingLevel.TOWN)).toBeNull();
    expect(callLevelRefusal(HandlingLevel.COUNTY)).toContain('COUNTY');
  });

  it('the called department’s seat of the county or wider acknowledges and answers', () => {
    expect(seatRefusal(viewer([Role.COMMAND_CENTER], '150302', HOUSING), HOUSING, GRID)).toBeNull();
    expect(seatRefusal(viewer([Role.COMMAND_CENTER], '1503', HOUSING), HOUSING, GRID)).toBeNull();
    expect(seatRefusal(viewer([Role.COMMAND_CENTER], '150303', HOUSING), HOUSING, GRID)).toContain('outside your region 150303');
    expect(seatRefusal(viewer([Role.COMMAND_CENTER], '150302001', HOUSING), HOUSING, GRID)).toContain('county (or wider)');
    expect(seatRefusal(viewer([Role.COMMAND_CENTER], '150302', '海勃湾区民政局'), HOUSING, GRID)).toContain('not to 海勃湾区民政局');
    expect(seatRefusal(viewer([Role.COMMAND_CENTER], '150302'), HOUSING, GRID)).toContain('only the seat of');
    expect(seatRefusal(viewer([Role.ADMIN], null), HOUSING, GRID)).toContain('only the seat of');
  });

  it('never names the grid of a case outside the viewer’s scope', () => {
    expect(townRefusal(viewer([Role.COMMAND_CENTER], '150302002'), GRID)).not.toContain(GRID);
    expect(seatRefusal(viewer([Role.COMMAND_CENTER], '150303', HOUSING), HOUSING, GRID)).not.toContain(GRID);
  });
});

describe('scorecard figures from the sums per department and kind', () => {
  const sums = (fields: Partial<WorkSums>): WorkSums => ({
    department: 'A', kind: 'DISPATCH', received: 0, acknowledged: 0, acknowledgedOnTime: 0, acknowledgeSeconds: 0, resolved: 0,
    resolvedOnTime: 0, resolveSeconds: 0, returned: 0, ratings: 0, satisfactionSum: 0, ...fields,
  });

  it('pools dispatches and calls: counts add up, means are over every item that has the value', () => {
    const figures = scoreDepartments([
      // B first in the input, second in the output (code-point order).
      sums({ department: 'B', received: 1, acknowledged: 1, acknowledgedOnTime: 1, acknowledgeSeconds: 1800, resolved: 1, resolvedOnTime: 1, resolveSeconds: 7200, ratings: 1, satisfactionSum: 5 }),
      // A: 2 dispatches (one acknowledged after 45 min, resolved after 200 min, returned, rated 2) …
      sums({ received: 2, acknowledged: 1, acknowledgeSeconds: 45 * 60, resolved: 1, resolveSeconds: 200 * 60, returned: 1, ratings: 1, satisfactionSum: 2 }),
      // … and 2 calls (acknowledged after 15 and 31 min, one on time; one answered after 300 min, on time; rated 4).
      sums({ kind: 'CALL', received: 2, acknowledged: 2, acknowledgedOnTime: 1, acknowledgeSeconds: (15 + 31) * 60, resolved: 1, resolvedOnTime: 1, resolveSeconds: 300 * 60, ratings: 1, satisfactionSum: 4 }),
    ]);
    expect(figures).toEqual([
      {
        department: 'A', received: 4, dispatched: 2, called: 2, acknowledged: 3, acknowledgedOnTime: 1, resolved: 2, resolvedOnTime: 1,
        returned: 1, meanSecondsToAcknowledge: ((45 + 15 + 31) * 60) / 3, meanSecondsToResolve: ((200 + 300) * 60) / 2, ratings: 2, meanSatisfaction: 3,
      },
      {
        department: 'B', received: 1, dispatched: 1, called: 0, acknowledged: 1, acknowledgedOnTime: 1, resolved: 1, resolvedOnTime: 1,
        returned: 0, meanSecondsToAcknowledge: 1800, meanSecondsToResolve: 7200, ratings: 1, meanSatisfaction: 5,
      },
    ]);
  });

  it('has no means without items to average, and no departments without items', () => {
    expect(scoreDepartments([])).toEqual([]);
    const [only] = scoreDepartments([sums({ received: 1 })]);
    expect(only).toMatchObject({ received: 1, acknowledged: 0, meanSecondsToAcknowledge: null, meanSecondsToResolve: null, meanSatisfaction: null });
  });
});

describe('timeline steps', () => {
  const t = (minutes: number) => new Date(Date.UTC(2031, 0, 1) + minutes * 60_000);
  const event = (seq: string, type: string, minutes: number) => ({ seq, type, at: t(minutes), actor: 'a', note: type }) as unknown as IncidentEvent;

  it('orders events and call steps by time, events first at the same time, with durations', () => {
    const call = {
      id: '7', calledAt: t(5), calledBy: 'town', note: 'help', acknowledgedAt: t(10), acknowledgedBy: 'seat', answeredAt: null, ratedAt: null,
    } as unknown as DepartmentCall;
    const steps = timelineSteps([event('1', 'CREATED', 0), event('2', 'ACCEPTED', 10), event('3', 'DISPATCHED', 20)], [call]);
    expect(steps.map((step) => [step.kind, step.secondsSincePrevious, step.secondsSinceFirst])).toEqual([
      [TimelineStepKind.EVENT, null, 0],
      [TimelineStepKind.CALL_PLACED, 300, 300],
      [TimelineStepKind.EVENT, 300, 600],
      [TimelineStepKind.CALL_ACKNOWLEDGED, 0, 600],
      [TimelineStepKind.EVENT, 600, 1200],
    ]);
    expect(steps[1]).toMatchObject({ actor: 'town', note: 'help', call, event: null });
    expect(timelineSteps([], [])).toEqual([]);
  });
});

describe('configuration', () => {
  it('gives a called department 30 minutes to acknowledge unless GRIDHUB_CALL_ACK_MINUTES says otherwise', () => {
    expect(loadConfig({}).callAcknowledgeMinutes).toBe(30);
    expect(loadConfig({ GRIDHUB_CALL_ACK_MINUTES: '120' }).callAcknowledgeMinutes).toBe(120);
    for (const bad of ['0', '-5', '1.5', '10081', 'soon']) expect(() => loadConfig({ GRIDHUB_CALL_ACK_MINUTES: bad })).toThrow('GRIDHUB_CALL_ACK_MINUTES');
  });
});
