import { GraphQLResolveInfo } from 'graphql';
import { Arg, ClassType, Ctx, FieldResolver, Info, Query, Resolver, Root } from 'type-graphql';
import { IncidentFilter } from '../incidents/incident.types';
import { PersonFilter } from '../people/person.types';
import { PlaceFilter } from '../places/place.types';
import { Region } from '../regions/region.entity';
import { Context } from '../server/context';
import { selectedFields } from '../shared/selection';
import { ThingFilter } from '../things/thing.types';
import { IncidentStatsDimension, PersonStatsDimension, PlaceStatsDimension, ThingStatsDimension } from './stats-dimensions';
import {
  IncidentGroupKey,
  IncidentStats,
  PersonGroupKey,
  PersonStats,
  PlaceGroupKey,
  PlaceStats,
  RegionGroupKey,
  ThingGroupKey,
  ThingStats,
} from './stats.types';

const GROUP_BY = 'Dimensions to group by (default none: the total only)';
const SCOPE =
  'Within your scope (a department: what its system sent), filtered as the list is; one statement, grouped in the database, at most ' +
  'GRIDHUB_MAX_STATS_GROUPS groups (default 10,000; beyond: BAD_USER_INPUT on groupBy). For ANALYST, small groups are suppressed';

@Resolver()
export class StatsResolver {
  @Query(() => IncidentStats, {
    description:
      `Incident statistics (事件统计): counts, open, overdue, resolved by level, mean times to dispatch and resolve, mean satisfaction, per group. ${SCOPE}`,
  })
  incidentStats(
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
    @Arg('filter', () => IncidentFilter, { nullable: true }) filter?: IncidentFilter,
    @Arg('groupBy', () => [IncidentStatsDimension], { nullable: true, defaultValue: [], description: GROUP_BY }) groupBy?: IncidentStatsDimension[],
  ): Promise<IncidentStats> {
    const selected = new Set([...selectedFields(info, ['total']), ...selectedFields(info, ['groups', 'measures'])]);
    return ctx.services.stats.incidentStats(filter, groupBy, selected);
  }

  @Query(() => PersonStats, { description: `People statistics (人口统计): how many people per group. ${SCOPE}` })
  peopleStats(
    @Ctx() ctx: Context,
    @Arg('filter', () => PersonFilter, { nullable: true }) filter?: PersonFilter,
    @Arg('groupBy', () => [PersonStatsDimension], { nullable: true, defaultValue: [], description: GROUP_BY }) groupBy?: PersonStatsDimension[],
  ): Promise<PersonStats> {
    return ctx.services.stats.peopleStats(filter, groupBy);
  }

  @Query(() => PlaceStats, { description: `Place counts (场所统计) per group. ${SCOPE}` })
  placeStats(
    @Ctx() ctx: Context,
    @Arg('filter', () => PlaceFilter, { nullable: true }) filter?: PlaceFilter,
    @Arg('groupBy', () => [PlaceStatsDimension], { nullable: true, defaultValue: [], description: GROUP_BY }) groupBy?: PlaceStatsDimension[],
  ): Promise<PlaceStats> {
    return ctx.services.stats.placeStats(filter, groupBy);
  }

  @Query(() => ThingStats, { description: `Thing counts (部件统计) per group. ${SCOPE}` })
  thingStats(
    @Ctx() ctx: Context,
    @Arg('filter', () => ThingFilter, { nullable: true }) filter?: ThingFilter,
    @Arg('groupBy', () => [ThingStatsDimension], { nullable: true, defaultValue: [], description: GROUP_BY }) groupBy?: ThingStatsDimension[],
  ): Promise<ThingStats> {
    return ctx.services.stats.thingStats(filter, groupBy);
  }
}

/** `region` of a group key: the region or grid of the level grouped by, through the request's region loader. */
function RegionKeyResolver<K extends RegionGroupKey>(type: ClassType<K>) {
  @Resolver(() => type)
  abstract class RegionKeyFields {
    @FieldResolver(() => Region, { nullable: true, description: 'The region or grid of the level grouped by (its name, path), when grouped by one' })
    region(@Root() key: K, @Ctx() ctx: Context): Promise<Region | null> | null {
      return key.regionCode ? ctx.loaders.region.load(key.regionCode) : null;
    }
  }
  return RegionKeyFields;
}

@Resolver(() => IncidentGroupKey)
export class IncidentGroupKeyResolver extends RegionKeyResolver(IncidentGroupKey) {}

@Resolver(() => PersonGroupKey)
export class PersonGroupKeyResolver extends RegionKeyResolver(PersonGroupKey) {}

@Resolver(() => PlaceGroupKey)
export class PlaceGroupKeyResolver extends RegionKeyResolver(PlaceGroupKey) {}

@Resolver(() => ThingGroupKey)
export class ThingGroupKeyResolver extends RegionKeyResolver(ThingGroupKey) {}
