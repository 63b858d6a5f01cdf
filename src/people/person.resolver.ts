import { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, Info, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { Context } from '../server/context';
import { BadUserInputError } from '../shared/errors';
import { decodeOrderedLinkCursor, LinkPageArgs, OrderDirection, pageSize } from '../shared/pagination';
import { LinkPage } from '../access/scope';
import { columnsFor, selectedFields } from '../shared/selection';
import { GridBoundResolver } from '../regions/grid-bound.resolver';
import { PERSON_PLACES } from '../places/place.loaders';
import { PersonPlaceLink } from '../places/place.types';
import { IncidentPartyRole } from '../incidents/incident-party.entity';
import { PERSON_INCIDENTS } from '../incidents/incident.loaders';
import { INCIDENT_FIELD_COLUMNS, INCIDENT_ORDERS, IncidentOrder, PersonIncidentLink } from '../incidents/incident.types';
import { linkPage } from '../access/loading';
import { EntityKind, SourceSystem } from '../sources/source-system';
import { Allowance, CivilAffairsFacet, GovernanceFacet, Person, PersonTag, SocialSecurityFacet } from './person.entity';
import { PERSON_FIELD_COLUMNS, PersonConnection, PersonFilter, PersonOrder } from './person.types';

@Resolver(() => Person)
export class PersonResolver extends GridBoundResolver(Person, EntityKind.PERSON) {
  @Query(() => Person, { nullable: true, description: 'A person by id; null when unknown or outside your scope' })
  person(@Arg('id', () => ID) id: string, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<Person | null> {
    const fields = selectedFields(info);
    return ctx.services.people.get(id, columnsFor(fields, PERSON_FIELD_COLUMNS, []), fields.has('grid'));
  }

  @Query(() => Person, {
    nullable: true,
    description: 'A person by citizen ID number (身份证号); FORBIDDEN for roles that see ID numbers masked',
  })
  personByIdNumber(@Arg('idNumber') idNumber: string, @Ctx() ctx: Context): Promise<Person | null> {
    return ctx.services.people.getByIdNumber(idNumber);
  }

  @Query(() => PersonConnection, { description: 'People in your scope matching the filter' })
  people(
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
    @Arg('filter', () => PersonFilter, { nullable: true }) filter?: PersonFilter,
    @Arg('first', () => Int, { nullable: true, description: 'Page size (default 20, at most 100)' }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('orderBy', () => PersonOrder, { nullable: true }) orderBy?: PersonOrder,
  ): Promise<PersonConnection> {
    const fields = selectedFields(info, ['edges', 'node']);
    return ctx.services.people.list(filter, first, after, orderBy, columnsFor(fields, PERSON_FIELD_COLUMNS, []), fields.has('grid'));
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Citizen ID number (身份证号); null for a person without a verified one; masked unless your role may see it',
  })
  idNumber(@Root() person: Person): string | null {
    return person.idNumber ?? null;
  }

  @FieldResolver(() => String, { nullable: true, description: 'Phone (联系电话); masked unless your role may see it' })
  phone(@Root() person: Person): string | null {
    return person.phone ?? null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Birth date (出生日期), YYYY-MM-DD; only the year (YYYY-**-**) unless your role may see personal data',
  })
  birthDate(@Root() person: Person): string | null {
    return person.birthDate ?? null;
  }

  @FieldResolver(() => [PersonTag], { description: 'Governance tags; empty for a department token' })
  tags(@Root() person: Person, @Ctx() ctx: Context): PersonTag[] {
    return ctx.policy.tags(person.tags);
  }

  @FieldResolver(() => SocialSecurityFacet, { nullable: true, description: 'From the social security system (社保)' })
  socialSecurity(@Root() person: Person, @Ctx() ctx: Context): SocialSecurityFacet | null {
    return ctx.policy.facet(SourceSystem.SOCIAL_SECURITY, person.socialSecurity);
  }

  @FieldResolver(() => CivilAffairsFacet, { nullable: true, description: 'From the civil affairs system (民政)' })
  civilAffairs(@Root() person: Person, @Ctx() ctx: Context): CivilAffairsFacet | null {
    return ctx.policy.facet(SourceSystem.CIVIL_AFFAIRS, person.civilAffairs);
  }

  @FieldResolver(() => GovernanceFacet, { nullable: true, description: 'From the governance system (综治)' })
  governance(@Root() person: Person, @Ctx() ctx: Context): GovernanceFacet | null {
    return ctx.policy.facet(SourceSystem.COMPREHENSIVE_GOVERNANCE, person.governance);
  }

  @FieldResolver(() => [PersonPlaceLink], {
    description: 'Places the person is linked to (人地关系), in your scope; a page at a time (`first`, `after`)',
  })
  places(
    @Root() person: Person,
    @Ctx() ctx: Context,
    @Args() { first, after }: LinkPageArgs,
  ): Promise<PersonPlaceLink[]> {
    return ctx.loaders.placesOfPerson.load(person.id, linkPage(first, after, PERSON_PLACES));
  }

  @FieldResolver(() => [PersonIncidentLink], {
    description:
      'Incidents the person is involved in (as reporter, party, victim or witness; or only as `role`), in your scope, ' +
      'in the order the links were made; a page at a time (`first`, `after`)',
  })
  incidents(
    @Root() person: Person,
    @Ctx() ctx: Context,
    @Args() { first, after }: LinkPageArgs,
    @Arg('role', () => IncidentPartyRole, { nullable: true, description: 'Only incidents the person is involved in this way' })
    role?: IncidentPartyRole | null,
    @Arg('orderBy', () => IncidentOrder, { nullable: true, description: 'By a field of the incident (then link); default: link order' })
    orderBy?: IncidentOrder | null,
    @Info() info?: GraphQLResolveInfo,
  ): Promise<PersonIncidentLink[]> {
    const targetColumns = info ? columnsFor(selectedFields(info, ['incident']), INCIDENT_FIELD_COLUMNS, []) : null;
    return ctx.loaders.incidentsOfPerson.load(person.id, { ...personIncidentsPage(first, after, role ?? null, orderBy ?? null), targetColumns });
  }
}

@Resolver(() => Allowance)
export class AllowanceResolver {
  @FieldResolver(() => String, {
    nullable: true,
    description: 'Paid since (YYYY-MM-DD); only the year unless your role may see personal data (it can be a birthday)',
  })
  since(@Root() allowance: Allowance): string | null {
    return allowance.since ?? null;
  }
}

/**
 * The page of `Person.incidents`: in link order, or ordered by a field of the incident then link (the cursor then
 * carries the incident's value). @throws BadUserInputError naming `first` or `after`
 */
function personIncidentsPage(first: number | null | undefined, after: string | null | undefined, role: IncidentPartyRole | null, orderBy: IncidentOrder | null): LinkPage {
  if (orderBy === null) return linkPage(first, after, PERSON_INCIDENTS, role);
  const spec = INCIDENT_ORDERS[orderBy.field];
  const key = `${orderBy.field}:${orderBy.direction}`;
  const cursor = after == null ? null : decodeOrderedLinkCursor(after, PERSON_INCIDENTS, key, spec);
  // A list's keyset never reads the value of an id order (the id is the cursor's own); here it is the incident's.
  if (cursor !== null && spec.column === 'e.id' && !/^\d{1,18}$/.test(String(cursor.value))) {
    throw new BadUserInputError('not a cursor returned by this list', 'after');
  }
  return {
    first: pageSize(first),
    after: cursor?.id ?? null,
    role,
    order: {
      expression: spec.column.replace(/^e\./, 't.'),
      direction: orderBy.direction === OrderDirection.ASC ? 'asc' : 'desc',
      afterValue: cursor?.value ?? null,
      key,
    },
  };
}
