import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { FieldSource } from '../sources/lineage';

/** Kind of place (地). */
export enum PlaceKind {
  RESIDENTIAL_BUILDING = 'RESIDENTIAL_BUILDING',
  HOUSE = 'HOUSE',
  ORGANIZATION = 'ORGANIZATION',
  SHOP = 'SHOP',
  SCHOOL = 'SCHOOL',
  HOSPITAL = 'HOSPITAL',
  KEY_PLACE = 'KEY_PLACE',
}
registerEnumType(PlaceKind, {
  name: 'PlaceKind',
  description: 'Kind of place (地)',
  valuesConfig: {
    RESIDENTIAL_BUILDING: { description: 'Residential building (楼栋)' },
    HOUSE: { description: 'House or flat (房屋)' },
    ORGANIZATION: { description: 'Organisation or unit (单位/组织), incl. non-public economic and social organisations' },
    SHOP: { description: 'Shop (门店/商铺)' },
    SCHOOL: { description: 'School (学校)' },
    HOSPITAL: { description: 'Hospital or clinic (医院)' },
    KEY_PLACE: { description: 'Key place (重点场所), e.g. internet cafe, hotel, fuel station' },
  },
});

/** Kind-specific attributes of a place, each typed; only those of the place's kind are set. */
@ObjectType({ description: 'Kind-specific attributes of a place; only those that apply to its kind are set' })
export class PlaceAttributes {
  @Field(() => Int, { nullable: true, description: 'Floors above ground (楼层数): buildings, houses' })
  floors?: number | null;

  @Field(() => Int, { nullable: true, description: 'Units (单元数): buildings' })
  unitCount?: number | null;

  @Field(() => Int, { nullable: true, description: 'Households (户数): buildings, houses' })
  householdCount?: number | null;

  @Field(() => Float, { nullable: true, description: 'Floor area in m² (建筑面积): houses, buildings' })
  floorArea?: number | null;

  @Field(() => String, { nullable: true, description: 'Unified social credit code (统一社会信用代码): organisations, shops, schools, hospitals, key places' })
  creditCode?: string | null;

  @Field(() => String, { nullable: true, description: 'Industry (行业): organisations, shops, schools, hospitals, key places' })
  industry?: string | null;

  @Field(() => Int, { nullable: true, description: 'Students (在校学生数): schools' })
  studentCount?: number | null;

  @Field(() => Int, { nullable: true, description: 'Beds (床位数): hospitals, key places (hotels)' })
  bedCount?: number | null;

  @Field(() => String, { nullable: true, description: 'Key-place category (重点场所类别): key places' })
  keyPlaceCategory?: string | null;
}

/** Place (地): a building, house, organisation, shop, school, hospital or key place, on one grid. */
@ObjectType({ description: 'Place (地): building, house, organisation, shop, school, hospital or key place' })
@Entity({ tableName: 'place' })
@Index({ properties: ['gridCode', 'id'] })
export class Place {
  @Field(() => ID)
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Field(() => PlaceKind)
  @Enum({ items: () => PlaceKind })
  kind!: PlaceKind;

  @Field({ description: 'Name (名称)' })
  @Property({ type: 'text' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Standard address (标准地址)' })
  @Property({ type: 'text', nullable: true })
  address?: string | null;

  @Field({ description: 'Code of the grid the place lies in' })
  @Property({ type: 'string', length: 15 })
  gridCode!: string;

  @Property({ type: 'double', nullable: true })
  lng?: number | null;

  @Property({ type: 'double', nullable: true })
  lat?: number | null;

  @Field(() => PlaceAttributes)
  @Property({ type: 'json' })
  attributes: PlaceAttributes = {};

  @Property({ type: 'json' })
  lineage: Record<string, FieldSource> = {};

  @Field()
  @Property({ type: 'Date', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Field()
  @Property({ type: 'Date', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
