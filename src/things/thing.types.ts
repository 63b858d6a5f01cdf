import { Field, InputType, registerEnumType } from 'type-graphql';
import { LocatedFilterFields } from '../shared/located-filter';
import { ConnectionType, OrderDirection, OrderSpec } from '../shared/pagination';
import { SourceSystem } from '../sources/source-system';
import { Thing, ThingCategory, ThingKind, ThingStatus } from './thing.entity';

@InputType({ description: 'Filters for things; all given conditions must hold, and AND, OR and NOT combine filters' })
export class ThingFilter extends LocatedFilterFields {
  @Field(() => String, { nullable: true, description: 'Region or grid code: things whose grid lies under it' })
  regionCode?: string | null;

  @Field(() => [ThingCategory], { nullable: true })
  categories?: ThingCategory[] | null;

  @Field(() => [ThingKind], { nullable: true })
  kinds?: ThingKind[] | null;

  @Field(() => [ThingStatus], { nullable: true })
  statuses?: ThingStatus[] | null;

  @Field(() => String, { nullable: true, description: 'Component code starts with this (e.g. a county code)' })
  componentCodePrefix?: string | null;

  @Field(() => SourceSystem, { nullable: true, description: 'Known to this source system' })
  source?: SourceSystem | null;

  @Field(() => [ThingFilter], { nullable: true, description: 'Every one of these filters holds' })
  AND?: ThingFilter[] | null;

  @Field(() => [ThingFilter], { nullable: true, description: 'At least one of these filters holds' })
  OR?: ThingFilter[] | null;

  @Field(() => ThingFilter, { nullable: true, description: 'This filter does not hold' })
  NOT?: ThingFilter | null;
}

export enum ThingOrderField {
  ID = 'ID',
  COMPONENT_CODE = 'COMPONENT_CODE',
  UPDATED_AT = 'UPDATED_AT',
}
registerEnumType(ThingOrderField, { name: 'ThingOrderField' });

export const THING_ORDERS: Record<ThingOrderField, OrderSpec> = {
  ID: { property: 'id', column: 'e.id', kind: 'number' },
  COMPONENT_CODE: { property: 'componentCode', column: 'e.component_code', kind: 'string' },
  UPDATED_AT: { property: 'updatedAt', column: 'e.updated_at', kind: 'date' },
};

@InputType()
export class ThingOrder {
  @Field(() => ThingOrderField)
  field!: ThingOrderField;

  @Field(() => OrderDirection, { defaultValue: OrderDirection.ASC })
  direction: OrderDirection = OrderDirection.ASC;
}

export const ThingConnection = ConnectionType('Thing', Thing);
export type ThingConnection = InstanceType<typeof ThingConnection>;

/** The entity properties each GraphQL field of the type reads (the lean list path loads only these). */
export const THING_FIELD_COLUMNS: Record<string, readonly string[]> = {
  id: [],
  gridCode: [],
  grid: [],
  regionPath: [],
  sourceRecords: [],
  incidents: [],
  category: ['category'],
  kind: ['kind'],
  componentCode: ['componentCode'],
  name: ['name'],
  status: ['status'],
  ownerUnit: ['ownerUnit'],
  address: ['address'],
  location: ['lng', 'lat'],
  lineage: ['lineage'],
  createdAt: ['createdAt'],
  updatedAt: ['updatedAt'],
};
