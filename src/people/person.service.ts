import { ScopedReader, withKeys } from '../access/scope';
import { BadUserInputError } from '../shared/errors';
import { applyFilter, PERSON_FILTER } from '../access/filter-spec';
import { IdNumberError, parseIdNumber } from '../shared/id-number';
import { parseId } from '../shared/ids';
import { pageOf } from '../shared/pagination';
import { EntityKind } from '../sources/source-system';
import { Person } from './person.entity';
import { PERSON_ORDERS, PersonConnection, PersonFilter, PersonOrder, PersonOrderField } from './person.types';

/** Reads of people, always through the scoped reader. */
export class PersonService {
  constructor(private readonly reader: ScopedReader) {}

  /**
   * A person by id, or null when unknown or outside the viewer's scope.
   * @param columns the properties the selection needs (`columnsFor`; id and grid code always); null: every column
   * @param grid whether the selection asks for the person's grid (read with the person)
   */
  async get(id: string, columns: readonly string[] | null = null, grid = false): Promise<Person | null> {
    const query = this.reader.query(Person, EntityKind.PERSON).select(withKeys(columns) ?? '*').byKey(parseId(id));
    return (grid ? query.withGrid() : query).getSingleResult();
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
    grid = false,
  ): Promise<PersonConnection> {
    const qb = this.reader.query(Person, EntityKind.PERSON).select('*');
    applyFilter(qb, PERSON_FILTER, filter, this.reader);
    if (orderBy?.field === PersonOrderField.NAME || orderBy?.field === PersonOrderField.UPDATED_AT) this.reader.policy.checkMergedValueFilter('orderBy');
    if (orderBy?.field === PersonOrderField.BIRTH_DATE) this.reader.policy.checkOrderByBirthDate('orderBy');
    return pageOf('people', qb, PERSON_ORDERS, PersonOrderField.ID, { first, after, orderBy, columns, grid }, PersonConnection);
  }

}
