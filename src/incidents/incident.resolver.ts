import { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, Info, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { Place } from '../places/place.entity';
import { Context } from '../server/context';
import { LinkPageArgs } from '../shared/pagination';
import { eventPage, linkPage } from '../access/loading';
import { columnsFor, selectedFields } from '../shared/selection';
import { LocatedResolver } from '../regions/grid-bound.resolver';
import { EntityKind } from '../sources/source-system';
import { Thing } from '../things/thing.entity';
import { IncidentEvent } from './incident-event.entity';
import { IncidentPartyRole } from './incident-party.entity';
import { Incident } from './incident.entity';
import { INCIDENT_PARTIES } from './incident.loaders';
import { PLACE_FIELD_COLUMNS } from '../places/place.types';
import { PERSON_FIELD_COLUMNS } from '../people/person.types';
import { THING_FIELD_COLUMNS } from '../things/thing.types';
import { INCIDENT_FIELD_COLUMNS, IncidentConnection, IncidentFilter, IncidentOrder, IncidentPartyLink } from './incident.types';

@Resolver(() => Incident)
export class IncidentResolver extends LocatedResolver(Incident, EntityKind.INCIDENT) {
  @Query(() => Incident, { nullable: true, description: 'An incident by id; null when unknown or outside your scope' })
  incident(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Incident | null> {
    return ctx.services.incidents.get(id);
  }

  @Query(() => IncidentConnection, { description: 'Incidents in your scope matching the filter' })
  incidents(
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
    @Arg('filter', () => IncidentFilter, { nullable: true }) filter?: IncidentFilter,
    @Arg('first', () => Int, { nullable: true, description: 'Page size (default 20, at most 100)' }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('orderBy', () => IncidentOrder, { nullable: true }) orderBy?: IncidentOrder,
  ): Promise<IncidentConnection> {
    const fields = selectedFields(info, ['edges', 'node']);
    return ctx.services.incidents.list(filter, first, after, orderBy, columnsFor(fields, INCIDENT_FIELD_COLUMNS, []), fields.has('grid'));
  }

  @FieldResolver(() => String, { description: 'Title (标题); ID and phone numbers in it masked unless your role may see them' })
  title(@Root() incident: Incident): string {
    return incident.title;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Description (描述); ID and phone numbers in it masked unless your role may see them',
  })
  description(@Root() incident: Incident): string | null {
    return incident.description ?? null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Handling feedback (处置反馈); ID and phone numbers in it masked unless your role may see them',
  })
  feedback(@Root() incident: Incident): string | null {
    return incident.feedback ?? null;
  }

  @FieldResolver(() => [String], { description: 'Photos of the handled site sent with the resolution (URLs)' })
  resolutionPhotos(@Root() incident: Incident): string[] {
    return incident.photoUrls ?? [];
  }

  @FieldResolver(() => String, {
    description: "The incident's key in its source system; ID and phone numbers in it masked unless your role may see them",
  })
  sourceKey(@Root() incident: Incident): string {
    return incident.sourceKey;
  }

  @FieldResolver(() => Place, { nullable: true, description: 'The place it concerns, if any (and in your scope)' })
  place(@Root() incident: Incident, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<Place | null> | null {
    return incident.placeId ? ctx.loaders.place.load(incident.placeId, columnsFor(selectedFields(info), PLACE_FIELD_COLUMNS, [])) : null;
  }

  @FieldResolver(() => Thing, { nullable: true, description: 'The thing it concerns, if any (and in your scope)' })
  thing(@Root() incident: Incident, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<Thing | null> | null {
    return incident.thingId ? ctx.loaders.thing.load(incident.thingId, columnsFor(selectedFields(info), THING_FIELD_COLUMNS, [])) : null;
  }

  @FieldResolver(() => [IncidentPartyLink], {
    description: 'People involved: reporter, parties, victims, witnesses (in your scope), or those of one `role`; a page at a time (`first`, `after`)',
  })
  parties(
    @Root() incident: Incident,
    @Ctx() ctx: Context,
    @Args() { first, after }: LinkPageArgs,
    @Arg('role', () => IncidentPartyRole, { nullable: true, description: 'Only people involved this way' }) role?: IncidentPartyRole | null,
    @Info() info?: GraphQLResolveInfo,
  ): Promise<IncidentPartyLink[]> {
    const targetColumns = info ? columnsFor(selectedFields(info, ['person']), PERSON_FIELD_COLUMNS, []) : null;
    return ctx.loaders.partiesOfIncident.load(incident.id, { ...linkPage(first, after, INCIDENT_PARTIES, role), targetColumns });
  }

  @FieldResolver(() => [IncidentEvent], { description: 'Its event log (事件流水), oldest first; a page at a time (`first`, `after`)' })
  events(
    @Root() incident: Incident,
    @Ctx() ctx: Context,
    @Args() { first, after }: LinkPageArgs,
  ): Promise<IncidentEvent[]> {
    return ctx.loaders.eventsOfIncident.load(incident.id, eventPage(first, after));
  }
}

/**
 * The fields an event's resolvers read. Typed as a plain shape, not the entity class: type-graphql would otherwise
 * make an entity instance of every event it resolves (the live stream resolves each event once per subscriber).
 */
interface EventRoot {
  incidentId: string;
  note?: string | null;
}

@Resolver(() => IncidentEvent)
export class IncidentEventResolver {
  @FieldResolver(() => Incident, { nullable: true, description: 'The incident, as a query shows it now (null outside your scope)' })
  incident(@Root() event: EventRoot, @Ctx() ctx: Context): Promise<Incident | null> {
    return ctx.loaders.incident.load(event.incidentId);
  }

  @FieldResolver(() => String, { nullable: true, description: 'Note; ID and phone numbers and dates masked unless your role may see them' })
  note(@Root() event: EventRoot): string | null {
    return event.note ?? null;
  }
}
