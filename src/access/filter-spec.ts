import { BadUserInputError } from '../shared/errors';
import { containsPattern, parseDateArgument } from '../shared/filters';
import { parseId } from '../shared/ids';
import { containsRun, searchPlan } from '../shared/search-keys';
import { EntityKind, SourceSystem } from '../sources/source-system';
import { Condition, regionCondition, ScopedReader, textArrayLiteral } from './scope';

/**
 * The filter language of people, places, things and incidents — one declarative spec per kind, compiled to one SQL
 * condition over alias `e` that lists, counts and stats share.
 *
 * A filter object holds conditions on fields, all of which must hold, and the combinators `AND` (every filter of
 * the list holds), `OR` (at least one does) and `NOT` (the filter does not hold). The viewer's scope is not part of
 * the condition: the scoped reader adds it to every statement, so no `OR` can reach past it. Each field is checked
 * against the access policy where it is named (a department may not filter by merged values, wherever the field
 * sits in the tree), and errors name the field by its path: `filter.OR[1].search`.
 */

/** How deep `AND`/`OR`/`NOT` may nest. */
export const MAX_FILTER_DEPTH = 4;
/** The most conditions one filter may hold in all its branches — fields and AND/OR/NOT alike (`{ OR: [{ a }, { b }] }` holds three). */
export const MAX_FILTER_CONDITIONS = 40;

/** Compiles one field's value (never null) at `at` (its path) to a condition. */
type FieldCompiler = (value: any, at: string, reader: ScopedReader, filter: Record<string, unknown>) => Condition | null;

export interface FilterSpec {
  kind: EntityKind;
  fields: Record<string, FieldCompiler>;
  /** Checks between fields of one filter object (a range's ends, a field that needs another). */
  check?: (filter: Record<string, any>, at: string) => void;
}

const TRUE: Condition = { sql: 'true', params: [] };

function all(parts: Condition[]): Condition {
  if (parts.length === 0) return TRUE;
  if (parts.length === 1) return parts[0];
  return { sql: parts.map((part) => `(${part.sql})`).join(' and '), params: parts.flatMap((part) => part.params) };
}

/** Compiles `filter` (at path `path`) with `spec` for `reader`: the condition, or `true` for no filter. */
export function compileFilter(spec: FilterSpec, filter: object | null | undefined, reader: ScopedReader, path = 'filter'): Condition {
  return all(compileFilterParts(spec, filter, reader, path));
}

/**
 * The conditions of `filter`'s top level, each on its own (all must hold): a list hands them to its query one by one,
 * so that the query can recognise a region among them (an index per region level, see ScopedQuery).
 */
export function compileFilterParts(spec: FilterSpec, filter: object | null | undefined, reader: ScopedReader, path = 'filter'): Condition[] {
  if (filter == null) return [];
  let conditions = 0;
  const walk = (node: Record<string, any>, at: string, depth: number): Condition => all(walkParts(node, at, depth));
  const walkParts = (node: Record<string, any>, at: string, depth: number): Condition[] => {
    if (depth > MAX_FILTER_DEPTH) throw new BadUserInputError(`AND, OR and NOT nest at most ${MAX_FILTER_DEPTH} deep`, at);
    spec.check?.(node, at);
    const parts: Condition[] = [];
    for (const [key, value] of Object.entries(node)) {
      if (value == null) continue;
      // Every field and every combinator counts, so that no tree of empty branches grows past the bound either.
      if (++conditions > MAX_FILTER_CONDITIONS) {
        throw new BadUserInputError(`a filter may hold at most ${MAX_FILTER_CONDITIONS} conditions`, `${at}.${key}`);
      }
      if (key === 'AND' || key === 'OR') {
        const list = value as Array<Record<string, any>>;
        if (list.length === 0) throw new BadUserInputError('must hold at least one filter', `${at}.${key}`);
        const branches = list.map((branch, index) => walk(branch, `${at}.${key}[${index}]`, depth + 1));
        if (key === 'AND') parts.push(...branches.filter((branch) => branch !== TRUE));
        else if (!branches.includes(TRUE)) {
          parts.push({ sql: branches.map((branch) => `(${branch.sql})`).join(' or '), params: branches.flatMap((branch) => branch.params) });
        }
        continue;
      }
      if (key === 'NOT') {
        const negated = walk(value, `${at}.NOT`, depth + 1);
        // A row for which the condition is unknown (a null column) is one for which it does not hold.
        parts.push(negated === TRUE ? { sql: 'false', params: [] } : { sql: `not coalesce((${negated.sql}), false)`, params: negated.params });
        continue;
      }
      const compile = spec.fields[key];
      if (compile === undefined) throw new Error(`filter field ${key} of ${spec.kind} has no compiler`);
      const condition = compile(value, `${at}.${key}`, reader, node);
      if (condition !== null) parts.push(condition);
    }
    return parts;
  };
  return walkParts(filter as Record<string, any>, path, 0);
}

// ---- field compilers ----

type Guard = 'merged' | 'tags' | null;

function guard(reader: ScopedReader, kind: Guard, at: string): void {
  if (kind === 'merged') reader.policy.checkMergedValueFilter(at);
  if (kind === 'tags') reader.policy.checkTagFilter(at);
}

/** The column holds one of the listed values (an empty list: no condition). */
function oneOf(column: string, guarded: Guard = null): FieldCompiler {
  return (values: unknown[], at, reader) => {
    if (values.length === 0) return null;
    guard(reader, guarded, at);
    for (const value of values) {
      // eslint-disable-next-line no-control-regex
      if (typeof value === 'string' && (value.length > 100 || /[\u0000-\u001f\u007f]/.test(value))) {
        throw new BadUserInputError('values must be at most 100 characters, without control characters', at);
      }
    }
    return { sql: `${column} = any(?::text[])`, params: [textArrayLiteral(values.map(String))] };
  };
}

function equals(column: string, guarded: Guard = null): FieldCompiler {
  return (value, at, reader) => {
    guard(reader, guarded, at);
    return { sql: `${column} = ?`, params: [value] };
  };
}

/** A time at or after (`from`) or before (`to`) the given one; dates are compared as instants. */
function timeBound(column: string, side: 'from' | 'to', guarded: Guard = null): FieldCompiler {
  return (value: Date, at, reader) => {
    guard(reader, guarded, at);
    return { sql: `${column} ${side === 'from' ? '>=' : '<'} ?`, params: [value] };
  };
}

/** `*From` must lie before `*To` in one filter object. */
function rangeCheck(filter: Record<string, any>, at: string, from: string, to: string): void {
  const low = filter[from];
  const high = filter[to];
  if (low instanceof Date && high instanceof Date && low >= high) throw new BadUserInputError(`must be later than ${at}.${from}`, `${at}.${to}`);
}

const region: FieldCompiler = (code: string, at, reader) => regionCondition(reader.regionArgument(code, at), 'e.grid_code');

function knownTo(kind: EntityKind): FieldCompiler {
  return (source: SourceSystem, at, reader) => {
    reader.policy.checkSourceFilter(source, at);
    return {
      sql: 'exists (select 1 from source_record fs where fs.entity_kind = ? and fs.entity_id = e.id and fs.source = ?)',
      params: [kind, source],
    };
  };
}

/** `name`-like column contains the text (ILIKE; the search field is the indexed way). */
function contains(column: string, guarded: Guard): FieldCompiler {
  return (text: string, at, reader) => {
    guard(reader, guarded, at);
    return { sql: `${column} ilike ?`, params: [containsPattern(text, at)] };
  };
}

/**
 * Text search over `columns` through the row's search keys (see src/shared/search-keys.ts): the keys narrow by
 * the GIN index, then every run of the text must be contained in one of the columns; or, for 2–8 Latin letters,
 * the name's pinyin initials start with them.
 */
function search(columns: readonly string[], guarded: Guard): FieldCompiler {
  return (text: string, at, reader) => {
    guard(reader, guarded, at);
    const plan = searchPlan(text, at);
    // The text as the keys were made of it (NFKC-folded). For a viewer who reads personal data masked, without runs
    // of 7 or more digits (phone and ID numbers it sees masked), so that no search can probe their digits.
    const searched = (column: string) =>
      reader.policy.masksPersonalData ? `regexp_replace(normalize(${column}, NFKC), '[0-9]{7,}', '', 'g')` : `normalize(${column}, NFKC)`;
    const runs = plan.literal.runs.map((run) => ({
      sql: columns.map((column) => `${searched(column)} ilike ?`).join(' or '),
      params: columns.map(() => containsRun(run)),
    }));
    const literal = all([{ sql: 'e.search_keys @> ?::text[]', params: [textArrayLiteral(plan.literal.keys)] }, ...runs]);
    if (plan.initials === null) return literal;
    return { sql: `e.search_keys @> ?::text[] or (${literal.sql})`, params: [textArrayLiteral([plan.initials]), ...literal.params] };
  };
}

/** Metres per degree of latitude (and of longitude at the equator). */
const METRES_PER_DEGREE = 111_320;
export const MAX_NEAR_RADIUS_METRES = 50_000;

/**
 * Within `radiusMetres` of a point: a box on `point(lng, lat)` (GiST index) and the great-circle distance checked
 * exactly (haversine, mean Earth radius 6,371,008.8 m).
 */
const near: FieldCompiler = (circle: { lng: number; lat: number; radiusMetres: number }, at) => {
  const { lng, lat, radiusMetres } = circle;
  if (!(lng >= -180 && lng <= 180)) throw new BadUserInputError('must be between -180 and 180', `${at}.lng`);
  if (!(lat >= -85 && lat <= 85)) throw new BadUserInputError('must be between -85 and 85', `${at}.lat`);
  if (!(radiusMetres > 0 && radiusMetres <= MAX_NEAR_RADIUS_METRES)) {
    throw new BadUserInputError(`must be more than 0 and at most ${MAX_NEAR_RADIUS_METRES}`, `${at}.radiusMetres`);
  }
  const dLat = radiusMetres / METRES_PER_DEGREE;
  const dLng = radiusMetres / (METRES_PER_DEGREE * Math.cos((Math.abs(lat) + dLat) * (Math.PI / 180)));
  return {
    sql: `point(e.lng, e.lat) <@ box(point(?, ?), point(?, ?))
      and 2 * 6371008.8 * asin(sqrt(power(sin(radians(e.lat - ?) / 2), 2)
            + cos(radians(?)) * cos(radians(e.lat)) * power(sin(radians(e.lng - ?) / 2), 2))) <= ?`,
    params: [lng - dLng, lat - dLat, lng + dLng, lat + dLat, lat, lat, lng, radiusMetres],
  };
};

const ID_GUARD = (value: string, at: string) => parseId(value, at);

/** The incident involves the person (as `personRole`, when given), through a link the viewer may follow. */
const involvingPerson: FieldCompiler = (personId: string, at, reader, filter) =>
  reader.involving(ID_GUARD(personId, at), (filter.personRole as string | null | undefined) ?? null);

/** A birth-date bound, as precise as the policy lets the viewer ask (exact dates could recover masked IDs). */
function birthBound(side: 'from' | 'to'): FieldCompiler {
  return (text: string, at, reader) => {
    const date = parseDateArgument(text, at);
    reader.policy.checkBirthBound(date, at, side === 'from' ? '-01-01' : '-12-31');
    return { sql: `e.birth_date ${side === 'from' ? '>=' : '<='} ?`, params: [date] };
  };
}

/**
 * The last change of the row, whichever system made it: a department filtering by it would learn when another
 * system touched its records (as ordering by it would), so it is a merged value.
 */
const updated = { updatedFrom: timeBound('e.updated_at', 'from', 'merged'), updatedTo: timeBound('e.updated_at', 'to', 'merged') };

/** `near` where the location is a merged value (a department reads its own and may not filter by it). */
const mergedNear: FieldCompiler = (circle, at, reader, filter) => {
  reader.policy.checkMergedValueFilter(at);
  return near(circle, at, reader, filter);
};

/** The update-time range of one filter object: from before to. */
const updatedRange = (filter: Record<string, any>, at: string) => rangeCheck(filter, at, 'updatedFrom', 'updatedTo');

/** Places and things: found by name and address, and where they are. */
const locatedByNameAndAddress = { search: search(['e.name', 'e.address'], 'merged'), near: mergedNear, ...updated };

// ---- the specs ----

export const PERSON_FILTER: FilterSpec = {
  kind: EntityKind.PERSON,
  fields: {
    regionCode: region,
    source: knownTo(EntityKind.PERSON),
    nameContains: contains('e.name', 'merged'),
    search: search(['e.name', 'e.address'], 'merged'),
    gender: equals('e.gender'),
    householdType: equals('e.household_type', 'merged'),
    householdTypes: oneOf('e.household_type', 'merged'),
    tagsAny: (tags: string[], at, reader) => {
      if (tags.length === 0) return null;
      reader.policy.checkTagFilter(at);
      return { sql: 'e.tags && ?::text[]', params: [textArrayLiteral(tags)] };
    },
    tagsAll: (tags: string[], at, reader) => {
      if (tags.length === 0) return null;
      reader.policy.checkTagFilter(at);
      return { sql: 'e.tags @> ?::text[]', params: [textArrayLiteral(tags)] };
    },
    bornFrom: birthBound('from'),
    bornTo: birthBound('to'),
    ...updated,
  },
  check(filter, at) {
    const from = filter.bornFrom != null ? parseDateArgument(filter.bornFrom, `${at}.bornFrom`) : null;
    const to = filter.bornTo != null ? parseDateArgument(filter.bornTo, `${at}.bornTo`) : null;
    if (from !== null && to !== null && from > to) throw new BadUserInputError(`must not be earlier than ${at}.bornFrom`, `${at}.bornTo`);
    rangeCheck(filter, at, 'updatedFrom', 'updatedTo');
  },
};

export const PLACE_FILTER: FilterSpec = {
  kind: EntityKind.PLACE,
  fields: {
    regionCode: region,
    source: knownTo(EntityKind.PLACE),
    kinds: oneOf('e.kind', 'merged'),
    nameContains: contains('e.name', 'merged'),
    ...locatedByNameAndAddress,
  },
  check: updatedRange,
};

export const THING_FILTER: FilterSpec = {
  kind: EntityKind.THING,
  fields: {
    regionCode: region,
    source: knownTo(EntityKind.THING),
    categories: oneOf('e.category', 'merged'),
    kinds: oneOf('e.kind', 'merged'),
    statuses: oneOf('e.status', 'merged'),
    componentCodePrefix: (prefix: string, at, reader) => {
      reader.policy.checkMergedValueFilter(at);
      if (!/^\d{1,16}$/.test(prefix)) throw new BadUserInputError('must be 1 to 16 digits', at);
      return { sql: 'e.component_code like ?', params: [`${prefix}%`] };
    },
    ...locatedByNameAndAddress,
  },
  check: updatedRange,
};

export const INCIDENT_FILTER: FilterSpec = {
  kind: EntityKind.INCIDENT,
  fields: {
    regionCode: region,
    source: knownTo(EntityKind.INCIDENT),
    statuses: oneOf('e.status'),
    // What a case is, how bad and where may be merged from several systems' records: a department reads its own.
    categories: oneOf('e.category', 'merged'),
    subCategories: oneOf('e.sub_category', 'merged'),
    severities: oneOf('e.severity', 'merged'),
    levels: oneOf('e.level'),
    overdue: equals('e.overdue'),
    search: search(['e.title', 'e.address'], 'merged'),
    near: mergedNear,
    personId: involvingPerson,
    // Read with personId (the check refuses it alone).
    personRole: () => null,
    reportedFrom: timeBound('e.reported_at', 'from'),
    reportedTo: timeBound('e.reported_at', 'to'),
    closedFrom: timeBound('e.closed_at', 'from'),
    closedTo: timeBound('e.closed_at', 'to'),
    dueFrom: timeBound('e.due_at', 'from'),
    dueTo: timeBound('e.due_at', 'to'),
    ...updated,
  },
  check(filter, at) {
    if (filter.personRole != null && filter.personId == null) throw new BadUserInputError(`needs ${at}.personId`, `${at}.personRole`);
    for (const range of ['reported', 'closed', 'due', 'updated']) rangeCheck(filter, at, `${range}From`, `${range}To`);
  },
};

/** Adds the conditions of a filter of `spec` to a list's query, each on its own. */
export function applyFilter(query: { andWhere(sql: string, params: unknown[]): unknown }, spec: FilterSpec, filter: object | null | undefined, reader: ScopedReader): void {
  for (const { sql, params } of compileFilterParts(spec, filter, reader)) query.andWhere(sql, params);
}

/** The condition of an incident filter (the scope is the reader's to add). */
export function incidentFilterCondition(reader: ScopedReader, filter: object | null | undefined, path = 'filter'): Condition {
  return compileFilter(INCIDENT_FILTER, filter, reader, path);
}

export function personFilterCondition(reader: ScopedReader, filter: object | null | undefined, path = 'filter'): Condition {
  return compileFilter(PERSON_FILTER, filter, reader, path);
}

export function placeFilterCondition(reader: ScopedReader, filter: object | null | undefined, path = 'filter'): Condition {
  return compileFilter(PLACE_FILTER, filter, reader, path);
}

export function thingFilterCondition(reader: ScopedReader, filter: object | null | undefined, path = 'filter'): Condition {
  return compileFilter(THING_FILTER, filter, reader, path);
}
