import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { divisionCodeOf, RegionLevel } from '../shared/region-code';

registerEnumType(RegionLevel, {
  name: 'RegionLevel',
  description: 'Administrative level (区划层级)',
  valuesConfig: {
    PROVINCE: { description: 'Province (省)' },
    CITY: { description: 'City (市)' },
    COUNTY: { description: 'County or district (县/区)' },
    TOWN: { description: 'Town, sub-district or township-level unit (镇/街道/乡)' },
    COMMUNITY: { description: 'Community or village (社区/村)' },
    GRID: { description: 'Grid (网格): a block of a few hundred households under one community' },
  },
});

/** A GeoJSON polygon or multipolygon, as registered. */
export type GeoJsonBoundary = { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown };

/**
 * Region (行政区划) or grid (网格). The code is the significant digits of the statistical division code, and a
 * grid's code is its community's 12 digits plus 3, so "everything under region R" is "code starts with R".
 */
@ObjectType({
  description:
    'Region (行政区划) or grid (网格). `code` is the significant digits of the statistical division code; ' +
    "a grid's code is its community's code plus a 3-digit grid number",
})
@Entity({ tableName: 'region' })
@Index({ properties: ['parentCode'] })
export class Region {
  @Field({ description: 'Significant digits: 2 province, 4 city, 6 county, 9 town, 12 community, 15 grid' })
  @PrimaryKey({ type: 'string', length: 15 })
  code!: string;

  @Field({ description: 'Name (名称)' })
  @Property({ type: 'text' })
  name!: string;

  @Field(() => RegionLevel)
  @Enum({ items: () => RegionLevel })
  level!: RegionLevel;

  @Field(() => String, { nullable: true, description: 'Code of the parent region; null for a province' })
  @Property({ type: 'string', length: 15, nullable: true })
  parentCode?: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Boundary as a GeoJSON Polygon or MultiPolygon' })
  @Property({ type: 'json', nullable: true })
  boundary?: GeoJsonBoundary | null;

  @Field()
  @Property({ type: 'Date', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Field()
  @Property({ type: 'Date', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Field({ description: 'The padded 12-digit statistical division code (统计用区划代码); a grid gives its community' })
  get divisionCode(): string {
    return divisionCodeOf(this.code);
  }
}
