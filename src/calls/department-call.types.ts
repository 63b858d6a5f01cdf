import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../shared/pagination';
import { IncidentEvent } from '../incidents/incident-event.entity';
import { Incident } from '../incidents/incident.entity';
import { CallStatus, DepartmentCall } from './department-call.entity';
import { TimelineStepKind } from './incident-timeline';

export { TimelineStepKind };
registerEnumType(TimelineStepKind, {
  name: 'TimelineStepKind',
  description: 'What a step of an incident timeline is: an incident event, or a step of a call (乡呼县应), which appends no event',
  valuesConfig: {
    EVENT: { description: 'An incident event (事件流水); see `event`' },
    CALL_PLACED: { description: 'A town called a county department (呼叫); see `call`' },
    CALL_ACKNOWLEDGED: { description: 'The called department acknowledged (响应)' },
    CALL_ANSWERED: { description: 'The called department reported back (反馈)' },
    CALL_RATED: { description: 'The town rated the answer (评价)' },
  },
});

@ObjectType({ description: 'One step of an incident timeline, with the time since the step before it' })
export class TimelineStep {
  @Field(() => TimelineStepKind)
  kind!: TimelineStepKind;

  @Field()
  at!: Date;

  @Field({ description: 'Who took the step (token subject or source system)' })
  actor!: string;

  @Field(() => String, { nullable: true, description: 'The event note, call note, report or rating comment' })
  note!: string | null;

  @Field(() => IncidentEvent, { nullable: true, description: 'The event, for EVENT steps' })
  event!: IncidentEvent | null;

  @Field(() => DepartmentCall, { nullable: true, description: 'The call, for CALL_* steps' })
  call!: DepartmentCall | null;

  @Field(() => Float, { nullable: true, description: 'Seconds since the step before (null for the first step)' })
  secondsSincePrevious!: number | null;

  @Field(() => Float, { description: 'Seconds since the first step' })
  secondsSinceFirst!: number;
}

@ObjectType({ description: 'An incident’s history (办理时间线): its events and its calls’ steps in time order, with durations' })
export class IncidentTimeline {
  @Field(() => Incident)
  incident!: Incident;

  @Field(() => [TimelineStep], { description: 'Oldest first; at the same time, events (by seq) before call steps' })
  steps!: TimelineStep[];

  @Field({ description: 'False when the incident has more events than the timeline shows (it shows the first 500)' })
  complete!: boolean;
}

@ObjectType({
  description:
    'One department’s figures for the county’s assessment of its departments (部门考核), over the dispatches (派遣) and calls ' +
    '(乡呼县应) it received in the window, each followed to now. Dispatches and calls are pooled: each is one item. A dispatch is ' +
    'the one that stands for a case — its first DISPATCHED event after its last escalation — credited to the department the case ' +
    'is dispatched to now (`Incident.department`)',
})
export class DepartmentScore {
  @Field({ description: 'The department, as the responsibility list names it' })
  department!: string;

  @Field(() => Int, { description: 'Items received in the window: dispatched + called' })
  received!: number;

  @Field(() => Int, { description: 'Cases dispatched to it in the window (the dispatch that stands)' })
  dispatched!: number;

  @Field(() => Int, { description: 'Calls placed on it in the window' })
  called!: number;

  @Field(() => Int, {
    description: 'Items acknowledged (by now): a dispatch by its first STARTED event after the dispatch, a call by acknowledgeCall',
  })
  acknowledged!: number;

  @Field(() => Int, {
    description:
      'Items acknowledged at or before their acknowledgement deadline: a call’s acknowledgeDueAt; a dispatch’s time plus the ' +
      'configured acknowledgement time (GRIDHUB_CALL_ACK_MINUTES)',
  })
  acknowledgedOnTime!: number;

  @Field(() => Int, {
    description: 'Items resolved (by now): a dispatched case RESOLVED or CLOSED now (at its last RESOLVED event), a call answered',
  })
  resolved!: number;

  @Field(() => Int, {
    description:
      'Items resolved at or before their deadline: the case’s due time (Incident.dueAt: that of the dispatch, or of its last return ' +
      'after a failed verification; none: not late), a call’s answerDueAt',
  })
  resolvedOnTime!: number;

  @Field(() => Int, { description: 'Dispatched cases returned after a failed verification at least once (a VERIFIED event after the dispatch)' })
  returned!: number;

  @Field(() => Float, { nullable: true, description: 'Mean seconds from received to acknowledged, over acknowledged items (null: none)' })
  meanSecondsToAcknowledge!: number | null;

  @Field(() => Float, { nullable: true, description: 'Mean seconds from received to resolved, over resolved items (null: none)' })
  meanSecondsToResolve!: number | null;

  @Field(() => Int, { description: 'Items rated: dispatched cases with a satisfaction (rateIncident), calls rated by the town (rateCall)' })
  ratings!: number;

  @Field(() => Float, { nullable: true, description: 'Mean satisfaction (1–5) over the rated items (null: none)' })
  meanSatisfaction!: number | null;
}

@InputType({ description: 'Filters for calls (乡呼县应); all given conditions must hold' })
export class DepartmentCallFilter {
  @Field(() => String, { nullable: true, description: 'Region or grid code: calls on cases whose grid lies under it' })
  regionCode?: string | null;

  @Field(() => String, { nullable: true, description: 'The called department, e.g. 海勃湾区住房和城乡建设局 (a seat: its own)' })
  department?: string | null;

  @Field(() => [CallStatus], { nullable: true, description: 'e.g. [CALLED, ACKNOWLEDGED]: the calls still to answer' })
  statuses?: CallStatus[] | null;

  @Field(() => ID, { nullable: true, description: 'The calls on one case' })
  incidentId?: string | null;
}

export const DepartmentCallConnection = ConnectionType('DepartmentCall', DepartmentCall);
export type DepartmentCallConnection = InstanceType<typeof DepartmentCallConnection>;
