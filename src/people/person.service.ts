import { ScopedReader } from '../access/scope';
import { BadUserInputError } from '../shared/errors';
import { applyCommonFilter } from '../access/filters';
import { containsPattern, parseDateArgument } from '../shared/filters';
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
    this.reader.policy.checkLookupByIdNumber();
    let idNumber: string;
    try {
      ({ idNumber } = parseIdNumber(input));
    } catch (error) {
      throw new BadUserInputError((error as IdNumberError).message, 'idNumber');
    }
    return this.reader.query(Person, EntityKind.PERSON).select('*').andWhere({ idNumber, idCollision: false }).getSingleResult();
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
      this.reader.policy.checkMergedValueFilter('filter.nameContains');
      qb.andWhere({ name: { $ilike: containsPattern(filter.nameContains, 'filter.nameContains') } });
    }
    if (filter?.gender != null) qb.andWhere({ gender: filter.gender });
    if (filter?.householdType != null) {
      this.reader.policy.checkMergedValueFilter('filter.householdType');
      qb.andWhere({ householdType: filter.householdType });
    }
    if (orderBy?.field === PersonOrderField.NAME || orderBy?.field === PersonOrderField.UPDATED_AT) this.reader.policy.checkMergedValueFilter('orderBy');
    if (filter?.tagsAny != null && filter.tagsAny.length > 0) {
      this.reader.policy.checkTagFilter('filter.tagsAny');
      qb.andWhere('e.tags && array[?]::text[]', [filter.tagsAny]);
    }
    const bornFrom = filter?.bornFrom != null ? this.birthBound(filter.bornFrom, 'filter.bornFrom', '-01-01') : null;
    const bornTo = filter?.bornTo != null ? this.birthBound(filter.bornTo, 'filter.bornTo', '-12-31') : null;
    if (bornFrom !== null && bornTo !== null && bornFrom > bornTo) {
      throw new BadUserInputError('must not be earlier than filter.bornFrom', 'filter.bornTo');
    }
    if (bornFrom !== null) qb.andWhere({ birthDate: { $gte: bornFrom } });
    if (bornTo !== null) qb.andWhere({ birthDate: { $lte: bornTo } });
    if (orderBy?.field === PersonOrderField.BIRTH_DATE) this.reader.policy.checkOrderByBirthDate('orderBy');
    return pageOf('people', qb, PERSON_ORDERS, PersonOrderField.ID, { first, after, orderBy, columns }, PersonConnection);
  }

  /** A birth-date bound, as precise as the policy lets the viewer ask (exact dates could recover masked IDs). */
  private birthBound(text: string, field: string, yearEdge: '-01-01' | '-12-31'): string {
    const date = parseDateArgument(text, field);
    this.reader.policy.checkBirthBound(date, field, yearEdge);
    return date;
  }
}
