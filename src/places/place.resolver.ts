import { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, Info, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { Context } from '../server/context';
import { Incident } from '../incidents/incident.entity';
import { LinkPageArgs } from '../shared/pagination';
import { columnsFor, selectedFields } from '../shared/selection';
import { LocatedResolver } from '../regions/grid-bound.resolver';
import { EntityKind } from '../sources/source-system';
import { idPage, linkPage } from '../access/loading';
import { Place } from './place.entity';
import { PLACE_PEOPLE } from './place.loaders';
import { PLACE_FIELD_COLUMNS, PlaceConnection, PlaceFilter, PlaceOrder, PlacePersonLink } from './place.types';

@Resolver(() => Place)
export class PlaceResolver extends LocatedResolver(Place, EntityKind.PLACE) {
  @Query(() => Place, { nullable: true, description: 'A place by id; null when unknown or outside your scope' })
  place(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Place | null> {
    return ctx.services.places.get(id);
  }

  @Query(() => PlaceConnection, { description: 'Places in your scope matching the filter' })
  places(
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
    @Arg('filter', () => PlaceFilter, { nullable: true }) filter?: PlaceFilter,
    @Arg('first', () => Int, { nullable: true, description: 'Page size (default 20, at most 100)' }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('orderBy', () => PlaceOrder, { nullable: true }) orderBy?: PlaceOrder,
  ): Promise<PlaceConnection> {
    const fields = selectedFields(info, ['edges', 'node']);
    return ctx.services.places.list(filter, first, after, orderBy, columnsFor(fields, PLACE_FIELD_COLUMNS, []), fields.has('grid'));
  }

  @FieldResolver(() => [PlacePersonLink], {
    description: 'People linked to the place (人地关系), in your scope; a page at a time (`first`, `after`)',
  })
  people(
    @Root() place: Place,
    @Ctx() ctx: Context,
    @Args() { first, after }: LinkPageArgs,
  ): Promise<PlacePersonLink[]> {
    return ctx.loaders.peopleOfPlace.load(place.id, linkPage(first, after, PLACE_PEOPLE));
  }

  @FieldResolver(() => [Incident], {
    description: 'Incidents concerning it (in your scope), newest first; a page at a time (`first`; `after`: the `id` of the last one seen)',
  })
  incidents(@Root() place: Place, @Ctx() ctx: Context, @Args() { first, after }: LinkPageArgs): Promise<Incident[]> {
    return ctx.loaders.incidentsOfPlace.load(place.id, idPage(first, after));
  }
}
