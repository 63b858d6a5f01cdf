import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { IncidentCategory } from './incident.entity';
import { IncidentEventType, IncidentStatus } from './incident-workflow';

export { IncidentEventType };
registerEnumType(IncidentEventType, {
  name: 'IncidentEventType',
  description:
    'What happened to an incident (事件流水类型). Each workflow action appends exactly one event, named after it; ' +
    '`fromStatus`/`toStatus` are the states before and after',
  valuesConfig: {
    CREATED: { description: 'Reported and registered (上报登记): fromStatus null, toStatus REPORTED' },
    UPDATED: {
      description: 'Changed data ingested from its source system (信息更新); the status stays unless the source changes it',
    },
    ACCEPTED: { description: 'Accepted as a case (受理/立案): REPORTED → ACCEPTED' },
    REJECTED: { description: 'Not accepted as a case (不予受理): REPORTED → REJECTED' },
    DISPATCHED: { description: 'Dispatched to a department and assignee (派遣): ACCEPTED → DISPATCHED' },
    STARTED: { description: 'Handling started on site (处置): DISPATCHED → IN_PROGRESS' },
    RESOLVED: { description: 'Handled, with feedback, awaiting verification (处置完成/反馈): IN_PROGRESS → RESOLVED' },
    VERIFIED: {
      description:
        'Verification (核查) failed: RESOLVED → DISPATCHED, back to the handler. A passed verification is CLOSED',
    },
    CLOSED: { description: 'Verified and closed (办结/结案): RESOLVED → CLOSED' },
    ESCALATED: {
      description: 'Escalated to the next handling level (上报/升级), which accepts it afresh: an open status → ACCEPTED',
    },
    RATED: { description: 'Satisfaction rated (评价), after RESOLVED or CLOSED; the status stays' },
    OVERDUE: { description: 'Past its due time while DISPATCHED or IN_PROGRESS (超期), found by the sweeper; the status stays' },
    MERGED: { description: 'A duplicate was merged into this incident, the surviving one (合并); the status stays' },
  },
});

/**
 * Incident event: one entry of the durable, append-only log behind live updates. `seq` increases monotonically
 * across all incidents; the grid code and category are copied so subscribers can filter without a join.
 */
@ObjectType({ description: 'Incident event (事件流水): one entry of the append-only log, ordered by seq' })
@Entity({ tableName: 'incident_event' })
@Index({ properties: ['incidentId', 'seq'] })
@Index({ properties: ['gridCode', 'seq'] })
export class IncidentEvent {
  @Field(() => ID, { description: 'Position in the log; increases monotonically' })
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  seq!: string;

  @Field(() => ID)
  @Property({ type: 'bigint' })
  incidentId!: string;

  @Field()
  @Property({ type: 'string', length: 15 })
  gridCode!: string;

  @Field(() => IncidentCategory)
  @Enum({ items: () => IncidentCategory })
  category!: IncidentCategory;

  @Field(() => IncidentEventType)
  @Enum({ items: () => IncidentEventType })
  type!: IncidentEventType;

  @Field({ description: 'Who did it (subject of the token, or the source system)' })
  @Property({ type: 'text' })
  actor!: string;

  @Property({ type: 'text', nullable: true })
  note?: string | null;

  @Field(() => IncidentStatus, { nullable: true })
  @Enum({ items: () => IncidentStatus, nullable: true })
  fromStatus?: IncidentStatus | null;

  @Field(() => IncidentStatus)
  @Enum({ items: () => IncidentStatus })
  toStatus!: IncidentStatus;

  @Field()
  @Property({ type: 'Date', columnType: 'timestamptz' })
  at: Date = new Date();
}
