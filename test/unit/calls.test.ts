import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { CallWorkRow, DispatchWorkRow } from '../../src/access/scope';
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
import { scoreDepartments, WorkItem, workItems } from '../../src/calls/department-scorecard';
import { timelineSteps, TimelineStepKind } from '../../src/calls/incident-timeline';
import { IncidentEvent } from '../../src/incidents/incident-event.entity';
import { HandlingLevel } from '../../src/incidents/incident-workflow';

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
});

describe('scorecard figures from rows', () => {
  const t = (minutes: number) => new Date(Date.UTC(2031, 0, 1) + minutes * 60_000);
  const dispatch = (fields: Partial<DispatchWorkRow>): DispatchWorkRow => ({
    incidentId: '1', department: 'A', category: 'DISPUTE', severity: 'LOW', status: 'DISPATCHED', dispatchedAt: t(0), startedAt: null,
    resolvedAt: null, dueAt: null, returns: 0, satisfaction: null, ...fields,
  });
  const call = (fields: Partial<CallWorkRow>): CallWorkRow => ({
    incidentId: '1', department: 'A', calledAt: t(0), acknowledgeDueAt: t(30), acknowledgedAt: null, answerDueAt: t(600), answeredAt: null,
    satisfaction: null, ...fields,
  });

  it('turns a dispatch into an item with the acknowledgement deadline after the dispatch', () => {
    const [item] = workItems([dispatch({ dispatchedAt: t(10), startedAt: t(20), resolvedAt: t(100), dueAt: t(90), returns: 2, satisfaction: 3 })], [], 15);
    const expected: WorkItem = {
      department: 'A', kind: 'DISPATCH', receivedAt: t(10), acknowledgeDueAt: t(25), acknowledgedAt: t(20), resolveDueAt: t(90),
      resolvedAt: t(100), returned: true, satisfaction: 3,
    };
    expect(item).toEqual(expected);
  });

  it('pools dispatches and calls per department, by hand', () => {
    const figures = scoreDepartments(
      workItems(
        [
          // B: on time both ways (exactly on the acknowledgement deadline), 30 min and 120 min; rated 5.
          dispatch({ department: 'B', startedAt: t(30), resolvedAt: t(120), dueAt: t(120), satisfaction: 5 }),
          // A: acknowledged late (45 min), resolved late (200 min against 180), returned; rated 2.
          dispatch({ startedAt: t(45), resolvedAt: t(200), dueAt: t(180), returns: 1, satisfaction: 2 }),
          // A: not acknowledged yet.
          dispatch({}),
        ],
        [
          // A: acknowledged at 15 min (on time), answered at 300 (on time); rated 4.
          call({ acknowledgedAt: t(15), answeredAt: t(300), satisfaction: 4 }),
          // A: acknowledged at 31 min (late), not answered.
          call({ acknowledgedAt: t(31) }),
        ],
        30,
      ),
    );
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
    const [only] = scoreDepartments(workItems([dispatch({})], [], 30));
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
