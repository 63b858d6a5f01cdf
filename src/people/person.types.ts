import { Field, InputType, registerEnumType } from 'type-graphql';
import { Gender } from '../shared/id-number';
import { ConnectionType, OrderDirection, OrderSpec } from '../shared/pagination';
import { SourceSystem } from '../sources/source-system';
import { HouseholdType, Person, PersonTag } from './person.entity';

@InputType({ description: 'Filters for people; all given conditions must hold, and AND, OR and NOT combine filters' })
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

  @Field(() => String, {
    nullable: true,
    description: 'Text search in the name and address: every word (run of letters and digits) is contained, e.g. 三丰 or 新华 12; or, for 2 to 8 Latin letters, the pinyin initials of the name start with them (zsf: 张三丰). Indexed.',
  })
  search?: string | null;

  @Field(() => [HouseholdType], { nullable: true, description: 'Of one of these household types' })
  householdTypes?: HouseholdType[] | null;

  @Field(() => [PersonTag], { nullable: true, description: 'Has all of these tags' })
  tagsAll?: PersonTag[] | null;

  @Field(() => Date, { nullable: true, description: 'Last changed at or after' })
  updatedFrom?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Last changed before' })
  updatedTo?: Date | null;

  @Field(() => [PersonFilter], { nullable: true, description: 'Every one of these filters holds' })
  AND?: PersonFilter[] | null;

  @Field(() => [PersonFilter], { nullable: true, description: 'At least one of these filters holds' })
  OR?: PersonFilter[] | null;

  @Field(() => PersonFilter, { nullable: true, description: 'This filter does not hold' })
  NOT?: PersonFilter | null;
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
