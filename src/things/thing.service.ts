import { ScopedReader } from '../access/scope';
import { applyFilter, THING_FILTER } from '../access/filter-spec';
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
    return this.reader.query(Thing, EntityKind.THING).select('*').byKey(parseId(id)).getSingleResult();
  }

  /** A page of things matching `filter`. */
  async list(
    filter: ThingFilter | null | undefined,
    first: number | null | undefined,
    after: string | null | undefined,
    orderBy: ThingOrder | null | undefined,
    columns: readonly string[] | null = null,
    grid = false,
  ): Promise<ThingConnection> {
    const qb = this.reader.query(Thing, EntityKind.THING).select('*');
    applyFilter(qb, THING_FILTER, filter, this.reader);
    if (orderBy?.field === ThingOrderField.COMPONENT_CODE || orderBy?.field === ThingOrderField.UPDATED_AT) this.reader.policy.checkMergedValueFilter('orderBy');
    return pageOf('things', qb, THING_ORDERS, ThingOrderField.ID, { first, after, orderBy, columns, grid }, ThingConnection);
  }
}
