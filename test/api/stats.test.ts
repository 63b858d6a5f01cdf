import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../src/auth/viewer';
import { OverdueSweeper } from '../../src/incidents/overdue-sweeper';
import { composeIdNumber } from '../../src/shared/id-number';
import { SourceSystem } from '../../src/sources/source-system';
import { expectError, Hub, ok, startHub } from '../support/harness';

/*
 * Grouped statistics (incidentStats, peopleStats, placeStats, thingStats) over HTTP, against a small county of their
 * own (150399, registered here, so the demo city never falls in it) seeded through the ingest and workflow mutations.
 * Report times are chosen around day, week and month boundaries of Beijing time; the times of the DISPATCHED and
 * RESOLVED events (the workflow stamps them with the database's clock) are then set to known offsets. Expectations are
 * the cases and people below, tallied in JavaScript, and for the main figures written out by hand.
 */

let hub: Hub;
const tokens: Record<string, string> = {};

const COUNTY = '150399';
const TOWN1 = '150399001';
const TOWN2 = '150399002';
const [C11, C12, C21] = ['150399001001', '150399001002', '150399002001'];
const G1 = '150399001001001';
const G2 = '150399001001002';
const G3 = '150399001002001';
const G4 = '150399002001001';
const REGIONS = [
  { code: COUNTY, name: '统计测试区' },
  { code: TOWN1, name: '甲街道' },
  { code: TOWN2, name: '乙镇' },
  { code: C11, name: '一社区' },
  { code: C12, name: '二社区' },
  { code: C21, name: '三村' },
  { code: G1, name: '一社区第一网格' },
  { code: G2, name: '一社区第二网格' },
  { code: G3, name: '二社区第一网格' },
  { code: G4, name: '三村第一网格' },
];

/** A planted case: what is ingested, the workflow it goes through, and what it ends as. */
interface Case {
  name: string;
  grid: string;
  category: string;
  severity: string;
  source: SourceSystem;
  /** Report time, in Beijing time as written. */
  reported: string;
  steps: string[];
  status: string;
  level: string;
  overdue?: boolean;
  satisfaction?: number;
  /** Seconds after the report of each DISPATCHED event, in order. */
  dispatched?: number[];
  /** Seconds after the report of each RESOLVED event, in order. */
  resolvedEvents?: number[];
  /** Closed in a log without a RESOLVED event: seconds after the report of closedAt. */
  closedWithoutResolvedEvent?: number;
  id?: string;
}

const { COMPREHENSIVE_GOVERNANCE: CG, CITY_MANAGEMENT: CM, GRID_APP: GA } = SourceSystem;
const CASES: Case[] = [
  // Sunday 23:30 and Monday 00:30 in Beijing: one UTC day (Sunday), two Beijing days and ISO weeks.
  { name: 'I1', grid: G1, category: 'DISPUTE', severity: 'LOW', source: CG, reported: '2025-03-30T23:30:00+08:00',
    steps: ['accept', 'dispatch', 'start', 'resolve', 'pass', 'rate 4'], status: 'CLOSED', level: 'GRID', satisfaction: 4,
    dispatched: [600], resolvedEvents: [86_400] },
  { name: 'I2', grid: G1, category: 'CITY_MANAGEMENT', severity: 'MEDIUM', source: CM, reported: '2025-03-31T00:30:00+08:00',
    steps: ['accept', 'dispatch', 'start', 'resolve', 'rate 5'], status: 'RESOLVED', level: 'GRID', satisfaction: 5,
    dispatched: [1_800], resolvedEvents: [43_200] },
  // Resolved twice (the first failed verification): the last resolution stands.
  { name: 'I3', grid: G2, category: 'DISPUTE', severity: 'HIGH', source: CG, reported: '2025-03-31T23:30:00+08:00',
    steps: ['accept', 'escalate', 'escalate', 'dispatch', 'start', 'resolve', 'fail', 'start', 'resolve', 'pass', 'rate 3'],
    status: 'CLOSED', level: 'TOWN', satisfaction: 3, dispatched: [3_600], resolvedEvents: [20_000, 172_800] },
  // 00:30 on 1 April in Beijing is still 31 March in UTC: April here. Dispatched before the sweep: overdue.
  { name: 'I4', grid: G3, category: 'SAFETY_HAZARD', severity: 'CRITICAL', source: CM, reported: '2025-04-01T00:30:00+08:00',
    steps: ['accept', 'dispatch'], status: 'DISPATCHED', level: 'GRID', overdue: true, dispatched: [7_200] },
  // Resolved, then sent back: not resolved now.
  { name: 'I5', grid: G4, category: 'PUBLIC_SECURITY', severity: 'HIGH', source: CG, reported: '2025-04-01T10:00:00+08:00',
    steps: ['accept', 'escalate', 'dispatch', 'start', 'resolve', 'fail'], status: 'DISPATCHED', level: 'COMMUNITY',
    dispatched: [900], resolvedEvents: [10_000] },
  { name: 'I6', grid: G4, category: 'DISPUTE', severity: 'LOW', source: CG, reported: '2025-04-06T23:59:00+08:00',
    steps: ['reject'], status: 'REJECTED', level: 'GRID' },
  { name: 'I7', grid: G1, category: 'ENVIRONMENT', severity: 'MEDIUM', source: GA, reported: '2025-04-07T08:00:00+08:00',
    steps: [], status: 'REPORTED', level: 'GRID' },
  // Dispatched at the grid, escalated to the county, dispatched again: the first dispatch counts.
  { name: 'I8', grid: G2, category: 'DISPUTE', severity: 'MEDIUM', source: CG, reported: '2025-04-07T09:00:00+08:00',
    steps: ['accept', 'dispatch', 'escalate', 'escalate', 'escalate', 'dispatch', 'start', 'resolve', 'rate 2'],
    status: 'RESOLVED', level: 'COUNTY', satisfaction: 2, dispatched: [300, 5_000], resolvedEvents: [259_200] },
  { name: 'I9', grid: G3, category: 'OTHER', severity: 'LOW', source: CM, reported: '2025-03-15T12:00:00+08:00',
    steps: ['accept', 'escalate', 'dispatch', 'start', 'resolve', 'pass', 'rate 5'], status: 'CLOSED', level: 'COMMUNITY',
    satisfaction: 5, dispatched: [1_200], closedWithoutResolvedEvent: 100_000 },
  { name: 'I10', grid: G1, category: 'DISPUTE', severity: 'MEDIUM', source: GA, reported: '2025-04-20T12:00:00+08:00',
    steps: ['accept'], status: 'ACCEPTED', level: 'GRID' },
];

/** A planted person: the governance system's record, and the social security and civil affairs systems' when given. */
interface Resident {
  n: number;
  grid: string;
  householdType: string | null;
  tags: string[];
  insured?: boolean;
  civilAffairs?: { tags: string[]; allowances: string[] };
}

const PEOPLE: Resident[] = [
  { n: 1, grid: G1, householdType: 'REGISTERED', tags: ['ELDERLY_LIVING_ALONE'], insured: true },
  { n: 2, grid: G1, householdType: 'REGISTERED', tags: ['ELDERLY_LIVING_ALONE', 'KEY_PETITIONER'], insured: true },
  { n: 3, grid: G1, householdType: 'REGISTERED', tags: [], insured: false, civilAffairs: { tags: ['LOW_INCOME'], allowances: ['LOW_INCOME'] } },
  { n: 4, grid: G1, householdType: 'REGISTERED', tags: ['ELDERLY_LIVING_ALONE'], civilAffairs: { tags: ['DISABLED'], allowances: ['SENIOR', 'DISABILITY'] } },
  { n: 5, grid: G1, householdType: 'FLOATING', tags: [], insured: true },
  { n: 6, grid: G1, householdType: 'FLOATING', tags: ['KEY_YOUTH'] },
  { n: 7, grid: G2, householdType: 'REGISTERED', tags: [], insured: true },
  { n: 8, grid: G2, householdType: 'FLOATING', tags: ['ELDERLY_LIVING_ALONE'] },
  { n: 9, grid: G3, householdType: 'REGISTERED', tags: [] },
  { n: 10, grid: G4, householdType: 'REGISTERED', tags: ['ELDERLY_LIVING_ALONE'], insured: false, civilAffairs: { tags: ['LOW_INCOME'], allowances: ['LOW_INCOME'] } },
  { n: 11, grid: G4, householdType: 'FLOATING', tags: [], civilAffairs: { tags: [], allowances: [] } },
  { n: 12, grid: G4, householdType: null, tags: [] },
];

const PLACES = [
  { key: 'PL1', grid: G1, kind: 'RESIDENTIAL_BUILDING' },
  { key: 'PL2', grid: G1, kind: 'RESIDENTIAL_BUILDING' },
  { key: 'PL3', grid: G1, kind: 'RESIDENTIAL_BUILDING' },
  { key: 'PL4', grid: G2, kind: 'RESIDENTIAL_BUILDING' },
  { key: 'PL5', grid: G2, kind: 'RESIDENTIAL_BUILDING' },
  { key: 'PL6', grid: G3, kind: 'SCHOOL' },
  { key: 'PL7', grid: G4, kind: 'SHOP' },
];

const THINGS = [
  { code: '1503990001', grid: G1, kind: 'MANHOLE_COVER', category: 'PUBLIC_UTILITIES', status: 'NORMAL' },
  { code: '1503990002', grid: G1, kind: 'MANHOLE_COVER', category: 'PUBLIC_UTILITIES', status: 'NORMAL' },
  { code: '1503990003', grid: G1, kind: 'MANHOLE_COVER', category: 'PUBLIC_UTILITIES', status: 'DAMAGED' },
  { code: '1503990004', grid: G2, kind: 'STREET_LAMP', category: 'PUBLIC_UTILITIES', status: 'MISSING' },
  { code: '1503990005', grid: G3, kind: 'STREET_TREE', category: 'GREENERY', status: 'NORMAL' },
  { code: '1503990006', grid: G4, kind: 'TRASH_BIN', category: 'CITY_APPEARANCE', status: 'NORMAL' },
];

const idNumber = (n: number) => composeIdNumber('150399', '1950-01-01', n);

async function mutate(token: string, query: string, variables?: Record<string, unknown>): Promise<any> {
  return ok(await hub.gql(token, query, variables));
}

async function ingest(kind: 'People' | 'Places' | 'Things' | 'Incidents', source: SourceSystem, records: Array<Record<string, unknown>>): Promise<string[]> {
  const type = { People: 'PersonRecordInput', Places: 'PlaceRecordInput', Things: 'ThingRecordInput', Incidents: 'IncidentRecordInput' }[kind];
  const data = await mutate(
    tokens.admin,
    `mutation($source: SourceSystem!, $records: [${type}!]!) { ingest${kind}(source: $source, records: $records) { results { outcome entityId errors { field message } } } }`,
    { source, records },
  );
  const results = data[`ingest${kind}`].results as Array<{ outcome: string; entityId: string; errors: unknown[] }>;
  for (const result of results) expect(result).toMatchObject({ outcome: 'CREATED' });
  return results.map((result) => result.entityId);
}

/** Runs one workflow step on a case as ADMIN. */
async function step(id: string, what: string): Promise<void> {
  const [action, value] = what.split(' ');
  const mutation = {
    accept: `acceptIncident(id: "${id}")`,
    dispatch: `dispatchIncident(id: "${id}")`,
    start: `startIncident(id: "${id}")`,
    resolve: `resolveIncident(id: "${id}", feedback: "已处置")`,
    pass: `verifyIncident(id: "${id}", passed: true)`,
    fail: `verifyIncident(id: "${id}", passed: false)`,
    escalate: `escalateIncident(id: "${id}", reason: "需上级协调")`,
    reject: `rejectIncident(id: "${id}", reason: "不属于受理范围")`,
    rate: `rateIncident(id: "${id}", satisfaction: ${value})`,
  }[action];
  await mutate(tokens.admin, `mutation { ${mutation} { id } }`);
}

/** Sets the times of a case's events of `type`, in seq order, to the report time plus `offsets` seconds. */
async function retime(id: string, type: string, offsets: number[]): Promise<void> {
  const events = await hub.sql<{ seq: string }>(`select seq::text from incident_event where incident_id = $1 and type = $2 order by seq`, [id, type]);
  expect(events).toHaveLength(offsets.length);
  for (const [i, { seq }] of events.entries()) {
    await hub.sql(`update incident_event set at = (select reported_at from incident where id = $1) + make_interval(secs => $3) where seq = $2`, [
      id, seq, offsets[i],
    ]);
  }
}

beforeAll(async () => {
  hub = await startHub({ limits: { maxStatsGroups: 50 } });
  tokens.admin = await hub.token({ sub: 'stats-admin', roles: [Role.ADMIN] });
  tokens.centre = await hub.token({ sub: 'stats-centre', roles: [Role.COMMAND_CENTER], region: COUNTY });
  tokens.analyst = await hub.token({ sub: 'stats-analyst', roles: [Role.ANALYST], region: COUNTY });
  tokens.townCentre = await hub.token({ sub: 'stats-town', roles: [Role.COMMAND_CENTER], region: TOWN1 });
  tokens.otherCounty = await hub.token({ sub: 'stats-other', roles: [Role.COMMAND_CENTER], region: '150302' });
  for (const source of [SourceSystem.SOCIAL_SECURITY, SourceSystem.CIVIL_AFFAIRS, SourceSystem.CITY_MANAGEMENT]) {
    tokens[source] = await hub.token({ sub: `stats-${source}`, roles: [Role.DEPARTMENT], region: COUNTY, source });
  }

  const report = await mutate(tokens.admin, `mutation($r: [RegionInput!]!) { upsertRegions(regions: $r) { created rejected } }`, { r: REGIONS });
  expect(report.upsertRegions).toEqual({ created: REGIONS.length, rejected: 0 });

  for (const source of [CG, CM, GA]) {
    const cases = CASES.filter((c) => c.source === source);
    const ids = await ingest(
      'Incidents',
      source,
      cases.map((c) => ({ sourceKey: `STATS-${c.name}`, version: 1, title: `统计测试${c.name}`, category: c.category, severity: c.severity, gridCode: c.grid, reportedAt: c.reported })),
    );
    cases.forEach((c, i) => (c.id = ids[i]));
  }
  // I4 alone of these is dispatched when the sweeper runs (its clock far past every due time): it is marked overdue.
  const i4 = CASES.find((c) => c.name === 'I4')!;
  for (const what of i4.steps) await step(i4.id!, what);
  await new OverdueSweeper(hub.orm, { intervalMs: 60_000, clock: () => new Date('2099-01-01T00:00:00Z') }).sweep();
  for (const c of CASES.filter((c) => c !== i4)) for (const what of c.steps) await step(c.id!, what);
  for (const c of CASES) {
    await retime(c.id!, 'DISPATCHED', c.dispatched ?? []);
    if (c.closedWithoutResolvedEvent !== undefined) {
      // Closed in a log without a RESOLVED event (as a case closed before the hub kept its log): closedAt is its resolution.
      await hub.sql(`delete from incident_event where incident_id = $1 and type = 'RESOLVED'`, [c.id]);
      await hub.sql(`update incident set closed_at = reported_at + make_interval(secs => $2) where id = $1`, [c.id, c.closedWithoutResolvedEvent]);
    } else {
      await retime(c.id!, 'RESOLVED', c.resolvedEvents ?? []);
    }
  }
  // The workflow left the cases as planned.
  const stored = await hub.sql<{ id: string; status: string; level: string; overdue: boolean; satisfaction: number | null }>(
    `select id::text, status, level, overdue, satisfaction from incident where grid_code like '150399%'`,
  );
  expect(Object.fromEntries(stored.map((row) => [row.id, { status: row.status, level: row.level, overdue: row.overdue, satisfaction: row.satisfaction }]))).toEqual(
    Object.fromEntries(CASES.map((c) => [c.id, { status: c.status, level: c.level, overdue: c.overdue ?? false, satisfaction: c.satisfaction ?? null }])),
  );

  await ingest('People', SourceSystem.COMPREHENSIVE_GOVERNANCE, PEOPLE.map((p) => ({
    sourceKey: `STATS-P${p.n}`, version: 1, idNumber: idNumber(p.n), name: `统计${p.n}号`, gridCode: p.grid, householdType: p.householdType, tags: p.tags,
  })));
  const insured = PEOPLE.filter((p) => p.insured !== undefined);
  await ingest('People', SourceSystem.SOCIAL_SECURITY, insured.map((p) => ({
    sourceKey: `SS-P${p.n}`, version: 1, idNumber: idNumber(p.n), name: `统计${p.n}号`, gridCode: p.grid,
    socialSecurity: { insured: p.insured, pensionType: p.insured ? 'URBAN_EMPLOYEE' : 'NONE', medicalInsurance: p.insured ? 'EMPLOYEE' : 'NONE' },
  })));
  const civil = PEOPLE.filter((p) => p.civilAffairs !== undefined);
  await ingest('People', SourceSystem.CIVIL_AFFAIRS, civil.map((p) => ({
    sourceKey: `CA-P${p.n}`, version: 1, idNumber: idNumber(p.n), name: `统计${p.n}号`, gridCode: p.grid, tags: p.civilAffairs!.tags,
    civilAffairs: { allowances: p.civilAffairs!.allowances.map((type) => ({ type, monthlyAmount: 500 })), disabilityGrade: p.civilAffairs!.allowances.length ? null : 2 },
  })));
  await ingest('Places', SourceSystem.COMPREHENSIVE_GOVERNANCE, PLACES.map((p) => ({
    sourceKey: `STATS-${p.key}`, version: 1, kind: p.kind, name: `统计场所${p.key}`, address: `统计路${p.key}号`, gridCode: p.grid,
  })));
  await ingest('Things', SourceSystem.CITY_MANAGEMENT, THINGS.map((t) => ({
    sourceKey: `STATS-${t.code}`, version: 1, componentCode: t.code, kind: t.kind, name: `统计部件${t.code}`, status: t.status, gridCode: t.grid,
  })));
}, 120_000);

afterAll(async () => {
  await hub?.close();
});


// ---- The expectations: the planted cases and people tallied by hand's rules, in JavaScript --------------------------

const DAY_MS = 86_400_000;
/** 00:00 Beijing time of the day a time written in Beijing time (…+08:00) falls on. */
const dayStart = (reported: string) => Date.parse(`${reported.slice(0, 10)}T00:00:00+08:00`);
/** Monday 00:00 of its ISO week. */
const weekStart = (reported: string) => dayStart(reported) - ((new Date(`${reported.slice(0, 10)}T00:00:00Z`).getUTCDay() + 6) % 7) * DAY_MS;
const monthStart = (reported: string) => Date.parse(`${reported.slice(0, 7)}-01T00:00:00+08:00`);
const iso = (time: number) => new Date(time).toISOString();

type Key = Record<string, string | boolean | null>;
const REGION_KEY = { county: null, town: null, community: null, grid: null };
const INCIDENT_KEY: Key = { ...REGION_KEY, category: null, status: null, severity: null, level: null, source: null, bucket: null };
const PERSON_KEY: Key = { ...REGION_KEY, tag: null, householdType: null, insured: null, allowanceHolder: null, allowanceType: null };
const PLACE_KEY: Key = { ...REGION_KEY, kind: null };
const THING_KEY: Key = { ...REGION_KEY, category: null, kind: null, status: null };

/** The region part of a key when grouped by `dimension`, or null for another dimension. */
function regionKey(grid: string, dimension: string): Key | null {
  const length = { COUNTY: 6, TOWN: 9, COMMUNITY: 12, GRID: 15 }[dimension];
  if (length === undefined) return null;
  const key: Key = {};
  for (const [name, digits] of [['county', 6], ['town', 9], ['community', 12], ['grid', 15]] as const) if (digits <= length) key[name] = grid.slice(0, digits);
  return key;
}

/** Every key an item falls in: the cross product of each dimension's values (several for tags and allowance types). */
function keysOf(empty: Key, grid: string, groupBy: string[], values: (dimension: string) => Array<string | boolean | null>): Key[] {
  let keys: Key[] = [{ ...empty }];
  for (const dimension of groupBy) {
    const region = regionKey(grid, dimension);
    if (region) keys = keys.map((key) => ({ ...key, ...region }));
    else keys = keys.flatMap((key) => values(dimension).map((value) => ({ ...key, [fieldOf(dimension)]: value })));
  }
  return keys;
}

function fieldOf(dimension: string): string {
  return { HOUSEHOLD_TYPE: 'householdType', ALLOWANCE_HOLDER: 'allowanceHolder', ALLOWANCE_TYPE: 'allowanceType', DAY: 'bucket', WEEK: 'bucket', MONTH: 'bucket' }[dimension]
    ?? dimension.toLowerCase();
}

function caseValues(c: Case, dimension: string): Array<string | null> {
  switch (dimension) {
    case 'DAY':
      return [iso(dayStart(c.reported))];
    case 'WEEK':
      return [iso(weekStart(c.reported))];
    case 'MONTH':
      return [iso(monthStart(c.reported))];
    default:
      return [(c as unknown as Record<string, string>)[dimension.toLowerCase()]];
  }
}

function personValues(p: Resident, dimension: string): Array<string | boolean | null> {
  const tags = [...new Set([...p.tags, ...(p.civilAffairs?.tags ?? [])])];
  switch (dimension) {
    case 'TAG':
      return tags.length ? tags : [null];
    case 'HOUSEHOLD_TYPE':
      return [p.householdType];
    case 'INSURED':
      return [p.insured ?? null];
    case 'ALLOWANCE_HOLDER':
      return [p.civilAffairs ? p.civilAffairs.allowances.length > 0 : null];
    case 'ALLOWANCE_TYPE':
      return p.civilAffairs?.allowances.length ? p.civilAffairs.allowances : [null];
    default:
      throw new Error(dimension);
  }
}

const mean = (values: number[]) => (values.length ? values.reduce((sum, value) => sum + value, 0) / values.length : null);
const isResolved = (c: Case) => c.status === 'RESOLVED' || c.status === 'CLOSED';

/** The measures of a set of cases, by the definitions of the schema. */
function measuresOf(cases: Case[]): Record<string, unknown> {
  const resolved = cases.filter(isResolved);
  const atOrBelow = (levels: string[]) => resolved.filter((c) => levels.includes(c.level)).length;
  const dispatch = cases.filter((c) => c.dispatched?.length).map((c) => c.dispatched![0]);
  const resolve = resolved.map((c) => c.closedWithoutResolvedEvent ?? c.resolvedEvents![c.resolvedEvents!.length - 1]);
  const ratings = cases.flatMap((c) => (c.satisfaction === undefined ? [] : [c.satisfaction]));
  return {
    suppressed: false,
    count: cases.length,
    open: cases.filter((c) => c.status !== 'CLOSED' && c.status !== 'REJECTED').length,
    overdue: cases.filter((c) => c.overdue).length,
    resolved: resolved.length,
    resolvedAtOrBelow: { grid: atOrBelow(['GRID']), community: atOrBelow(['GRID', 'COMMUNITY']), town: atOrBelow(['GRID', 'COMMUNITY', 'TOWN']), county: resolved.length },
    dispatched: dispatch.length,
    meanSecondsToDispatch: mean(dispatch),
    meanSecondsToResolve: mean(resolve),
    rated: ratings.length,
    meanSatisfaction: mean(ratings),
  };
}

interface Expected {
  total: Record<string, unknown>;
  groups: Array<{ key: Key; measures: Record<string, unknown> }>;
}

/** Items tallied into groups: each item in each of its keys; the total over the items, each once. */
function tally<T>(items: T[], keys: (item: T) => Key[], measures: (items: T[]) => Record<string, unknown>): Expected {
  const groups = new Map<string, { key: Key; items: T[] }>();
  for (const item of items) {
    for (const key of keys(item)) {
      const id = JSON.stringify(key);
      if (!groups.has(id)) groups.set(id, { key, items: [] });
      groups.get(id)!.items.push(item);
    }
  }
  return { total: measures(items), groups: [...groups.values()].map((group) => ({ key: group.key, measures: measures(group.items) })) };
}

const expectedIncidents = (groupBy: string[], cases = CASES) =>
  tally(cases, (c) => keysOf(INCIDENT_KEY, c.grid, groupBy, (d) => caseValues(c, d)), measuresOf);
const count = (items: unknown[]) => ({ suppressed: false, count: items.length });
const expectedPeople = (groupBy: string[], people = PEOPLE) => tally(people, (p) => keysOf(PERSON_KEY, p.grid, groupBy, (d) => personValues(p, d)), count);

/** The answer's key as the expectations write it: no region object, buckets as ISO instants. */
function plainKey(key: Record<string, unknown>): Key {
  const { region: _region, ...rest } = key;
  if (typeof rest.bucket === 'string') rest.bucket = iso(Date.parse(rest.bucket));
  return rest as Key;
}

const MEANS = ['meanSecondsToDispatch', 'meanSecondsToResolve', 'meanSatisfaction'];

function expectMeasures(actual: Record<string, unknown>, expected: Record<string, unknown>, where: string): void {
  for (const [name, value] of Object.entries(expected)) {
    if (MEANS.includes(name) && typeof value === 'number') {
      expect({ where, name, close: Math.abs((actual[name] as number) - value) < 1e-6 }).toEqual({ where, name, close: true });
    } else {
      expect({ where, name, value: actual[name] }).toEqual({ where, name, value });
    }
  }
}

/** The answer holds exactly the expected groups (in any order), each with the expected measures, and the total. */
function expectStats(actual: { total: Record<string, unknown>; groups: Array<{ key: Record<string, unknown>; measures: Record<string, unknown> }> }, expected: Expected): void {
  expectMeasures(actual.total, expected.total, 'total');
  const byKey = (a: { key: Key }, b: { key: Key }) => (JSON.stringify(a.key) < JSON.stringify(b.key) ? -1 : 1);
  const got = actual.groups.map((group) => ({ key: plainKey(group.key), measures: group.measures })).sort(byKey);
  const want = [...expected.groups].sort(byKey);
  expect(got.map((group) => group.key)).toEqual(want.map((group) => group.key));
  got.forEach((group, i) => expectMeasures(group.measures, want[i].measures, JSON.stringify(group.key)));
}

// ---- The queries ------------------------------------------------------------------------------------------------

const MEASURES = `fragment measures on IncidentMeasures { suppressed count open overdue resolved resolvedAtOrBelow { grid community town county }
  dispatched meanSecondsToDispatch meanSecondsToResolve rated meanSatisfaction }`;
const INCIDENT_STATS = `query($filter: IncidentFilter, $groupBy: [IncidentStatsDimension!]) {
  incidentStats(filter: $filter, groupBy: $groupBy) {
    minimumCellSize total { ...measures }
    groups { key { county town community grid category status severity level source bucket } measures { ...measures } } } }
  ${MEASURES}`;
const PEOPLE_STATS = `query($filter: PersonFilter, $groupBy: [PersonStatsDimension!]) {
  peopleStats(filter: $filter, groupBy: $groupBy) {
    minimumCellSize total { suppressed count }
    groups { key { county town community grid tag householdType insured allowanceHolder allowanceType } measures { suppressed count } } } }`;
const PLACE_STATS = `query($groupBy: [PlaceStatsDimension!]) {
  placeStats(groupBy: $groupBy) { total { suppressed count } groups { key { county town community grid kind } measures { suppressed count } } } }`;
const THING_STATS = `query($groupBy: [ThingStatsDimension!]) {
  thingStats(groupBy: $groupBy) { total { suppressed count } groups { key { county town community grid category kind status } measures { suppressed count } } } }`;

const incidentStats = async (token: string, groupBy: string[], filter?: Record<string, unknown>) =>
  ok(await hub.gql(token, INCIDENT_STATS, { groupBy, filter })).incidentStats;
const peopleStats = async (token: string, groupBy: string[], filter?: Record<string, unknown>) =>
  ok(await hub.gql(token, PEOPLE_STATS, { groupBy, filter })).peopleStats;

const INCIDENT_DIMENSIONS = ['COUNTY', 'TOWN', 'COMMUNITY', 'GRID', 'CATEGORY', 'STATUS', 'SEVERITY', 'LEVEL', 'SOURCE', 'DAY', 'WEEK', 'MONTH'];
const PERSON_DIMENSIONS = ['COUNTY', 'TOWN', 'COMMUNITY', 'GRID', 'TAG', 'HOUSEHOLD_TYPE', 'INSURED', 'ALLOWANCE_HOLDER', 'ALLOWANCE_TYPE'];

describe('incidentStats', () => {
  it('gives the measures of all the county’s incidents, as counted by hand', async () => {
    const stats = await incidentStats(tokens.centre, []);
    expect(stats.groups).toEqual([]);
    expect(stats.minimumCellSize).toBeNull();
    expectMeasures(stats.total, {
      suppressed: false,
      count: 10,
      open: 6, // I2 and I8 (RESOLVED, awaiting verification), I4, I5, I7, I10
      overdue: 1, // I4
      resolved: 5, // I1, I2 at the grid, I9 at the community, I3 at the town, I8 at the county
      resolvedAtOrBelow: { grid: 2, community: 3, town: 4, county: 5 },
      dispatched: 7,
      meanSecondsToDispatch: (600 + 1_800 + 3_600 + 7_200 + 900 + 300 + 1_200) / 7,
      meanSecondsToResolve: (86_400 + 43_200 + 172_800 + 259_200 + 100_000) / 5,
      rated: 5,
      meanSatisfaction: (4 + 5 + 3 + 2 + 5) / 5,
    }, 'total');
  });

  it.each(INCIDENT_DIMENSIONS)('groups by %s', async (dimension) => {
    expectStats(await incidentStats(tokens.centre, [dimension]), expectedIncidents([dimension]));
  });

  it.each([[['TOWN', 'STATUS']], [['COMMUNITY', 'LEVEL', 'MONTH']], [['SOURCE', 'SEVERITY', 'CATEGORY']], [['GRID', 'WEEK']]])('groups by %j', async (groupBy) => {
    expectStats(await incidentStats(tokens.centre, groupBy), expectedIncidents(groupBy));
  });

  it('buckets report times by day, ISO week and month of Beijing time, in time order', async () => {
    const buckets = async (dimension: string) =>
      (await incidentStats(tokens.centre, [dimension])).groups.map((group: { key: { bucket: string }; measures: { count: number } }) => [
        group.key.bucket, group.measures.count,
      ]);
    expect(await buckets('DAY')).toEqual([
      ['2025-03-14T16:00:00.000Z', 1], // I9, Saturday 15 March
      ['2025-03-29T16:00:00.000Z', 1], // I1, Sunday 30 March 23:30
      ['2025-03-30T16:00:00.000Z', 2], // I2 (00:30, still the 30th in UTC) and I3, Monday 31 March
      ['2025-03-31T16:00:00.000Z', 2], // I4 (00:30, the 31st in UTC) and I5, 1 April
      ['2025-04-05T16:00:00.000Z', 1], // I6, Sunday 6 April 23:59
      ['2025-04-06T16:00:00.000Z', 2], // I7, I8, Monday 7 April
      ['2025-04-19T16:00:00.000Z', 1], // I10
    ]);
    expect(await buckets('WEEK')).toEqual([
      ['2025-03-09T16:00:00.000Z', 1], // the week of Monday 10 March: I9
      ['2025-03-23T16:00:00.000Z', 1], // of 24 March: I1 (Sunday night)
      ['2025-03-30T16:00:00.000Z', 5], // of 31 March: I2 … I6
      ['2025-04-06T16:00:00.000Z', 2], // of 7 April: I7, I8
      ['2025-04-13T16:00:00.000Z', 1], // of 14 April: I10 (Sunday)
    ]);
    expect(await buckets('MONTH')).toEqual([
      ['2025-02-28T16:00:00.000Z', 4], // March: I9, I1, I2, I3
      ['2025-03-31T16:00:00.000Z', 6], // April: I4 (00:30 on the 1st) … I8, I10
    ]);
  });

  it('applies the list’s filter, and counts what the list counts', async () => {
    const filters = [
      { statuses: ['CLOSED', 'RESOLVED'] },
      { reportedFrom: '2025-04-01T00:00:00+08:00', reportedTo: '2025-04-07T08:00:00+08:00' },
      { categories: ['DISPUTE'], levels: ['GRID'] },
      { overdue: true },
      { source: 'CITY_MANAGEMENT' },
      { regionCode: TOWN2 },
    ];
    const kept: Array<(c: Case) => boolean> = [
      (c) => isResolved(c),
      (c) => c.reported >= '2025-04-01T00:00' && c.reported < '2025-04-07T08:00',
      (c) => c.category === 'DISPUTE' && c.level === 'GRID',
      (c) => c.overdue === true,
      (c) => c.source === CM,
      (c) => c.grid.startsWith(TOWN2),
    ];
    for (const [i, filter] of filters.entries()) {
      const stats = await incidentStats(tokens.centre, ['LEVEL'], filter);
      expectStats(stats, expectedIncidents(['LEVEL'], CASES.filter(kept[i])));
      const listed = ok(await hub.gql(tokens.centre, 'query($filter: IncidentFilter) { incidents(filter: $filter) { totalCount } }', { filter }));
      expect(stats.total.count).toBe(listed.incidents.totalCount);
    }
  });

  it('names the region of each group through the region loader: one statement, two with names', async () => {
    const query = `{ incidentStats(groupBy: [TOWN]) { groups { key { town region { code name level } } measures { count } } } }`;
    let data: any;
    expect(await hub.countStatements(async () => (data = ok(await hub.gql(tokens.centre, query))))).toBe(2);
    expect(data.incidentStats.groups).toEqual([
      { key: { town: TOWN1, region: { code: TOWN1, name: '甲街道', level: 'TOWN' } }, measures: { count: 8 } },
      { key: { town: TOWN2, region: { code: TOWN2, name: '乙镇', level: 'TOWN' } }, measures: { count: 2 } },
    ]);
    expect(await hub.countStatements(async () => ok(await hub.gql(tokens.centre, '{ incidentStats(groupBy: [TOWN, STATUS]) { groups { measures { count } } } }')))).toBe(1);
  });

  it('reads the event log only for the measures that need it', async () => {
    const counts = await hub.captureStatements(async () => ok(await hub.gql(tokens.centre, '{ incidentStats(groupBy: [TOWN]) { total { count resolved } } }')));
    expect(counts).toHaveLength(1);
    expect(counts[0]).not.toMatch(/incident_event/);
    const timed = await hub.captureStatements(async () => ok(await hub.gql(tokens.centre, '{ incidentStats(groupBy: [TOWN]) { total { meanSecondsToResolve } } }')));
    expect(timed).toHaveLength(1);
    expect(timed[0]).toMatch(/incident_event/);
    expect(timed[0]).toMatch(/group by grouping sets/);
  });
  it('computes only the measures asked for, and each asked alone — through a fragment, under an alias — as when all are', async () => {
    const all = (await incidentStats(tokens.centre, ['TOWN'])).groups;
    const alone = [
      ['open', 'open'],
      ['overdue', 'overdue'],
      ['resolved', 'resolved'],
      ['resolvedAtOrBelow', 'resolvedAtOrBelow { grid community town county }'],
      ['rated', 'rated'],
      ['meanSatisfaction', 'meanSatisfaction'],
    ];
    for (const [field, selection] of alone) {
      const query = `{ incidentStats(groupBy: [TOWN]) { groups { key { town } measures { ...M } } } }
        fragment M on IncidentMeasures { asked: ${selection} }`;
      let data: any;
      const [sql] = await hub.captureStatements(async () => (data = ok(await hub.gql(tokens.centre, query))));
      expect(data.incidentStats.groups.map((group: any) => group.measures.asked)).toEqual(all.map((group: any) => group.measures[field]));
      // Nothing it did not ask for: the satisfaction mean, say, is not averaged for a count of open cases.
      if (field !== 'meanSatisfaction') expect(sql).not.toMatch(/avg\(e\.satisfaction\)/);
      if (field !== 'overdue') expect(sql).not.toMatch(/e\.overdue\)/);
    }
  });
});

describe('peopleStats, placeStats, thingStats', () => {
  it.each(PERSON_DIMENSIONS)('groups people by %s', async (dimension) => {
    expectStats(await peopleStats(tokens.centre, [dimension]), expectedPeople([dimension]));
  });

  it.each([[['TOWN', 'TAG']], [['GRID', 'HOUSEHOLD_TYPE', 'INSURED']], [['TAG', 'ALLOWANCE_TYPE']], [['ALLOWANCE_HOLDER', 'INSURED']]])('groups people by %j', async (groupBy) => {
    expectStats(await peopleStats(tokens.centre, groupBy), expectedPeople(groupBy));
  });

  it('counts a person once in each of their tags’ groups and once in the total, as counted by hand', async () => {
    const stats = await peopleStats(tokens.centre, ['TAG']);
    expect(stats.total.count).toBe(12);
    expect(Object.fromEntries(stats.groups.map((group: any) => [group.key.tag, group.measures.count]))).toEqual({
      ELDERLY_LIVING_ALONE: 5, KEY_PETITIONER: 1, KEY_YOUTH: 1, DISABLED: 1, LOW_INCOME: 2, null: 5,
    });
  });

  it('filters people as the list does', async () => {
    const filter = { tagsAny: ['ELDERLY_LIVING_ALONE', 'LOW_INCOME'], householdType: 'REGISTERED' };
    const stats = await peopleStats(tokens.centre, ['GRID'], filter);
    const kept = PEOPLE.filter((p) => p.householdType === 'REGISTERED' && personValues(p, 'TAG').some((tag) => tag === 'ELDERLY_LIVING_ALONE' || tag === 'LOW_INCOME'));
    expectStats(stats, expectedPeople(['GRID'], kept));
    const listed = ok(await hub.gql(tokens.centre, 'query($filter: PersonFilter) { people(filter: $filter) { totalCount } }', { filter }));
    expect(stats.total.count).toBe(listed.people.totalCount);
  });

  it('counts places and things by their dimensions', async () => {
    for (const groupBy of [['KIND'], ['TOWN'], ['COMMUNITY', 'KIND'], ['GRID']]) {
      const stats = ok(await hub.gql(tokens.centre, PLACE_STATS, { groupBy })).placeStats;
      expectStats(stats, tally(PLACES, (p) => keysOf(PLACE_KEY, p.grid, groupBy, (d) => [(p as Record<string, string>)[d.toLowerCase()]]), count));
    }
    for (const groupBy of [['CATEGORY'], ['KIND'], ['STATUS'], ['TOWN', 'STATUS'], ['GRID', 'CATEGORY', 'KIND']]) {
      const stats = ok(await hub.gql(tokens.centre, THING_STATS, { groupBy })).thingStats;
      expectStats(stats, tally(THINGS, (t) => keysOf(THING_KEY, t.grid, groupBy, (d) => [(t as Record<string, string>)[d.toLowerCase()]]), count));
    }
    const places = ok(await hub.gql(tokens.centre, PLACE_STATS, { groupBy: ['KIND'] })).placeStats;
    expect(Object.fromEntries(places.groups.map((group: any) => [group.key.kind, group.measures.count]))).toEqual({ RESIDENTIAL_BUILDING: 5, SCHOOL: 1, SHOP: 1 });
  });
});

describe('small-cell suppression', () => {
  const SUPPRESSED = {
    suppressed: true, count: null, open: null, overdue: null, resolved: null, resolvedAtOrBelow: null, dispatched: null,
    meanSecondsToDispatch: null, meanSecondsToResolve: null, rated: null, meanSatisfaction: null,
  };

  it('withholds from an ANALYST the groups under 5, and the means over fewer than 5; a command centre sees all', async () => {
    const centre = await incidentStats(tokens.centre, ['COMMUNITY']);
    expectStats(centre, expectedIncidents(['COMMUNITY']));
    const analyst = await incidentStats(tokens.analyst, ['COMMUNITY']);
    expect(analyst.minimumCellSize).toBe(5);
    const byCommunity = Object.fromEntries(analyst.groups.map((group: any) => [group.key.community, group.measures]));
    // 一社区: I1, I2, I3, I7, I8, I10 — shown; its means average 4 cases each: withheld.
    expect(byCommunity[C11]).toEqual({
      suppressed: false, count: 6, open: 4, overdue: 0, resolved: 4, resolvedAtOrBelow: { grid: 2, community: 2, town: 3, county: 4 },
      dispatched: 4, meanSecondsToDispatch: null, meanSecondsToResolve: null, rated: 4, meanSatisfaction: null,
    });
    // 二社区 (I4, I9) and 三村 (I5, I6): 2 each; the two protect each other against the total.
    expect(byCommunity[C12]).toEqual(SUPPRESSED);
    expect(byCommunity[C21]).toEqual(SUPPRESSED);
    // The total (10 cases, 7 dispatched, 5 resolved, 5 rated) is shown with its means.
    expectMeasures(analyst.total, expectedIncidents([]).total, 'total');
  });

  it('withholds the other group too when one alone would be the total minus the visible ones', async () => {
    // 甲街道 8, 乙镇 2: 乙镇 is 10 − 8 — both are withheld, the total is not.
    const analyst = await incidentStats(tokens.analyst, ['TOWN']);
    expect(analyst.groups.map((group: any) => [group.key.town, group.measures])).toEqual([[TOWN1, SUPPRESSED], [TOWN2, SUPPRESSED]]);
    expect(analyst.total.count).toBe(10);
    const people = await peopleStats(tokens.analyst, ['TOWN']);
    expect(people.groups.map((group: any) => [group.key.town, group.measures])).toEqual([
      [TOWN1, { suppressed: true, count: null }],
      [TOWN2, { suppressed: true, count: null }],
    ]);
    expect(people.total).toEqual({ suppressed: false, count: 12 });
    const centre = await peopleStats(tokens.centre, ['TOWN']);
    expect(centre.groups.map((group: any) => [group.key.town, group.measures.count])).toEqual([[TOWN1, 9], [TOWN2, 3]]);
  });

  it('shows an ANALYST the people groups of 5 or more only', async () => {
    const tags = await peopleStats(tokens.analyst, ['TAG']);
    expect(Object.fromEntries(tags.groups.map((group: any) => [group.key.tag, group.measures.count]))).toEqual({
      ELDERLY_LIVING_ALONE: 5, KEY_PETITIONER: null, KEY_YOUTH: null, DISABLED: null, LOW_INCOME: null, null: 5,
    });
    const households = await peopleStats(tokens.analyst, ['HOUSEHOLD_TYPE']);
    expect(Object.fromEntries(households.groups.map((group: any) => [group.key.householdType, group.measures]))).toEqual({
      REGISTERED: { suppressed: false, count: 7 },
      FLOATING: { suppressed: true, count: null },
      null: { suppressed: true, count: null },
    });
    // A total under 5 is withheld too (people of 乙镇 who are floating: one).
    const few = await peopleStats(tokens.analyst, [], { regionCode: TOWN2, householdType: 'FLOATING' });
    expect(few.total).toEqual({ suppressed: true, count: null });
    // Nothing at all is no one to single out: 0 is shown.
    const none = await peopleStats(tokens.analyst, ['TAG'], { regionCode: TOWN2, tagsAny: ['KEY_YOUTH'] });
    expect(none).toMatchObject({ total: { suppressed: false, count: 0 }, groups: [] });
  });
});

describe('scope and policy', () => {
  it('keeps a town’s centre to its town even when it groups by county', async () => {
    const town1 = CASES.filter((c) => c.grid.startsWith(TOWN1));
    const byCounty = await incidentStats(tokens.townCentre, ['COUNTY']);
    expectStats(byCounty, expectedIncidents(['COUNTY'], town1));
    expect(byCounty.groups.map((group: any) => [group.key.county, group.measures.count])).toEqual([[COUNTY, 8]]);
    expect((await incidentStats(tokens.townCentre, ['TOWN'])).groups.map((group: any) => group.key.town)).toEqual([TOWN1]);
    const people = await peopleStats(tokens.townCentre, ['COUNTY']);
    expect(people.groups.map((group: any) => [group.key.county, group.measures.count])).toEqual([[COUNTY, 9]]);
    // Another county's centre sees none of it, and may not ask for it.
    const other = await incidentStats(tokens.otherCounty, ['COUNTY']);
    expect(other.groups.map((group: any) => group.key.county)).toEqual(['150302']);
    expectError(await hub.gql(tokens.otherCounty, INCIDENT_STATS, { filter: { regionCode: COUNTY } }), 'FORBIDDEN', 'filter.regionCode');
    expectError(await hub.gql(tokens.analyst, PEOPLE_STATS, { filter: { regionCode: '150302' } }), 'FORBIDDEN', 'filter.regionCode');
  });

  it('counts for a department only what its system sent, unsuppressed, and refuses groups by merged values or sources', async () => {
    const cityManagement = tokens[SourceSystem.CITY_MANAGEMENT];
    const sent = CASES.filter((c) => c.source === CM);
    const stats = await incidentStats(cityManagement, ['STATUS', 'LEVEL', 'MONTH', 'TOWN']);
    expectStats(stats, expectedIncidents(['STATUS', 'LEVEL', 'MONTH', 'TOWN'], sent));
    expect(stats.minimumCellSize).toBeNull();
    for (const dimension of ['CATEGORY', 'SEVERITY', 'SOURCE']) {
      expectError(await hub.gql(cityManagement, INCIDENT_STATS, { groupBy: ['TOWN', dimension] }), 'FORBIDDEN', 'groupBy');
    }
    expectError(await hub.gql(cityManagement, INCIDENT_STATS, { filter: { source: 'GRID_APP' } }), 'FORBIDDEN', 'filter.source');

    const socialSecurity = tokens[SourceSystem.SOCIAL_SECURITY];
    const insured = PEOPLE.filter((p) => p.insured !== undefined);
    expectStats(await peopleStats(socialSecurity, ['INSURED', 'TOWN']), expectedPeople(['INSURED', 'TOWN'], insured));
    for (const dimension of ['TAG', 'HOUSEHOLD_TYPE', 'ALLOWANCE_HOLDER', 'ALLOWANCE_TYPE']) {
      expectError(await hub.gql(socialSecurity, PEOPLE_STATS, { groupBy: [dimension] }), 'FORBIDDEN', 'groupBy');
    }
    const civilAffairs = tokens[SourceSystem.CIVIL_AFFAIRS];
    const supported = PEOPLE.filter((p) => p.civilAffairs !== undefined);
    const allowances = await peopleStats(civilAffairs, ['ALLOWANCE_TYPE']);
    expectStats(allowances, expectedPeople(['ALLOWANCE_TYPE'], supported));
    expect(Object.fromEntries(allowances.groups.map((group: any) => [group.key.allowanceType, group.measures.count]))).toEqual({
      LOW_INCOME: 2, SENIOR: 1, DISABILITY: 1, null: 1,
    });
    expectError(await hub.gql(civilAffairs, PEOPLE_STATS, { groupBy: ['INSURED'] }), 'FORBIDDEN', 'groupBy');

    const things = ok(await hub.gql(cityManagement, THING_STATS, { groupBy: ['GRID'] })).thingStats;
    expect(things.total.count).toBe(THINGS.length);
    expectError(await hub.gql(cityManagement, THING_STATS, { groupBy: ['KIND'] }), 'FORBIDDEN', 'groupBy');
    expectError(await hub.gql(tokens[SourceSystem.SOCIAL_SECURITY], PLACE_STATS, { groupBy: ['KIND'] }), 'FORBIDDEN', 'groupBy');
  });
});

describe('bounds', () => {
  it('refuses a groupBy with a dimension twice, two region levels or two time buckets, naming groupBy', async () => {
    for (const groupBy of [['COUNTY', 'TOWN'], ['DAY', 'WEEK'], ['STATUS', 'STATUS']]) {
      expectError(await hub.gql(tokens.centre, INCIDENT_STATS, { groupBy }), 'BAD_USER_INPUT', 'groupBy');
    }
    expectError(await hub.gql(tokens.centre, PEOPLE_STATS, { groupBy: ['GRID', 'COMMUNITY'] }), 'BAD_USER_INPUT', 'groupBy');
    expectError(await hub.gql(tokens.centre, PEOPLE_STATS, { groupBy: ['PROVINCE'] }), 'BAD_USER_INPUT');
  });

  it('answers at most maxStatsGroups groups, and asks for a narrower filter or coarser groups beyond', async () => {
    // This hub's limit is 50; the demo city's incidents lie on well over 50 grids.
    const response = await hub.gql(tokens.admin, INCIDENT_STATS, { groupBy: ['GRID'] });
    expectError(response, 'BAD_USER_INPUT', 'groupBy');
    expect(response.errors![0].message).toMatch(/more than 50 groups: narrow the filter .* coarser/);
    const counties = await incidentStats(tokens.admin, ['COUNTY']);
    expect(counties.groups.map((group: any) => group.key.county)).toEqual(['150302', '150303', '150304', COUNTY]);
  });

  describe('on a hub with the default limits and a 1 ms statement timeout', () => {
    let slow: Hub;
    let admin: string;
    beforeAll(async () => {
      slow = await startHub({ limits: { statementTimeoutMs: 1 } });
      admin = await slow.token({ sub: 'stats-slow', roles: [Role.ADMIN] });
    });
    afterAll(() => slow?.close());

    it('prices a stats query by its region and groups, and refuses one over the cost limit before it runs', async () => {
      // Everything (20,000) by grid and day: ~11,520 grids × 367 days, priced at the 10,000 groups the hub would answer at
      // most, each 4 (the group, its key, the key's region, its measures) plus the total's 1 (priced as one more per group).
      let response: any;
      const statements = await slow.countStatements(async () => {
        response = await slow.gql(admin, '{ incidentStats(groupBy: [GRID, DAY]) { total { count } groups { key { grid bucket region { name } } measures { count } } } }');
      });
      expectError(response, 'QUERY_TOO_COMPLEX');
      expect(response.errors[0].extensions).toMatchObject({ limit: 'maxCost', max: 50_000, value: 20_000 + 10_000 * 5 });
      expect(statements).toBe(0);
      // People of a city by grid and tag: 5,000 + 960 grids × 12 (11 tags and none), at the cap, × 5, + 1 for the
      // filter's one condition.
      const people = await slow.gql(admin, '{ peopleStats(filter: { regionCode: "1503" }, groupBy: [GRID, TAG]) { total { count } groups { key { grid tag region { name } } measures { count } } } }');
      expectError(people, 'QUERY_TOO_COMPLEX');
      expect(people.errors![0].extensions).toMatchObject({ limit: 'maxCost', value: 5_000 + 10_000 * 5 + 1 });
    });

    it('answers a statement the timeout cancels with QUERY_TOO_COMPLEX, and keeps answering', async () => {
      const response = await slow.gql(admin, `{ peopleStats(filter: { regionCode: "1503" }, groupBy: [COUNTY, TAG]) { groups { measures { count } } } }`);
      expectError(response, 'QUERY_TOO_COMPLEX');
      expect(response.errors![0].message).toMatch(/took too long/);
      expect(JSON.stringify(response.errors)).not.toMatch(/select|statement_timeout|canceling/i);
      expect(ok(await slow.gql(admin, '{ __typename }'))).toEqual({ __typename: 'Query' });
    });
  });
});
