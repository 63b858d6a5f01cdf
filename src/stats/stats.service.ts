import { incidentFilterCondition, personFilterCondition, placeFilterCondition, thingFilterCondition } from '../access/filter-spec';
import { Condition, ScopedReader } from '../access/scope';
import { IncidentFilter } from '../incidents/incident.types';
import { PersonFilter } from '../people/person.types';
import { PlaceFilter } from '../places/place.types';
import { BadUserInputError } from '../shared/errors';
import { EntityKind } from '../sources/source-system';
import { ThingFilter } from '../things/thing.types';
import {
  checkGroupBy,
  DimensionSpec,
  INCIDENT_DIMENSIONS,
  IncidentStatsDimension,
  PERSON_DIMENSIONS,
  PersonStatsDimension,
  PLACE_DIMENSIONS,
  PlaceStatsDimension,
  THING_DIMENSIONS,
  ThingStatsDimension,
} from './stats-dimensions';
import {
  CountMeasures,
  IncidentGroupKey,
  IncidentMeasures,
  IncidentStats,
  PersonGroupKey,
  PersonStats,
  PlaceGroupKey,
  PlaceStats,
  RegionGroupKey,
  ThingGroupKey,
  ThingStats,
} from './stats.types';
import { meanShown, suppressedCells } from './suppression';

/** How grouped statistics are bounded and protected (from the limits: GRIDHUB_STATS_MIN_CELL, GRIDHUB_MAX_STATS_GROUPS). */
export interface StatsOptions {
  /** The smallest group whose measures a viewer that sees personal data masked is shown (1: every group). */
  minCell: number;
  /** The most groups one stats field answers; beyond, BAD_USER_INPUT on `groupBy`. */
  maxGroups: number;
}

/** The stats options of the hub's limits. */
export function statsOptions(limits: { statsMinCell: number; maxStatsGroups: number }): StatsOptions {
  return { minCell: limits.statsMinCell, maxGroups: limits.maxStatsGroups };
}

/** Incident measures that read the event log (a lateral look-up per incident): computed only when selected. */
export const EVENT_LOG_MEASURES: ReadonlySet<string> = new Set(['dispatched', 'meanSecondsToDispatch', 'meanSecondsToResolve']);

const RESOLVED = `e.status in ('RESOLVED', 'CLOSED')`;

/**
 * The incident measures as SQL aggregates: the count (always: suppression needs it) and those `selected` asks for,
 * each with what it is made of (a mean with its count) — each aggregate costs every row of the region (a county's
 * nine cost a third of the statement's time at 1 M people), so none is computed unasked. The event log's (over the
 * lateral `t`) only when `timed`.
 */
function incidentMeasureColumns(selected: ReadonlySet<string>, timed: boolean): string {
  const wanted = (...fields: string[]) => fields.some((field) => selected.has(field));
  const columns = ['count(*) as "count"'];
  if (wanted('open')) columns.push(`count(*) filter (where e.status not in ('CLOSED', 'REJECTED')) as "open"`);
  if (wanted('overdue')) columns.push('count(*) filter (where e.overdue) as "overdue"');
  if (wanted('resolved', 'resolvedAtOrBelow')) columns.push(`count(*) filter (where ${RESOLVED}) as "resolved"`);
  if (wanted('resolvedAtOrBelow')) {
    columns.push(
      `count(*) filter (where ${RESOLVED} and e.level = 'GRID') as "resolvedGrid"`,
      `count(*) filter (where ${RESOLVED} and e.level in ('GRID', 'COMMUNITY')) as "resolvedCommunity"`,
      `count(*) filter (where ${RESOLVED} and e.level in ('GRID', 'COMMUNITY', 'TOWN')) as "resolvedTown"`,
    );
  }
  if (wanted('rated', 'meanSatisfaction')) columns.push('count(e.satisfaction) as "rated"');
  if (wanted('meanSatisfaction')) columns.push('avg(e.satisfaction)::float8 as "meanSatisfaction"');
  if (timed) {
    columns.push(
      'count(t.dispatched_at) as "dispatched"',
      'avg(extract(epoch from t.dispatched_at - e.reported_at))::float8 as "meanSecondsToDispatch"',
      'count(t.resolved_at) as "resolveTimed"',
      'avg(extract(epoch from t.resolved_at - e.reported_at))::float8 as "meanSecondsToResolve"',
    );
  }
  return columns.join(', ');
}

/**
 * Per incident, from its log: the first DISPATCHED event, and for a case RESOLVED or CLOSED now the resolution that
 * stands — its latest RESOLVED event, or its closedAt when the log has none. A case's events are appended one action
 * at a time, each stamped with the database's clock, so the latest is the last (`max(at)` needs no sort, unlike
 * `array_agg(… order by seq)`: 10–25 % faster on a million incidents). One index range per incident.
 */
const EVENT_LOG_JOIN = `cross join lateral (
    select min(ev.at) filter (where ev.type = 'DISPATCHED') as dispatched_at,
           case when ${RESOLVED} then coalesce(max(ev.at) filter (where ev.type = 'RESOLVED'), e.closed_at) end as resolved_at
      from incident_event ev where ev.incident_id = e.id and ev.type in ('DISPATCHED', 'RESOLVED')) t`;

/** A row of a grouped statement: `d0`…`dN` (the key), `isTotal`, and the measures. */
type StatsRow = Record<string, unknown> & { isTotal?: boolean };

interface Grouped {
  total: StatsRow | null;
  groups: StatsRow[];
  dimensions: DimensionSpec[];
}

/**
 * Grouped statistics (issue 12) through the scoped reader: for each stats field one statement that filters (the
 * declarative filter spec of the lists), groups in SQL (`group by grouping sets ((…), ())`: the groups and the total
 * together) and returns at most `maxGroups` groups; then small-cell suppression for viewers that see personal data
 * masked ({@link suppressedCells}).
 */
export class StatsService {
  constructor(
    private readonly reader: ScopedReader,
    private readonly options: StatsOptions,
  ) {}

  /** The smallest cell the viewer is shown, or null when it sees every cell. */
  private get minCell(): number | null {
    return this.reader.policy.masksPersonalData && this.options.minCell > 1 ? this.options.minCell : null;
  }

  /**
   * Incident statistics over the incidents matching `filter`, grouped by `groupBy`.
   * @param selected the measure fields the query selects (those of the event log cost a look-up per incident).
   * @throws BadUserInputError for a bad filter or groupBy, or too many groups; ForbiddenError for what the viewer may not ask.
   */
  async incidentStats(
    filter: IncidentFilter | null | undefined,
    groupBy: readonly IncidentStatsDimension[] | null | undefined,
    selected: ReadonlySet<string>,
  ): Promise<IncidentStats> {
    const timed = [...EVENT_LOG_MEASURES].some((field) => selected.has(field));
    const grouped = await this.grouped(
      EntityKind.INCIDENT,
      INCIDENT_DIMENSIONS,
      groupBy,
      incidentFilterCondition(this.reader, filter),
      incidentMeasureColumns(selected, timed),
      timed ? EVENT_LOG_JOIN : null,
    );
    const measures = (row: StatsRow | null, suppressed: boolean) => this.incidentMeasures(row, suppressed);
    const { total, groups } = this.present(grouped, () => new IncidentGroupKey(), measures);
    return { total, groups, minimumCellSize: this.minCell };
  }

  /** People statistics (a count per group). @throws as {@link incidentStats} */
  async peopleStats(filter: PersonFilter | null | undefined, groupBy: readonly PersonStatsDimension[] | null | undefined): Promise<PersonStats> {
    const condition = personFilterCondition(this.reader, filter);
    return this.counted(EntityKind.PERSON, PERSON_DIMENSIONS, groupBy, condition, () => new PersonGroupKey());
  }

  /** Place counts. @throws as {@link incidentStats} */
  async placeStats(filter: PlaceFilter | null | undefined, groupBy: readonly PlaceStatsDimension[] | null | undefined): Promise<PlaceStats> {
    const condition = placeFilterCondition(this.reader, filter);
    return this.counted(EntityKind.PLACE, PLACE_DIMENSIONS, groupBy, condition, () => new PlaceGroupKey());
  }

  /** Thing counts. @throws as {@link incidentStats} */
  async thingStats(filter: ThingFilter | null | undefined, groupBy: readonly ThingStatsDimension[] | null | undefined): Promise<ThingStats> {
    const condition = thingFilterCondition(this.reader, filter);
    return this.counted(EntityKind.THING, THING_DIMENSIONS, groupBy, condition, () => new ThingGroupKey());
  }

  private async counted<D extends string, K extends RegionGroupKey>(
    kind: EntityKind,
    specs: Readonly<Record<D, DimensionSpec>>,
    groupBy: readonly D[] | null | undefined,
    condition: Condition,
    newKey: () => K,
  ): Promise<{ total: CountMeasures; groups: Array<{ key: K; measures: CountMeasures }>; minimumCellSize: number | null }> {
    // A row counts once in each of its values' groups of a dimension with several (a person's tags), and once in the total.
    const several = (groupBy ?? []).some((dimension) => specs[dimension]?.join !== undefined);
    const grouped = await this.grouped(kind, specs, groupBy, condition, `count(${several ? 'distinct e.id' : '*'}) as "count"`, null);
    const measures = (row: StatsRow | null, suppressed: boolean): CountMeasures =>
      suppressed ? { suppressed: true, count: null } : { suppressed: false, count: Number(row?.count ?? 0) };
    const { total, groups } = this.present(grouped, newKey, measures);
    return { total, groups, minimumCellSize: this.minCell };
  }

  /**
   * One statement: the groups of `groupBy` and the total of the rows in scope matching `condition`.
   * @throws BadUserInputError (groupBy) for a bad list or more than `maxGroups` groups; ForbiddenError for a
   * dimension the viewer may not group by.
   */
  private async grouped<D extends string>(
    kind: EntityKind,
    specs: Readonly<Record<D, DimensionSpec>>,
    groupBy: readonly D[] | null | undefined,
    condition: Condition,
    measures: string,
    join: string | null,
  ): Promise<Grouped> {
    const list = groupBy ?? [];
    checkGroupBy(list, specs);
    const dimensions = list.map((dimension) => specs[dimension]);
    for (const dimension of dimensions) dimension.check?.(this.reader.policy);
    const expressions = dimensions.map((dimension) => dimension.sql).join(', ');
    const joins = [...dimensions.flatMap((dimension) => (dimension.join ? [dimension.join] : [])), ...(join ? [join] : [])];
    const keyColumns = dimensions.map((dimension, i) => `${dimension.sql} as "d${i}", `).join('');
    const { maxGroups } = this.options;
    const rows = await this.reader.aggregate<StatsRow>(kind, {
      select: { sql: `${keyColumns}${dimensions.length ? `grouping(${expressions}) <> 0 as "isTotal", ` : ''}${measures}`, params: [] },
      joins: joins.length ? { sql: joins.join(' '), params: [] } : undefined,
      where: [condition],
      ...(dimensions.length
        ? {
            groupBy: `grouping sets ((${expressions}), ())`,
            orderBy: ['"isTotal" desc', ...dimensions.map((_dimension, i) => `"d${i}"`)].join(', '),
            // The total, the groups, and one more to tell that there are too many.
            limit: maxGroups + 2,
          }
        : {}),
    });
    const total = dimensions.length ? (rows.find((row) => row.isTotal) ?? null) : (rows[0] ?? null);
    const groups = dimensions.length ? rows.filter((row) => !row.isTotal) : [];
    if (groups.length > maxGroups) {
      throw new BadUserInputError(
        `more than ${maxGroups} groups: narrow the filter (a smaller region or report window) or group by fewer or coarser dimensions`,
        'groupBy',
      );
    }
    return { total, groups, dimensions };
  }

  /** Keys and measures of the rows, with small-cell suppression for a viewer that sees personal data masked. */
  private present<K extends RegionGroupKey, M>(
    { total, groups, dimensions }: Grouped,
    newKey: () => K,
    measures: (row: StatsRow | null, suppressed: boolean) => M,
  ): { total: M; groups: Array<{ key: K; measures: M }> } {
    const minCell = this.minCell;
    const cells = groups.map((row) => ({ key: dimensions.map((_dimension, i) => row[`d${i}`]), count: Number(row.count) }));
    const hidden = minCell === null ? new Set<number>() : suppressedCells(cells, minCell);
    const totalCount = Number(total?.count ?? 0);
    return {
      total: measures(total, minCell !== null && totalCount > 0 && totalCount < minCell),
      groups: groups.map((row, i) => ({ key: keyOf(newKey(), dimensions, row), measures: measures(row, hidden.has(i)) })),
    };
  }

  private incidentMeasures(row: StatsRow | null, suppressed: boolean): IncidentMeasures {
    if (suppressed) {
      return {
        suppressed: true, count: null, open: null, overdue: null, resolved: null, resolvedAtOrBelow: null, dispatched: null,
        meanSecondsToDispatch: null, meanSecondsToResolve: null, rated: null, meanSatisfaction: null,
      };
    }
    // No group row: nothing matched (zero). A row without the column: the measure was not asked for, so not computed
    // (incidentMeasureColumns) — null, never a zero that could pass for a figure.
    const count = (column: string) => (row === null ? 0 : row[column] === undefined ? null : Number(row[column] ?? 0));
    const minCell = this.minCell;
    // A mean over fewer cases than the minimum cell would show too few people's figures (a rating is one person's).
    const mean = (column: string, averaged: number | null) => {
      const value = row?.[column];
      return value == null || averaged === null || (minCell !== null && !meanShown(averaged, minCell)) ? null : Number(value);
    };
    const resolved = count('resolved');
    const [grid, community, town] = [count('resolvedGrid'), count('resolvedCommunity'), count('resolvedTown')];
    return {
      suppressed: false,
      count: count('count'),
      open: count('open'),
      overdue: count('overdue'),
      resolved,
      resolvedAtOrBelow: grid === null || community === null || town === null || resolved === null ? null : { grid, community, town, county: resolved },
      dispatched: count('dispatched'),
      meanSecondsToDispatch: mean('meanSecondsToDispatch', count('dispatched')),
      meanSecondsToResolve: mean('meanSecondsToResolve', count('resolveTimed')),
      rated: count('rated'),
      meanSatisfaction: mean('meanSatisfaction', count('rated')),
    };
  }
}

/** The key of a group row: each dimension's value in its typed field; a region level also names the coarser codes. */
function keyOf<K extends RegionGroupKey>(key: K, dimensions: readonly DimensionSpec[], row: StatsRow): K {
  const fields = key as unknown as Record<string, unknown>;
  dimensions.forEach((dimension, i) => {
    const value = row[`d${i}`] ?? null;
    if (dimension.regionLength !== undefined && typeof value === 'string') {
      if (value.length >= 6) key.county = value.slice(0, 6);
      if (value.length >= 9) key.town = value.slice(0, 9);
      if (value.length >= 12) key.community = value.slice(0, 12);
      if (value.length >= 15) key.grid = value;
      key.regionCode = value;
    } else if (dimension.bucketDays !== undefined) {
      fields[dimension.key] = value === null ? null : new Date(value as string | Date);
    } else {
      fields[dimension.key] = value;
    }
  });
  return key;
}
