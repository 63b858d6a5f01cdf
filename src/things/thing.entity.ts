import { Entity, Enum, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { FieldSource } from '../sources/lineage';

/** Major class of a thing: the six digital city management component classes, plus governance objects. */
export enum ThingCategory {
  PUBLIC_UTILITIES = 'PUBLIC_UTILITIES',
  ROADS_AND_TRAFFIC = 'ROADS_AND_TRAFFIC',
  CITY_APPEARANCE = 'CITY_APPEARANCE',
  GREENERY = 'GREENERY',
  HOUSING_AND_LAND = 'HOUSING_AND_LAND',
  OTHER = 'OTHER',
  GOVERNANCE = 'GOVERNANCE',
}
registerEnumType(ThingCategory, {
  name: 'ThingCategory',
  description: 'Major class of a city component (部件大类), or a governance object',
  valuesConfig: {
    PUBLIC_UTILITIES: { description: 'Public utilities (公用设施), class 01' },
    ROADS_AND_TRAFFIC: { description: 'Roads and traffic (道路交通设施), class 02' },
    CITY_APPEARANCE: { description: 'City appearance and environment (市容环境设施), class 03' },
    GREENERY: { description: 'Greenery (园林绿化设施), class 04' },
    HOUSING_AND_LAND: { description: 'Housing and land (房屋土地), class 05' },
    OTHER: { description: 'Other facilities (其他设施), class 06' },
    GOVERNANCE: { description: 'Governance object (综治物件): cameras, hazardous-material stores' },
  },
});

/** Kind of thing (物). */
export enum ThingKind {
  MANHOLE_COVER = 'MANHOLE_COVER',
  STREET_LAMP = 'STREET_LAMP',
  FIRE_HYDRANT = 'FIRE_HYDRANT',
  TRAFFIC_SIGNAL = 'TRAFFIC_SIGNAL',
  BUS_SHELTER = 'BUS_SHELTER',
  TRASH_BIN = 'TRASH_BIN',
  PUBLIC_TOILET = 'PUBLIC_TOILET',
  BILLBOARD = 'BILLBOARD',
  STREET_TREE = 'STREET_TREE',
  GREEN_BELT = 'GREEN_BELT',
  VACANT_LOT = 'VACANT_LOT',
  BRIDGE = 'BRIDGE',
  CAMERA = 'CAMERA',
  HAZMAT_STORE = 'HAZMAT_STORE',
}
registerEnumType(ThingKind, {
  name: 'ThingKind',
  description: 'Kind of thing (部件小类)',
  valuesConfig: {
    MANHOLE_COVER: { description: 'Manhole cover (井盖)' },
    STREET_LAMP: { description: 'Street lamp (路灯)' },
    FIRE_HYDRANT: { description: 'Fire hydrant (消防栓)' },
    TRAFFIC_SIGNAL: { description: 'Traffic signal (交通信号灯)' },
    BUS_SHELTER: { description: 'Bus shelter (公交站亭)' },
    TRASH_BIN: { description: 'Trash bin (垃圾箱)' },
    PUBLIC_TOILET: { description: 'Public toilet (公厕)' },
    BILLBOARD: { description: 'Billboard (广告牌匾)' },
    STREET_TREE: { description: 'Street tree (行道树)' },
    GREEN_BELT: { description: 'Green belt (绿地)' },
    VACANT_LOT: { description: 'Vacant lot (待建地)' },
    BRIDGE: { description: 'Bridge (桥梁)' },
    CAMERA: { description: 'Surveillance camera (视频监控)' },
    HAZMAT_STORE: { description: 'Hazardous-material store (危化品存放点)' },
  },
});

/** The class (大类) each kind of thing belongs to. */
export const THING_KIND_CATEGORY: Readonly<Record<ThingKind, ThingCategory>> = {
  MANHOLE_COVER: ThingCategory.PUBLIC_UTILITIES,
  STREET_LAMP: ThingCategory.PUBLIC_UTILITIES,
  FIRE_HYDRANT: ThingCategory.PUBLIC_UTILITIES,
  TRAFFIC_SIGNAL: ThingCategory.ROADS_AND_TRAFFIC,
  BUS_SHELTER: ThingCategory.ROADS_AND_TRAFFIC,
  BRIDGE: ThingCategory.ROADS_AND_TRAFFIC,
  TRASH_BIN: ThingCategory.CITY_APPEARANCE,
  PUBLIC_TOILET: ThingCategory.CITY_APPEARANCE,
  BILLBOARD: ThingCategory.CITY_APPEARANCE,
  STREET_TREE: ThingCategory.GREENERY,
  GREEN_BELT: ThingCategory.GREENERY,
  VACANT_LOT: ThingCategory.HOUSING_AND_LAND,
  CAMERA: ThingCategory.GOVERNANCE,
  HAZMAT_STORE: ThingCategory.GOVERNANCE,
};

/** Condition of a thing. */
export enum ThingStatus {
  NORMAL = 'NORMAL',
  DAMAGED = 'DAMAGED',
  MISSING = 'MISSING',
  REMOVED = 'REMOVED',
}
registerEnumType(ThingStatus, {
  name: 'ThingStatus',
  description: 'Condition (状态)',
  valuesConfig: {
    NORMAL: { description: 'Normal (完好)' },
    DAMAGED: { description: 'Damaged (破损)' },
    MISSING: { description: 'Missing (丢失)' },
    REMOVED: { description: 'Removed (拆除)' },
  },
});

/** Thing (物): a city component (部件) or governance object, on one grid. */
@ObjectType({ description: 'Thing (物): a city component (部件) or governance object' })
@Entity({ tableName: 'thing' })
@Index({ properties: ['gridCode', 'id'] })
export class Thing {
  @Field(() => ID)
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Field(() => ThingCategory)
  @Enum({ items: () => ThingCategory })
  category!: ThingCategory;

  @Field(() => ThingKind)
  @Enum({ items: () => ThingKind })
  kind!: ThingKind;

  @Field({ description: 'Component identification code (部件标识码): county code, class, subclass, serial' })
  @Unique()
  @Property({ type: 'text' })
  componentCode!: string;

  @Field({ description: 'Name (名称)' })
  @Property({ type: 'text' })
  name!: string;

  @Field(() => ThingStatus)
  @Enum({ items: () => ThingStatus })
  status!: ThingStatus;

  @Field(() => String, { nullable: true, description: 'Owner or maintaining unit (权属/养护单位)' })
  @Property({ type: 'text', nullable: true })
  ownerUnit?: string | null;

  @Field(() => String, { nullable: true, description: 'Location description (位置描述)' })
  @Property({ type: 'text', nullable: true })
  address?: string | null;

  @Field({ description: 'Code of the grid the thing lies in' })
  @Property({ type: 'string', length: 15 })
  gridCode!: string;

  @Property({ type: 'double', nullable: true })
  lng?: number | null;

  @Property({ type: 'double', nullable: true })
  lat?: number | null;

  @Property({ type: 'json' })
  lineage: Record<string, FieldSource> = {};

  @Field()
  @Property({ type: 'Date', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Field()
  @Property({ type: 'Date', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
