import {
  COMPOUND_PREFIXES,
  COMPOUND_SUFFIXES,
  FEMALE_CHARS,
  GIVEN_NAMES,
  MALE_CHARS,
  MONGOLIAN_NAMES,
  MONGOLIAN_SURNAMES,
  ORIGIN_COUNTY_CODES,
  PHONE_PREFIXES,
  STREETS,
  SURNAMES,
  TRADE_NAMES,
} from '../src/demo/vocabulary';
import { AllowanceType, HouseholdType, MedicalInsuranceType, PensionType, PersonTag, RiskLevel } from '../src/people/person.entity';
import { composeIdNumber, Gender } from '../src/shared/id-number';
import { Random, WeightedTable } from '../src/shared/random';
import { SourceSystem } from '../src/sources/source-system';

/*
 * The people of `npm run bench:ingest`: deterministic person records of the four departments that keep people,
 * with overlapping people (each sent by one to four sources), valid ID numbers, and a share of records that
 * disagree with the other sources on phone or address. Plain data; no I/O.
 */

const { COMPREHENSIVE_GOVERNANCE, SOCIAL_SECURITY, CIVIL_AFFAIRS, GRID_APP } = SourceSystem;

/** The sources that send people, in the order their batches are listed. */
export const PEOPLE_SOURCES = [COMPREHENSIVE_GOVERNANCE, SOCIAL_SECURITY, CIVIL_AFFAIRS, GRID_APP] as const;

const SEED = 20261202;

/** The demo city's districts: ID address codes and residence addresses. */
const COUNTIES: Readonly<Record<string, string>> = { '150302': '海勃湾区', '150303': '海南区', '150304': '乌达区' };
const LOCAL_CODES = Object.keys(COUNTIES);

/** Birth dates are counted back from this day, so none lies in the future whenever the bench runs. */
const BIRTH_BASE = Date.UTC(2024, 11, 31);
const DAY_MS = 86_400_000;

const KEY_TAGS = [
  PersonTag.COMMUNITY_CORRECTION,
  PersonTag.RELEASED_PRISONER,
  PersonTag.DRUG_REHABILITATION,
  PersonTag.SEVERE_MENTAL_DISORDER,
  PersonTag.KEY_PETITIONER,
];

/** One person as the city knows them; each source's record is made from this. */
export interface BenchPerson {
  index: number;
  idNumber: string;
  name: string;
  gender: Gender;
  birthDate: string;
  age: number;
  phone: string | null;
  gridCode: string;
  address: string;
  householdType: HouseholdType;
  /** What the registers say about the person; each source asserts the part it keeps. */
  tags: PersonTag[];
  keyTag: PersonTag | null;
  disabilityGrade: number | null;
}

/** A person record as a department sends it (the GraphQL input `PersonRecordInput`, nulls left out). */
export type PersonRecord = Record<string, unknown> & { sourceKey: string; idNumber: string };

/** A record and what the bare upsert stores beside it (gender and birth date follow from the ID number). */
export interface GeneratedRecord {
  source: SourceSystem;
  record: PersonRecord;
  gender: Gender;
  birthDate: string;
}

/** A batch of one source's records, as one ingest call sends it. */
export interface RecordBatch {
  source: SourceSystem;
  records: GeneratedRecord[];
}

export interface GeneratedData {
  batches: RecordBatch[];
  people: number;
  records: number;
  /** Records per source. */
  bySource: Record<string, number>;
  /** Records whose phone or address deviates from what the person's other sources say. */
  conflicting: number;
}

/**
 * Unique ID numbers: a sequence per address code, birth date and gender. Separate `band`s (1: sequences 001–498,
 * 2: 499–996) never collide, so two generated populations can share one database.
 */
class IdAllocator {
  private readonly used = new Map<string, number>();

  constructor(private readonly band: 1 | 2) {}

  next(addressCode: string, birthDate: string, male: boolean): string {
    const key = `${addressCode}${birthDate}${male ? 'M' : 'F'}`;
    const n = this.used.get(key) ?? 0;
    if (n >= 249) throw new Error(`ID sequences exhausted for ${key}`);
    this.used.set(key, n + 1);
    const k = (this.band - 1) * 249 + n + 1;
    return composeIdNumber(addressCode, birthDate, male ? 2 * k - 1 : 2 * k);
  }
}

/** Makes people one at a time, each from its own random stream, so person `i` does not depend on the count. */
export class PeopleMaker {
  private readonly ids: IdAllocator;
  private readonly origins = new WeightedTable(ORIGIN_COUNTY_CODES);

  /**
   * @param stream names the population: people of different streams are different people.
   * @param grids registered grid codes (15 digits) of the demo city's districts.
   */
  constructor(
    private readonly stream: 'graphql' | 'csv',
    private readonly grids: readonly string[],
  ) {
    if (grids.length === 0) throw new Error('no registered grids to put people in');
    this.ids = new IdAllocator(stream === 'graphql' ? 2 : 1);
  }

  person(index: number): BenchPerson {
    const random = Random.of(SEED, this.stream, index);
    const age = random.weighted([
      [random.int(0, 13), 14],
      [random.int(14, 17), 4],
      [random.int(18, 59), 60],
      [random.int(60, 79), 17],
      [random.int(80, 98), 5],
    ] as const);
    const birthDate = new Date(BIRTH_BASE - (age * 365 + random.int(0, 364)) * DAY_MS).toISOString().slice(0, 10);
    const male = random.chance(0.51);
    const gridCode = random.pick(this.grids);
    const county = gridCode.slice(0, 6);
    const floating = random.chance(0.15);
    const addressCode = floating ? this.origins.pick(random) : random.chance(0.8) && county in COUNTIES ? county : random.pick(LOCAL_CODES);
    const tags: PersonTag[] = [];
    let keyTag: PersonTag | null = null;
    if (age >= 16 && random.chance(0.015)) keyTag = random.pick(KEY_TAGS);
    if (age >= 14 && age <= 25 && random.chance(0.01)) keyTag = PersonTag.KEY_YOUTH;
    if (keyTag) tags.push(keyTag);
    if (age >= 70 && random.chance(0.1)) tags.push(PersonTag.ELDERLY_LIVING_ALONE);
    if (age < 16 && random.chance(0.02)) tags.push(PersonTag.LEFT_BEHIND_CHILD);
    const disabilityGrade = random.chance(0.03) ? random.int(1, 4) : null;
    if (disabilityGrade) tags.push(PersonTag.DISABLED);
    if (random.chance(0.03)) tags.push(random.chance(0.15) ? PersonTag.EXTREME_POVERTY : PersonTag.LOW_INCOME);
    return {
      index,
      idNumber: this.ids.next(addressCode, birthDate, male),
      name: personName(random, male, 2024 - age),
      gender: male ? Gender.MALE : Gender.FEMALE,
      birthDate,
      age,
      phone: age >= 14 && random.chance(age >= 80 ? 0.6 : 0.96) ? mobile(random) : null,
      gridCode,
      address: address(random, county),
      householdType: floating ? HouseholdType.FLOATING : HouseholdType.REGISTERED,
      tags,
      keyTag,
      disabilityGrade,
    };
  }
}

/**
 * `count` person records across the four sources, in batches of `batchSize`: people are made until the records
 * reach `count`; each source sends its people in its own order, and the sources' batches are interleaved so that
 * all four finish together.
 */
export function generateRecords(count: number, batchSize: number, grids: readonly string[]): GeneratedData {
  const maker = new PeopleMaker('graphql', grids);
  const bySource = new Map<SourceSystem, GeneratedRecord[]>(PEOPLE_SOURCES.map((source) => [source, []]));
  let records = 0;
  let people = 0;
  let conflicting = 0;
  while (records < count) {
    const person = maker.person(people++);
    const random = Random.of(SEED, 'sources', person.index);
    const sources = PEOPLE_SOURCES.filter((source) => random.chance(SOURCE_SHARE[source](person)));
    if (sources.length === 0) sources.push(COMPREHENSIVE_GOVERNANCE);
    sources.forEach((source, i) => {
      if (records >= count) return;
      // A record after the person's first deviates in phone or address ~10% of the time: ~5% of all records.
      const deviate = i > 0 && random.chance(0.1);
      if (deviate) conflicting++;
      bySource.get(source)!.push({
        source,
        record: sourceRecord(person, source, random, deviate),
        gender: person.gender,
        birthDate: person.birthDate,
      });
      records++;
    });
  }

  // Each system sends its people in its own order.
  const queues = PEOPLE_SOURCES.map((source) => {
    const list = bySource.get(source)!;
    const random = Random.of(SEED, 'order', source);
    for (let i = list.length - 1; i > 0; i--) {
      const j = random.int(0, i);
      [list[i], list[j]] = [list[j], list[i]];
    }
    return { source, list, sent: 0 };
  });
  const batches: RecordBatch[] = [];
  for (;;) {
    const open = queues.filter((q) => q.sent < q.list.length);
    if (open.length === 0) break;
    const next = open.reduce((a, b) => (a.sent / a.list.length <= b.sent / b.list.length ? a : b));
    batches.push({ source: next.source, records: next.list.slice(next.sent, next.sent + batchSize) });
    next.sent += batchSize;
  }
  return {
    batches,
    people,
    records,
    bySource: Object.fromEntries(queues.map((q) => [q.source, q.list.length])),
    conflicting,
  };
}

/** How likely each source is to know a person. */
const SOURCE_SHARE: Record<(typeof PEOPLE_SOURCES)[number], (person: BenchPerson) => number> = {
  COMPREHENSIVE_GOVERNANCE: () => 0.88,
  SOCIAL_SECURITY: (p) => (p.age >= 18 ? 0.85 : 0.25),
  CIVIL_AFFAIRS: (p) =>
    p.age >= 80 || p.disabilityGrade !== null || p.tags.includes(PersonTag.LOW_INCOME) || p.tags.includes(PersonTag.EXTREME_POVERTY)
      ? 0.9
      : 0.05,
  GRID_APP: () => 0.3,
};

const SOURCE_KEY_PREFIX: Record<string, string> = {
  COMPREHENSIVE_GOVERNANCE: 'ZZ-RK-',
  SOCIAL_SECURITY: 'SB',
  CIVIL_AFFAIRS: 'MZ-',
  GRID_APP: 'WG-',
};

function sourceRecord(person: BenchPerson, source: SourceSystem, random: Random, deviate: boolean): PersonRecord {
  let phone = person.phone;
  let where = person.address;
  if (deviate) {
    if (phone !== null && random.chance(0.5)) phone = mobile(random);
    else where = where.replace(/\d+室$/, `${random.int(1, 6)}0${random.int(1, 4)}室`);
  }
  const record: PersonRecord = {
    sourceKey: `${SOURCE_KEY_PREFIX[source]}${String(person.index).padStart(9, '0')}`,
    version: 1,
    idNumber: person.idNumber,
    name: person.name,
    gridCode: person.gridCode,
    address: where,
  };
  if (phone !== null) record.phone = phone;
  // The social security system does not keep the household type; the others do.
  if (source !== SOCIAL_SECURITY) record.householdType = person.householdType;
  const register = (allowed: readonly PersonTag[]) => person.tags.filter((tag) => allowed.includes(tag));
  switch (source) {
    case COMPREHENSIVE_GOVERNANCE: {
      const tags = register(GOVERNANCE_TAGS);
      if (tags.length > 0) record.tags = tags;
      record.governance = {
        gridWorker: gridWorker(person.gridCode),
        ...(person.keyTag ? { keyPersonCategory: person.keyTag, riskLevel: random.pick([RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH]) } : {}),
      };
      break;
    }
    case SOCIAL_SECURITY:
      record.socialSecurity = socialSecurity(person, random);
      break;
    case CIVIL_AFFAIRS: {
      const tags = register(CIVIL_AFFAIRS_TAGS);
      if (tags.length > 0) record.tags = tags;
      record.civilAffairs = civilAffairs(person, random);
      break;
    }
    case GRID_APP: {
      // Grid workers record what they saw on their visits: part of what the registers know.
      const tags = person.tags.filter(() => random.chance(0.6));
      if (tags.length > 0) record.tags = tags;
      break;
    }
  }
  return record;
}

const GOVERNANCE_TAGS = [...KEY_TAGS, PersonTag.KEY_YOUTH, PersonTag.ELDERLY_LIVING_ALONE, PersonTag.LEFT_BEHIND_CHILD];
const CIVIL_AFFAIRS_TAGS = [
  PersonTag.ELDERLY_LIVING_ALONE,
  PersonTag.LEFT_BEHIND_CHILD,
  PersonTag.DISABLED,
  PersonTag.LOW_INCOME,
  PersonTag.EXTREME_POVERTY,
];

function socialSecurity(person: BenchPerson, random: Random): Record<string, unknown> {
  if (!random.chance(0.95)) return { insured: false, pensionType: PensionType.NONE, medicalInsurance: MedicalInsuranceType.NONE };
  if (person.age < 18) return { insured: true, pensionType: PensionType.NONE, medicalInsurance: MedicalInsuranceType.RESIDENT };
  const employee = random.chance(person.age < 60 ? 0.6 : 0.45);
  return {
    insured: true,
    pensionType: employee ? PensionType.URBAN_EMPLOYEE : PensionType.URBAN_RURAL_RESIDENT,
    medicalInsurance: employee ? MedicalInsuranceType.EMPLOYEE : MedicalInsuranceType.RESIDENT,
    ...(employee && person.age < 60 ? { employer: `乌海市${random.pick(TRADE_NAMES)}${random.pick(['实业', '化工', '煤业', '商贸', '建设'])}有限公司` } : {}),
  };
}

function civilAffairs(person: BenchPerson, random: Random): Record<string, unknown> {
  const since = () => `20${random.int(10, 23)}-${String(random.int(1, 12)).padStart(2, '0')}-01`;
  const allowances: Array<Record<string, unknown>> = [];
  if (person.tags.includes(PersonTag.LOW_INCOME)) allowances.push({ type: AllowanceType.LOW_INCOME, monthlyAmount: random.int(600, 900), since: since() });
  if (person.tags.includes(PersonTag.EXTREME_POVERTY)) allowances.push({ type: AllowanceType.EXTREME_POVERTY, monthlyAmount: random.int(1000, 1300), since: since() });
  if (person.age >= 80) allowances.push({ type: AllowanceType.SENIOR, monthlyAmount: person.age >= 90 ? 300 : 100, since: since() });
  if (person.disabilityGrade !== null) allowances.push({ type: AllowanceType.DISABILITY, monthlyAmount: random.int(80, 160), since: since() });
  return { allowances, ...(person.disabilityGrade !== null ? { disabilityGrade: person.disabilityGrade } : {}) };
}

/** The grid worker of a grid: one name per grid. */
function gridWorker(gridCode: string): string {
  const random = Random.of(SEED, 'worker', gridCode);
  return personName(random, random.chance(0.4), random.int(1970, 1998));
}

function personName(random: Random, male: boolean, birthYear: number): string {
  if (random.chance(0.05)) {
    const given = random.pick(male ? MONGOLIAN_NAMES.male : MONGOLIAN_NAMES.female);
    return random.chance(0.5) ? given : `${random.pick(MONGOLIAN_SURNAMES)}${given}`;
  }
  const surname = SURNAME_TABLE.pick(random);
  const era = birthYear < 1960 ? GIVEN_NAMES.old : birthYear < 1990 ? GIVEN_NAMES.middle : GIVEN_NAMES.young;
  const chars = male ? MALE_CHARS : FEMALE_CHARS;
  const style = random.next();
  if (style < 0.45) return surname + random.pick(male ? era.male : era.female);
  if (style < 0.75) return surname + random.pick(chars);
  return surname + random.pick(chars) + random.pick(chars);
}

const SURNAME_TABLE = new WeightedTable(SURNAMES);

function mobile(random: Random): string {
  return `${random.pick(PHONE_PREFIXES)}${String(random.int(0, 99_999_999)).padStart(8, '0')}`;
}

function address(random: Random, county: string): string {
  const streets = STREETS[county] ?? STREETS['150302'];
  return (
    `乌海市${COUNTIES[county] ?? ''}${random.pick(streets)}${random.int(1, 300)}号` +
    `${random.pick(COMPOUND_PREFIXES)}${random.pick(COMPOUND_SUFFIXES)}${random.int(1, 30)}栋${random.int(1, 6)}单元` +
    `${random.int(1, 18)}0${random.int(1, 4)}室`
  );
}

const CSV_HEADERS = ['姓名', '公民身份号码', '联系电话', '网格编码', '居住地址', '户籍类型', '记录编号', '版本号'];

/** The CSV of the import CLI case: a header line, then `count` rows of civil affairs people, in chunks of lines. */
export function* csvLines(count: number, grids: readonly string[], chunk = 10_000): Generator<string> {
  const maker = new PeopleMaker('csv', grids);
  yield CSV_HEADERS.join(',') + '\n';
  let lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const p = maker.person(i);
    lines.push(
      [p.name, p.idNumber, p.phone ?? '', p.gridCode, p.address, p.householdType === HouseholdType.FLOATING ? '流动' : '户籍', `MZ-CSV-${String(i).padStart(9, '0')}`, '1']
        .map(csvField)
        .join(','),
    );
    if (lines.length === chunk) {
      yield lines.join('\n') + '\n';
      lines = [];
    }
  }
  if (lines.length > 0) yield lines.join('\n') + '\n';
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
