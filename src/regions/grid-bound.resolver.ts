import { ClassType, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Region } from './region.entity';
import { GeoPoint, pointOf } from '../shared/geo';
import { ancestorCodesOf } from '../shared/region-code';
import { FieldLineage, FieldSource, lineageList } from '../sources/lineage';
import { SourceRecord } from '../sources/source-record.entity';
import { EntityKind } from '../sources/source-system';
import { Context } from '../server/context';

type GridBoundRow = {
  id: string;
  gridCode: string;
  lng?: number | null;
  lat?: number | null;
  lineage?: Record<string, FieldSource>;
};

/**
 * Fields every entity on a grid shares — its grid, region path, source records and lineage —
 * resolved through the request's loaders. Feature resolvers extend the class this returns.
 */
export function GridBoundResolver<T extends GridBoundRow>(type: ClassType<T>, kind: EntityKind) {
  @Resolver(() => type)
  abstract class GridBoundFields {
    @FieldResolver(() => Region, { nullable: true, description: 'The grid (网格) it belongs to' })
    grid(@Root() row: T, @Ctx() ctx: Context): Promise<Region | null> {
      return ctx.loaders.region.load(row.gridCode);
    }

    @FieldResolver(() => [Region], { description: 'Regions from the province down to the grid' })
    async regionPath(@Root() row: T, @Ctx() ctx: Context): Promise<Region[]> {
      const regions = await ctx.loaders.region.loadMany([...ancestorCodesOf(row.gridCode), row.gridCode]);
      return regions.filter((region): region is Region => region instanceof Region);
    }

    @FieldResolver(() => [SourceRecord], { description: 'Each source system’s record of it (来源记录)' })
    sourceRecords(@Root() row: T, @Ctx() ctx: Context): Promise<SourceRecord[]> {
      return ctx.loaders.sourceRecords.load(`${kind}:${row.id}`);
    }

    @FieldResolver(() => [FieldLineage], {
      description: 'Which source and record gave each core field its value (a department token: its own only)',
    })
    lineage(@Root() row: T): FieldLineage[] {
      return lineageList(row.lineage);
    }
  }
  return GridBoundFields;
}

/** {@link GridBoundResolver} plus `location`, for entities with coordinates (places, things, incidents). */
export function LocatedResolver<T extends GridBoundRow>(type: ClassType<T>, kind: EntityKind) {
  @Resolver(() => type)
  abstract class LocatedFields extends GridBoundResolver(type, kind) {
    @FieldResolver(() => GeoPoint, { nullable: true, description: 'Coordinates (WGS-84), when known' })
    location(@Root() row: T): GeoPoint | null {
      return pointOf(row);
    }
  }
  return LocatedFields;
}
