import { Field, InputType, registerEnumType } from 'type-graphql';
import { Gender } from '../shared/id-number';
import { ConnectionType, OrderDirection, OrderSpec } from '../shared/pagination';
import { SourceSystem } from '../sources/source-system';
import { HouseholdType, Person, PersonTag } from './person.entity';

@InputType({ description: 'Filters for people; all given conditions must hold' })
export class PersonFilter {
  @Field(() => String, { nullable: true, description: 'Region or grid code: people whose residence grid lies under it' })
  regionCode?: string | null;

  @Field(() => String, { nullable: true, description: 'Name contains this text' })
  nameContains?: string | null;

  @Field(() => Gender, { nullable: true })
  gender?: Gender | null;

  @Field(() => HouseholdType, { nullable: true })
  householdType?: HouseholdType | null;

  @Field(() => [PersonTag], { nullable: true, description: 'Has at least one of these tags' })
  tagsAny?: PersonTag[] | null;

  @Field(() => String, { nullable: true, description: 'Born on or after (YYYY-MM-DD)' })
  bornFrom?: string | null;

  @Field(() => String, { nullable: true, description: 'Born on or before (YYYY-MM-DD)' })
  bornTo?: string | null;

  @Field(() => SourceSystem, { nullable: true, description: 'Known to this source system' })
  source?: SourceSystem | null;
}

export enum PersonOrderField {
  ID = 'ID',
  NAME = 'NAME',
  BIRTH_DATE = 'BIRTH_DATE',
  UPDATED_AT = 'UPDATED_AT',
}
registerEnumType(PersonOrderField, { name: 'PersonOrderField' });

export const PERSON_ORDERS: Record<PersonOrderField, OrderSpec> = {
  ID: { property: 'id', column: 'e.id', kind: 'number' },
  NAME: { property: 'name', column: 'e.name', kind: 'string' },
  BIRTH_DATE: { property: 'birthDate', column: 'e.birth_date', kind: 'day' },
  UPDATED_AT: { property: 'updatedAt', column: 'e.updated_at', kind: 'date' },
};

@InputType()
export class PersonOrder {
  @Field(() => PersonOrderField)
  field!: PersonOrderField;

  @Field(() => OrderDirection, { defaultValue: OrderDirection.ASC })
  direction: OrderDirection = OrderDirection.ASC;
}

export const PersonConnection = ConnectionType('Person', Person);
export type PersonConnection = InstanceType<typeof PersonConnection>;

/** The entity properties each GraphQL field of the type reads (the lean list path loads only these). */
export const PERSON_FIELD_COLUMNS: Record<string, readonly string[]> = {
  id: [],
  gridCode: [],
  grid: [],
  regionPath: [],
  places: [],
  incidents: [],
  sourceRecords: [],
  idNumber: ['idNumber'],
  idCollision: ['idCollision'],
  name: ['name'],
  gender: ['gender'],
  birthDate: ['birthDate'],
  phone: ['phone'],
  address: ['address'],
  householdType: ['householdType'],
  tags: ['tags'],
  socialSecurity: ['socialSecurity'],
  civilAffairs: ['civilAffairs'],
  governance: ['governance'],
  lineage: ['lineage'],
  createdAt: ['createdAt'],
  updatedAt: ['updatedAt'],
};
