import { ScopedReader } from '../db/scope';
import { BadUserInputError, ForbiddenError } from '../shared/errors';
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

  /**
   * A person by citizen ID number.
   * @throws ForbiddenError for roles that see ID numbers masked: with the birth year shown, a lookup would confirm
   * guesses of the masked digits. BadUserInputError when the number is not valid.
   */
  async getByIdNumber(input: string): Promise<Person | null> {
    if (!this.reader.viewer.seesPersonalData) {
      throw new ForbiddenError('personByIdNumber: your role sees ID numbers masked and may not look people up by them');
    }
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
    columns: readonly string[] | null = null,
  ): Promise<PersonConnection> {
    const qb = this.reader.query(Person, EntityKind.PERSON).select('*');
    applyCommonFilter(qb, this.reader, EntityKind.PERSON, filter);
    if (filter?.nameContains != null) {
      qb.andWhere({ name: { $ilike: containsPattern(filter.nameContains, 'filter.nameContains') } });
    }
    if (filter?.gender != null) qb.andWhere({ gender: filter.gender });
    if (filter?.householdType != null) qb.andWhere({ householdType: filter.householdType });
    if (filter?.tagsAny != null && filter.tagsAny.length > 0) {
      // Tags come from the governance and civil affairs systems: not part of what a department sent.
      if (this.reader.viewer.sourceScope !== null) {
        throw new ForbiddenError('filter.tagsAny: a department token cannot filter by governance tags', 'filter.tagsAny');
      }
      qb.andWhere('e.tags && array[?]::text[]', [filter.tagsAny]);
    }
    const bornFrom = filter?.bornFrom != null ? this.birthBound(filter.bornFrom, 'filter.bornFrom', '-01-01') : null;
    const bornTo = filter?.bornTo != null ? this.birthBound(filter.bornTo, 'filter.bornTo', '-12-31') : null;
    if (bornFrom !== null && bornTo !== null && bornFrom > bornTo) {
      throw new BadUserInputError('must not be earlier than filter.bornFrom', 'filter.bornTo');
    }
    if (bornFrom !== null) qb.andWhere({ birthDate: { $gte: bornFrom } });
    if (bornTo !== null) qb.andWhere({ birthDate: { $lte: bornTo } });
    if (orderBy?.field === PersonOrderField.BIRTH_DATE && !this.reader.viewer.seesPersonalData) {
      // The order of people by exact birth date, next to masked ID numbers, gives the masked digits away.
      throw new ForbiddenError('orderBy: your role may not order people by birth date', 'orderBy');
    }
    return pageOf(qb, PERSON_ORDERS, PersonOrderField.ID, { first, after, orderBy, columns }, PersonConnection);
  }

  /**
   * A birth-date bound. Roles that see personal data masked may filter by whole years only (`YYYY-01-01` as the
   * lower, `YYYY-12-31` as the upper bound): exact dates would let them recover masked ID numbers.
   */
  private birthBound(text: string, field: string, yearEdge: '-01-01' | '-12-31'): string {
    const date = parseDateArgument(text, field);
    if (!this.reader.viewer.seesPersonalData && !date.endsWith(yearEdge)) {
      throw new ForbiddenError(`${field}: your role may filter birth dates by whole years only (YYYY${yearEdge})`, field);
    }
    return date;
  }
}
