import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { Context } from '../server/context';
import { GridBoundResolver } from '../server/grid-bound.resolver';
import { PersonPlaceLink } from '../places/place.types';
import { maskIdNumber, maskPhone } from '../shared/id-number';
import { EntityKind } from '../sources/source-system';
import { Person } from './person.entity';
import { PersonConnection, PersonFilter, PersonOrder } from './person.types';

@Resolver(() => Person)
export class PersonResolver extends GridBoundResolver(Person, EntityKind.PERSON) {
  @Query(() => Person, { nullable: true, description: 'A person by id; null when unknown or outside your scope' })
  person(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Person | null> {
    return ctx.services.people.get(id);
  }

  @Query(() => Person, { nullable: true, description: 'A person by citizen ID number (身份证号)' })
  personByIdNumber(@Arg('idNumber') idNumber: string, @Ctx() ctx: Context): Promise<Person | null> {
    return ctx.services.people.getByIdNumber(idNumber);
  }

  @Query(() => PersonConnection, { description: 'People in your scope matching the filter' })
  people(
    @Ctx() ctx: Context,
    @Arg('filter', () => PersonFilter, { nullable: true }) filter?: PersonFilter,
    @Arg('first', () => Int, { nullable: true, description: 'Page size (default 20, at most 100)' }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('orderBy', () => PersonOrder, { nullable: true }) orderBy?: PersonOrder,
  ): Promise<PersonConnection> {
    return ctx.services.people.list(filter, first, after, orderBy);
  }

  @FieldResolver(() => String, { description: 'Citizen ID number (身份证号); masked unless your role may see it' })
  idNumber(@Root() person: Person, @Ctx() ctx: Context): string {
    return ctx.viewer.seesPersonalData ? person.idNumber : maskIdNumber(person.idNumber);
  }

  @FieldResolver(() => String, { nullable: true, description: 'Phone (联系电话); masked unless your role may see it' })
  phone(@Root() person: Person, @Ctx() ctx: Context): string | null {
    if (person.phone == null) return null;
    return ctx.viewer.seesPersonalData ? person.phone : maskPhone(person.phone);
  }

  @FieldResolver(() => [PersonPlaceLink], { description: 'Places the person is linked to (人地关系)' })
  places(@Root() person: Person, @Ctx() ctx: Context): Promise<PersonPlaceLink[]> {
    return ctx.loaders.placesOfPerson.load(person.id);
  }
}
