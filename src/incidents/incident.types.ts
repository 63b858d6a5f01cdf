import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { Person } from '../people/person.entity';
import { GeoCircle } from '../shared/geo-circle';
import { ConnectionType, OrderDirection, OrderSpec } from '../shared/pagination';
import { SourceSystem } from '../sources/source-system';
import { IncidentPartyRole } from './incident-party.entity';
import { HandlingLevel, IncidentStatus } from './incident-workflow';
import { Incident, IncidentCategory, Severity } from './incident.entity';

@InputType({ description: 'Filters for incidents; all given conditions must hold, and AND, OR and NOT combine filters' })
export class IncidentFilter {
  @Field(() => String, { nullable: true, description: 'Region or grid code: incidents whose grid lies under it' })
  regionCode?: string | null;

  @Field(() => [IncidentStatus], { nullable: true })
  statuses?: IncidentStatus[] | null;

  @Field(() => [IncidentCategory], { nullable: true })
  categories?: IncidentCategory[] | null;

  @Field(() => [Severity], { nullable: true })
  severities?: Severity[] | null;

  @Field(() => [HandlingLevel], { nullable: true })
  levels?: HandlingLevel[] | null;

  @Field(() => Boolean, { nullable: true, description: 'Only overdue (true) or only not overdue (false)' })
  overdue?: boolean | null;

  @Field(() => Date, { nullable: true, description: 'Reported at or after' })
  reportedFrom?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Reported before' })
  reportedTo?: Date | null;

  @Field(() => SourceSystem, { nullable: true, description: 'Reported by or known to this source system' })
  source?: SourceSystem | null;

  @Field(() => ID, { nullable: true, description: 'Only incidents this person (in your scope) is involved in' })
  personId?: string | null;

  @Field(() => IncidentPartyRole, { nullable: true, description: 'With personId: only as this role' })
  personRole?: IncidentPartyRole | null;

  @Field(() => [String], { nullable: true, description: 'Of one of these sub-categories' })
  subCategories?: string[] | null;

  @Field(() => String, {
    nullable: true,
    description: 'Text search in the title and address: every word (run of letters and digits) is contained, e.g. 三丰 or 新华 12. Indexed.',
  })
  search?: string | null;

  @Field(() => GeoCircle, { nullable: true, description: 'Located within a radius of a point' })
  near?: GeoCircle | null;

  @Field(() => Date, { nullable: true, description: 'Closed at or after' })
  closedFrom?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Closed before' })
  closedTo?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Due at or after' })
  dueFrom?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Due before' })
  dueTo?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Last changed at or after' })
  updatedFrom?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Last changed before' })
  updatedTo?: Date | null;

  @Field(() => [IncidentFilter], { nullable: true, description: 'Every one of these filters holds' })
  AND?: IncidentFilter[] | null;

  @Field(() => [IncidentFilter], { nullable: true, description: 'At least one of these filters holds' })
  OR?: IncidentFilter[] | null;

  @Field(() => IncidentFilter, { nullable: true, description: 'This filter does not hold' })
  NOT?: IncidentFilter | null;
}

export enum IncidentOrderField {
  ID = 'ID',
  REPORTED_AT = 'REPORTED_AT',
  UPDATED_AT = 'UPDATED_AT',
  CASE_NUMBER = 'CASE_NUMBER',
}
registerEnumType(IncidentOrderField, { name: 'IncidentOrderField' });

export const INCIDENT_ORDERS: Record<IncidentOrderField, OrderSpec> = {
  ID: { property: 'id', column: 'e.id', kind: 'number' },
  REPORTED_AT: { property: 'reportedAt', column: 'e.reported_at', kind: 'date' },
  UPDATED_AT: { property: 'updatedAt', column: 'e.updated_at', kind: 'date' },
  CASE_NUMBER: { property: 'caseNumber', column: 'e.case_number', kind: 'string' },
};

@InputType()
export class IncidentOrder {
  @Field(() => IncidentOrderField)
  field!: IncidentOrderField;

  @Field(() => OrderDirection, { defaultValue: OrderDirection.ASC })
  direction: OrderDirection = OrderDirection.ASC;
}

export const IncidentConnection = ConnectionType('Incident', Incident);
export type IncidentConnection = InstanceType<typeof IncidentConnection>;

@ObjectType({ description: 'A person involved in an incident, and how' })
export class IncidentPartyLink {
  @Field(() => IncidentPartyRole)
  role!: IncidentPartyRole;

  @Field(() => Person)
  person!: Person;

  @Field({ description: 'Opaque cursor; pass as `after` to continue the list after this link' })
  cursor!: string;
}

@ObjectType({ description: 'An incident a person is involved in, and how' })
export class PersonIncidentLink {
  @Field(() => IncidentPartyRole)
  role!: IncidentPartyRole;

  @Field(() => Incident)
  incident!: Incident;

  @Field({ description: 'Opaque cursor; pass as `after` to continue the list after this link' })
  cursor!: string;
}

/** The entity properties each GraphQL field of the type reads (the lean list path loads only these). */
export const INCIDENT_FIELD_COLUMNS: Record<string, readonly string[]> = {
  id: [],
  gridCode: [],
  grid: [],
  regionPath: [],
  sourceRecords: [],
  parties: [],
  events: [],
  calls: [],
  caseNumber: ['caseNumber'],
  title: ['title'],
  description: ['description'],
  category: ['category'],
  subCategory: ['subCategory'],
  severity: ['severity'],
  source: ['source'],
  sourceKey: ['sourceKey'],
  address: ['address'],
  location: ['lng', 'lat'],
  place: ['placeId'],
  thing: ['thingId'],
  status: ['status'],
  level: ['level'],
  version: ['version'],
  department: ['department'],
  assignee: ['assignee'],
  dueAt: ['dueAt'],
  overdue: ['overdue'],
  feedback: ['feedback'],
  resolutionPhotos: ['photoUrls'],
  satisfaction: ['satisfaction'],
  reportedAt: ['reportedAt'],
  closedAt: ['closedAt'],
  lineage: ['lineage'],
  createdAt: ['createdAt'],
  updatedAt: ['updatedAt'],
};
