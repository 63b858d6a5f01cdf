import { Role, Viewer } from '../auth/viewer';
import { ForbiddenError } from '../shared/errors';
import { FieldSource } from '../sources/lineage';
import { EntityKind, SourceSystem } from '../sources/source-system';
import { INCIDENT_CORE_FIELDS, PERSON_CORE_FIELDS, PLACE_CORE_FIELDS, surviveFields, THING_CORE_FIELDS } from '../sources/survivorship';
import { IncidentCategory, Severity } from '../incidents/incident.entity';
import { HouseholdType } from '../people/person.entity';
import { PlaceKind } from '../places/place.entity';
import { ThingCategory, ThingKind, ThingStatus } from '../things/thing.entity';
import { maskDate, maskIdNumber, maskPhone, maskValue } from './masking';

/**
 * The access policy (design §6), in one place: for one viewer, how each field of each row leaves the hub — as
 * stored, masked, or as the viewer's own department sent it — and which questions the viewer may not ask.
 * Resolvers, loaders and services ask it; none holds a role check of its own.
 *
 * - **Masking** (roles that see personal data masked, e.g. ANALYST): every String and JSON field of the schema is
 *   masked by value on its way out ({@link enforceAccessPolicy} wraps them all), with a few fields masked whole by
 *   what they hold ({@link FIELD_RULES}).
 * - **Department views** (a DEPARTMENT token without a broader role): the scoped reader hands out rows as the
 *   department's own source records give them ({@link AccessPolicy.departmentView}); lineage, facets and source
 *   records are its own only; governance tags are hidden.
 */

/** Roles that read everything in their region, whoever sent it. */
const BROAD_READERS = new Set([Role.ADMIN, Role.COMMAND_CENTER, Role.GRID_WORKER, Role.ANALYST]);
/** Roles that see ID and phone numbers and exact dates unmasked. */
const PII_READERS = new Set([Role.ADMIN, Role.COMMAND_CENTER, Role.GRID_WORKER, Role.DEPARTMENT]);

/** How one output field is masked for a viewer that sees personal data masked. */
export enum FieldRule {
  /** Masked by value: ID, phone numbers and dates inside it (the default for every String and JSON field). */
  TEXT = 'TEXT',
  /** The whole value is an ID number. */
  ID_NUMBER = 'ID_NUMBER',
  /** The whole value is a phone number (masked even if it is not a mobile's shape). */
  PHONE = 'PHONE',
  /** The whole value is a date that may be a birth date: the year only. */
  DATE = 'DATE',
  /** Written by gridhub itself (cursors, case numbers): never personal data, never altered. */
  AS_IS = 'AS_IS',
}

/** Fields whose rule is not the default {@link FieldRule.TEXT}, as `Type.field`; `*.field` for every type. */
export const FIELD_RULES: Readonly<Record<string, FieldRule>> = {
  'Person.idNumber': FieldRule.ID_NUMBER,
  'Person.phone': FieldRule.PHONE,
  'Person.birthDate': FieldRule.DATE,
  'Allowance.since': FieldRule.DATE,
  'Incident.caseNumber': FieldRule.AS_IS,
  'PageInfo.startCursor': FieldRule.AS_IS,
  'PageInfo.endCursor': FieldRule.AS_IS,
  '*.cursor': FieldRule.AS_IS,
};

/** The rule of `type.field`. */
export function fieldRule(typeName: string, fieldName: string): FieldRule {
  return FIELD_RULES[`${typeName}.${fieldName}`] ?? FIELD_RULES[`*.${fieldName}`] ?? FieldRule.TEXT;
}

/** Masks `value` by `rule` (strings, lists of strings, JSON). */
export function maskByRule(rule: FieldRule, value: unknown): unknown {
  if (value == null) return value;
  if (Array.isArray(value)) return value.map((item) => maskByRule(rule, item));
  switch (rule) {
    case FieldRule.AS_IS:
      return value;
    case FieldRule.ID_NUMBER:
      return typeof value === 'string' ? maskIdNumber(value) : maskValue(value);
    case FieldRule.PHONE:
      return typeof value === 'string' ? maskPhone(value) : maskValue(value);
    case FieldRule.DATE:
      return typeof value === 'string' ? maskDate(value) : maskValue(value);
    case FieldRule.TEXT:
      return maskValue(value);
  }
}

/** A check that a value from a payload fits its field (the schema's type); one that does not reads as null. */
type Fits = (value: unknown) => boolean;
const text: Fits = (value) => typeof value === 'string';
const number: Fits = (value) => typeof value === 'number' && Number.isFinite(value);
const oneOf = (values: object): Fits => (value) => Object.values(values).includes(value);
const gridCode: Fits = (value) => typeof value === 'string' && /^\d{15}$/.test(value);
const object: Fits = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Payload keys of each core field (survivorship's lists; `location` travels as `lng`/`lat`). */
function payloadKeys(fields: readonly string[]): string[] {
  return fields.flatMap((field) => (field === 'location' ? ['lng', 'lat'] : [field]));
}

/** The checks of every payload key a department view reads. */
const FITS: Record<string, Fits> = {
  name: text,
  phone: text,
  address: text,
  ownerUnit: text,
  componentCode: text,
  title: text,
  description: text,
  subCategory: text,
  gridCode,
  lng: number,
  lat: number,
  householdType: oneOf(HouseholdType),
  status: oneOf(ThingStatus),
  severity: oneOf(Severity),
  attributes: object,
};

/** Checks of keys whose type depends on the kind of entity. */
const FITS_OF_KIND: Partial<Record<EntityKind, Record<string, Fits>>> = {
  [EntityKind.PLACE]: { kind: oneOf(PlaceKind) },
  [EntityKind.THING]: { kind: oneOf(ThingKind), category: oneOf(ThingCategory) },
  [EntityKind.INCIDENT]: { category: oneOf(IncidentCategory) },
};

/**
 * The fields of each kind that a department reads from its own source records: survivorship's core fields, by
 * the payload keys that carry them (the schema's field names, coordinates as `lng`/`lat`; ingestion will map its
 * own), plus a place's kind and attributes and a thing's component code, kind and category. An incident's links
 * (place, thing) and report time stay as merged. `required` fields are non-null in the schema: without a value of its own the department
 * reads the merged one there (identity fields and the grid, which scopes the row).
 */
const DEPARTMENT_FIELDS: Record<EntityKind, { fields: readonly string[]; required: readonly string[] }> = {
  [EntityKind.PERSON]: { fields: payloadKeys(PERSON_CORE_FIELDS), required: ['name', 'gridCode'] },
  [EntityKind.PLACE]: { fields: [...payloadKeys(PLACE_CORE_FIELDS), 'kind', 'attributes'], required: ['name', 'kind', 'gridCode'] },
  [EntityKind.THING]: {
    fields: [...payloadKeys(THING_CORE_FIELDS), 'componentCode', 'kind', 'category'],
    required: ['name', 'status', 'gridCode', 'componentCode', 'kind', 'category'],
  },
  [EntityKind.INCIDENT]: {
    fields: payloadKeys(INCIDENT_CORE_FIELDS.filter((field) => !['place', 'thing', 'reportedAt'].includes(field))),
    required: ['title', 'category', 'severity', 'gridCode'],
  },
};

/** What the department view needs of one of the department's own source records. */
export interface OwnRecord {
  id: string;
  entityId: string;
  observedAt: Date | string;
  receivedAt: Date | string;
  payload: Record<string, unknown>;
}

/** One viewer's access policy. Built once per request (or WebSocket operation), with the viewer. */
export class AccessPolicy {
  /** True when ID and phone numbers and full dates are masked for this viewer (asked for every text field). */
  readonly masksPersonalData: boolean;
  /** The department whose own records this viewer reads (a DEPARTMENT token without a broader role), or null. */
  readonly department: SourceSystem | null;

  constructor(readonly viewer: Viewer) {
    const roles = [...viewer.roles];
    // Unmasked only when every role of the token may see personal data: a token that is also an ANALYST's reads
    // as an analyst.
    this.masksPersonalData = roles.length === 0 || !roles.every((role) => PII_READERS.has(role));
    // A DEPARTMENT without a broader role reads what its source sent.
    this.department = roles.some((role) => BROAD_READERS.has(role)) ? null : viewer.source;
  }

  /**
   * A "known to this source" filter. A department may name only its own source: any other would reveal, by what
   * the list returns or counts, which of its records another system also holds (e.g. who of its insured is on a
   * civil-affairs register).
   * @throws ForbiddenError naming `field`.
   */
  checkSourceFilter(source: SourceSystem, field: string): void {
    const own = this.department;
    if (own !== null && source !== own) {
      throw new ForbiddenError(`${field}: a ${own} token may filter by its own source only`, field);
    }
  }

  /**
   * A filter or order on a merged, source-given column (a name, a household type, a status, a component code).
   * A department reads its own values, but the column holds the merged one, which may be another system's: the
   * rows such a filter keeps, or their order, would reveal it.
   * @throws ForbiddenError naming `field` for a department.
   */
  checkMergedValueFilter(field: string): void {
    if (this.department !== null) {
      throw new ForbiddenError(`${field}: a department token reads its own values and cannot filter or order by merged ones`, field);
    }
  }

  /**
   * A breakdown by the reporting source (an incident's `source`). A department may not ask it: its incidents split
   * by who reported them would show which of them another system also holds — what {@link checkSourceFilter}
   * refuses one source at a time.
   * @throws ForbiddenError naming `field` for a department.
   */
  checkSourceBreakdown(field: string): void {
    if (this.department !== null) {
      throw new ForbiddenError(`${field}: a department token cannot break its records down by the source that reported them`, field);
    }
  }

  /**
   * A filter or breakdown by a person's facet from `source` (insured, allowances): a department reads its own facet
   * only (see {@link facet}).
   * @throws ForbiddenError naming `field` for another department.
   */
  checkFacetFilter(source: SourceSystem, field: string): void {
    const own = this.department;
    if (own !== null && own !== source) {
      throw new ForbiddenError(`${field}: a ${own} token reads its own facet only, not ${source}'s`, field);
    }
  }

  /**
   * Whether the viewer reads links that record no source (person–place links, incident parties): not a
   * department, which reads only what its own system sent, until ingestion records who sent each link.
   */
  get readsUnattributedLinks(): boolean {
    return this.department === null;
  }

  /** Governance tags come from other systems: a department may not filter by them. @throws ForbiddenError */
  checkTagFilter(field: string): void {
    if (this.department !== null) {
      throw new ForbiddenError(`${field}: a department token cannot filter by governance tags`, field);
    }
  }

  /**
   * Looking people up by ID number. @throws ForbiddenError for roles that see ID numbers masked: with the birth
   * year shown, a lookup would confirm guesses of the masked digits.
   */
  checkLookupByIdNumber(): void {
    if (this.masksPersonalData) {
      throw new ForbiddenError('personByIdNumber: your role sees ID numbers masked and may not look people up by them');
    }
  }

  /** Ordering by exact birth date, next to masked ID numbers, gives the masked digits away. @throws ForbiddenError */
  checkOrderByBirthDate(field: string): void {
    if (this.masksPersonalData) throw new ForbiddenError(`${field}: your role may not order people by birth date`, field);
  }

  /**
   * A birth-date bound: roles that see personal data masked may filter by whole years only (`YYYY-01-01` as the
   * lower, `YYYY-12-31` as the upper bound). @throws ForbiddenError
   */
  checkBirthBound(date: string, field: string, yearEdge: '-01-01' | '-12-31'): void {
    if (this.masksPersonalData && !date.endsWith(yearEdge)) {
      throw new ForbiddenError(`${field}: your role may filter birth dates by whole years only (YYYY${yearEdge})`, field);
    }
  }

  /** A person's facet from `source`: a department reads only its own. */
  facet<T>(source: SourceSystem, facet: T | null | undefined): T | null {
    const own = this.department;
    return own === null || own === source ? (facet ?? null) : null;
  }

  /** Governance tags: hidden from a department (they come from the governance and civil-affairs systems). */
  tags<T>(tags: readonly T[] | null | undefined): T[] {
    return this.department === null ? [...(tags ?? [])] : [];
  }

  /**
   * The rows as this viewer may read them. For a department: each row's source-given fields replaced by what its
   * own source records say (survivorship over its own records only: the newest wins), null where they say
   * nothing (the merged value only for the few non-null identity fields), and the lineage its own.
   * @returns copies of the rows: the rows themselves may be entities the request's entity manager tracks, which a
   * later flush would otherwise write back with the department's values.
   * @param ownRecords the department's own source records of these rows (any order).
   */
  departmentView<T extends { id: string }>(kind: EntityKind, rows: T[], ownRecords: readonly OwnRecord[]): T[] {
    const own = this.department;
    if (own === null) return rows;
    const { fields, required } = DEPARTMENT_FIELDS[kind];
    const byEntity = new Map<string, OwnRecord[]>();
    for (const record of ownRecords) byEntity.set(record.entityId, [...(byEntity.get(record.entityId) ?? []), record]);
    const priority = Object.fromEntries(fields.map((field) => [field, [own]]));
    const fits = (field: string, value: unknown) => (FITS_OF_KIND[kind]?.[field] ?? FITS[field])(value);
    return rows.map((original) => {
      const row = { ...original } as T;
      const candidates = (byEntity.get(row.id) ?? []).map((record) => ({
        source: own,
        sourceRecordId: record.id,
        observedAt: record.observedAt,
        // A value that does not fit its field (a code of the department's own, a string for a number) reads as null.
        values: Object.fromEntries(fields.map((field) => [field, fits(field, record.payload[field]) ? record.payload[field] : null])),
      }));
      const { values, lineage } = surviveFields<Record<string, unknown>>(candidates, priority);
      const target = row as Record<string, unknown>;
      for (const field of fields) {
        if (!(field in target)) continue; // not loaded: not asked for
        const value = values[field] ?? (field === 'attributes' ? {} : null);
        target[field] = value === null && required.includes(field) ? target[field] : value;
      }
      if ('lineage' in target) target.lineage = ownLineage(lineage as Record<string, FieldSource>);
      // When gridhub first and last heard of it from this department: the merged times would tell when other
      // systems sent theirs.
      const received = (byEntity.get(row.id) ?? []).map((record) => new Date(record.receivedAt).getTime());
      if (received.length > 0) {
        if ('createdAt' in target) target.createdAt = new Date(Math.min(...received));
        if ('updatedAt' in target) target.updatedAt = new Date(Math.max(...received));
      }
      return row;
    });
  }
}

/** Lineage in schema terms: coordinates are one field, `location`. */
function ownLineage(lineage: Record<string, FieldSource>): Record<string, FieldSource> {
  const { lng, lat: _lat, ...rest } = lineage;
  return lng ? { ...rest, location: lng } : rest;
}
