import { ArgsType, ClassType, Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { BadUserInputError } from './errors';

/** Page size when `first` is left out. */
export const DEFAULT_PAGE_SIZE = 20;
/** Largest allowed `first`. */
export const MAX_PAGE_SIZE = 100;

export enum OrderDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}
registerEnumType(OrderDirection, { name: 'OrderDirection' });

@ObjectType({ description: 'Relay page information' })
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field({ description: 'True when this page was asked for with `after` (rows exist before it)' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

/** A connection whose `totalCount` is counted only when a client selects it. */
export interface ConnectionShape<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
  readonly totalCount: Promise<number>;
}

/** Builds the Relay connection type `<Name>Connection` with its `<Name>Edge`. */
export function ConnectionType<T extends object>(name: string, nodeType: ClassType<T>) {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field({ description: 'Opaque cursor; pass as `after` to continue after this edge' })
    cursor!: string;

    @Field(() => nodeType)
    node!: T;
  }

  @ObjectType(`${name}Connection`, { description: `A page of ${name} records (Relay connection)` })
  class Connection implements ConnectionShape<T> {
    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    private countThunk!: () => Promise<number>;
    private counted?: Promise<number>;

    @Field(() => Int, { description: 'Rows matching the filter, over all pages' })
    get totalCount(): Promise<number> {
      this.counted ??= this.countThunk();
      return this.counted;
    }

    static of(page: Omit<ConnectionShape<T>, 'totalCount'>, count: () => Promise<number>): Connection {
      const connection = Object.assign(new Connection(), page);
      connection.countThunk = count;
      return connection;
    }
  }
  return Connection;
}

/** One way to order a list: the property, its column (on alias `e`) and how its values travel in cursors. */
export interface OrderSpec {
  property: string;
  column: string;
  /** `day` is a `YYYY-MM-DD` date column; `date` a timestamp. */
  kind: 'string' | 'number' | 'date' | 'day';
}

/** What keyset paging needs of a query: the scoped reader's queries (src/access/scope.ts) are such. */
export interface PageableQuery<T> {
  andWhere(sql: string, params: unknown[]): unknown;
  orderBy(order: Record<string, 'asc' | 'desc'>): unknown;
  limit(count: number): unknown;
  select(fields: readonly string[]): unknown;
  withGrid(): unknown;
  clone(): PageableQuery<T>;
  getResultList(): Promise<T[]>;
  getCount(): Promise<number>;
}

export interface PageRequest {
  /** The list the page belongs to (e.g. `people`): a cursor of another list is refused. */
  list: string;
  first?: number | null;
  after?: string | null;
  /** Key of the order, as in the GraphQL enum; stored in the cursor. */
  orderKey: string;
  order: OrderSpec;
  direction: OrderDirection;
}

interface Cursor {
  /** The list. */
  l: string;
  /** The order key. */
  o: string;
  v: string | number;
  id: string;
}

/**
 * Keyset pagination (no OFFSET): orders by the chosen column then id, and continues strictly after the cursor's
 * (value, id) with one row comparison, so a page costs the same at any depth and rows are never repeated or
 * skipped while paging. Fetches `first + 1` rows to learn `hasNextPage`. The count runs lazily.
 * @throws BadUserInputError for `first` out of range or a malformed cursor.
 */
export async function paginate<T extends { id: string }>(
  qb: PageableQuery<T>,
  request: PageRequest,
): Promise<{ edges: { cursor: string; node: T }[]; pageInfo: PageInfo; count: () => Promise<number> }> {
  const first = pageSize(request.first);
  const countQb = qb.clone();
  const count = () => countQb.getCount();
  const { order, direction } = request;
  if (request.after != null) {
    const cursor = decodeCursor(request.after, request.list, request.orderKey, order);
    const op = direction === OrderDirection.ASC ? '>' : '<';
    if (order.column === 'e.id') qb.andWhere(`e.id ${op} ?`, [cursor.id]);
    else qb.andWhere(`(${order.column}, e.id) ${op} (?, ?)`, [cursor.v, cursor.id]);
  }
  const dir = direction === OrderDirection.ASC ? 'asc' : 'desc';
  const orderBy: Record<string, 'asc' | 'desc'> = { [order.property]: dir };
  if (order.property !== 'id') orderBy.id = dir;
  qb.orderBy(orderBy);
  qb.limit(first + 1);
  const rows = await qb.getResultList();
  const hasNextPage = rows.length > first;
  const nodes = rows.slice(0, first);
  const cursorOf = (node: T) => encodeCursor({ l: request.list, o: request.orderKey, v: cursorValue(node, order), id: node.id });
  // Made when read: a dashboard's page rarely asks for every edge's cursor.
  const edges = nodes.map((node) => ({
    get cursor() {
      return cursorOf(node);
    },
    node,
  }));
  return {
    edges,
    pageInfo: {
      hasNextPage,
      hasPreviousPage: request.after != null,
      startCursor: nodes.length ? cursorOf(nodes[0]) : null,
      endCursor: nodes.length ? cursorOf(nodes[nodes.length - 1]) : null,
    },
    count,
  };
}

function cursorValue(node: object, order: OrderSpec): string | number {
  const value = (node as Record<string, unknown>)[order.property];
  if (value instanceof Date) return value.toISOString();
  return value as string | number;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/** Largest PostgreSQL bigint: ids beyond it are not ids. */
const MAX_BIGINT = 9223372036854775807n;

/** A cursor's order value must be of the column's type, or the database rejects it (an internal error). */
function validValue(value: unknown, order: OrderSpec): boolean {
  if (order.column === 'e.id') return true;
  switch (order.kind) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'string':
      return typeof value === 'string' && !value.includes('\u0000');
    case 'date':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value));
    case 'day': {
      const match = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
      const date = match && new Date(Date.UTC(+match[1], +match[2] - 1, +match[3]));
      return !!match && !!date && date.getUTCMonth() === +match[2] - 1 && date.getUTCDate() === +match[3];
    }
  }
}

/**
 * A page size argument (`first`, default {@link DEFAULT_PAGE_SIZE}).
 * @throws BadUserInputError naming `field` when it is not a whole number from 0 to {@link MAX_PAGE_SIZE}.
 */
export function pageSize(first: number | null | undefined, field = 'first'): number {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw new BadUserInputError(`must be between 0 and ${MAX_PAGE_SIZE}, got ${size}`, field);
  }
  return size;
}

function decodeCursor(raw: string, list: string, orderKey: string, order: OrderSpec): Cursor {
  let cursor: Cursor;
  try {
    cursor = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Cursor;
  } catch {
    throw new BadUserInputError('not a cursor returned by this list', 'after');
  }
  if (
    typeof cursor !== 'object' ||
    cursor === null ||
    typeof cursor.id !== 'string' ||
    !/^\d{1,19}$/.test(cursor.id) ||
    BigInt(cursor.id) > MAX_BIGINT
  ) {
    throw new BadUserInputError('not a cursor returned by this list', 'after');
  }
  if (cursor.l !== list) {
    throw new BadUserInputError(`the cursor belongs to another list${typeof cursor.l === 'string' ? ` (${cursor.l.slice(0, 40)})` : ''}; pass a cursor of ${list}`, 'after');
  }
  if (cursor.o !== orderKey) {
    throw new BadUserInputError(`the cursor belongs to another order (${String(cursor.o).slice(0, 40)}); start again without after`, 'after');
  }
  if (!validValue(cursor.v, order)) throw new BadUserInputError('not a cursor returned by this list', 'after');
  return cursor;
}

/** Page arguments as the list queries take them. */
export interface ListArgs<F extends string> {
  first?: number | null;
  after?: string | null;
  orderBy?: { field: F; direction: OrderDirection } | null;
  /** Entity properties the client selected (see `columnsFor`); null loads every column. */
  columns?: readonly string[] | null;
  /** Whether the client selected each row's `grid`: read with the rows (ScopedQuery.withGrid). */
  grid?: boolean;
}

/**
 * One page of `qb` as a connection of type `connection` (built by {@link ConnectionType}), ordered by
 * `args.orderBy` (default: `defaultField` ascending) with keyset paging.
 */
export async function pageOf<T extends { id: string }, F extends string, C>(
  list: string,
  qb: PageableQuery<T>,
  orders: Record<F, OrderSpec>,
  defaultField: F,
  args: ListArgs<F>,
  connection: { of(page: Omit<ConnectionShape<T>, 'totalCount'>, count: () => Promise<number>): C },
): Promise<C> {
  const orderKey = args.orderBy?.field ?? defaultField;
  // Only the columns the page needs: id and grid code (scope, loaders), the order key (cursors), the selection.
  if (args.columns) qb.select([...new Set(['id', 'gridCode', orders[orderKey].property, ...args.columns])]);
  if (args.grid) qb.withGrid();
  const page = await paginate(qb, {
    list,
    first: args.first,
    after: args.after,
    orderKey,
    order: orders[orderKey],
    direction: args.orderBy?.direction ?? OrderDirection.ASC,
  });
  return connection.of(page, page.count);
}

/**
 * The cursor of an item of a nested link list (e.g. `place.people`): the list's name and the link's id, so a
 * cursor of one list is refused by another.
 */
/**
 * A cursor of a link list in the order of a column of its target (`Person.incidents` by the incident's report
 * time): the link's id and the target's value, checked as a list's keyset cursor is.
 */
export function encodeOrderedLinkCursor(list: string, orderKey: string, value: string | number, linkId: string): string {
  return encodeCursor({ l: list, o: orderKey, v: value, id: linkId });
}

/** @throws BadUserInputError naming `after` when `raw` is not a cursor of `list` in this order. */
export function decodeOrderedLinkCursor(raw: string, list: string, orderKey: string, order: OrderSpec): { value: string | number; id: string } {
  const cursor = decodeCursor(raw, list, orderKey, order);
  return { value: cursor.v, id: cursor.id };
}

export function encodeLinkCursor(list: string, id: string): string {
  return Buffer.from(JSON.stringify({ l: list, id })).toString('base64url');
}

/**
 * The link id in a cursor of `list`.
 * @throws BadUserInputError naming `after` when it is not a cursor of that list.
 */
export function decodeLinkCursor(raw: string, list: string): string {
  let cursor: { l?: unknown; id?: unknown; o?: unknown };
  try {
    cursor = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as typeof cursor;
  } catch {
    throw new BadUserInputError(`not a cursor of ${list}`, 'after');
  }
  if (typeof cursor !== 'object' || cursor === null || cursor.l !== list || typeof cursor.id !== 'string' || !/^\d{1,18}$/.test(cursor.id)) {
    throw new BadUserInputError(`not a cursor of ${list}`, 'after');
  }
  if ('o' in cursor) throw new BadUserInputError('the cursor belongs to another order; start again without after', 'after');
  return cursor.id;
}

/** The page arguments of every nested link list (`person.places`, `place.people`, `incident.parties`, `incident.events`). */
@ArgsType()
export class LinkPageArgs {
  @Field(() => Int, { nullable: true, description: 'At most this many (default 20, at most 100)' })
  first?: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'Continue after this item: the `cursor` of the last link seen (for `events`, the `seq` of the last event)',
  })
  after?: string | null;
}
