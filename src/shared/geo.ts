import { Field, Float, ObjectType } from 'type-graphql';

/** A WGS-84 point. */
@ObjectType({ description: 'A WGS-84 coordinate (经纬度)' })
export class GeoPoint {
  @Field(() => Float, { description: 'Longitude (经度)' })
  lng!: number;

  @Field(() => Float, { description: 'Latitude (纬度)' })
  lat!: number;
}

/** The point of an entity with nullable `lng`/`lat` columns, or null. */
export function pointOf(entity: { lng?: number | null; lat?: number | null }): GeoPoint | null {
  return entity.lng == null || entity.lat == null ? null : { lng: entity.lng, lat: entity.lat };
}
