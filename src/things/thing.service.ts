import { ScopedReader } from '../access/scope';
import { BadUserInputError } from '../shared/errors';
import { applyCommonFilter } from '../access/filters';
import { parseId } from '../shared/ids';
import { pageOf } from '../shared/pagination';
import { EntityKind } from '../sources/source-system';
import { Thing } from './thing.entity';
import { THING_ORDERS, ThingConnection, ThingFilter, ThingOrder, ThingOrderField } from './thing.types';

/** Reads of things, always through the scoped reader. */
export class ThingService {
  constructor(private readonly reader: ScopedReader) {}

  /** A thing by id, or null when unknown or outside the viewer's scope. */
  async get(id: string): Promise<Thing | null> {
    return this.reader.query(Thing, EntityKind.THING).select('*').andWhere({ id: parseId(id) }).getSingleResult();
  }

  /** A page of things matching `filter`. */
  async list(
    filter: ThingFilter | null | undefined,
    first: number | null | undefined,
    after: string | null | undefined,
    orderBy: ThingOrder | null | undefined,
    columns: readonly string[] | null = null,
  ): Promise<ThingConnection> {
    const qb = this.reader.query(Thing, EntityKind.THING).select('*');
    applyCommonFilter(qb, this.reader, EntityKind.THING, filter);
    if (filter?.categories != null && filter.categories.length > 0) {
      this.reader.policy.checkMergedValueFilter('filter.categories');
      qb.andWhere({ category: { $in: filter.categories } });
    }
    if (filter?.kinds != null && filter.kinds.length > 0) {
      this.reader.policy.checkMergedValueFilter('filter.kinds');
      qb.andWhere({ kind: { $in: filter.kinds } });
    }
    if (filter?.statuses != null && filter.statuses.length > 0) {
      this.reader.policy.checkMergedValueFilter('filter.statuses');
      qb.andWhere({ status: { $in: filter.statuses } });
    }
    if (filter?.componentCodePrefix != null) {
      this.reader.policy.checkMergedValueFilter('filter.componentCodePrefix');
      if (!/^\d{1,16}$/.test(filter.componentCodePrefix)) {
        throw new BadUserInputError('must be 1 to 16 digits', 'filter.componentCodePrefix');
      }
      qb.andWhere({ componentCode: { $like: `${filter.componentCodePrefix}%` } });
    }
    if (orderBy?.field === ThingOrderField.COMPONENT_CODE || orderBy?.field === ThingOrderField.UPDATED_AT) this.reader.policy.checkMergedValueFilter('orderBy');
    return pageOf('things', qb, THING_ORDERS, ThingOrderField.ID, { first, after, orderBy, columns }, ThingConnection);
  }
}
