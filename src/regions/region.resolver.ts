import { Arg, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Role } from '../auth/viewer';
import { Context } from '../server/context';
import { ancestorCodesOf, RegionLevel } from '../shared/region-code';
import { Region } from './region.entity';
import { RegionCounts, RegionInput, RegionUpsertReport } from './region.types';

@Resolver(() => Region)
export class RegionResolver {
  @Query(() => Region, { nullable: true, description: 'A region or grid by code (short or padded 12-digit form)' })
  region(@Arg('code') code: string, @Ctx() ctx: Context): Promise<Region | null> {
    return ctx.services.regions.get(code);
  }

  @Query(() => [Region], {
    description:
      'Regions under parentCode (its children, or all descendants at level), or all regions at level ' +
      '(default PROVINCE); only those you may see, ordered by code',
  })
  regions(
    @Ctx() ctx: Context,
    @Arg('parentCode', () => String, { nullable: true }) parentCode?: string,
    @Arg('level', () => RegionLevel, { nullable: true }) level?: RegionLevel,
  ): Promise<Region[]> {
    return ctx.services.regions.list(parentCode, level);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => RegionUpsertReport, {
    description: 'Register or update regions and grids (ADMIN). Each region is accepted or rejected on its own',
  })
  upsertRegions(
    @Arg('regions', () => [RegionInput]) regions: RegionInput[],
    @Ctx() ctx: Context,
  ): Promise<RegionUpsertReport> {
    return ctx.services.regions.upsert(regions);
  }

  @FieldResolver(() => GraphQLJSONObject, { nullable: true, description: 'Boundary as a GeoJSON Polygon or MultiPolygon' })
  boundary(@Root() region: Region, @Ctx() ctx: Context): Region['boundary'] | Promise<Region['boundary'] | null> {
    // Lists of regions read it with the rest; a region looked up by code (a grid of a page) leaves it out until asked.
    return Object.hasOwn(region, 'boundary') ? (region.boundary ?? null) : ctx.loaders.regionBoundary.load(region.code);
  }

  @FieldResolver(() => RegionCounts, {
    description: 'People, places, things and incidents (open, overdue) under it, counted within your scope; costs 5 rows in a query',
  })
  counts(@Root() region: Region, @Ctx() ctx: Context): Promise<RegionCounts> {
    return ctx.loaders.regionCounts.load(region.code);
  }

  @FieldResolver(() => Region, { nullable: true, description: 'The parent region; null for a province' })
  parent(@Root() region: Region, @Ctx() ctx: Context): Promise<Region | null> | null {
    return region.parentCode ? ctx.loaders.region.load(region.parentCode) : null;
  }

  @FieldResolver(() => [Region], { description: 'Regions from the province down to this one' })
  async path(@Root() region: Region, @Ctx() ctx: Context): Promise<Region[]> {
    const regions = await ctx.loaders.region.loadMany([...ancestorCodesOf(region.code), region.code]);
    return regions.filter((r): r is Region => r instanceof Region);
  }
}
