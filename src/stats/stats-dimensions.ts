import { registerEnumType } from 'type-graphql';
import { AccessPolicy } from '../access/policy';
import { HandlingLevel, IncidentStatus } from '../incidents/incident-workflow';
import { IncidentCategory, Severity } from '../incidents/incident.entity';
import { AllowanceType, HouseholdType, PersonTag } from '../people/person.entity';
import { PlaceKind } from '../places/place.entity';
import { BadUserInputError } from '../shared/errors';
import { parseRegionCode } from '../shared/region-code';
import { EntityKind, SourceSystem } from '../sources/source-system';
import { ThingCategory, ThingKind, ThingStatus } from '../things/thing.entity';

/*
 * What grouped statistics may be grouped by (issue 12): for each kind of entity, each dimension's SQL expression over
 * the entity `e`, the key it fills, what a department may not ask of it, and how many values it has (the cost
 * model's estimate). No I/O.
 */

/**
 * The time zone of time buckets. gridhub has no time-zone setting; its cities are Chinese, on Beijing time (UTC+8
 * all year, no daylight saving since 1991).
 */
export const STATS_TIME_ZONE = 'Asia/Shanghai';

const REGION_VALUES = {
  COUNTY: { description: 'County or district (区/县): the first 6 digits of the grid code' },
  TOWN: { description: 'Town or sub-district (镇/街道): the first 9 digits of the grid code' },
  COMMUNITY: { description: 'Community or village (社区/村): the first 12 digits of the grid code' },
  GRID: { description: 'Grid (网格): the whole grid code' },
};

export enum IncidentStatsDimension {
  COUNTY = 'COUNTY',
  TOWN = 'TOWN',
  COMMUNITY = 'COMMUNITY',
  GRID = 'GRID',
  CATEGORY = 'CATEGORY',
  STATUS = 'STATUS',
  SEVERITY = 'SEVERITY',
  LEVEL = 'LEVEL',
  SOURCE = 'SOURCE',
  DAY = 'DAY',
  WEEK = 'WEEK',
  MONTH = 'MONTH',
}
registerEnumType(IncidentStatsDimension, {
  name: 'IncidentStatsDimension',
  description:
    'What incident statistics can be grouped by: at most one region level and one time bucket, each dimension once. ' +
    'A department may not group by CATEGORY or SEVERITY (merged values) nor by SOURCE',
  valuesConfig: {
    ...REGION_VALUES,
    CATEGORY: { description: 'Category (事件大类)' },
    STATUS: { description: 'Workflow state now (案件状态)' },
    SEVERITY: { description: 'Severity (紧急程度)' },
    LEVEL: { description: 'Handling level now (处置层级)' },
    SOURCE: { description: 'The system that reported it' },
    DAY: { description: 'The day it was reported, in Asia/Shanghai time (bucket: its 00:00)' },
    WEEK: { description: 'The ISO week it was reported, in Asia/Shanghai time (bucket: its Monday 00:00)' },
    MONTH: { description: 'The month it was reported, in Asia/Shanghai time (bucket: its first day 00:00)' },
  },
});

export enum PersonStatsDimension {
  COUNTY = 'COUNTY',
  TOWN = 'TOWN',
  COMMUNITY = 'COMMUNITY',
  GRID = 'GRID',
  TAG = 'TAG',
  HOUSEHOLD_TYPE = 'HOUSEHOLD_TYPE',
  INSURED = 'INSURED',
  ALLOWANCE_HOLDER = 'ALLOWANCE_HOLDER',
  ALLOWANCE_TYPE = 'ALLOWANCE_TYPE',
}
registerEnumType(PersonStatsDimension, {
  name: 'PersonStatsDimension',
  description:
    'What people statistics can be grouped by: at most one region level, each dimension once. A department may not group ' +
    "by TAG or HOUSEHOLD_TYPE, nor by another department's facet",
  valuesConfig: {
    ...REGION_VALUES,
    TAG: {
      description:
        'Each governance tag (特殊人群/关爱人群): a person counts once in the group of each of their tags; people without a tag in the group whose tag is null',
    },
    HOUSEHOLD_TYPE: { description: 'Household registration type (户籍/流动); null: not known' },
    INSURED: { description: 'Insured (参保) per the social security facet; null: the social security system holds no record' },
    ALLOWANCE_HOLDER: {
      description: 'Holds at least one allowance (救助/补贴) per the civil affairs facet; null: the civil affairs system holds no record',
    },
    ALLOWANCE_TYPE: {
      description: 'Each allowance type held: a person counts once in the group of each type; people without an allowance in the group whose type is null',
    },
  },
});

export enum PlaceStatsDimension {
  COUNTY = 'COUNTY',
  TOWN = 'TOWN',
  COMMUNITY = 'COMMUNITY',
  GRID = 'GRID',
  KIND = 'KIND',
}
registerEnumType(PlaceStatsDimension, {
  name: 'PlaceStatsDimension',
  description: 'What place counts can be grouped by: at most one region level; a department may not group by KIND (a merged value)',
  valuesConfig: { ...REGION_VALUES, KIND: { description: 'Kind of place (场所类型)' } },
});

export enum ThingStatsDimension {
  COUNTY = 'COUNTY',
  TOWN = 'TOWN',
  COMMUNITY = 'COMMUNITY',
  GRID = 'GRID',
  CATEGORY = 'CATEGORY',
  KIND = 'KIND',
  STATUS = 'STATUS',
}
registerEnumType(ThingStatsDimension, {
  name: 'ThingStatsDimension',
  description: 'What thing counts can be grouped by: at most one region level; a department may group by region levels only (the rest are merged values)',
  valuesConfig: {
    ...REGION_VALUES,
    CATEGORY: { description: 'Component class (部件大类)' },
    KIND: { description: 'Kind of component or object' },
    STATUS: { description: 'Status (完好/破损/丢失/移除)' },
  },
});

/** How one dimension groups rows. */
export interface DimensionSpec {
  /** The SQL expression over `e` (and the dimension's join) whose values form the groups. */
  sql: string;
  /** The property of the group key it fills. */
  key: string;
  /** Region levels: the number of digits of the grid code kept. */
  regionLength?: number;
  /** Time buckets: the bucket's length in days (for the cost estimate; a month counts 30). */
  bucketDays?: number;
  /**
   * A lateral join for a dimension with several values per row (a person's tags): the row counts once in each of
   * its values' groups, and once in the group of null when it has none.
   */
  join?: string;
  /** How many distinct values it has at most (the cost model's estimate; region levels are estimated by fan-out). */
  values: number;
  /** Refuses a viewer that may not group by it (FORBIDDEN naming `groupBy`). */
  check?: (policy: AccessPolicy) => void;
}

const size = (values: object) => Object.keys(values).length + 1; // every value, and null
const merged = (policy: AccessPolicy) => policy.checkMergedValueFilter('groupBy');

const REGION_DIMENSIONS = {
  COUNTY: { sql: 'left(e.grid_code, 6)', key: 'county', regionLength: 6, values: 0 },
  TOWN: { sql: 'left(e.grid_code, 9)', key: 'town', regionLength: 9, values: 0 },
  COMMUNITY: { sql: 'left(e.grid_code, 12)', key: 'community', regionLength: 12, values: 0 },
  GRID: { sql: 'e.grid_code', key: 'grid', regionLength: 15, values: 0 },
} satisfies Record<string, DimensionSpec>;

const bucket = (unit: 'day' | 'week' | 'month', days: number): DimensionSpec => ({
  sql: `date_trunc('${unit}', e.reported_at, '${STATS_TIME_ZONE}')`,
  key: 'bucket',
  bucketDays: days,
  values: 0,
});

export const INCIDENT_DIMENSIONS: Record<IncidentStatsDimension, DimensionSpec> = {
  ...REGION_DIMENSIONS,
  CATEGORY: { sql: 'e.category', key: 'category', values: size(IncidentCategory), check: merged },
  STATUS: { sql: 'e.status', key: 'status', values: size(IncidentStatus) },
  SEVERITY: { sql: 'e.severity', key: 'severity', values: size(Severity), check: merged },
  LEVEL: { sql: 'e.level', key: 'level', values: size(HandlingLevel) },
  SOURCE: { sql: 'e.source', key: 'source', values: size(SourceSystem), check: (policy) => policy.checkSourceBreakdown('groupBy') },
  DAY: bucket('day', 1),
  WEEK: bucket('week', 7),
  MONTH: bucket('month', 30),
};

export const PERSON_DIMENSIONS: Record<PersonStatsDimension, DimensionSpec> = {
  ...REGION_DIMENSIONS,
  TAG: {
    sql: 'tg.tag',
    key: 'tag',
    join: 'left join lateral unnest(e.tags) as tg(tag) on true',
    values: size(PersonTag),
    check: (policy) => policy.checkTagFilter('groupBy'),
  },
  HOUSEHOLD_TYPE: { sql: 'e.household_type', key: 'householdType', values: size(HouseholdType), check: merged },
  INSURED: {
    sql: `(e.social_security ->> 'insured')::boolean`,
    key: 'insured',
    values: 3,
    check: (policy) => policy.checkFacetFilter(SourceSystem.SOCIAL_SECURITY, 'groupBy'),
  },
  ALLOWANCE_HOLDER: {
    sql: `case when e.civil_affairs is not null then jsonb_array_length(coalesce(e.civil_affairs -> 'allowances', '[]'::jsonb)) > 0 end`,
    key: 'allowanceHolder',
    values: 3,
    check: (policy) => policy.checkFacetFilter(SourceSystem.CIVIL_AFFAIRS, 'groupBy'),
  },
  ALLOWANCE_TYPE: {
    sql: 'al.type',
    key: 'allowanceType',
    join: `left join lateral (select distinct a ->> 'type' as type from jsonb_array_elements(coalesce(e.civil_affairs -> 'allowances', '[]'::jsonb)) a) al on true`,
    values: size(AllowanceType),
    check: (policy) => policy.checkFacetFilter(SourceSystem.CIVIL_AFFAIRS, 'groupBy'),
  },
};

export const PLACE_DIMENSIONS: Record<PlaceStatsDimension, DimensionSpec> = {
  ...REGION_DIMENSIONS,
  KIND: { sql: 'e.kind', key: 'kind', values: size(PlaceKind), check: merged },
};

export const THING_DIMENSIONS: Record<ThingStatsDimension, DimensionSpec> = {
  ...REGION_DIMENSIONS,
  CATEGORY: { sql: 'e.category', key: 'category', values: size(ThingCategory), check: merged },
  KIND: { sql: 'e.kind', key: 'kind', values: size(ThingKind), check: merged },
  STATUS: { sql: 'e.status', key: 'status', values: size(ThingStatus), check: merged },
};

/** The dimensions of each kind, by the query that groups it. */
export const STATS_DIMENSIONS: Record<EntityKind, Record<string, DimensionSpec>> = {
  [EntityKind.INCIDENT]: INCIDENT_DIMENSIONS,
  [EntityKind.PERSON]: PERSON_DIMENSIONS,
  [EntityKind.PLACE]: PLACE_DIMENSIONS,
  [EntityKind.THING]: THING_DIMENSIONS,
};

/**
 * Checks a `groupBy` list: each dimension once, at most one region level and one time bucket.
 * @throws BadUserInputError naming `groupBy`.
 */
export function checkGroupBy<D extends string>(groupBy: readonly D[], specs: Readonly<Record<D, DimensionSpec>>): void {
  const seen = new Set<D>();
  for (const dimension of groupBy) {
    if (seen.has(dimension)) throw new BadUserInputError(`lists ${dimension} twice`, 'groupBy');
    seen.add(dimension);
  }
  const regions = groupBy.filter((dimension) => specs[dimension].regionLength !== undefined);
  if (regions.length > 1) {
    throw new BadUserInputError(`group by one region level at most (${regions.join(' and ')} given: the finer one's key names the coarser too)`, 'groupBy');
  }
  const buckets = groupBy.filter((dimension) => specs[dimension].bucketDays !== undefined);
  if (buckets.length > 1) throw new BadUserInputError(`group by one time bucket at most (${buckets.join(' and ')} given)`, 'groupBy');
}

/**
 * Regions one level down holds, on average, for the cost estimate (design: a city of ~1,000 grids): province →
 * city 12, city → county 10, county → town 8, town → community 4, community → grid 3.
 */
const FAN_OUT: ReadonlyArray<readonly [number, number]> = [
  [2, 12],
  [4, 10],
  [6, 8],
  [9, 4],
  [12, 3],
];

/** Regions of `length` digits under a region of `under` digits (0: everywhere, counted as one province). */
function regionsUnder(under: number, length: number): number {
  return FAN_OUT.reduce((product, [digits, fanOut]) => (digits >= under && digits < length ? product * fanOut : product), 1);
}

/** The scan weight of a stats query by the breadth of its region (filter.regionCode; none: all the viewer may read). */
export const STATS_SCAN_COSTS: Readonly<Record<number, number>> = { 0: 20_000, 2: 20_000, 4: 5_000, 6: 1_000, 9: 200, 12: 50, 15: 10 };

/** Buckets assumed for a time dimension over a report-time range that is open at one end: a year's. */
const OPEN_RANGE_DAYS = 366;

/**
 * The estimated cost of a stats field (operation-guard.ts): a scan weight by the breadth of the region filtered on
 * ({@link STATS_SCAN_COSTS}), plus the estimated number of groups — the product of each grouped dimension's values
 * (a region level: how many such regions the filtered region holds; a time bucket: buckets in the filtered report
 * range, a year's when it is open), at most `maxGroups` — times what each group selects.
 * @param args the field's arguments as coerced (`filter`, `groupBy`); values the resolver will refuse count as absent.
 */
export function estimateStatsCost(kind: EntityKind, args: Record<string, unknown>, perGroup: number, maxGroups: number): number {
  const specs = STATS_DIMENSIONS[kind];
  const filter = (args.filter ?? {}) as { regionCode?: unknown; reportedFrom?: unknown; reportedTo?: unknown };
  let under = 0;
  if (typeof filter.regionCode === 'string') {
    try {
      under = parseRegionCode(filter.regionCode).length;
    } catch {
      under = 0;
    }
  }
  const groupBy = Array.isArray(args.groupBy) ? (args.groupBy as string[]).filter((dimension) => specs[dimension]) : [];
  let groups = 1;
  for (const dimension of groupBy) {
    const spec = specs[dimension];
    if (spec.regionLength !== undefined) groups *= regionsUnder(under, spec.regionLength);
    else if (spec.bucketDays !== undefined) groups *= bucketsIn(filter.reportedFrom, filter.reportedTo, spec.bucketDays);
    else groups *= spec.values;
  }
  return (STATS_SCAN_COSTS[under] ?? STATS_SCAN_COSTS[0]) + Math.min(groups, maxGroups) * perGroup;
}

function bucketsIn(from: unknown, to: unknown, days: number): number {
  const start = from instanceof Date ? from.getTime() : NaN;
  const end = to instanceof Date ? to.getTime() : NaN;
  const span = Number.isFinite(start) && Number.isFinite(end) && end > start ? (end - start) / 86_400_000 : OPEN_RANGE_DAYS;
  return Math.ceil(span / days) + 1;
}
