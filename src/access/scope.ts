import { Knex } from '@mikro-orm/knex';
import { EntityManager } from '@mikro-orm/postgresql';
import { boundStatements } from '../db/bound';
import { entityFromRow, propertyColumns } from '../db/rows';
import { Role, Viewer } from '../auth/viewer';
import { Region } from '../regions/region.entity';
import { BadUserInputError, ForbiddenError } from '../shared/errors';
import { ancestorCodesOf, codeRange, isWithin, parseRegionCode, RegionCodeError } from '../shared/region-code';
import { EntityKind } from '../sources/source-system';
import { AccessPolicy, OwnRecord } from './policy';

/** An entity class whose rows hang on a grid (`grid_code`). */
export type GridBound = { id: string; gridCode: string };
export type EntityClass<T> = new (...args: never[]) => T;

/** The table of each kind of grid-bound entity. */
const TABLES: Record<EntityKind, string> = {
  [EntityKind.PERSON]: 'person',
  [EntityKind.PLACE]: 'place',
  [EntityKind.THING]: 'thing',
  [EntityKind.INCIDENT]: 'incident',
};

/** A SQL condition with its `?` parameters. */
export interface Condition {
  sql: string;
  params: unknown[];
}

/** `column` lies under `region`: the digit-string range `[R, R+1)`, one index range scan. */
export function regionCondition(region: string, column: string): Condition {
  const { low, high } = codeRange(region);
  return high === null ? { sql: `${column} >= ?`, params: [low] } : { sql: `${column} >= ? and ${column} < ?`, params: [low, high] };
}

/**
 * The region of a condition made by {@link regionCondition} on `column` (as `withinRegion` and the scope add them),
 * or null for any other condition.
 */
function regionOf(condition: Condition, column: string): string | null {
  const [low] = condition.params;
  if (typeof low !== 'string' || !/^\d{1,15}$/.test(low)) return null;
  const made = regionCondition(low, column);
  const same = made.sql === condition.sql && made.params.length === condition.params.length && made.params.every((param, i) => param === condition.params[i]);
  return same ? low : null;
}

/**
 * Orders read per region from an index on `(left(grid_code, N), <column>, id)` (Migration20261205200000_region_order):
 * by table, the ordering property and the region lengths N that have one (county 6, town 9, community 12).
 *
 * Without it, "a town's 50 newest incidents" either walks the `(reported_at, id)` index newest first, discarding
 * other regions' rows, or reads all of the town's rows by `(grid_code, id)` and sorts them. Only incidents by report
 * time have it: it is the order of the dashboards' case lists, and every index costs ingestion (README, "Reads").
 */
const REGION_ORDER_INDEXES: Readonly<Record<string, Readonly<Record<string, readonly number[]>>>> = {
  incident: { reportedAt: [6, 9, 12] },
};

/** Limits a query to rows whose `column` lies under `region`. */
export function withinRegion(query: { andWhere(sql: string, params: unknown[]): unknown }, region: string, column = 'e.grid_code'): void {
  const { sql, params } = regionCondition(region, column);
  query.andWhere(sql, params);
}

/** A timestamp from a raw row (MikroORM's connection hands timestamps over as text). */
function asDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

function optionalDate(value: unknown): Date | null {
  return value == null ? null : asDate(value as Date | string);
}

/** The columns of a call (department_call, alias `l`) as DepartmentCall's properties. */
const CALL_COLUMNS = `l.id::text as "id", l.incident_id::text as "incidentId", l.department, l.status, l.note, l.called_by as "calledBy",
  l.called_at as "calledAt", l.acknowledge_due_at as "acknowledgeDueAt", l.acknowledged_by as "acknowledgedBy",
  l.acknowledged_at as "acknowledgedAt", l.answer_due_at as "answerDueAt", l.answered_by as "answeredBy", l.answered_at as "answeredAt",
  l.report, l.satisfaction, l.rating_comment as "ratingComment", l.rated_by as "ratedBy", l.rated_at as "ratedAt", l.version`;

const CALL_DATES = ['calledAt', 'acknowledgeDueAt', 'acknowledgedAt', 'answerDueAt', 'answeredAt', 'ratedAt'];

function callRow<R>(row: Record<string, unknown>): R {
  const call: Record<string, unknown> = { ...row };
  delete call.rank;
  for (const key of CALL_DATES) call[key] = optionalDate(row[key]);
  return call as R;
}

/**
 * One department's items of one kind (dispatches or calls) summed, as the scorecard's statement answers them: counts,
 * and the sums of seconds and ratings from which means are taken.
 */
export interface WorkSums {
  department: string;
  kind: 'DISPATCH' | 'CALL';
  received: number;
  acknowledged: number;
  acknowledgedOnTime: number;
  /** Seconds from received to acknowledged, summed over the acknowledged items. */
  acknowledgeSeconds: number;
  resolved: number;
  resolvedOnTime: number;
  /** Seconds from received to resolved, summed over the resolved items. */
  resolveSeconds: number;
  returned: number;
  ratings: number;
  satisfactionSum: number;
}

/** Paging of a link list under each parent: at most `first` links, after the link (or event seq) `after`. */
export interface LinkPage {
  first: number;
  after: string | null;
  /** Only links of this role (lists of links that have one: incident parties). */
  role?: string | null;
  /** Links in the order of a column of their target instead of link order; `after` is then a link id with `afterValue`. */
  order?: LinkOrder | null;
  /**
   * The properties of the target that the link's field needs (its selection, `columnsFor`; id and grid code always),
   * for lists whose links carry their target ({@link ScopedReader.incidentPartyLinks}); null or absent: every column.
   */
  targetColumns?: readonly string[] | null;
}

/** The order of a link list by a column of its target (alias `t`), then link id. */
export interface LinkOrder {
  /** The SQL expression over `t`, e.g. `t.reported_at`. */
  expression: string;
  direction: 'asc' | 'desc';
  /** The target's value at the link `after` (from the cursor). */
  afterValue: string | number | null;
  /** The order's name in cursors. */
  key: string;
}

/** What lies under one region (see {@link ScopedReader.regionCounts}). */
export interface RegionCountRow {
  people: number;
  places: number;
  things: number;
  incidents: number;
  openIncidents: number;
  overdueIncidents: number;
}

/** An aggregate statement over one kind of entity in scope (see {@link ScopedReader.aggregate}). */
export interface AggregateStatement {
  /** The select list, over `e` and the joins (with its `?` parameters). */
  select: Condition;
  /** Joins after `from <table> e`, e.g. `left join lateral unnest(e.tags) as tg(tag) on true`. */
  joins?: Condition;
  /** Conditions the rows must meet besides the scope (a compiled filter). */
  where: Condition[];
  /** The GROUP BY clause (no parameters: the same expressions as in the select list). */
  groupBy?: string;
  /** The ORDER BY clause (output column names). */
  orderBy?: string;
  /** At most this many rows. */
  limit?: number;
}

/** A person–place link row. */
export interface PersonPlaceRow {
  id: string;
  personId: string;
  placeId: string;
  role: string;
}

/** An incident–person link row. */
export interface IncidentPartyRow {
  id: string;
  incidentId: string;
  personId: string;
  role: string;
  /** The target's value in the list's order, when it is ordered by one ({@link LinkPage.order}). */
  orderValue?: Date | string | number | null;
  /** The incident (side `person`) or person (side `incident`) linked, read with the link when {@link ScopedReader.incidentPartyLinks} could. */
  target?: object;
}

/** An incident event as the live stream reads it: the event, and what its incident's scope depends on now. */
export interface IncidentEventRow {
  seq: string;
  incidentId: string;
  gridCode: string;
  category: string;
  type: string;
  actor: string;
  note: string | null;
  fromStatus: string | null;
  toStatus: string;
  at: Date;
  /** The incident's grid now (an event belongs to its incident's scope, as in `incident.events`). */
  incidentGridCode: string;
  /** The systems that sent records of the incident (a department sees the incidents its system sent). */
  sources: string[];
  /** `seq` as a number to compare, parsed once for all subscribers. */
  position: bigint;
}

/** The columns of {@link IncidentEventRow} from `incident_event ev join incident i`. */
export const INCIDENT_EVENT_ROW_COLUMNS = `ev.seq::text as "seq", ev.incident_id::text as "incidentId", ev.grid_code as "gridCode",
  ev.category, ev.type, ev.actor, ev.note, ev.from_status as "fromStatus", ev.to_status as "toStatus", ev.at,
  i.grid_code as "incidentGridCode",
  array(select distinct sr.source from source_record sr where sr.entity_kind = 'INCIDENT' and sr.entity_id = ev.incident_id) as "sources"`;

/** A raw {@link IncidentEventRow} (timestamps may come as text). */
export function incidentEventRow(row: Omit<IncidentEventRow, 'at' | 'position'> & { at: Date | string }): IncidentEventRow {
  return { ...row, at: asDate(row.at), position: BigInt(row.seq) };
}

/**
 * Whether a row read once for many viewers (the live feed reads each event once per instance) lies in `viewer`'s
 * scope — the same rule as the SQL of {@link ScopedReader}, in memory: its grid under the viewer's region and,
 * for a department, sent by its system.
 */
export function inViewerScope(viewer: Viewer, policy: AccessPolicy, gridCode: string, sources: readonly string[]): boolean {
  if (viewer.regionCode !== null && !isWithin(gridCode, viewer.regionCode)) return false;
  return policy.department === null || sources.includes(policy.department);
}

/**
 * A query over one table, limited to the viewer's scope when it was made. Conditions can only be added (there
 * is no `where`/`orWhere` that could replace or OR past the scope); a clone is a separate query with the same
 * conditions. Rows come back as the access policy lets the viewer read them, as plain objects of the entity's class
 * ({@link entityFromRow}): the entity manager neither hydrates nor tracks them.
 *
 * The statement is written here, not by MikroORM's query builder: `select <columns> from "<table>" as "e" where (<c1>) and
 * (<c2>) … order by … limit ?`, with `?` parameters that run bound (src/db/bound.ts). Building it with the query
 * builder (criteria nodes, knex's compiler) cost about a sixth of the hub's CPU per request under load
 * (`npm run bench:queries -- --profile`), for statements this simple.
 */
export class ScopedQuery<T extends object> {
  private readonly conditions: Condition[];
  /** The entity manager's transaction when the query was made (a read inside one sees its writes). */
  private readonly transaction: Knex.Transaction | null;
  /** Selected columns (`e."col"`, …); null until `select` is called: every mapped column. */
  private columns: string | null = null;
  /** `[column, direction]` in order. */
  private order: Array<[string, 'asc' | 'desc']> = [];
  /** The property the rows are ordered by first (see {@link REGION_ORDER_INDEXES}). */
  private orderedBy: string | null = null;
  private rowLimit: number | null = null;
  /** Whether each row's grid is read with it (see {@link withGrid}). */
  private joinGrid = false;
  /** The one primary key the rows are found by ({@link byKey}): a named statement, the row looked up in a fence. */
  private key: string | null = null;

  constructor(
    private readonly em: EntityManager,
    private readonly entity: EntityClass<T>,
    private readonly present: (rows: T[]) => Promise<T[]>,
    conditions: readonly Condition[] = [],
    /** Where the grids read with the rows go (the request's region loader); null: nowhere, so none is read. */
    private readonly gridSink: ((grid: Region) => void) | null = null,
  ) {
    this.conditions = [...conditions];
    this.transaction = em.getTransactionContext<Knex.Transaction>() ?? null;
  }

  /**
   * Adds a condition: SQL with `?` parameters, or equalities on properties (`{ code }`, `{ idNumber, idCollision:
   * false }`; a null value is `is null`).
   */
  andWhere(condition: string | Record<string, unknown>, params?: unknown[]): this {
    if (typeof condition === 'string') {
      this.conditions.push({ sql: condition, params: params ?? [] });
      return this;
    }
    for (const [property, value] of Object.entries(condition)) {
      // Values are bound as they are (no type conversion of MikroORM's): ids as text, booleans, dates, strings.
      if (value === undefined || (value !== null && typeof value === 'object' && !(value instanceof Date))) {
        throw new Error(`andWhere: ${property} must be compared to a value`);
      }
      const column = `e.${quoted(this.column(property))}`;
      this.conditions.push(value === null ? { sql: `${column} is null`, params: [] } : { sql: `${column} = ?`, params: [value] });
    }
    return this;
  }

  /** Reads only these properties (and nothing else), or every mapped column (`'*'`: never `e.*`, which would carry unmapped columns such as search keys). */
  select(fields: readonly string[] | '*'): this {
    const columns = fields === '*' ? [...propertyColumns(this.em, this.entity).values()] : fields.map((field) => this.column(field));
    this.columns = columns.map((column) => `e.${quoted(column)}`).join(', ');
    return this;
  }

  orderBy(order: Record<string, 'asc' | 'desc'>): this {
    this.order = Object.entries(order).map(([property, direction]) => [this.column(property), direction === 'desc' ? 'desc' : 'asc']);
    this.orderedBy = Object.keys(order)[0] ?? null;
    return this;
  }

  limit(count: number): this {
    this.rowLimit = count;
    return this;
  }

  /**
   * Reads each row's grid (its region row, as the region loader reads one) in the same statement, and hands it to the
   * request's region loader: a page's `grid { name }` then costs no statement of its own. The grid of a row in scope
   * lies in the scope, so it is one the region loader would give the viewer too.
   */
  withGrid(): this {
    this.joinGrid = true;
    return this;
  }

  /**
   * The row with primary key `id` (digits), if it meets the other conditions: looked up by key inside a fence
   * ({@link rowByKey}), so its one plan is the key's index whatever the region, and run as a named prepared
   * statement whose generic plan PostgreSQL can keep (src/db/bound.ts).
   */
  byKey(id: string): this {
    this.key = id;
    return this;
  }

  clone(): ScopedQuery<T> {
    const copy = new ScopedQuery(this.em, this.entity, this.present, this.conditions, this.gridSink);
    copy.key = this.key;
    copy.joinGrid = this.joinGrid;
    copy.columns = this.columns;
    copy.order = [...this.order];
    copy.orderedBy = this.orderedBy;
    copy.rowLimit = this.rowLimit;
    return copy;
  }

  async getResultList(): Promise<T[]> {
    return this.present(await this.rows());
  }

  async getSingleResult(): Promise<T | null> {
    this.rowLimit = 1;
    return (await this.present(await this.rows()))[0] ?? null;
  }

  /** The number of rows (ordering and limit do not apply). */
  async getCount(): Promise<number> {
    const where = this.where();
    const from = this.from();
    const [row] = await this.run<{ count: string | number }>(`select count(e.id) as count from ${from.sql}${where.sql}`, [...from.params, ...where.params]);
    return Number(row.count);
  }

  /** The rows as the database gives them (columns by name), made into the entity's plain objects. */
  private async rows(): Promise<T[]> {
    this.useRegionOrderIndex();
    const where = this.where();
    const columns = this.columns ?? this.select('*').columns!;
    const order = this.order.length ? ` order by ${this.order.map(([column, direction]) => `e.${quoted(column)} ${direction}`).join(', ')}` : '';
    const limit = this.rowLimit === null ? '' : ' limit ?';
    const sink = this.joinGrid ? this.gridSink : null;
    const grid = sink ? { columns: `, ${prefixedColumns(this.em, Region, 'gr', GRID, REGION_LOOKUP)}`, join: ' left join "region" as "gr" on gr.code = e.grid_code' } : null;
    const from = this.from();
    const raw = await this.run<Record<string, unknown>>(
      `select ${columns}${grid?.columns ?? ''} from ${from.sql}${grid?.join ?? ''}${where.sql}${order}${limit}`,
      [...from.params, ...where.params, ...(this.rowLimit === null ? [] : [this.rowLimit])],
    );
    if (sink) for (const row of raw) if (row[`${GRID}code`] != null) sink(entityFromRow(this.em, Region, unprefixed(row, GRID)));
    return raw.map((row) => entityFromRow(this.em, this.entity, row));
  }

  /** The table as `e`: the whole table, or the one row of {@link byKey}'s key. */
  private from(): Condition {
    const table = quoted(this.table());
    if (this.key === null) return { sql: `${table} as "e"`, params: [] };
    return { sql: rowByKey(table, 'e', '?::bigint'), params: [this.key] };
  }

  private where(): Condition {
    if (this.conditions.length === 0) return { sql: '', params: [] };
    return {
      sql: ` where ${this.conditions.map((condition) => `(${condition.sql})`).join(' and ')}`,
      params: this.conditions.flatMap((condition) => condition.params),
    };
  }

  /** Runs a statement with its values as bind parameters (src/db/bound.ts), in the transaction the query was made in, if any. */
  private run<R>(sql: string, params: readonly unknown[]): Promise<R[]> {
    return boundStatements(this.em).run<R>({ sql, bindings: params }, { transaction: this.transaction, named: this.key !== null });
  }

  /**
   * When the rows are ordered by a column that has an index per region level ({@link REGION_ORDER_INDEXES}) and the
   * narrowest region the query is limited to (its filter's or the scope's, as {@link regionCondition} wrote them) is
   * at such a level, that region's range conditions become `left(e.grid_code, N) = ?`: the index's own expression,
   * so PostgreSQL reads the region's rows in order from it and stops after the page — no row of another region, no
   * sort. The range conditions of the region and of the regions containing it are dropped, not kept beside it:
   * they select the same rows (for grid codes, digit strings: `left(g, N) = R` exactly when `R <= g < R+1`, or
   * fewer), and PostgreSQL, taking them for independent conditions, would multiply their selectivities, think the
   * region a few rows and sort it rather than use the index.
   */
  private useRegionOrderIndex(): void {
    const lengths = this.orderedBy === null ? undefined : REGION_ORDER_INDEXES[this.table()]?.[this.orderedBy];
    if (!lengths) return;
    const regions = this.conditions.map((condition) => regionOf(condition, 'e.grid_code'));
    const narrowest = regions.reduce<string | null>((found, region) => (region !== null && (found === null || region.length > found.length) ? region : found), null);
    if (narrowest === null || !lengths.includes(narrowest.length)) return;
    const kept = this.conditions.filter((_, i) => regions[i] === null || !narrowest.startsWith(regions[i]!));
    this.conditions.splice(0, this.conditions.length, ...kept, { sql: `left(e.grid_code, ${narrowest.length}) = ?`, params: [narrowest] });
  }

  private table(): string {
    return this.em.getMetadata().get(this.entity.name).tableName;
  }

  /** The column of a mapped property. @throws Error for a property the entity does not map (a programming error). */
  private column(property: string): string {
    const column = propertyColumns(this.em, this.entity).get(property);
    if (column === undefined) throw new Error(`${this.entity.name} maps no property ${property}`);
    return column;
  }
}

/**
 * The properties a read of grid-bound rows needs for `columns` (a selection's, `columnsFor`): them with the id and
 * grid code, which scope, loaders and cursors read; null (every column) stays null.
 */
export function withKeys(columns: readonly string[] | null): string[] | null {
  return columns === null ? null : [...new Set(['id', 'gridCode', ...columns])];
}

/** The prefix of a link's target's columns in a link row. */
const TARGET = 't:';
/** The prefix of a row's grid's columns ({@link ScopedQuery.withGrid}). */
const GRID = 'g:';

/**
 * The properties of a region that a look-up reads: all but the boundary, a GeoJSON polygon of up to thousands of
 * points that the grids of nearly every page (`grid { name }`) would otherwise carry and parse. `Region.boundary`
 * loads it on its own when asked (src/regions/region.loaders.ts).
 */
export const REGION_LOOKUP: readonly string[] = ['code', 'name', 'level', 'parentCode', 'createdAt', 'updatedAt'];

/** The columns of `row` named `<prefix>column`, without the prefix. */
function unprefixed(row: Readonly<Record<string, unknown>>, prefix: string): Record<string, unknown> {
  const columns: Record<string, unknown> = {};
  for (const key of Object.keys(row)) if (key.startsWith(prefix)) columns[key.slice(prefix.length)] = row[key];
  return columns;
}

/**
 * `entity`'s mapped columns of alias `alias` (those of `properties`; null: all), each named `<prefix><column>`: a row
 * of another table beside a link's or a page's.
 */
function prefixedColumns(em: EntityManager, entity: EntityClass<object>, alias: string, prefix: string, properties: readonly string[] | null): string {
  const all = propertyColumns(em, entity);
  const columns =
    properties === null
      ? [...all.values()]
      : properties.map((property) => {
          const column = all.get(property);
          if (column === undefined) throw new Error(`${entity.name} maps no property ${property}`);
          return column;
        });
  return columns.map((column) => `${alias}.${quoted(column)} as ${quoted(prefix + column)}`).join(', ');
}

/** An identifier as SQL (the entities' column names are plain lower-case words; quoted all the same). */
function quoted(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

/**
 * The one data-access seam for reads (design §6), and a wall: its entity manager is private, and every read it
 * offers — queries, rows by id, link lists, source records, regions — is limited to the viewer's region and, for
 * a DEPARTMENT token, to the entities its source sent, and answers rows as the {@link AccessPolicy} lets the
 * viewer read them. Link lists re-apply the scope to their parent, so a key that did not come from a scoped row
 * still reaches nothing outside the scope.
 */
export class ScopedReader {
  readonly #em: EntityManager;
  readonly policy: AccessPolicy;
  /** Where grids read with rows go ({@link ScopedQuery.withGrid}): the request's region loader, once it is made. */
  #gridSink: ((grid: Region) => void) | null = null;

  constructor(
    em: EntityManager,
    readonly viewer: Viewer,
  ) {
    this.#em = em;
    this.policy = new AccessPolicy(viewer);
  }

  /**
   * Runs one of the reader's own statements (`?` placeholders) with its values as bind parameters, on a connection
   * of the pool — as `connection.execute` ran them, outside any transaction of the entity manager.
   */
  private read<R>(sql: string, params: readonly unknown[], options: { named?: boolean } = {}): Promise<R[]> {
    return boundStatements(this.#em).run<R>({ sql, bindings: params }, options);
  }

  /** The scope of rows of `kind` under alias `alias`, as SQL. */
  private scope(kind: EntityKind, alias: string): Condition {
    const parts = this.scopeParts(kind, alias);
    if (parts.length === 0) return { sql: 'true', params: [] };
    if (parts.length === 1) return parts[0];
    return { sql: parts.map((part) => `(${part.sql})`).join(' and '), params: parts.flatMap((part) => part.params) };
  }

  /** The conditions of the scope (region, department), each on its own. */
  private scopeParts(kind: EntityKind, alias: string): Condition[] {
    const parts: Condition[] = [];
    if (this.viewer.regionCode !== null) parts.push(regionCondition(this.viewer.regionCode, `${alias}.grid_code`));
    const source = this.policy.department;
    if (source !== null) {
      parts.push({
        sql: `exists (select 1 from source_record sr where sr.entity_kind = ? and sr.entity_id = ${alias}.id and sr.source = ?)`,
        params: [kind, source],
      });
    }
    return parts;
  }

  /** A query over `entity` (alias `e`), limited to the viewer's scope. */
  query<T extends GridBound>(entity: EntityClass<T>, kind: EntityKind): ScopedQuery<T> {
    // Each part on its own: a query recognises the region's (see ScopedQuery.useRegionOrderIndex).
    return new ScopedQuery(this.#em, entity, (rows) => this.present(kind, rows), this.scopeParts(kind, 'e'), this.#gridSink);
  }

  /** Sends the grids that queries read with their rows ({@link ScopedQuery.withGrid}) to `sink` (the region loader). */
  onGridRead(sink: (grid: Region) => void): void {
    this.#gridSink = sink;
  }

  /**
   * A condition on incidents (alias `e`): the person `personId` is involved in it (as `role`, when given) — through
   * a link the viewer may follow: the person in scope, and for a department, a link its own system sent.
   */
  involving(personId: string, role: string | null): Condition {
    const person = this.scope(EntityKind.PERSON, 'p');
    const own = this.policy.readsUnattributedLinks ? null : { sql: 'ip.source = ?', params: [this.policy.department] };
    const parts = [{ sql: 'ip.incident_id = e.id and ip.person_id = ?', params: [personId] as unknown[] }];
    if (role !== null) parts.push({ sql: 'ip.role = ?', params: [role] });
    if (person.sql !== 'true') parts.push(person);
    if (own) parts.push(own);
    return {
      sql: `exists (select 1 from incident_party ip join person p on p.id = ip.person_id where ${parts.map((part) => `(${part.sql})`).join(' and ')})`,
      params: parts.flatMap((part) => part.params),
    };
  }

  /**
   * The rows of `entity` with these ids that lie in scope (any order); ids that are no ids match nothing.
   * @param columns the properties to read (with id and grid code); null: every column
   */
  byIds<T extends GridBound>(entity: EntityClass<T>, kind: EntityKind, ids: readonly string[], columns: readonly string[] | null = null): Promise<T[]> {
    const query = this.query(entity, kind).select(withKeys(columns) ?? '*');
    // One id (a person's card, a DataLoader batch of one) by its key, named; a list as one array.
    const one = singleKey(ids);
    return (one === null ? query.andWhere('e.id = any(?::bigint[])', [arrayLiteral(ids)]) : query.byKey(one)).getResultList();
  }

  /** Rows as the viewer may read them: for a department, its own sources' values (see AccessPolicy). */
  private async present<T extends { id: string }>(kind: EntityKind, rows: T[]): Promise<T[]> {
    const own = this.policy.department;
    if (own === null || rows.length === 0) return rows;
    const records = await this.read<OwnRecord>(
      `select sr.id::text as "id", sr.entity_id::text as "entityId", sr.observed_at as "observedAt",
              sr.received_at as "receivedAt", sr.payload
         from source_record sr where sr.entity_kind = ? and sr.source = ? and sr.entity_id = any(?::bigint[])`,
      [kind, own, arrayLiteral(rows.map((row) => row.id))],
    );
    return this.policy.departmentView(kind, rows, records);
  }

  /**
   * Person–place links of the given people (`side: 'person'`) or places (`side: 'place'`) in scope, at most
   * `page.first` per parent, in link order.
   */
  personPlaceLinks(side: 'person' | 'place', parentIds: readonly string[], page: LinkPage): Promise<PersonPlaceRow[]> {
    const person = { column: 'person_id', kind: EntityKind.PERSON };
    const place = { column: 'place_id', kind: EntityKind.PLACE };
    return this.linkRows(
      `select l.id::text as "id", l.person_id::text as "personId", l.place_id::text as "placeId", l.role`,
      'person_place',
      side === 'person' ? person : place,
      side === 'person' ? place : person,
      'id',
      parentIds,
      page,
    );
  }

  /**
   * Ids of the incidents in scope of the given places or things (`of`) in scope, newest (highest id) first, at most
   * `page.first` per parent, after the incident `page.after`.
   */
  async incidentsOf(of: EntityKind.PLACE | EntityKind.THING, parentIds: readonly string[], page: LinkPage): Promise<Array<{ id: string; parentId: string }>> {
    if (parentIds.length === 0 || page.first === 0) return [];
    const column = of === EntityKind.PLACE ? 'place_id' : 'thing_id';
    const conditions = [this.scope(of, 'e'), this.scope(EntityKind.INCIDENT, 'l')].filter((condition) => condition.sql !== 'true');
    const after = page.after === null ? { sql: '', params: [] } : { sql: ' and l.id < ?', params: [page.after] };
    return this.read<{ id: string; parentId: string }>(
      `select * from (select l.id::text as "id", l.${column}::text as "parentId",
              row_number() over (partition by l.${column} order by l.id desc) as "rank"
         from incident l join ${TABLES[of]} e on e.id = l.${column}
        where l.${column} = any(?::bigint[])${after.sql}${conditions.map((condition) => ` and (${condition.sql})`).join('')}) page
        where page."rank" <= ? order by page."rank"`,
      [arrayLiteral(parentIds), ...after.params, ...conditions.flatMap((condition) => condition.params), page.first],
    );
  }

  /**
   * What lies under each of the given regions, in scope: one statement per kind for all of them (an index range
   * count per region), incidents with their open and overdue counts in one.
   */
  async regionCounts(codes: readonly string[]): Promise<Map<string, RegionCountRow>> {
    const ranges = JSON.stringify(codes.map((code) => ({ code, ...codeRange(code) })));
    const counted = async (kind: EntityKind, measures: string) => {
      const scope = this.scope(kind, 'e');
      return this.read<Record<string, string | number> & { code: string }>(
        `select r.code, c.* from jsonb_to_recordset(?::jsonb) as r(code text, low text, high text)
           cross join lateral (select ${measures} from ${TABLES[kind]} e
                                where e.grid_code >= r.low and (r.high is null or e.grid_code < r.high) and (${scope.sql})) c`,
        [ranges, ...scope.params],
      );
    };
    const [people, places, things, incidents] = await Promise.all([
      counted(EntityKind.PERSON, 'count(*) as n'),
      counted(EntityKind.PLACE, 'count(*) as n'),
      counted(EntityKind.THING, 'count(*) as n'),
      counted(
        EntityKind.INCIDENT,
        // Overdue now: marked and still being handled. A case resolved or closed late keeps its mark, which the
        // stats' overdue measure counts; the sweeper marks only DISPATCHED and IN_PROGRESS cases.
        `count(*) as n, count(*) filter (where e.status not in ('CLOSED', 'REJECTED')) as open,
         count(*) filter (where e.overdue and e.status in ('DISPATCHED', 'IN_PROGRESS')) as overdue`,
      ),
    ]);
    const byCode = (rows: Array<Record<string, string | number> & { code: string }>) => new Map(rows.map((row) => [row.code, row]));
    const [p, pl, t, i] = [byCode(people), byCode(places), byCode(things), byCode(incidents)];
    return new Map(
      codes.map((code) => [
        code,
        {
          people: Number(p.get(code)?.n ?? 0),
          places: Number(pl.get(code)?.n ?? 0),
          things: Number(t.get(code)?.n ?? 0),
          incidents: Number(i.get(code)?.n ?? 0),
          openIncidents: Number(i.get(code)?.open ?? 0),
          overdueIncidents: Number(i.get(code)?.overdue ?? 0),
        },
      ]),
    );
  }

  /**
   * Runs one aggregate statement over the rows of `kind` (alias `e`) that lie in the viewer's scope and meet every
   * condition of `statement.where` — a grouped count or statistics (stats.service.ts): `select <select> from <table> e
   * <joins> where <scope> and <where> group by <groupBy> order by <orderBy> limit <limit>`. The caller writes
   * expressions over `e` and its joins; the scope is added here, the same as every other read's. One statement.
   * @returns the rows as the database gives them (timestamps may be text).
   */
  aggregate<R>(kind: EntityKind, statement: AggregateStatement): Promise<R[]> {
    const scope = this.scope(kind, 'e');
    const where = [scope, ...statement.where].filter((condition) => condition.sql !== 'true');
    const joins = statement.joins ?? { sql: '', params: [] };
    const sql =
      `select ${statement.select.sql} from ${TABLES[kind]} e${joins.sql ? ` ${joins.sql}` : ''}` +
      (where.length ? ` where ${where.map((condition) => `(${condition.sql})`).join(' and ')}` : '') +
      (statement.groupBy ? ` group by ${statement.groupBy}` : '') +
      (statement.orderBy ? ` order by ${statement.orderBy}` : '') +
      (statement.limit !== undefined ? ' limit ?' : '');
    return this.read<R>(sql, [
      ...statement.select.params,
      ...joins.params,
      ...where.flatMap((condition) => condition.params),
      ...(statement.limit !== undefined ? [statement.limit] : []),
    ]);
  }

  /**
   * Incident–person (party) links of the given incidents (`side: 'incident'`: who is involved) or people (`side:
   * 'person'`: what they are involved in) in scope, at most `page.first` per parent, in link order.
   *
   * With `targets` (the entity of the other side), each link also carries that row (`target`), read in the same
   * statement — as {@link byIds} would answer it, since the link list already limits its targets to the scope —
   * unless the viewer is a department, whose rows are its own sources' values (one more statement, by id).
   */
  async incidentPartyLinks(side: 'incident' | 'person', parentIds: readonly string[], page: LinkPage, targets?: EntityClass<object>): Promise<IncidentPartyRow[]> {
    const incident = { column: 'incident_id', kind: EntityKind.INCIDENT };
    const person = { column: 'person_id', kind: EntityKind.PERSON };
    const joined = targets !== undefined && this.policy.department === null ? targets : null;
    const rows = await this.linkRows<IncidentPartyRow & Record<string, unknown>>(
      `select l.id::text as "id", l.incident_id::text as "incidentId", l.person_id::text as "personId", l.role` +
        (joined ? `, ${prefixedColumns(this.#em, joined, 't', TARGET, withKeys(page.targetColumns ?? null))}` : ''),
      'incident_party',
      side === 'incident' ? incident : person,
      side === 'incident' ? person : incident,
      'id',
      parentIds,
      page,
    );
    if (!joined) return rows;
    // The link row keeps its target's prefixed columns beside it (internal, never answered as such).
    return rows.map((row) => ({ ...row, target: entityFromRow(this.#em, joined, unprefixed(row, TARGET)) }));
  }

  /** The event log of the given incidents in scope, at most `page.first` events per incident, in seq order. */
  async incidentEvents<E>(incidentIds: readonly string[], page: LinkPage): Promise<E[]> {
    const rows = await this.linkRows<{ at: Date | string }>(
      `select l.seq::text as "seq", l.incident_id::text as "incidentId", l.grid_code as "gridCode", l.category, l.type,
              l.actor, l.note, l.from_status as "fromStatus", l.to_status as "toStatus", l.at`,
      'incident_event',
      { column: 'incident_id', kind: EntityKind.INCIDENT },
      null,
      'seq',
      incidentIds,
      page,
    );
    return rows.map((row) => ({ ...row, at: asDate(row.at) }) as E);
  }

  /** Calls (乡呼县应) on the given incidents in scope, at most `page.first` per incident, oldest first. */
  async incidentCalls<R>(incidentIds: readonly string[], page: LinkPage): Promise<R[]> {
    const rows = await this.linkRows<Record<string, unknown>>(
      `select ${CALL_COLUMNS}`,
      'department_call',
      { column: 'incident_id', kind: EntityKind.INCIDENT },
      null,
      'id',
      incidentIds,
      page,
    );
    return rows.map((row) => callRow<R>(row));
  }

  /**
   * Calls whose incident lies in scope and that meet `conditions` (on `l`, the call, and `e`, its incident), oldest
   * first, after the call `afterId`, at most `limit`; with the count of all that match.
   */
  async departmentCallPage<R>(conditions: Condition[], limit: number, afterId: string | null): Promise<{ rows: R[]; count: () => Promise<number> }> {
    const all = [this.scope(EntityKind.INCIDENT, 'e'), ...conditions].filter((condition) => condition.sql !== 'true');
    const where = all.length ? ` where ${all.map((c) => `(${c.sql})`).join(' and ')}` : '';
    const params = all.flatMap((c) => c.params);
    const rows = await this.read<Record<string, unknown>>(
      `select ${CALL_COLUMNS} from department_call l join incident e on e.id = l.incident_id${where}${afterId ? `${where ? ' and' : ' where'} l.id > ?` : ''}
        order by l.id limit ?`,
      [...params, ...(afterId ? [afterId] : []), limit],
    );
    return {
      rows: rows.map((row) => callRow<R>(row)),
      count: async () => {
        const [counted] = await this.read<{ n: string }>(
          `select count(*) as n from department_call l join incident e on e.id = l.incident_id${where}`,
          params,
        );
        return Number(counted.n);
      },
    };
  }

  /** The calls with these ids whose incident lies in scope (any order). */
  async callsByIds<R>(ids: readonly string[]): Promise<R[]> {
    if (ids.length === 0) return [];
    const scope = this.scope(EntityKind.INCIDENT, 'e');
    const rows = await this.read<Record<string, unknown>>(
      `select ${CALL_COLUMNS} from department_call l join incident e on e.id = l.incident_id where l.id = any(?::bigint[]) and (${scope.sql})`,
      [arrayLiteral(ids), ...scope.params],
    );
    return rows.map((row) => callRow<R>(row));
  }

  /**
   * What the department scorecard counts, for cases in `region` (and the viewer's scope), summed per department and
   * kind of item (department-scorecard.ts defines the items and figures): each dispatch made in `[from, to)` that
   * stands — the first DISPATCHED event after the case's last escalation, credited to the department the case is
   * dispatched to now — with what followed it in the log; and each call placed in the window. One statement; the
   * sums, not the items, leave the database.
   */
  async departmentWork(region: string, from: Date, to: Date, acknowledgeMinutes: number): Promise<WorkSums[]> {
    const scope = this.scope(EntityKind.INCIDENT, 'e');
    const within = regionCondition(region, 'e.grid_code');
    const where = `(${within.sql}) and (${scope.sql})`;
    const params = [...within.params, ...scope.params];
    const rows = await this.read<Record<string, unknown>>(
      `with item as (
         select e.department, 'DISPATCH' as kind, d.at as received_at, d.at + make_interval(mins => ?) as acknowledge_due_at,
                after.started_at as acknowledged_at, e.due_at as resolve_due_at,
                case when e.status in ('RESOLVED', 'CLOSED') then after.resolved_at end as resolved_at,
                after.returns > 0 as returned, e.satisfaction
           from incident_event d join incident e on e.id = d.incident_id
          cross join lateral (
            -- What followed the dispatch, from one range of the incident's log.
            select min(a.at) filter (where a.type = 'STARTED') as started_at,
                   (array_agg(a.at order by a.seq desc) filter (where a.type = 'RESOLVED'))[1] as resolved_at,
                   count(*) filter (where a.type = 'VERIFIED') as returns
              from incident_event a where a.incident_id = d.incident_id and a.seq > d.seq
          ) after
          where d.type = 'DISPATCHED' and d.at >= ? and d.at < ? and e.department is not null and ${where}
            and not exists (select 1 from incident_event x where x.incident_id = d.incident_id and x.seq > d.seq and x.type = 'ESCALATED')
            and not exists (select 1 from incident_event p where p.incident_id = d.incident_id and p.seq < d.seq and p.type = 'DISPATCHED'
                              and not exists (select 1 from incident_event y where y.incident_id = d.incident_id and y.seq > p.seq and y.type = 'ESCALATED'))
         union all
         select l.department, 'CALL', l.called_at, l.acknowledge_due_at, l.acknowledged_at, l.answer_due_at, l.answered_at, false, l.satisfaction
           from department_call l join incident e on e.id = l.incident_id
          where l.called_at >= ? and l.called_at < ? and ${where}
       )
       select department, kind, count(*)::int as "received",
              count(acknowledged_at)::int as "acknowledged",
              count(*) filter (where acknowledged_at <= acknowledge_due_at)::int as "acknowledgedOnTime",
              coalesce(sum(extract(epoch from acknowledged_at - received_at)), 0)::float8 as "acknowledgeSeconds",
              count(resolved_at)::int as "resolved",
              count(*) filter (where resolved_at is not null and (resolve_due_at is null or resolved_at <= resolve_due_at))::int as "resolvedOnTime",
              coalesce(sum(extract(epoch from resolved_at - received_at)), 0)::float8 as "resolveSeconds",
              count(*) filter (where returned)::int as "returned",
              count(satisfaction)::int as "ratings", coalesce(sum(satisfaction), 0)::int as "satisfactionSum"
         from item group by department, kind`,
      [acknowledgeMinutes, from, to, ...params, from, to, ...params],
    );
    return rows.map((row) => ({
      department: row.department as string,
      kind: row.kind as WorkSums['kind'],
      received: Number(row.received),
      acknowledged: Number(row.acknowledged),
      acknowledgedOnTime: Number(row.acknowledgedOnTime),
      acknowledgeSeconds: Number(row.acknowledgeSeconds),
      resolved: Number(row.resolved),
      resolvedOnTime: Number(row.resolvedOnTime),
      resolveSeconds: Number(row.resolveSeconds),
      returned: Number(row.returned),
      ratings: Number(row.ratings),
      satisfactionSum: Number(row.satisfactionSum),
    }));
  }

  /**
   * The incident event log after seq `after` up to seq `upTo`, in seq order, at most `limit` events: events of
   * incidents in scope (as `incident.events`), whose own grid lies under `region` (already checked against the
   * scope) when given and whose category is one of `categories` when given.
   */
  async incidentEventLog(
    after: string,
    upTo: string,
    filter: { region: string | null; categories: readonly string[] | null },
    limit: number,
  ): Promise<IncidentEventRow[]> {
    const conditions: Condition[] = [this.scope(EntityKind.INCIDENT, 'i')];
    if (filter.region !== null) conditions.push(regionCondition(filter.region, 'ev.grid_code'));
    if (filter.categories !== null) conditions.push({ sql: 'ev.category = any(?::text[])', params: [textArrayLiteral(filter.categories)] });
    const rows = await this.read<Omit<IncidentEventRow, 'position'> & { at: Date | string }>(
      `select ${INCIDENT_EVENT_ROW_COLUMNS}
         from incident_event ev join incident i on i.id = ev.incident_id
        where ev.seq > ? and ev.seq <= ?${conditions.map((condition) => ` and (${condition.sql})`).join('')}
        order by ev.seq limit ?`,
      [after, upTo, ...conditions.flatMap((condition) => condition.params), limit],
    );
    return rows.map(incidentEventRow);
  }

  /**
   * Rows of the link table `table` whose `parentColumn` is one of `parentIds` and whose parent (of `kind`) lies in
   * scope: at most `page.first` per parent after `page.after`, ordered by `orderColumn`. One statement.
   */
  private linkRows<R>(
    select: string,
    table: string,
    parent: { column: string; kind: EntityKind },
    target: { column: string; kind: EntityKind } | null,
    orderColumn: string,
    parentIds: readonly string[],
    page: LinkPage,
  ): Promise<R[]> {
    if (parentIds.length === 0 || page.first === 0) return Promise.resolve([]);
    // Links between people and places or incidents record the system that sent them: a department, which reads
    // only what its own system sent, sees its own links only (links from before ingestion have no source); its
    // event logs are the hub's own and stay.
    // A link two systems both sent is one link to everyone else: the first row of each (parent, target, role) shows.
    const ownLinks =
      target === null
        ? null
        : !this.policy.readsUnattributedLinks
          ? { sql: 'l.source = ?', params: [this.policy.department] }
          : {
              sql: `not exists (select 1 from ${table} d where d.${parent.column} = l.${parent.column} and d.${target.column} = l.${target.column} and d.role = l.role and d.id < l.id)`,
              params: [],
            };
    const parentScope = this.scope(parent.kind, 'e');
    // The target's scope too, so that a page holds `first` links the viewer can follow whenever there are as many.
    const targetScope = target ? this.scope(target.kind, 't') : null;
    // One parent (a person's card): a named statement (src/db/bound.ts), the parent and the targets read by key in
    // fences (given `e.id = $1` beside the region's range, a generic plan may walk the region's index instead).
    const keys = keyMatch(`l.${parent.column}`, parentIds);
    const parentJoin = joinByKey(TABLES[parent.kind], 'e', `l.${parent.column}`, keys);
    const targetJoin = !target
      ? ''
      : keys.named
        ? ` cross join lateral ${rowByKey(TABLES[target.kind], 't', `l.${target.column}`)}`
        : ` join ${TABLES[target.kind]} t on t.id = l.${target.column}`;
    const role = page.role == null ? null : { sql: 'l.role = ?', params: [page.role] };
    const conditions = [parentScope, ...(targetScope ? [targetScope] : []), ...(ownLinks ? [ownLinks] : []), ...(role ? [role] : [])].filter(
      (condition) => condition.sql !== 'true',
    );
    const order = page.order ?? null;
    const after =
      page.after === null
        ? { sql: '', params: [] as unknown[] }
        : order === null
          ? { sql: ` and l.${orderColumn} > ?`, params: [page.after] as unknown[] }
          : { sql: ` and (${order.expression}, l.${orderColumn}) ${order.direction === 'asc' ? '>' : '<'} (?, ?)`, params: [order.afterValue, page.after] };
    const rank = order === null ? `l.${orderColumn}` : `${order.expression} ${order.direction}, l.${orderColumn} ${order.direction}`;
    return this.read<R>(
      `select * from (${select}${order === null ? '' : `, ${order.expression} as "orderValue"`}, row_number() over (partition by l.${parent.column} order by ${rank}) as "rank"
         from ${table} l ${parentJoin.sql}${targetJoin}
        where ${keys.sql}${after.sql}${conditions.map((condition) => ` and (${condition.sql})`).join('')}) page
        where page."rank" <= ? order by page."rank"`,
      [...parentJoin.params, ...keys.params, ...after.params, ...conditions.flatMap((condition) => condition.params), page.first],
      { named: keys.named },
    );
  }

  /**
   * Source records of entities of `kind` in scope (a department: its own source's only), by id order.
   * @returns plain rows with the SourceRecord's properties.
   */
  async sourceRecords<R>(kind: EntityKind, entityIds: readonly string[]): Promise<R[]> {
    if (entityIds.length === 0) return [];
    const scope = this.scope(kind, 'e');
    const source = this.policy.department;
    // One entity's records: a named statement (src/db/bound.ts), the entity read by key in a fence (as linkRows).
    const keys = keyMatch('sr.entity_id', entityIds);
    const entityJoin = joinByKey(TABLES[kind], 'e', 'sr.entity_id', keys);
    const rows = await this.read<{ observedAt: Date | string; receivedAt: Date | string }>(
      `select sr.id::text as "id", sr.entity_kind as "entityKind", sr.entity_id::text as "entityId", sr.source,
              sr.source_key as "sourceKey", sr.version::text as "version", sr.observed_at as "observedAt",
              sr.received_at as "receivedAt", sr.payload
         from source_record sr ${entityJoin.sql}
        where sr.entity_kind = ? and ${keys.sql}${source ? ' and sr.source = ?' : ''} and (${scope.sql})
        order by sr.id`,
      [...entityJoin.params, kind, ...keys.params, ...(source ? [source] : []), ...scope.params],
      { named: keys.named },
    );
    return rows.map((row) => ({ ...row, observedAt: asDate(row.observedAt), receivedAt: asDate(row.receivedAt) }) as R);
  }

  /**
   * Data conflicts in scope (by the grid of their entity), oldest first, after the conflict `afterId`, at most
   * `limit`; with the count of all that match. A department may not read them: a conflict shows another source's
   * value.
   * @throws ForbiddenError for a department.
   */
  async dataConflicts<R>(
    conditions: Condition[],
    limit: number,
    afterId: string | null,
  ): Promise<{ rows: R[]; count: () => Promise<number> }> {
    if (this.policy.department !== null) {
      throw new ForbiddenError("data conflicts show other sources' values; a department reads only what it sent", 'dataConflicts');
    }
    const all = [...conditions];
    if (this.viewer.regionCode !== null) {
      all.push(regionCondition(this.viewer.regionCode, 'c.grid_code'));
      // A collision or duplicate names its other side: shown only when that lies in the region too.
      const related = regionCondition(this.viewer.regionCode, 'c.related_grid_code');
      all.push({ sql: `c.related_grid_code is null or (${related.sql})`, params: related.params });
    }
    const where = all.length ? ` where ${all.map((c) => `(${c.sql})`).join(' and ')}` : '';
    const params = all.flatMap((c) => c.params);
    const rows = await this.read<Record<string, unknown>>(
      `select c.id::text as "id", c.entity_kind as "entityKind", c.entity_id::text as "entityId", c.grid_code as "gridCode",
              c.field, c.kind, c.related_entity_id::text as "relatedEntityId", c.candidates, c.first_seen_at as "firstSeenAt",
              c.last_seen_at as "lastSeenAt"
         from data_conflict c${where}${afterId ? `${where ? ' and' : ' where'} c.id > ?` : ''} order by c.id limit ?`,
      [...params, ...(afterId ? [afterId] : []), limit],
    );
    return {
      rows: rows.map((row) => ({
        ...row,
        firstSeenAt: asDate(row.firstSeenAt as string),
        lastSeenAt: asDate(row.lastSeenAt as string),
        values: (row.candidates as Array<Record<string, unknown>>).map((candidate) => ({
          source: candidate.source ?? null,
          sourceRecordId: candidate.sourceRecordId ?? null,
          entityId: candidate.entityId ?? (row.entityId as string),
          observedAt: candidate.observedAt ? asDate(candidate.observedAt as string) : null,
          value: candidate.value ?? null,
        })),
      })) as R[],
      count: async () => {
        const [counted] = await this.read<{ n: string }>(`select count(*) as n from data_conflict c${where}`, params);
        return Number(counted.n);
      },
    };
  }

  /**
   * A query over regions (alias `e`) limited to those the viewer may see: its scope's subtree, plus the
   * ancestors of its scope (whose names make up paths).
   */
  regions(): ScopedQuery<Region> {
    const query = new ScopedQuery(this.#em, Region, async (rows) => rows);
    const scope = this.viewer.regionCode;
    if (scope !== null) {
      const subtree = regionCondition(scope, 'e.code');
      const ancestors = this.scopeAncestors();
      query.andWhere(
        `(${subtree.sql})${ancestors.length ? ' or e.code = any(?::text[])' : ''}`,
        [...subtree.params, ...(ancestors.length ? [arrayLiteral(ancestors)] : [])],
      );
    }
    return query;
  }

  /**
   * The entity manager for the region registry's writes (`upsertRegions`), for ADMIN only; reads go through the
   * scoped methods above.
   * @throws ForbiddenError for any other viewer.
   */
  registryWriter(): EntityManager {
    if (!this.viewer.has(Role.ADMIN)) throw new ForbiddenError('only ADMIN may register regions');
    return this.#em;
  }

  /**
   * Validates a region code given as an argument and checks it lies inside the viewer's scope.
   * @param field argument path for error messages, e.g. `filter.regionCode`.
   * @throws BadUserInputError for a malformed code; ForbiddenError for a region outside the scope.
   */
  regionArgument(input: string, field: string): string {
    let code: string;
    try {
      code = parseRegionCode(input);
    } catch (error) {
      throw new BadUserInputError((error as RegionCodeError).message, field);
    }
    if (!this.inScope(code)) {
      throw new ForbiddenError(`${field}: region ${code} lies outside your scope (${this.viewer.regionCode})`, field);
    }
    return code;
  }

  /** True when `code` (a short code) lies inside the viewer's region scope. */
  inScope(code: string): boolean {
    return this.viewer.regionCode === null || isWithin(code, this.viewer.regionCode);
  }

  /** Regions the viewer may see: its scope subtree, plus the ancestors of its scope (for names and paths). */
  regionVisible(code: string): boolean {
    const scope = this.viewer.regionCode;
    return scope === null || isWithin(code, scope) || isWithin(scope, code);
  }

  /** The ancestors of the viewer's scope, which are visible as names although outside it. */
  scopeAncestors(): string[] {
    return this.viewer.regionCode === null ? [] : ancestorCodesOf(this.viewer.regionCode);
  }
}

/**
 * The row of `table` whose primary key is `key` (a parameter, or a column of a table before it: then joined
 * `lateral`), as `alias`, looked up inside a fence (`offset 0`: PostgreSQL pushes no condition into it), so that the
 * scope's conditions on `alias` only filter what comes out. For named statements (src/db/bound.ts), whose one plan
 * must serve a grid's token and a county's alike: given `e.id = $1` or `t.id = l.incident_id` beside the region's
 * range, a generic plan (which prices a region at 0.5 % of the table) may walk the region's index instead.
 */
function rowByKey(table: string, alias: string, key: string): string {
  return `(select * from ${table} k where k.id = ${key} offset 0) ${alias}`;
}

/**
 * The join of a statement's parent `table` as `alias` on `on` (the column that holds the parent's id): with
 * {@link keyMatch}'s one key, the parent's row read by that key ({@link rowByKey}), once; otherwise a plain join.
 */
function joinByKey(table: string, alias: string, on: string, keys: ReturnType<typeof keyMatch>): Condition {
  return keys.named
    ? { sql: `join ${rowByKey(table, alias, '?::bigint')} on ${alias}.id = ${on}`, params: keys.params }
    : { sql: `join ${table} ${alias} on ${alias}.id = ${on}`, params: [] };
}

/**
 * `column` equal to one of `keys`: with exactly one key, `column = ?::bigint` and a statement to run named (planned
 * once its generic plan serves: src/db/bound.ts); with several, one array parameter, planned for its values.
 */
function keyMatch(column: string, keys: readonly string[]): Condition & { named: boolean } {
  const one = singleKey(keys);
  return one === null
    ? { sql: `${column} = any(?::bigint[])`, params: [arrayLiteral(keys)], named: false }
    : { sql: `${column} = ?::bigint`, params: [one], named: true };
}

/** A key as the reads take one: digits only (ids, region codes). */
const KEY = /^\d{1,19}$/;

/** The only key of `keys` when there is exactly one and it is a key, else null. */
export function singleKey(keys: readonly string[]): string | null {
  return keys.length === 1 && KEY.test(keys[0]) ? keys[0] : null;
}

/**
 * Keys (ids, region codes: digits only) as one PostgreSQL array literal, for `= any(?::bigint[])`: one parameter
 * whatever the number of keys, so the statement's text does not vary with it, and no query-builder criterion per
 * key. Anything but digits is left out (it can match no row).
 */
export function arrayLiteral(keys: readonly string[]): string {
  return `{${keys.filter((key) => KEY.test(key)).join(',')}}`;
}

/** Texts as one PostgreSQL array literal, for `= any(?::text[])` (as {@link arrayLiteral}, for values of any text). */
export function textArrayLiteral(values: readonly string[]): string {
  return `{${values.map((value) => `"${value.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}
