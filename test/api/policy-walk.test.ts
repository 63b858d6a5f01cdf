import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getNamedType, GraphQLField, GraphQLObjectType, GraphQLSchema, isNonNullType } from 'graphql';
import { TokenClaims } from '../../src/auth/tokens';
import { Role } from '../../src/auth/viewer';
import { buildGridhubSchema } from '../../src/schema';
import { checkCharacter, composeIdNumber } from '../../src/shared/id-number';
import { SourceSystem } from '../../src/sources/source-system';
import { GraphQLResponse, Hub, startHub } from '../support/harness';
import {
  allOutputFields,
  FoundObject,
  FoundValue,
  inputObjectOf,
  unwalkedFields,
  visitResponse,
  walkDocuments,
  walkedFields,
  WalkDocument,
} from '../support/schema-walk';

/**
 * The access policy, walked field by field (design §6). Documents generated from the schema select every output
 * field of every type reachable from Query; each role runs them all against one person, place, thing and incident
 * planted with ID numbers, mobiles and birth dates in every text and JSON column, in every way people write them,
 * and with a marker per source in everything that source sent. Then:
 *
 * - an ANALYST receives no unmasked ID number, mobile number or full birth date, anywhere (JSON numbers too);
 * - a DEPARTMENT token receives no other source's marker, no value that only another source gave (by lineage),
 *   no entity, source record or lineage entry of another source;
 * - roles that see personal data do receive it raw (so the scan looks for something that is really there);
 * - a walked field may answer FORBIDDEN for a role (recorded), never INTERNAL_SERVER_ERROR.
 *
 * A field added to the schema later is walked without editing this file, or the coverage test fails until it
 * is listed in NOT_WALKED with a reason; a new String or JSON field must also carry a planted value.
 */

/** Output fields the walk does not reach, and why. The coverage test fails for any other unwalked field. */
const NOT_WALKED: Record<string, string> = {
  'Mutation.upsertRegions': 'a write (ADMIN) to the region registry; the walk reads',
  'RegionUpsertReport.created': 'returned only by Mutation.upsertRegions (counts, no personal data)',
  'RegionUpsertReport.rejected': 'returned only by Mutation.upsertRegions (counts, no personal data)',
  'RegionUpsertReport.results': 'returned only by Mutation.upsertRegions',
  'RegionUpsertReport.unchanged': 'returned only by Mutation.upsertRegions (counts, no personal data)',
  'RegionUpsertReport.updated': 'returned only by Mutation.upsertRegions (counts, no personal data)',
  'RegionUpsertResult.code': 'returned only by Mutation.upsertRegions (the region code as sent)',
  'RegionUpsertResult.errors': 'returned only by Mutation.upsertRegions',
  'RegionUpsertResult.outcome': 'returned only by Mutation.upsertRegions',
  'Subscription.incidentEvents':
    'live (graphql-ws): its payload is the IncidentEvent walked through Incident.events; test/api/live.test.ts checks its scope and masking per role',
  'FieldError.field': 'returned only by the write mutations (validation of their input)',
  'FieldError.message': 'returned only by the write mutations (validation of their input)',
  ...Object.fromEntries(
    ['callDepartment', 'acknowledgeCall', 'answerCall', 'rateCall'].map((name) => [`Mutation.${name}`, 'a step of a call (乡呼县应); the walk reads the planted call']),
  ),
  ...Object.fromEntries(
    ['ingestPeople', 'ingestPlaces', 'ingestThings', 'ingestIncidents'].map((name) => [`Mutation.${name}`, 'a write (DEPARTMENT, ADMIN); the walk reads']),
  ),
  ...Object.fromEntries(
    ['report', 'accept', 'reject', 'dispatch', 'start', 'resolve', 'verify', 'escalate', 'rate'].map((name) => [
      `Mutation.${name}Incident`,
      'a workflow write returning an Incident, read like Query.incident (tests: workflow.test.ts); the walk reads',
    ]),
  ),
  ...Object.fromEntries(
    ['created', 'updated', 'unchanged', 'stale', 'rejected', 'results'].map((name) => [`IngestReport.${name}`, 'returned only by the ingest mutations']),
  ),
  ...Object.fromEntries(
    ['sourceKey', 'outcome', 'entityId', 'errors'].map((name) => [`IngestResult.${name}`, 'returned only by the ingest mutations (what the caller sent)']),
  ),
};

/** Raised limits: the walk's documents are deep on purpose (the hub's defaults protect production, not this). */
const LIMITS = {
  maxDepth: 30,
  maxCost: Number.MAX_SAFE_INTEGER,
  maxAliases: 1000,
  maxTokens: 1_000_000,
  maxRepeatedFields: 1000,
  ratePerSecond: { ADMIN: 10_000, COMMAND_CENTER: 10_000, GRID_WORKER: 10_000, DEPARTMENT: 10_000, ANALYST: 10_000 },
};

/** The marker written into everything one source sent. No marker is part of another, nor of any shared value. */
const MARKERS: Record<SourceSystem, string> = {
  [SourceSystem.COMPREHENSIVE_GOVERNANCE]: 'ZZMARK',
  [SourceSystem.SOCIAL_SECURITY]: 'SBMARK',
  [SourceSystem.CIVIL_AFFAIRS]: 'MZMARK',
  [SourceSystem.CITY_MANAGEMENT]: 'CGMARK',
  [SourceSystem.GRID_APP]: 'WGMARK',
};
const { COMPREHENSIVE_GOVERNANCE: GOV, SOCIAL_SECURITY: SOC, CIVIL_AFFAIRS: CIV, CITY_MANAGEMENT: CITY, GRID_APP: APP } = SourceSystem;

const BIRTH_DATE = '1985-01-01';
const MOBILE = '13812345678';
/** The person's ID number (a digit as check character, so that it can also be sent as a JSON number). */
let ID_NUMBER: string;
/** Another valid ID number, with X as check character, written in lower case inside text. */
let ID_NUMBER_X: string;
/** Placeholder replaced by ID_NUMBER as a bare JSON number when a payload is stored (JavaScript would round it). */
const ID_AS_NUMBER = '@@ID_AS_NUMBER@@';

/** Every way the planted numbers and the birth date are written, after `label` (a source's marker, or nothing). */
function piiText(label: string): string {
  return (
    `${label}身份证${ID_NUMBER}，证件${ID_NUMBER_X.toLowerCase()}；电话${MOBILE}、+86 138-1234-5678、0086 13812345678；` +
    `生日1985-01-01、19850101、1985/01/01、1985-01-01T00:00:00Z、1985年01月01日`
  );
}

/**
 * What a source sends: the canonical values it gives (`values`, shared values unmarked) plus, marked, the numbers
 * and dates in every form — as strings under pinyin and English keys, as JSON numbers, nested, and in free text.
 */
function payloadOf(source: SourceSystem, values: Record<string, unknown>): Record<string, unknown> {
  const marker = MARKERS[source];
  return {
    ...values,
    [`${marker}_remark`]: piiText(marker),
    zjhm: ID_NUMBER,
    sfzh: ID_AS_NUMBER,
    sjhm: Number(MOBILE),
    lxdh: Number(MOBILE),
    mobile: '+86 138-1234-5678',
    csrq: '19850101',
    csrqNumber: 19850101,
    birthday: '1985/01/01',
    birthTime: '1985-01-01T00:00:00Z',
    dob: BIRTH_DATE,
    birthText: '1985年01月01日',
    contacts: [{ name: `${marker}联系人`, tel: '0086 13812345678', zjhm: ID_NUMBER_X.toLowerCase(), note: piiText(marker) }],
  };
}

function payloadJson(payload: Record<string, unknown>): string {
  return JSON.stringify(payload).split(JSON.stringify(ID_AS_NUMBER)).join(ID_NUMBER);
}

/** The fixtures. */
let GRID: string;
const fixture = { person: '', place: '', thing: '', incident: '' };
/** Entity type (as in the schema) → table and source record kind. */
const ENTITY_TABLES: Record<string, { table: string; kind: string; key: keyof typeof fixture }> = {
  Person: { table: 'person', kind: 'PERSON', key: 'person' },
  Place: { table: 'place', kind: 'PLACE', key: 'place' },
  Thing: { table: 'thing', kind: 'THING', key: 'thing' },
  Incident: { table: 'incident', kind: 'INCIDENT', key: 'incident' },
};

let hub: Hub;
let schema: GraphQLSchema;
let documents: WalkDocument[];

async function insertRecord(kind: string, entityId: string, source: SourceSystem, values: Record<string, unknown>): Promise<string> {
  const [row] = await hub.sql<{ id: string }>(
    `insert into source_record (entity_kind, entity_id, source, source_key, version, observed_at, payload)
     values ($1, $2, $3, $4, 1, now(), $5::jsonb) returning id::text`,
    [kind, entityId, source, `${MARKERS[source]}-${kind}-${ID_NUMBER}-${MOBILE}`, payloadJson(payloadOf(source, values))],
  );
  return row.id;
}

const lineageOf = (entries: Record<string, [SourceSystem, string]>) =>
  JSON.stringify(Object.fromEntries(Object.entries(entries).map(([field, [source, id]]) => [field, { source, sourceRecordId: id }])));

async function plantFixtures(): Promise<void> {
  // ID numbers that no demo person has.
  const ids = (await hub.sql<{ id_number: string }>(`select id_number from person where id_number like '150302198501%'`)).map((r) => r.id_number);
  for (let sequence = 901; !ID_NUMBER || !ID_NUMBER_X; sequence++) {
    const candidate = composeIdNumber('150302', BIRTH_DATE, sequence);
    if (ids.includes(candidate)) continue;
    if (!ID_NUMBER && /\d$/.test(candidate)) ID_NUMBER = candidate;
    if (!ID_NUMBER_X && candidate.endsWith('X')) ID_NUMBER_X = candidate;
  }

  // A grid of its own (so lists filtered by it return the fixtures only), under a community of county 150302.
  const [community] = await hub.sql<{ code: string }>(
    `select code from region where level = 'COMMUNITY' and code like '150302%' order by code limit 1`,
  );
  GRID = `${community.code}987`;
  await hub.sql(`insert into region (code, name, level, parent_code, boundary) values ($1, $2, 'GRID', $3, $4::jsonb)`, [
    GRID,
    '走查网格',
    community.code,
    JSON.stringify({ type: 'Polygon', coordinates: [[[106.8, 39.65], [106.81, 39.65], [106.81, 39.66], [106.8, 39.65]]] }),
  ]);
  const shared = { gridCode: GRID, lng: 106.805, lat: 39.655 };

  // Person (人): governance, social security and civil affairs sent it.
  const personName = `王五${piiText('')}`;
  const personShared = { idNumber: ID_NUMBER, name: personName, phone: MOBILE, gridCode: GRID, birthDate: BIRTH_DATE };
  const govAddress = `乌海市海勃湾区走查路1号${piiText(MARKERS[GOV])}`;
  const governance = { keyPersonCategory: 'KEY_PETITIONER', riskLevel: 'HIGH', gridWorker: `李四${piiText(MARKERS[GOV])}` };
  const socialSecurity = { insured: true, pensionType: 'URBAN_EMPLOYEE', medicalInsurance: 'EMPLOYEE', employer: `走查公司${piiText(MARKERS[SOC])}` };
  const civilAffairs = { allowances: [{ type: 'DISABILITY', monthlyAmount: 100, since: BIRTH_DATE }], disabilityGrade: 2 };
  const [person] = await hub.sql<{ id: string }>(
    `insert into person (id_number, name, gender, birth_date, phone, grid_code, address, household_type, tags,
                         social_security, civil_affairs, governance)
     values ($1, $2, $3, $4, $5, $6, $7, 'REGISTERED', '{KEY_PETITIONER,DISABLED}', $8::jsonb, $9::jsonb, $10::jsonb)
     returning id::text`,
    [ID_NUMBER, personName, Number(ID_NUMBER[16]) % 2 === 1 ? 'MALE' : 'FEMALE', BIRTH_DATE, MOBILE, GRID, govAddress,
      JSON.stringify(socialSecurity), JSON.stringify(civilAffairs), JSON.stringify(governance)],
  );
  fixture.person = person.id;
  const personGov = await insertRecord('PERSON', person.id, GOV, {
    ...personShared, address: govAddress, householdType: 'REGISTERED', tags: ['KEY_PETITIONER'], governance,
  });
  const personSoc = await insertRecord('PERSON', person.id, SOC, { ...personShared, address: `社保邮寄地址${piiText(MARKERS[SOC])}`, socialSecurity });
  const personCiv = await insertRecord('PERSON', person.id, CIV, { ...personShared, tags: ['DISABLED'], civilAffairs });
  await hub.sql(`update person set lineage = $2::jsonb where id = $1`, [
    person.id,
    lineageOf({ name: [GOV, personGov], phone: [SOC, personSoc], gridCode: [GOV, personGov], address: [GOV, personGov], householdType: [GOV, personGov] }),
  ]);
  void personCiv;
  // A disagreement on the phone: two sources, two numbers, one of them in text.
  await hub.sql(
    `insert into data_conflict (entity_kind, entity_id, grid_code, field, kind, candidates) values ('PERSON', $1, $2, 'phone', 'VALUE_MISMATCH', $3::jsonb)`,
    [
      person.id,
      GRID,
      JSON.stringify([
        { source: SOC, sourceRecordId: personSoc, observedAt: new Date().toISOString(), value: MOBILE },
        { source: GOV, sourceRecordId: personGov, observedAt: new Date().toISOString(), value: `${MARKERS[GOV]}${piiText(MARKERS[GOV])}` },
      ]),
    ],
  );

  // Place (地): governance and city management sent it; governance's address and attributes survived.
  const placeName = `走查网吧${piiText('')}`;
  const attributes = {
    floors: 6, unitCount: 2, householdCount: 48, floorArea: 1200.5, studentCount: 0, bedCount: 10,
    creditCode: `91150302MA0Q4W5E6R${piiText(MARKERS[GOV])}`,
    industry: `${MARKERS[GOV]}餐饮${piiText(MARKERS[GOV])}`,
    keyPlaceCategory: `${MARKERS[GOV]}网吧${piiText(MARKERS[GOV])}`,
  };
  const placeAddress = `走查路2号${piiText(MARKERS[GOV])}`;
  const [place] = await hub.sql<{ id: string }>(
    `insert into place (kind, name, address, grid_code, lng, lat, attributes) values ('KEY_PLACE', $1, $2, $3, $4, $5, $6::jsonb) returning id::text`,
    [placeName, placeAddress, GRID, shared.lng, shared.lat, JSON.stringify(attributes)],
  );
  fixture.place = place.id;
  const placeGov = await insertRecord('PLACE', place.id, GOV, { ...shared, name: placeName, address: placeAddress, attributes });
  const placeCity = await insertRecord('PLACE', place.id, CITY, { ...shared, name: placeName, address: `城管地址${piiText(MARKERS[CITY])}` });
  await hub.sql(`update place set lineage = $2::jsonb where id = $1`, [
    place.id,
    lineageOf({ name: [GOV, placeGov], address: [GOV, placeGov], gridCode: [GOV, placeGov], location: [CITY, placeCity], attributes: [GOV, placeGov] }),
  ]);
  await hub.sql(`insert into person_place (person_id, place_id, role, since) values ($1, $2, 'RESIDENT', $3)`, [person.id, place.id, BIRTH_DATE]);

  // Thing (物): city management and governance sent it; city management's values survived.
  const thingShared = { ...shared, name: `走查摄像头${piiText('')}`, status: 'NORMAL', componentCode: `150302-0601-${MOBILE}-${ID_NUMBER}` };
  const ownerUnit = `城管养护中心${piiText(MARKERS[CITY])}`;
  const thingAddress = `走查路3号路口${piiText(MARKERS[CITY])}`;
  const [thing] = await hub.sql<{ id: string }>(
    `insert into thing (category, kind, component_code, name, status, owner_unit, address, grid_code, lng, lat)
     values ('GOVERNANCE', 'CAMERA', $1, $2, 'NORMAL', $3, $4, $5, $6, $7) returning id::text`,
    [thingShared.componentCode, thingShared.name, ownerUnit, thingAddress, GRID, shared.lng, shared.lat],
  );
  fixture.thing = thing.id;
  const thingCity = await insertRecord('THING', thing.id, CITY, { ...thingShared, ownerUnit, address: thingAddress });
  await insertRecord('THING', thing.id, GOV, { ...thingShared, ownerUnit: `综治中心${piiText(MARKERS[GOV])}`, address: `综治位置${piiText(MARKERS[GOV])}` });
  await hub.sql(`update thing set lineage = $2::jsonb where id = $1`, [
    thing.id,
    lineageOf(Object.fromEntries(['name', 'status', 'ownerUnit', 'address', 'gridCode', 'location'].map((f) => [f, [CITY, thingCity]]))),
  ]);

  // Incident (事): reported through the grid app, also known to governance. Incidents keep no lineage; the case
  // record (and its workflow fields and event log) is shared, so it carries personal data but no source marker.
  const [incident] = await hub.sql<{ id: string }>(
    `insert into incident (case_number, title, description, category, sub_category, severity, source, source_key, grid_code,
                           address, lng, lat, place_id, thing_id, status, level, department, assignee, due_at, feedback,
                           satisfaction, reported_at, photo_urls)
     values ('WALK-0001', $1, $2, 'DISPUTE', $3, 'HIGH', 'GRID_APP', $4, $5, $6, $7, $8, $9, $10, 'DISPATCHED', 'GRID', $11, $12,
             now() + interval '1 day', $13, 4, now(), jsonb_build_array($14::text))
     returning id::text`,
    [`求助${piiText('')}`, `描述${piiText('')}`, `噪音${piiText('')}`, `GA-${ID_NUMBER}-${MOBILE}-19850101`, GRID,
      `事发走查路4号${piiText('')}`, shared.lng, shared.lat, place.id, thing.id, `处置部门${piiText('')}`, `处置人${piiText('')}`,
      `反馈${piiText('')}`, `https://img.example.cn/${piiText('')}`],
  );
  fixture.incident = incident.id;
  await insertRecord('INCIDENT', incident.id, APP, { title: `求助${piiText('')}` });
  await insertRecord('INCIDENT', incident.id, GOV, { title: `综治案件${piiText(MARKERS[GOV])}` });
  await hub.sql(`insert into incident_party (incident_id, person_id, role) values ($1, $2, 'REPORTER')`, [incident.id, person.id]);
  await hub.sql(
    `insert into incident_event (incident_id, grid_code, category, type, actor, note, from_status, to_status)
     values ($1, $2, 'DISPUTE', 'CREATED', $3, $4, null, 'REPORTED'), ($1, $2, 'DISPUTE', 'DISPATCHED', $5, $6, 'REPORTED', 'DISPATCHED')`,
    [incident.id, GRID, `网格员${piiText('')}`, `上报${piiText('')}`, `指挥中心${piiText('')}`, `派遣${piiText('')}`],
  );
  // A call (乡呼县应) on it, every step taken, personal data in every text.
  await hub.sql(
    `insert into department_call (incident_id, department, status, note, called_by, called_at, acknowledge_due_at, acknowledged_by,
                                  acknowledged_at, answer_due_at, answered_by, answered_at, report, satisfaction, rating_comment, rated_by, rated_at)
     values ($1, $2, 'RATED', $3, $4, now(), now() + interval '30 minutes', $5, now(), now() + interval '1 day', $6, now(), $7, 4, $8, $9, now())`,
    [incident.id, `部门${piiText('')}`, `呼叫${piiText('')}`, `镇指挥中心${piiText('')}`, `部门席位${piiText('')}`, `部门答复人${piiText('')}`,
      `反馈${piiText('')}`, `评价${piiText('')}`, `镇评价人${piiText('')}`],
  );
}

/** Arguments for the root fields: the fixtures' ids, ID number and grid; lists filtered to the fixture grid. */
function rootArguments(field: GraphQLField<unknown, unknown>): Record<string, unknown> | undefined {
  const returned = getNamedType(field.type).name;
  const args: Record<string, unknown> = {};
  for (const arg of field.args) {
    let value: unknown;
    if (arg.name === 'id' && ENTITY_TABLES[returned]) value = fixture[ENTITY_TABLES[returned].key];
    else if (arg.name === 'id' && returned === 'IncidentTimeline') value = fixture.incident;
    else if (arg.name === 'regionCode' && field.name === 'departmentScorecard') value = GRID;
    else if (arg.name === 'from' && field.name === 'departmentScorecard') value = new Date(Date.now() - 86_400_000).toISOString();
    else if (arg.name === 'to' && field.name === 'departmentScorecard') value = new Date(Date.now() + 86_400_000).toISOString();
    else if (arg.name === 'idNumber') value = ID_NUMBER;
    else if (arg.name === 'code' && returned === 'Region') value = GRID;
    else if (arg.name === 'filter' && inputObjectOf(field, 'filter')?.getFields().regionCode) value = { regionCode: GRID };
    else if (arg.name === 'first') value = 5;
    // Stats grouped by grid: a dimension every role may group by, so their keys and measures are walked with values.
    else if (arg.name === 'groupBy') value = ['GRID'];
    if (value !== undefined) args[arg.name] = value;
    else if (isNonNullType(arg.type) && arg.defaultValue === undefined) return undefined;
  }
  return args;
}

/** One role the walk runs as. */
interface Walker {
  label: string;
  claims: () => Partial<TokenClaims> & { roles: Role[] };
  masked?: boolean;
  department?: SourceSystem;
}

const WALKERS: Walker[] = [
  { label: 'ADMIN', claims: () => ({ roles: [Role.ADMIN] }) },
  { label: 'COMMAND_CENTER', claims: () => ({ roles: [Role.COMMAND_CENTER], region: '1503' }) },
  { label: 'GRID_WORKER', claims: () => ({ roles: [Role.GRID_WORKER], region: GRID }) },
  { label: 'ANALYST', claims: () => ({ roles: [Role.ANALYST], region: '1503' }), masked: true },
  ...Object.values(SourceSystem).map(
    (source): Walker => ({
      label: `DEPARTMENT(${source})`,
      claims: () => ({ roles: [Role.DEPARTMENT], region: '1503', source }),
      department: source,
    }),
  ),
];
const walker = (label: string) => WALKERS.find((w) => w.label === label)!;

/** Each role's answers to each document. */
const answers = new Map<string, { document: WalkDocument; response: GraphQLResponse }[]>();
/** Each role's refusals (errors other than internal ones), by response path: recorded, not failures. */
const refusals = new Map<string, string[]>();

beforeAll(async () => {
  hub = await startHub({ limits: LIMITS });
  await plantFixtures();
  schema = await buildGridhubSchema();
  documents = walkDocuments(schema, { rootArguments, maxDepth: 12, maxVisits: 2 });
  for (const w of WALKERS) {
    const token = await hub.token(w.claims());
    const list: { document: WalkDocument; response: GraphQLResponse }[] = [];
    for (const document of documents) list.push({ document, response: await hub.gql(token, document.text, document.variables) });
    answers.set(w.label, list);
  }
}, 300_000);

afterAll(async () => {
  const lines = [...refusals].filter(([, paths]) => paths.length > 0).map(([label, paths]) => `  ${label}: ${paths.join('; ')}`);
  if (lines.length > 0) console.log(`policy walk: fields refused per role (not leaks)\n${lines.join('\n')}`);
  await hub?.close();
});

/** Every value each role received, with its Type.field and path (error messages included as `errors`). */
function valuesOf(label: string): FoundValue[] {
  const values: FoundValue[] = [];
  for (const { document, response } of answers.get(label)!) {
    visitResponse(document, response.data, (found) => values.push(found));
    (response.errors ?? []).forEach((error, i) =>
      values.push({ coordinate: 'errors', path: `${document.rootField}:errors.${i}`, returnType: 'String', value: JSON.stringify(error) }),
    );
  }
  return values;
}

function objectsOf(label: string): FoundObject[] {
  const objects: FoundObject[] = [];
  for (const { document, response } of answers.get(label)!) visitResponse(document, response.data, () => undefined, (o) => objects.push(o));
  return objects;
}

/**
 * Leaks grouped by role, Type.field (and JSON key) and kind, so that one field seen through many paths is one line:
 * `ANALYST: Place.address: ID number 150302198501019016 (3 paths, e.g. place.address) in "…"`.
 */
class Findings {
  private readonly byKey = new Map<string, { paths: string[]; matches: Set<string>; sample: unknown }>();

  add(key: string, path: string, matches: string[], sample: unknown): void {
    const entry = this.byKey.get(key) ?? { paths: [], matches: new Set<string>(), sample };
    entry.paths.push(path);
    matches.forEach((match) => entry.matches.add(match));
    this.byKey.set(key, entry);
  }

  list(): string[] {
    return [...this.byKey]
      .map(([key, { paths, matches, sample }]) => {
        const where = paths.length === 1 ? `at ${paths[0]}` : `${paths.length} paths, e.g. ${paths[0]}`;
        return `${key}${matches.size ? ` ${[...matches].join(', ')}` : ''} (${where}) in ${JSON.stringify(short(sample))}`;
      })
      .sort();
  }
}

const short = (value: unknown) => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 160 ? `${text.slice(0, 160)}…` : text;
};

// --- Detectors: what a masked role must never receive. Written apart from the hub's masking on purpose. ---

/** 17 digits and a check character (any case X) with no digit around it, and a valid GB 11643 checksum. */
function idNumbersIn(text: string): string[] {
  return [...text.matchAll(/(?<!\d)\d{17}[\dXx](?!\d)/g)].map((m) => m[0]).filter((id) => checkCharacter(id.slice(0, 17)) === id[17].toUpperCase());
}
/** A mainland mobile (13–19), bare or with +86/0086, spaces or hyphens between its 3-4-4 groups. */
function mobilesIn(text: string): string[] {
  return [...text.matchAll(/(?<![\d+])(?:(?:\+|00)86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)/g)].map((m) => m[0]);
}
/** The planted birth date, in any of the ways it was written (the ID numbers taken out first). */
function birthDatesIn(text: string): string[] {
  const withoutIds = text.replace(/(?<!\d)\d{17}[\dXx](?!\d)/g, '<id>');
  const patterns = [/(?<!\d)1985[-/.]0?1[-/.]0?1(?!\d)/g, /(?<!\d)19850101(?!\d)/g, /1985\s*年\s*0?1\s*月\s*0?1\s*日/g];
  return patterns.flatMap((pattern) => [...withoutIds.matchAll(pattern)].map((m) => m[0]));
}

/** What a masked role must not see in one value: `[kind, matches]` pairs. */
function personalDataIn(found: FoundValue): [string, string[]][] {
  if (found.isKey) return [];
  const hits: [string, string[]][] = [];
  if (typeof found.value === 'number') {
    // JSON numbers: an ID number (rounded by JSON.parse beyond 15 digits; its address code and birth date survive),
    // a mobile, or a date written as a number.
    const digits = BigInt(Math.round(found.value)).toString();
    if (digits.length >= 16 && digits.startsWith(ID_NUMBER.slice(0, 14))) hits.push(['ID number as a JSON number', [digits]]);
    if (/^1[3-9]\d{9}$/.test(digits)) hits.push(['mobile number as a JSON number', [digits]]);
    if (digits === '19850101') hits.push(['birth date as a JSON number', [digits]]);
    return hits;
  }
  if (typeof found.value !== 'string') return hits;
  const ids = idNumbersIn(found.value);
  const mobiles = mobilesIn(found.value);
  const dates = birthDatesIn(found.value);
  if (ids.length) hits.push(['ID number', ids]);
  if (mobiles.length) hits.push(['mobile number', mobiles]);
  if (dates.length) hits.push(['full birth date', dates]);
  return hits;
}

describe('the walk', () => {
  it('selects every output field of the schema, or lists it in NOT_WALKED with a reason', () => {
    expect(documents.length).toBeGreaterThan(0);
    expect(unwalkedFields(schema, documents, Object.keys(NOT_WALKED))).toEqual([]);
    const all = new Set(allOutputFields(schema));
    const walked = walkedFields(documents);
    // The list stays honest: only fields that exist and that the walk really does not reach.
    expect(Object.keys(NOT_WALKED).filter((field) => !all.has(field) || walked.has(field))).toEqual([]);
  });

  it('ran every document for every role', () => {
    for (const w of WALKERS) expect(answers.get(w.label)?.length).toBe(documents.length);
  });

  it('reaches the planted data: as ADMIN, every walked String and JSON field carries a value', () => {
    const seen = new Set(valuesOf('ADMIN').filter((v) => !v.isKey && v.value !== '').map((v) => v.coordinate));
    const textual = [...walkedFields(documents)].filter((coordinate) => {
      const [typeName, field] = coordinate.split('.');
      const named = getNamedType((schema.getType(typeName) as GraphQLObjectType).getFields()[field].type).name;
      return named === 'String' || named === 'JSONObject';
    });
    expect(textual.filter((coordinate) => !seen.has(coordinate)).map((c) => `${c}: no value for ADMIN; plant personal data in it`)).toEqual([]);
  });
});

describe.each(WALKERS.map((w) => [w.label]))('%s', (label) => {
  it('answers every walked field, or refuses it; never with an internal error', () => {
    const failures: string[] = [];
    const refused: string[] = [];
    for (const { document, response } of answers.get(label)!) {
      if (response.data === undefined || response.data === null) {
        failures.push(`${label}: ${document.rootField}: no data (HTTP ${response.status}): ${short(response.errors)}`);
      }
      for (const error of response.errors ?? []) {
        const code = error.extensions?.code;
        const where = (error.path ?? [document.rootField]).join('.');
        if (code === 'INTERNAL_SERVER_ERROR' || !error.path) failures.push(`${label}: ${where}: ${code}: ${error.message}`);
        else refused.push(`${where} ${code}`);
      }
    }
    refusals.set(label, refused);
    expect(failures).toEqual([]);
  });

  const w = walker(label);
  if (w.masked) {
    it('receives no unmasked ID number, mobile number or full birth date anywhere', () => {
      const leaks = new Findings();
      for (const found of valuesOf(label)) {
        const field = found.jsonKey ? `${found.coordinate} › ${found.jsonKey}` : found.coordinate;
        for (const [kind, matches] of personalDataIn(found)) leaks.add(`${label}: ${field}: ${kind}`, found.path, matches, found.value);
      }
      expect(leaks.list()).toEqual([]);
    });

    it('sees the person’s own numbers and birth date in the agreed masked forms', () => {
      const person = answers.get(label)!.find((a) => a.document.rootField === 'person')!.response.data?.person;
      expect(person).toMatchObject({
        idNumber: `${ID_NUMBER.slice(0, 6)}********${ID_NUMBER.slice(-4)}`,
        phone: `${MOBILE.slice(0, 3)}****${MOBILE.slice(-4)}`,
        birthDate: '1985-**-**',
        civilAffairs: { allowances: [expect.objectContaining({ since: '1985-**-**' })] },
      });
    });
  } else if (!w.department) {
    it('receives the planted personal data raw (so the scan of masked roles looks for something that is there)', () => {
      const values = valuesOf(label);
      const strings = values.filter((v) => typeof v.value === 'string' && !v.isKey).map((v) => v.value as string);
      const numbers = values.filter((v) => typeof v.value === 'number').map((v) => v.value as number);
      const expectSeen = (what: string, seen: boolean) => expect({ [what]: seen }).toEqual({ [what]: true });
      expectSeen(`Person.idNumber ${ID_NUMBER}`, values.some((v) => v.coordinate === 'Person.idNumber' && v.value === ID_NUMBER));
      expectSeen(`Person.phone ${MOBILE}`, values.some((v) => v.coordinate === 'Person.phone' && v.value === MOBILE));
      expectSeen(`Person.birthDate ${BIRTH_DATE}`, values.some((v) => v.coordinate === 'Person.birthDate' && v.value === BIRTH_DATE));
      for (const form of [ID_NUMBER, ID_NUMBER_X.toLowerCase(), '+86 138-1234-5678', '0086 13812345678', '19850101', '1985/01/01',
        '1985-01-01T00:00:00Z', '1985年01月01日']) {
        expectSeen(`a string containing ${form}`, strings.some((s) => s.includes(form)));
      }
      for (const [what, test] of [
        ['an ID number as a JSON number', (n: number) => BigInt(Math.round(n)).toString().startsWith(ID_NUMBER.slice(0, 14))],
        ['a mobile as a JSON number', (n: number) => n === Number(MOBILE)],
        ['a birth date as a JSON number', (n: number) => n === 19850101],
      ] as [string, (n: number) => boolean][]) {
        expectSeen(what, numbers.some(test));
      }
    });
  }

  if (w.department) {
    const own = w.department;
    it(`receives nothing another source gave: no other marker, no value only another source gave, no other source's records`, async () => {
      const leaks = new Findings();
      const others = Object.values(SourceSystem).filter((source) => source !== own);
      let ownMarkerSeen = false;
      for (const found of valuesOf(label)) {
        if (typeof found.value !== 'string') continue;
        if (found.value.includes(MARKERS[own])) ownMarkerSeen = true;
        for (const other of others) {
          if (found.value.includes(MARKERS[other])) {
            leaks.add(`${label}: ${found.coordinate}: ${other}'s marker`, found.path, [MARKERS[other]], found.value);
          }
        }
        if ((found.coordinate === 'SourceRecord.source' || found.coordinate === 'FieldLineage.source') && found.value !== own) {
          leaks.add(`${label}: ${found.coordinate}: a record or lineage entry of another source`, found.path, [found.value], found.value);
        }
      }
      // Entities it did not send, and canonical values whose lineage names another source that its own records lack.
      const sentBy = async (kind: string, id: string, source: SourceSystem) =>
        hub.sql<{ payload: unknown }>(`select payload from source_record where entity_kind = $1 and entity_id = $2 and source = $3`, [kind, id, source]);
      for (const object of objectsOf(label)) {
        const entity = ENTITY_TABLES[object.type];
        const id = object.value.id as string | undefined;
        if (!entity || id === undefined) continue;
        const ownRecords = await sentBy(entity.kind, id, own);
        if (ownRecords.length === 0) {
          leaks.add(`${label}: ${object.type}: an entity ${own} did not send, id`, object.path, [id], object.value);
          continue;
        }
        const ownLeaves = new Set(ownRecords.flatMap((record) => leavesOf(record.payload)));
        const [row] = await hub.sql<{ lineage: Record<string, { source: string; sourceRecordId: string }> | null }>(
          `select ${entity.table === 'incident' ? 'null::jsonb' : 'lineage'} as lineage from ${entity.table} where id = $1`,
          [id],
        );
        for (const [field, from] of Object.entries(row?.lineage ?? {})) {
          if (from.source === own || !(field in object.value) || object.value[field] === null) continue;
          const foreign = leavesOf(object.value[field]).filter((leaf) => !ownLeaves.has(leaf));
          if (foreign.length > 0) {
            const key = `${label}: ${object.type}.${field}: a value only ${from.source} gave (source record ${from.sourceRecordId})`;
            leaks.add(key, `${object.path}.${field}`, [], object.value[field]);
          }
        }
      }
      expect(leaks.list()).toEqual([]);
      // Not vacuous: the department did read what it sent.
      expect({ [`${label} saw its own marker ${MARKERS[own]}`]: ownMarkerSeen }).toEqual({ [`${label} saw its own marker ${MARKERS[own]}`]: true });
    });
  }
});

/** The strings and numbers (as text) inside a value. */
function leavesOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(leavesOf);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(leavesOf);
  if (typeof value === 'string' || typeof value === 'number') return [String(value)];
  return [];
}
