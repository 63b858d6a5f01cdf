import {
  AllowanceType,
  HouseholdType,
  MedicalInsuranceType,
  PensionType,
  PersonTag,
  RiskLevel,
} from '../people/person.entity';
import { Gender } from '../shared/id-number';
import { FieldError } from '../shared/outcome';
import { FieldSource } from '../sources/lineage';
import { SourceSystem } from '../sources/source-system';
import {
  FieldDisagreement,
  listDisagreements,
  PersonCoreField,
  SourceCandidate,
  SourcePriority,
  surviveFields,
} from '../sources/survivorship';
import { lineTextProblem } from '../shared/text';
import { Checker } from './checker';
import { classifyIdDocument } from './normalize';

/*
 * People (人): what a person record may hold, how each source's record maps onto the survivorship candidates, and
 * how a canonical person is made from all of its source records. Pure functions; the service does the I/O.
 */

const { COMPREHENSIVE_GOVERNANCE, SOCIAL_SECURITY, CIVIL_AFFAIRS } = SourceSystem;

/** Which tags each source may assert (its own registers); a tag outside its list is ignored, with a warning. */
export const TAGS_BY_SOURCE: Readonly<Record<SourceSystem, ReadonlySet<PersonTag>>> = {
  COMPREHENSIVE_GOVERNANCE: new Set([
    PersonTag.COMMUNITY_CORRECTION,
    PersonTag.RELEASED_PRISONER,
    PersonTag.DRUG_REHABILITATION,
    PersonTag.SEVERE_MENTAL_DISORDER,
    PersonTag.KEY_YOUTH,
    PersonTag.KEY_PETITIONER,
    PersonTag.ELDERLY_LIVING_ALONE,
    PersonTag.LEFT_BEHIND_CHILD,
  ]),
  CIVIL_AFFAIRS: new Set([
    PersonTag.ELDERLY_LIVING_ALONE,
    PersonTag.LEFT_BEHIND_CHILD,
    PersonTag.DISABLED,
    PersonTag.LOW_INCOME,
    PersonTag.EXTREME_POVERTY,
  ]),
  // Grid workers see every kind of case on their visits.
  GRID_APP: new Set(Object.values(PersonTag)),
  SOCIAL_SECURITY: new Set(),
  CITY_MANAGEMENT: new Set(),
};

/** The facet each department owns, and the only source that may send it. */
export const FACET_SOURCES = {
  socialSecurity: SOCIAL_SECURITY,
  civilAffairs: CIVIL_AFFAIRS,
  governance: COMPREHENSIVE_GOVERNANCE,
} as const;
export type FacetField = keyof typeof FACET_SOURCES;
const FACETS = Object.keys(FACET_SOURCES) as FacetField[];

const TAG_ORDER = Object.values(PersonTag);

const PERSON_KEYS = new Set([
  'sourceKey', 'version', 'observedAt', 'idNumber', 'name', 'gender', 'birthDate', 'phone', 'gridCode', 'address', 'lng',
  'lat', 'householdType', 'tags', 'socialSecurity', 'civilAffairs', 'governance',
]);

/** The identity a person record claims. */
export type Identity =
  /** A valid citizen ID number (converted from 15 digits when needed), with what it says. */
  | { kind: 'CITIZEN'; idNumber: string; gender: Gender; birthDate: string }
  /** No ID, or a document that is not a citizen ID: the person is kept without a verified ID. */
  | { kind: 'NONE' };

/** A person record that passed validation: what matching needs. */
export interface CheckedPerson {
  identity: Identity;
  name: string;
  /** The birth date the record states (or its ID implies). */
  birthDate: string | null;
  /** What the sender should know although the record is accepted (an ID number that is not valid). */
  warnings: FieldError[];
}

/**
 * Validates the person-specific fields of `record` (sent by `source`) into `check`. Returns what matching needs,
 * or null when something is wrong (the problems are in `check.errors`).
 */
export function checkPerson(check: Checker, source: SourceSystem, today: Date): CheckedPerson | null {
  check.onlyKeys(PERSON_KEYS);
  const warnings: FieldError[] = [];
  const name = check.text('name', { required: true, max: 100 });
  const gender = check.enumOf('gender', Gender);
  const birthDate = check.date('birthDate', today);
  let identity: Identity = { kind: 'NONE' };
  const rawId = check.raw('idNumber');
  if (rawId !== null && rawId !== undefined && typeof rawId !== 'string') check.fail('idNumber', 'must be a string');
  else if (typeof rawId === 'string' && (rawId.length > 40 || lineTextProblem(rawId))) {
    check.fail('idNumber', rawId.length > 40 ? 'may have at most 40 characters' : lineTextProblem(rawId)!);
  } else {
    const document = classifyIdDocument(rawId as string | null | undefined, today);
    // Not a valid citizen ID (a typo, a bad check character): the person is kept without a verified ID, never
    // merged with anyone by it, and the sender is told.
    if (document.kind === 'INVALID_CITIZEN') warnings.push({ field: 'idNumber', message: `${document.reason}; kept without a verified ID` });
    if (document.kind === 'CITIZEN') {
      identity = { kind: 'CITIZEN', idNumber: document.idNumber, gender: document.gender, birthDate: document.birthDate };
      if (birthDate && birthDate !== document.birthDate) {
        check.fail('birthDate', `${birthDate} disagrees with the ID number, which says ${document.birthDate}`);
      }
      if (gender && gender !== document.gender) check.fail('gender', `${gender} disagrees with the ID number, which says ${document.gender}`);
    }
  }
  const phone = check.text('phone', { max: 40 });
  if (phone && !/^[+\d][\d\s()-]{2,39}$/.test(phone)) check.fail('phone', 'must be a phone number: digits, spaces, +, - and parentheses');
  check.text('address', { max: 300 });
  check.enumOf('householdType', HouseholdType);
  const tags = check.enumList('tags', PersonTag, TAG_ORDER.length);
  const allowed = TAGS_BY_SOURCE[source];
  // A tag outside the source's own registers is not its to assert: ignored, and the sender told.
  tags?.forEach((tag, i) => {
    if (!allowed.has(tag)) warnings.push({ field: `tags[${i}]`, message: `${source} does not keep the register of ${tag}; ignored` });
  });
  for (const facet of FACETS) {
    if (check.raw(facet) != null && FACET_SOURCES[facet] !== source) {
      check.fail(facet, `only ${FACET_SOURCES[facet]} sends the ${facet} facet`);
    }
  }
  const social = check.nested('socialSecurity');
  if (social) {
    social.onlyKeys(new Set(['insured', 'pensionType', 'medicalInsurance', 'employer']));
    social.boolean('insured', { required: true });
    social.enumOf('pensionType', PensionType, { required: true });
    social.enumOf('medicalInsurance', MedicalInsuranceType, { required: true });
    social.text('employer', { max: 200 });
  }
  const civil = check.nested('civilAffairs');
  if (civil) {
    civil.onlyKeys(new Set(['allowances', 'disabilityGrade']));
    for (const allowance of civil.list('allowances', 10) ?? []) {
      allowance.onlyKeys(new Set(['type', 'monthlyAmount', 'since']));
      allowance.enumOf('type', AllowanceType, { required: true });
      allowance.number('monthlyAmount', 0, 100_000, { required: true });
      allowance.date('since', today);
    }
    civil.number('disabilityGrade', 1, 4, { integer: true });
  }
  const governance = check.nested('governance');
  if (governance) {
    governance.onlyKeys(new Set(['keyPersonCategory', 'riskLevel', 'gridWorker']));
    governance.enumOf('keyPersonCategory', PersonTag);
    governance.enumOf('riskLevel', RiskLevel);
    governance.text('gridWorker', { max: 100 });
  }
  if (!check.ok || !name) {
    // Rejected anyway: name the ID number's problem with the others.
    check.errors.push(
      ...warnings.map((warning) => ({ field: warning.field, message: warning.message.replace(/; (kept without a verified ID|ignored)$/, '') })),
    );
    return null;
  }
  return { identity, name, birthDate: identity.kind === 'CITIZEN' ? identity.birthDate : (birthDate ?? null), warnings };
}

/** One stored source record of a person, as merging reads it. */
export interface PersonSourceRow {
  id: string;
  source: SourceSystem;
  observedAt: Date | string;
  payload: Record<string, unknown>;
}

/** The values survivorship decides for a person. */
export interface PersonValues {
  name: string | null;
  phone: string | null;
  gridCode: string | null;
  address: string | null;
  householdType: HouseholdType | null;
  gender: Gender | null;
  birthDate: string | null;
}

/** The canonical person made from its source records. */
export interface MergedPerson {
  name: string;
  gender: Gender | null;
  birthDate: string | null;
  phone: string | null;
  gridCode: string;
  address: string | null;
  householdType: HouseholdType | null;
  tags: PersonTag[];
  socialSecurity: Record<string, unknown> | null;
  civilAffairs: Record<string, unknown> | null;
  governance: Record<string, unknown> | null;
  lineage: Record<string, FieldSource>;
  disagreements: FieldDisagreement[];
}

/**
 * The mapper of a person record: its payload (as accepted) to the candidate values of the core fields. Every source
 * speaks the same record shape; what differs per source is what it may send (checkPerson) and how far it is trusted
 * (the priority). Text is compared trimmed; the social security system's address is a mailing address and ranks
 * last for addresses by the default priority.
 */
export function personCandidate(row: PersonSourceRow): SourceCandidate<PersonValues> {
  const p = row.payload;
  const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null);
  return {
    source: row.source,
    sourceRecordId: row.id,
    observedAt: row.observedAt,
    values: {
      name: text(p.name),
      phone: text(p.phone),
      gridCode: text(p.gridCode),
      address: text(p.address),
      householdType: (text(p.householdType) as HouseholdType | null) ?? null,
      gender: (text(p.gender) as Gender | null) ?? null,
      birthDate: text(p.birthDate),
    },
  };
}

/**
 * Makes the canonical person from all of its source records (design §3):
 * - core fields (name, phone, grid, address, household type) by the per-field source priority, ties by the newest
 *   `observedAt`; gender and birth date from the ID number when the person has one, otherwise like the name;
 * - tags: the union of what each source's records assert (each source's newest record replaces its earlier ones,
 *   so a source withdraws a tag by sending its record without it);
 * - facets: each from its owner source's newest record that carries it;
 * - lineage: each core field and facet names the record it came from;
 * - disagreements: the core fields on which sources give different values.
 * `gridCode` of records is already resolved (a located point is stored as the record's gridCode).
 */
export function mergePerson(
  rows: readonly PersonSourceRow[],
  identity: { gender: Gender; birthDate: string } | null,
  priority: SourcePriority<PersonCoreField>,
): MergedPerson {
  const candidates = rows.map(personCandidate);
  const fullPriority: SourcePriority<keyof PersonValues & string> = {
    ...priority,
    gender: priority.name,
    birthDate: priority.name,
  };
  const { values, lineage } = surviveFields<PersonValues>(candidates, fullPriority);
  const tags = new Set<PersonTag>();
  const facets: Record<FacetField, Record<string, unknown> | null> = { socialSecurity: null, civilAffairs: null, governance: null };
  const newestFirst = [...rows].sort((a, b) => time(b.observedAt) - time(a.observedAt) || Number(BigInt(b.id) - BigInt(a.id)));
  const facetLineage: Record<string, FieldSource> = {};
  const tagged = new Set<SourceSystem>();
  for (const row of newestFirst) {
    // Each source's newest record that speaks of tags says all that source asserts: an older one's tags are withdrawn.
    if (Array.isArray(row.payload.tags) && !tagged.has(row.source)) {
      tagged.add(row.source);
      for (const tag of row.payload.tags) if (TAGS_BY_SOURCE[row.source].has(tag as PersonTag)) tags.add(tag as PersonTag);
    }
    for (const facet of FACETS) {
      const value = row.payload[facet];
      if (facets[facet] === null && FACET_SOURCES[facet] === row.source && value && typeof value === 'object') {
        facets[facet] = cleanFacet(facet, value as Record<string, unknown>);
        facetLineage[facet] = { source: row.source, sourceRecordId: row.id };
      }
    }
  }
  const { gender: _gender, birthDate: _birthDate, ...coreLineage } = lineage;
  return {
    name: values.name ?? '',
    gender: identity ? identity.gender : values.gender,
    birthDate: identity ? identity.birthDate : values.birthDate,
    phone: values.phone,
    gridCode: values.gridCode ?? '',
    address: values.address,
    householdType: values.householdType,
    tags: TAG_ORDER.filter((tag) => tags.has(tag)),
    ...facets,
    lineage: { ...(identity ? coreLineage : lineage), ...facetLineage } as Record<string, FieldSource>,
    disagreements: listDisagreements<PersonValues>(candidates, priority as SourcePriority<keyof PersonValues & string>),
  };
}

/** A facet as stored: its fields only, absent ones as null, allowances in a stable form. */
function cleanFacet(facet: FacetField, value: Record<string, unknown>): Record<string, unknown> {
  switch (facet) {
    case 'socialSecurity':
      return {
        insured: value.insured,
        pensionType: value.pensionType,
        medicalInsurance: value.medicalInsurance,
        employer: typeof value.employer === 'string' && value.employer.trim() !== '' ? value.employer.trim() : null,
      };
    case 'civilAffairs':
      return {
        allowances: (Array.isArray(value.allowances) ? value.allowances : []).map((a: Record<string, unknown>) => ({
          type: a.type,
          monthlyAmount: a.monthlyAmount,
          since: a.since ?? null,
        })),
        disabilityGrade: value.disabilityGrade ?? null,
      };
    case 'governance':
      return {
        keyPersonCategory: value.keyPersonCategory ?? null,
        riskLevel: value.riskLevel ?? null,
        gridWorker: typeof value.gridWorker === 'string' && value.gridWorker.trim() !== '' ? value.gridWorker.trim() : null,
      };
  }
}

function time(value: Date | string): number {
  return value instanceof Date ? value.getTime() : Date.parse(value);
}

