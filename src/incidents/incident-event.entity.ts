import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { IncidentCategory } from './incident.entity';
import { IncidentStatus } from './incident-workflow';

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
registerEnumType(IncidentEventType, { name: 'IncidentEventType', description: 'What happened to an incident' });

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
