import { FieldSource } from './lineage';
import { SourceSystem } from './source-system';

/**
 * Survivorship (design §3, merging rules): which source's value of a core field survives into the canonical
 * record, and where sources disagree. Pure functions; no I/O.
 *
 * Rule, per field: among the candidates that carry a value (not null, undefined or a blank string), the one whose
 * source comes first in the field's priority list wins; sources missing from the list rank after every listed
 * one, equally. Ties (same rank, e.g. two records of one source) go to the newest `observedAt`, then to the
 * larger `sourceRecordId`, so the result never depends on the order of the candidates.
 */

/** One source record's view of an entity, as survivorship needs it. */
export interface SourceCandidate<T extends object = Record<string, unknown>> {
  source: SourceSystem;
  /** Id of the stored source record; lineage points at it. */
  sourceRecordId: string;
  /** When the source observed these values (Date or ISO string). */
  observedAt: Date | string;
  /** The candidate values of the core fields; absent, null or blank means "this source does not say". */
  values: { [K in keyof T]?: T[K] | null };
}

/** For each field, the sources in order of trust, most trusted first. */
export type SourcePriority<F extends string = string> = Readonly<Record<F, readonly SourceSystem[]>>;

/** The surviving value of each field (null when no source has one) and the record it came from. */
export interface Survivors<T extends object> {
  values: { [K in keyof T]: T[K] | null };
  /** Only fields that have a surviving value appear. */
  lineage: Partial<Record<keyof T & string, FieldSource>>;
}

/** One candidate value of a field in a disagreement. */
export interface CandidateValue {
  source: SourceSystem;
  sourceRecordId: string;
  observedAt: Date | string;
  value: unknown;
}

/** A core field on which sources give different values: every candidate value, the surviving one first. */
export interface FieldDisagreement {
  field: string;
  /** Ordered by survivorship rank: `values[0]` is the value that survived. */
  values: CandidateValue[];
}

const { COMPREHENSIVE_GOVERNANCE, SOCIAL_SECURITY, CIVIL_AFFAIRS, CITY_MANAGEMENT, GRID_APP } = SourceSystem;

/** The core fields of a person that survivorship decides, as named in the schema. */
export const PERSON_CORE_FIELDS = ['name', 'phone', 'gridCode', 'address', 'householdType'] as const;
export type PersonCoreField = (typeof PERSON_CORE_FIELDS)[number];

/**
 * Default per-field source priority for people.
 *
 * - `name`: governance first — its population register (实有人口) is checked against the household register and
 *   ID cards; social security next (insurance is enrolled with the ID card); civil affairs; the grid app last
 *   (typed in by grid workers on visits).
 * - `phone`: social security first — the number is real-name verified and used for benefit notices, and people keep
 *   it current to get paid; then the grid app (confirmed face to face on visits, often the freshest); then
 *   governance and civil affairs, whose numbers are often years old.
 * - `gridCode` and `address`: governance first — assigning residents to grids is its job; then the grid app (the
 *   worker saw where the person lives); civil affairs (home visits for allowances); social security last (a
 *   mailing address, often the employer's or an old one).
 * - `householdType` (registered / floating): governance first (it keeps the floating-population register), then
 *   civil affairs (eligibility depends on household registration), then the grid app; social security does not
 *   distinguish and ranks last.
 */
export const DEFAULT_PERSON_PRIORITY: SourcePriority<PersonCoreField> = {
  name: [COMPREHENSIVE_GOVERNANCE, SOCIAL_SECURITY, CIVIL_AFFAIRS, GRID_APP],
  phone: [SOCIAL_SECURITY, GRID_APP, COMPREHENSIVE_GOVERNANCE, CIVIL_AFFAIRS],
  gridCode: [COMPREHENSIVE_GOVERNANCE, GRID_APP, CIVIL_AFFAIRS, SOCIAL_SECURITY],
  address: [COMPREHENSIVE_GOVERNANCE, GRID_APP, CIVIL_AFFAIRS, SOCIAL_SECURITY],
  householdType: [COMPREHENSIVE_GOVERNANCE, CIVIL_AFFAIRS, GRID_APP, SOCIAL_SECURITY],
};

/** The core fields of a place that survivorship decides (`location` is the lng/lat pair). */
export const PLACE_CORE_FIELDS = ['name', 'address', 'gridCode', 'location'] as const;
export type PlaceCoreField = (typeof PLACE_CORE_FIELDS)[number];

/**
 * Default priority for places: governance keeps the standard-address and actual-housing registers (标准地址, 实有房屋)
 * and wins name, address and grid; coordinates come first from the grid app (measured on site), then city
 * management (surveyed), then governance. Social security knows organisations only as employers by name.
 */
export const DEFAULT_PLACE_PRIORITY: SourcePriority<PlaceCoreField> = {
  name: [COMPREHENSIVE_GOVERNANCE, SOCIAL_SECURITY, CITY_MANAGEMENT, GRID_APP],
  address: [COMPREHENSIVE_GOVERNANCE, GRID_APP, CITY_MANAGEMENT, SOCIAL_SECURITY],
  gridCode: [COMPREHENSIVE_GOVERNANCE, GRID_APP, CITY_MANAGEMENT, SOCIAL_SECURITY],
  location: [GRID_APP, CITY_MANAGEMENT, COMPREHENSIVE_GOVERNANCE, SOCIAL_SECURITY],
};

/** The core fields of a thing that survivorship decides. */
export const THING_CORE_FIELDS = ['name', 'status', 'ownerUnit', 'address', 'gridCode', 'location'] as const;
export type ThingCoreField = (typeof THING_CORE_FIELDS)[number];

/**
 * Default priority for things: digital city management owns the component census (部件普查) and wins everything;
 * governance knows its own cameras and hazardous-material stores; the grid app reports status seen on patrol.
 */
export const DEFAULT_THING_PRIORITY: SourcePriority<ThingCoreField> = {
  name: [CITY_MANAGEMENT, COMPREHENSIVE_GOVERNANCE, GRID_APP],
  status: [CITY_MANAGEMENT, GRID_APP, COMPREHENSIVE_GOVERNANCE],
  ownerUnit: [CITY_MANAGEMENT, COMPREHENSIVE_GOVERNANCE, GRID_APP],
  address: [CITY_MANAGEMENT, COMPREHENSIVE_GOVERNANCE, GRID_APP],
  gridCode: [CITY_MANAGEMENT, COMPREHENSIVE_GOVERNANCE, GRID_APP],
  location: [CITY_MANAGEMENT, GRID_APP, COMPREHENSIVE_GOVERNANCE],
};

/**
 * The core fields of an incident that carry lineage: what its source record says about it (`location` is the
 * lng/lat pair, `place` and `thing` what it concerns).
 */
export const INCIDENT_CORE_FIELDS = [
  'title',
  'description',
  'category',
  'subCategory',
  'severity',
  'gridCode',
  'address',
  'location',
  'place',
  'thing',
  'reportedAt',
] as const;
export type IncidentCoreField = (typeof INCIDENT_CORE_FIELDS)[number];

/** True when a candidate value counts as given: not null, undefined or a blank string. */
export function hasValue(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'string') return value.trim() !== '';
  return true;
}

/**
 * Chooses each field's surviving value among the candidates (see the rule at the top of this file). Only the
 * fields listed in `priority` are considered.
 */
export function surviveFields<T extends object>(
  candidates: ReadonlyArray<SourceCandidate<T>>,
  priority: SourcePriority<keyof T & string>,
): Survivors<T> {
  const values = {} as { [K in keyof T]: T[K] | null };
  const lineage: Partial<Record<keyof T & string, FieldSource>> = {};
  for (const field of Object.keys(priority) as Array<keyof T & string>) {
    const ranked = rankCandidates(candidates, field, priority[field]);
    if (ranked.length === 0) {
      values[field] = null;
      continue;
    }
    const winner = ranked[0];
    values[field] = winner.values[field] as T[typeof field];
    lineage[field] = { source: winner.source, sourceRecordId: winner.sourceRecordId };
  }
  return { values, lineage };
}

/**
 * Lineage of an entity that has one source record and is not merged (an incident is reported by one system):
 * every field the record gives a value points at it.
 */
export function soleSourceLineage<T extends object>(candidate: SourceCandidate<T>): Partial<Record<keyof T & string, FieldSource>> {
  const lineage: Partial<Record<keyof T & string, FieldSource>> = {};
  for (const field of Object.keys(candidate.values) as Array<keyof T & string>) {
    if (hasValue(candidate.values[field])) lineage[field] = { source: candidate.source, sourceRecordId: candidate.sourceRecordId };
  }
  return lineage;
}

/**
 * The fields on which the candidates carrying a value do not all agree, in the order of `priority`'s fields.
 * Strings are compared trimmed; other values by their JSON form. Each disagreement lists every candidate value,
 * best-ranked first, so `values[0]` is the survivor.
 */
export function listDisagreements<T extends object>(
  candidates: ReadonlyArray<SourceCandidate<T>>,
  priority: SourcePriority<keyof T & string>,
): FieldDisagreement[] {
  const disagreements: FieldDisagreement[] = [];
  for (const field of Object.keys(priority) as Array<keyof T & string>) {
    const ranked = rankCandidates(candidates, field, priority[field]);
    const distinct = new Set(ranked.map((candidate) => comparable(candidate.values[field])));
    if (distinct.size < 2) continue;
    disagreements.push({
      field,
      values: ranked.map((candidate) => ({
        source: candidate.source,
        sourceRecordId: candidate.sourceRecordId,
        observedAt: candidate.observedAt,
        value: candidate.values[field],
      })),
    });
  }
  return disagreements;
}

/** The candidates that carry a value for `field`, best first. */
function rankCandidates<T extends object>(
  candidates: ReadonlyArray<SourceCandidate<T>>,
  field: keyof T & string,
  order: readonly SourceSystem[],
): Array<SourceCandidate<T>> {
  const rankOf = (source: SourceSystem) => {
    const index = order.indexOf(source);
    return index === -1 ? order.length : index;
  };
  return candidates
    .filter((candidate) => hasValue(candidate.values[field]))
    .map((candidate) => ({ candidate, rank: rankOf(candidate.source), time: timeOf(candidate.observedAt) }))
    .sort(
      (a, b) =>
        a.rank - b.rank ||
        b.time - a.time ||
        compareIds(b.candidate.sourceRecordId, a.candidate.sourceRecordId),
    )
    .map(({ candidate }) => candidate);
}

function timeOf(observedAt: Date | string): number {
  const time = observedAt instanceof Date ? observedAt.getTime() : Date.parse(observedAt);
  return Number.isNaN(time) ? Number.NEGATIVE_INFINITY : time;
}

/** Numeric ids compare as numbers (bigint-safe), anything else as strings. */
function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  return a < b ? -1 : a > b ? 1 : 0;
}

function comparable(value: unknown): string {
  return typeof value === 'string' ? `s:${value.trim()}` : `j:${JSON.stringify(value)}`;
}
