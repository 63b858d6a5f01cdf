import { ScopedReader } from '../db/scope';
import { BadUserInputError } from '../server/errors';
import { applyCommonFilter, containsPattern, parseDateArgument } from '../shared/filters';
import { IdNumberError, parseIdNumber } from '../shared/id-number';
import { parseId } from '../shared/ids';
import { pageOf } from '../shared/pagination';
import { EntityKind } from '../sources/source-system';
import { Person } from './person.entity';
import { PERSON_ORDERS, PersonConnection, PersonFilter, PersonOrder, PersonOrderField } from './person.types';

/** Reads of people, always through the scoped reader. */
export class PersonService {
  constructor(private readonly reader: ScopedReader) {}

  /** A person by id, or null when unknown or outside the viewer's scope. */
  async get(id: string): Promise<Person | null> {
    return this.reader.query(Person, EntityKind.PERSON).select('*').andWhere({ id: parseId(id) }).getSingleResult();
  }

  /** A person by citizen ID number. @throws BadUserInputError when the number is not valid. */
  async getByIdNumber(input: string): Promise<Person | null> {
    let idNumber: string;
    try {
      ({ idNumber } = parseIdNumber(input));
    } catch (error) {
      throw new BadUserInputError((error as IdNumberError).message, 'idNumber');
    }
    return this.reader.query(Person, EntityKind.PERSON).select('*').andWhere({ idNumber }).getSingleResult();
  }

  /** A page of people matching `filter`. */
  async list(
    filter: PersonFilter | null | undefined,
    first: number | null | undefined,
    after: string | null | undefined,
    orderBy: PersonOrder | null | undefined,
  ): Promise<PersonConnection> {
    const qb = this.reader.query(Person, EntityKind.PERSON).select('*');
    applyCommonFilter(qb, this.reader, EntityKind.PERSON, filter);
    if (filter?.nameContains != null) {
      qb.andWhere({ name: { $ilike: containsPattern(filter.nameContains, 'filter.nameContains') } });
    }
    if (filter?.gender != null) qb.andWhere({ gender: filter.gender });
    if (filter?.householdType != null) qb.andWhere({ householdType: filter.householdType });
    if (filter?.tagsAny != null && filter.tagsAny.length > 0) qb.andWhere('e.tags && array[?]::text[]', [filter.tagsAny]);
    if (filter?.bornFrom != null) {
      qb.andWhere({ birthDate: { $gte: parseDateArgument(filter.bornFrom, 'filter.bornFrom') } });
    }
    if (filter?.bornTo != null) qb.andWhere({ birthDate: { $lte: parseDateArgument(filter.bornTo, 'filter.bornTo') } });
    return pageOf(qb, PERSON_ORDERS, PersonOrderField.ID, { first, after, orderBy }, PersonConnection);
  }
}
