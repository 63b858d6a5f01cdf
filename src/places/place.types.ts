import { Field, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { Person } from '../people/person.entity';
import { LocatedFilterFields } from '../shared/located-filter';
import { ConnectionType, OrderDirection, OrderSpec } from '../shared/pagination';
import { SourceSystem } from '../sources/source-system';
import { PersonPlaceRole } from './person-place.entity';
import { Place, PlaceKind } from './place.entity';

@InputType({ description: 'Filters for places; all given conditions must hold, and AND, OR and NOT combine filters' })
export class PlaceFilter extends LocatedFilterFields {
  @Field(() => String, { nullable: true, description: 'Region or grid code: places whose grid lies under it' })
  regionCode?: string | null;

  @Field(() => [PlaceKind], { nullable: true, description: 'Of one of these kinds' })
  kinds?: PlaceKind[] | null;

  @Field(() => String, { nullable: true, description: 'Name contains this text' })
  nameContains?: string | null;

  @Field(() => SourceSystem, { nullable: true, description: 'Known to this source system' })
  source?: SourceSystem | null;

  @Field(() => [PlaceFilter], { nullable: true, description: 'Every one of these filters holds' })
  AND?: PlaceFilter[] | null;

  @Field(() => [PlaceFilter], { nullable: true, description: 'At least one of these filters holds' })
  OR?: PlaceFilter[] | null;

  @Field(() => PlaceFilter, { nullable: true, description: 'This filter does not hold' })
  NOT?: PlaceFilter | null;
}

export enum PlaceOrderField {
  ID = 'ID',
  NAME = 'NAME',
  UPDATED_AT = 'UPDATED_AT',
}
registerEnumType(PlaceOrderField, { name: 'PlaceOrderField' });

export const PLACE_ORDERS: Record<PlaceOrderField, OrderSpec> = {
  ID: { property: 'id', column: 'e.id', kind: 'number' },
  NAME: { property: 'name', column: 'e.name', kind: 'string' },
  UPDATED_AT: { property: 'updatedAt', column: 'e.updated_at', kind: 'date' },
};

@InputType()
export class PlaceOrder {
  @Field(() => PlaceOrderField)
  field!: PlaceOrderField;

  @Field(() => OrderDirection, { defaultValue: OrderDirection.ASC })
  direction: OrderDirection = OrderDirection.ASC;
}

export const PlaceConnection = ConnectionType('Place', Place);
export type PlaceConnection = InstanceType<typeof PlaceConnection>;

@ObjectType({ description: 'A place a person is linked to, and how (人地关系)' })
export class PersonPlaceLink {
  @Field(() => PersonPlaceRole)
  role!: PersonPlaceRole;

  @Field(() => Place)
  place!: Place;

  @Field({ description: 'Opaque cursor; pass as `after` to continue the list after this link' })
  cursor!: string;
}

@ObjectType({ description: 'A person linked to a place, and how (人地关系)' })
export class PlacePersonLink {
  @Field(() => PersonPlaceRole)
  role!: PersonPlaceRole;

  @Field(() => Person)
  person!: Person;

  @Field({ description: 'Opaque cursor; pass as `after` to continue the list after this link' })
  cursor!: string;
}

/** The entity properties each GraphQL field of the type reads (the lean list path loads only these). */
export const PLACE_FIELD_COLUMNS: Record<string, readonly string[]> = {
  id: [],
  gridCode: [],
  grid: [],
  regionPath: [],
  people: [],
  incidents: [],
  sourceRecords: [],
  kind: ['kind'],
  name: ['name'],
  address: ['address'],
  location: ['lng', 'lat'],
  attributes: ['attributes'],
  lineage: ['lineage'],
  createdAt: ['createdAt'],
  updatedAt: ['updatedAt'],
};
