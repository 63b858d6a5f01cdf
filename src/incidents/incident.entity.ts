import { Entity, Enum, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { FieldSource } from '../sources/lineage';
import { SourceSystem } from '../sources/source-system';
import { HandlingLevel, IncidentStatus } from './incident-workflow';

export enum IncidentCategory {
  DISPUTE = 'DISPUTE',
  SAFETY_HAZARD = 'SAFETY_HAZARD',
  CITY_MANAGEMENT = 'CITY_MANAGEMENT',
  PUBLIC_SERVICE_REQUEST = 'PUBLIC_SERVICE_REQUEST',
  PUBLIC_SECURITY = 'PUBLIC_SECURITY',
  ENVIRONMENT = 'ENVIRONMENT',
  OTHER = 'OTHER',
}
registerEnumType(IncidentCategory, {
  name: 'IncidentCategory',
  description: 'Incident category (事件大类)',
  valuesConfig: {
    DISPUTE: { description: 'Dispute (矛盾纠纷)' },
    SAFETY_HAZARD: { description: 'Safety hazard (安全隐患)' },
    CITY_MANAGEMENT: { description: 'City management (城市管理)' },
    PUBLIC_SERVICE_REQUEST: { description: 'Public service request (民生服务诉求)' },
    PUBLIC_SECURITY: { description: 'Public security (治安问题)' },
    ENVIRONMENT: { description: 'Environment (生态环境)' },
    OTHER: { description: 'Other (其他)' },
  },
});

export enum Severity {
  LOW = 'LOW',
  MEDIUM = 'MEDIUM',
  HIGH = 'HIGH',
  CRITICAL = 'CRITICAL',
}
registerEnumType(Severity, {
  name: 'Severity',
  description: 'Severity (紧急程度)',
  valuesConfig: {
    LOW: { description: 'Low (一般)' },
    MEDIUM: { description: 'Medium (较重)' },
    HIGH: { description: 'High (严重)' },
    CRITICAL: { description: 'Critical (特别严重)' },
  },
});

/** Incident (事): a case on one grid, moving through the closed loop. */
@ObjectType({ description: 'Incident (事件): a case on one grid, handled through the closed loop (闭环处置)' })
@Entity({ tableName: 'incident' })
@Index({ properties: ['gridCode', 'id'] })
@Index({ properties: ['status'] })
@Index({ properties: ['reportedAt', 'id'] })
@Unique({ properties: ['source', 'sourceKey'] })
export class Incident {
  @Field(() => ID)
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Field({ description: 'Case number (案件编号)' })
  @Unique()
  @Property({ type: 'text' })
  caseNumber!: string;

  @Property({ type: 'text' })
  title!: string;

  @Property({ type: 'text', nullable: true })
  description?: string | null;

  @Field(() => IncidentCategory)
  @Enum({ items: () => IncidentCategory })
  category!: IncidentCategory;

  @Field(() => String, { nullable: true, description: 'Sub-category (事件小类)' })
  @Property({ type: 'text', nullable: true })
  subCategory?: string | null;

  @Field(() => Severity)
  @Enum({ items: () => Severity })
  severity!: Severity;

  @Field(() => SourceSystem, { description: 'System that reported it' })
  @Enum({ items: () => SourceSystem })
  source!: SourceSystem;

  @Property({ type: 'text' })
  sourceKey!: string;

  @Field({ description: 'Code of the grid it happened in' })
  @Property({ type: 'string', length: 15 })
  gridCode!: string;

  @Field(() => String, { nullable: true, description: 'Address (事发地址)' })
  @Property({ type: 'text', nullable: true })
  address?: string | null;

  @Property({ type: 'double', nullable: true })
  lng?: number | null;

  @Property({ type: 'double', nullable: true })
  lat?: number | null;

  // A union with null defeats runtime type inference; without `runtimeType` MikroORM hydrates a JS bigint.
  @Property({ type: 'bigint', nullable: true, runtimeType: 'string' })
  placeId?: string | null;

  @Property({ type: 'bigint', nullable: true, runtimeType: 'string' })
  thingId?: string | null;

  @Field(() => IncidentStatus)
  @Enum({ items: () => IncidentStatus })
  status!: IncidentStatus;

  @Field(() => HandlingLevel, { description: 'Level currently handling it' })
  @Enum({ items: () => HandlingLevel })
  level: HandlingLevel = HandlingLevel.GRID;

  @Field(() => Int, { description: 'Optimistic-lock version; pass it as expectedVersion to workflow actions' })
  @Property({ type: 'integer', version: true })
  version: number = 1;

  @Field(() => String, { nullable: true, description: 'Department it is dispatched to (处置部门)' })
  @Property({ type: 'text', nullable: true })
  department?: string | null;

  @Field(() => String, { nullable: true, description: 'Assignee (处置人)' })
  @Property({ type: 'text', nullable: true })
  assignee?: string | null;

  @Field(() => Date, { nullable: true, description: 'Due time of the current step (处置时限)' })
  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  dueAt?: Date | null;

  @Field({ description: 'Past its due time while open (超期)' })
  @Property({ type: 'boolean' })
  overdue: boolean = false;

  @Property({ type: 'text', nullable: true })
  feedback?: string | null;

  /** Photos of the handled site the resolver sent (URLs); read through `resolutionPhotos`. */
  @Property({ type: 'json', nullable: true })
  photoUrls?: string[] | null;

  @Field(() => Int, { nullable: true, description: 'Satisfaction 1–5 (满意度)' })
  @Property({ type: 'smallint', nullable: true })
  satisfaction?: number | null;

  @Field({ description: 'When it was reported (上报时间)' })
  @Property({ type: 'Date', columnType: 'timestamptz' })
  reportedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When it was closed (结案时间)' })
  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  closedAt?: Date | null;

  /** Which source record gave each core field (`{ title: { source, sourceRecordId } }`); see `lineage`. */
  @Property({ type: 'json' })
  lineage: Record<string, FieldSource> = {};

  @Field()
  @Property({ type: 'Date', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Field()
  @Property({ type: 'Date', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
