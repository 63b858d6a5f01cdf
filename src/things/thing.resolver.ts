import { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, Info, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { Context } from '../server/context';
import { LinkPageArgs } from '../shared/pagination';
import { idPage } from '../access/loading';
import { Incident } from '../incidents/incident.entity';
import { columnsFor, selectedFields } from '../shared/selection';
import { LocatedResolver } from '../regions/grid-bound.resolver';
import { EntityKind } from '../sources/source-system';
import { Thing } from './thing.entity';
import { THING_FIELD_COLUMNS, ThingConnection, ThingFilter, ThingOrder } from './thing.types';

@Resolver(() => Thing)
export class ThingResolver extends LocatedResolver(Thing, EntityKind.THING) {
  @Query(() => Thing, { nullable: true, description: 'A thing by id; null when unknown or outside your scope' })
  thing(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Thing | null> {
    return ctx.services.things.get(id);
  }

  @Query(() => ThingConnection, { description: 'Things in your scope matching the filter' })
  things(
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
    @Arg('filter', () => ThingFilter, { nullable: true }) filter?: ThingFilter,
    @Arg('first', () => Int, { nullable: true, description: 'Page size (default 20, at most 100)' }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('orderBy', () => ThingOrder, { nullable: true }) orderBy?: ThingOrder,
  ): Promise<ThingConnection> {
    const fields = selectedFields(info, ['edges', 'node']);
    return ctx.services.things.list(filter, first, after, orderBy, columnsFor(fields, THING_FIELD_COLUMNS, []), fields.has('grid'));
  }

  @FieldResolver(() => [Incident], {
    description: 'Incidents concerning it (in your scope), newest first; a page at a time (`first`; `after`: the `id` of the last one seen)',
  })
  incidents(@Root() thing: Thing, @Ctx() ctx: Context, @Args() { first, after }: LinkPageArgs): Promise<Incident[]> {
    return ctx.loaders.incidentsOfThing.load(thing.id, idPage(first, after));
  }
}
