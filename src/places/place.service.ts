import { ScopedReader } from '../access/scope';
import { applyFilter, PLACE_FILTER } from '../access/filter-spec';
import { parseId } from '../shared/ids';
import { pageOf } from '../shared/pagination';
import { EntityKind } from '../sources/source-system';
import { Place } from './place.entity';
import { PLACE_ORDERS, PlaceConnection, PlaceFilter, PlaceOrder, PlaceOrderField } from './place.types';

/** Reads of places, always through the scoped reader. */
export class PlaceService {
  constructor(private readonly reader: ScopedReader) {}

  /** A place by id, or null when unknown or outside the viewer's scope. */
  async get(id: string): Promise<Place | null> {
    return this.reader.query(Place, EntityKind.PLACE).select('*').byKey(parseId(id)).getSingleResult();
  }

  /** A page of places matching `filter`. */
  async list(
    filter: PlaceFilter | null | undefined,
    first: number | null | undefined,
    after: string | null | undefined,
    orderBy: PlaceOrder | null | undefined,
    columns: readonly string[] | null = null,
    grid = false,
  ): Promise<PlaceConnection> {
    const qb = this.reader.query(Place, EntityKind.PLACE).select('*');
    applyFilter(qb, PLACE_FILTER, filter, this.reader);
    if (orderBy?.field === PlaceOrderField.NAME || orderBy?.field === PlaceOrderField.UPDATED_AT) this.reader.policy.checkMergedValueFilter('orderBy');
    return pageOf('places', qb, PLACE_ORDERS, PlaceOrderField.ID, { first, after, orderBy, columns, grid }, PlaceConnection);
  }
}
