import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../src/auth/viewer';
import { composeIdNumber } from '../../src/shared/id-number';
import { rowSearchKeys } from '../../src/shared/search-keys';
import { SourceSystem } from '../../src/sources/source-system';
import { expectError, Hub, ok, startHub } from '../support/harness';

/*
 * The filter language of the lists: each field and operator against the rows as stored (the expected ids worked
 * out here in JS from plain reads of the tables, not by the hub's SQL), AND/OR/NOT, text search (infix bigrams,
 * single characters, pinyin initials), "near", errors that name the field by its path, the policy wherever a field
 * sits, the scope under any OR, and keyset paging while rows are inserted.
 */

let hub: Hub;
let admin: string;
let county: string;
let town: string;
let otherTown: string;
let grid: string;

const INGEST_PEOPLE = `mutation ($source: SourceSystem!, $records: [PersonRecordInput!]!) {
  ingestPeople(source: $source, records: $records) { rejected results { errors { field message } } } }`;
const INGEST_INCIDENTS = `mutation ($source: SourceSystem!, $records: [IncidentRecordInput!]!) {
  ingestIncidents(source: $source, records: $records) { rejected results { entityId errors { field message } } } }`;

let serial = 700;
const newIdNumber = (birthDate = '1979-03-09') => composeIdNumber('110105', birthDate, serial++);

beforeAll(async () => {
  hub = await startHub();
  admin = await hub.token({ sub: 'filters-admin', roles: [Role.ADMIN] });
  // The town with the most incidents, its county, another town of the county, one of its grids.
  [{ town }] = await hub.sql(`select left(grid_code, 9) as town from incident group by 1 order by count(*) desc, 1 limit 1`);
  county = town.slice(0, 6);
  [{ code: otherTown }] = await hub.sql(`select code from region where level = 'TOWN' and code like $1 and code <> $2 order by code limit 1`, [
    `${county}%`,
    town,
  ]);
  [{ grid_code: grid }] = await hub.sql(`select grid_code from person where grid_code like $1 group by 1 order by count(*) desc limit 1`, [`${town}%`]);
  // People whose names are typed by initials, one of a polyphonic surname (单: shan), at a known address.
  const records = [
    { name: '张三丰', address: '乌海市海勃湾区武当路1号' },
    { name: '单雄信', address: '乌海市海勃湾区瓦岗街2号' },
    { name: '三丰', address: '乌海市海勃湾区测试路3号' },
  ].map((person, index) => ({ sourceKey: `F-${index}`, version: 1, idNumber: newIdNumber(), gridCode: grid, ...person }));
  const ingested = ok(await hub.gql(admin, INGEST_PEOPLE, { source: SourceSystem.COMPREHENSIVE_GOVERNANCE, records })).ingestPeople;
  expect(ingested.rejected).toBe(0);
}, 120_000);

afterAll(async () => {
  await hub?.close();
});

/** Every id of `list` under `filter` (paged through 100 at a time), sorted, and the totalCount. */
async function idsOf(token: string, list: string, filterType: string, filter: unknown): Promise<string[]> {
  const query = `query($filter: ${filterType}, $after: String) { ${list}(filter: $filter, first: 100, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }`;
  const ids: string[] = [];
  let after: string | null = null;
  let total = -1;
  for (let page = 0; page < 200; page++) {
    const connection: any = ok(await hub.gql(token, query, { filter, after }))[list];
    total = connection.totalCount;
    ids.push(...connection.edges.map((edge: { node: { id: string } }) => edge.node.id));
    if (!connection.pageInfo.hasNextPage) break;
    after = connection.pageInfo.endCursor;
  }
  expect(ids).toHaveLength(total);
  return ids.sort(byNumber);
}

const byNumber = (a: string, b: string) => Number(a) - Number(b);

interface IncidentRow {
  id: string;
  grid_code: string;
  status: string;
  category: string;
  sub_category: string | null;
  severity: string;
  level: string;
  overdue: boolean;
  source: string;
  title: string;
  address: string | null;
  lng: number | null;
  lat: number | null;
  reported_at: Date;
  closed_at: Date | null;
  due_at: Date | null;
  updated_at: Date;
}

let incidents: IncidentRow[];
const incidentIds = (keep: (row: IncidentRow) => boolean) =>
  incidents
    .filter(keep)
    .map((row) => row.id)
    .sort(byNumber);

/** Metres between two points (haversine, as the hub computes). */
function metres(lng1: number, lat1: number, lng2: number, lat2: number): number {
  const rad = Math.PI / 180;
  const a = Math.sin(((lat2 - lat1) * rad) / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lng2 - lng1) * rad) / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.sqrt(a));
}

describe('incident filters', () => {
  beforeAll(async () => {
    incidents = await hub.sql<IncidentRow>(
      `select id::text, grid_code, status, category, sub_category, severity, level, overdue, source, title, address, lng, lat,
              reported_at, closed_at, due_at, updated_at
         from incident where grid_code like $1`,
      [`${county}%`],
    );
    expect(incidents.length).toBeGreaterThan(50);
  });

  const inCounty = (filter: Record<string, unknown>) => ({ regionCode: county, ...filter });
  const list = (filter: Record<string, unknown>) => idsOf(admin, 'incidents', 'IncidentFilter', inCounty(filter));

  it('regionCode at any level: county, town, grid', async () => {
    expect(await list({})).toEqual(incidentIds(() => true));
    expect(await list({ regionCode: town })).toEqual(incidentIds((row) => row.grid_code.startsWith(town)));
    const someGrid = incidents[0].grid_code;
    expect(await list({ regionCode: someGrid })).toEqual(incidentIds((row) => row.grid_code === someGrid));
  });

  it('each list field keeps the rows whose column holds one of the values', async () => {
    const pick = <K extends keyof IncidentRow>(key: K) => [...new Set(incidents.map((row) => row[key]))].filter((value) => value != null).slice(0, 2);
    const statuses = pick('status');
    expect(await list({ statuses })).toEqual(incidentIds((row) => statuses.includes(row.status)));
    const categories = pick('category');
    expect(await list({ categories })).toEqual(incidentIds((row) => categories.includes(row.category)));
    const subCategories = pick('sub_category') as string[];
    expect(subCategories.length).toBeGreaterThan(0);
    expect(await list({ subCategories })).toEqual(incidentIds((row) => row.sub_category !== null && subCategories.includes(row.sub_category)));
    const severities = pick('severity');
    expect(await list({ severities })).toEqual(incidentIds((row) => severities.includes(row.severity)));
    const levels = pick('level');
    expect(await list({ levels })).toEqual(incidentIds((row) => levels.includes(row.level)));
    expect(await list({ overdue: false })).toEqual(incidentIds((row) => !row.overdue));
    expect(await list({ source: incidents[0].source })).toEqual(
      (await hub.sql<{ id: string }>(
        `select i.id::text from incident i where i.grid_code like $1 and exists (select 1 from source_record s where s.entity_kind = 'INCIDENT' and s.entity_id = i.id and s.source = $2)`,
        [`${county}%`, incidents[0].source],
      )).map((row) => row.id).sort(byNumber),
    );
  });

  it('time ranges: reported, updated, closed, due — from inclusive, to exclusive', async () => {
    const times = incidents.map((row) => row.reported_at.getTime()).sort((a, b) => a - b);
    const from = new Date(times[Math.floor(times.length / 4)]);
    const to = new Date(times[Math.floor((times.length * 3) / 4)]);
    expect(await list({ reportedFrom: from, reportedTo: to })).toEqual(incidentIds((row) => row.reported_at >= from && row.reported_at < to));
    expect(await list({ updatedFrom: from })).toEqual(incidentIds((row) => row.updated_at >= from));
    const closed = incidents.filter((row) => row.closed_at !== null).map((row) => row.closed_at!.getTime()).sort((a, b) => a - b);
    expect(closed.length).toBeGreaterThan(2);
    const closedTo = new Date(closed[Math.floor(closed.length / 2)]);
    expect(await list({ closedTo })).toEqual(incidentIds((row) => row.closed_at !== null && row.closed_at < closedTo));
    expect(await list({ closedFrom: closedTo })).toEqual(incidentIds((row) => row.closed_at !== null && row.closed_at >= closedTo));
    expect(await list({ updatedTo: to })).toEqual(incidentIds((row) => row.updated_at < to));
    const due = incidents.filter((row) => row.due_at !== null).map((row) => row.due_at!.getTime()).sort((a, b) => a - b);
    expect(due.length).toBeGreaterThan(2);
    const dueFrom = new Date(due[Math.floor(due.length / 2)]);
    expect(await list({ dueFrom })).toEqual(incidentIds((row) => row.due_at !== null && row.due_at >= dueFrom));
  });

  it('AND, OR and NOT combine filters; NOT keeps the rows whose column is empty', async () => {
    const [a, b] = [...new Set(incidents.map((row) => row.category))];
    expect(
      await list({ OR: [{ categories: [a] }, { AND: [{ categories: [b] }, { overdue: false }] }] }),
    ).toEqual(incidentIds((row) => row.category === a || (row.category === b && !row.overdue)));
    expect(await list({ NOT: { categories: [a] } })).toEqual(incidentIds((row) => row.category !== a));
    const closedTo = new Date();
    // Open cases have no closed_at: "not closed before now" keeps them.
    expect(await list({ NOT: { closedTo } })).toEqual(incidentIds((row) => !(row.closed_at !== null && row.closed_at < closedTo)));
    expect(await list({ regionCode: undefined, OR: [{ regionCode: town }, { regionCode: otherTown }] })).toEqual(
      incidentIds((row) => row.grid_code.startsWith(town) || row.grid_code.startsWith(otherTown)),
    );
    // An empty branch holds for every row.
    expect(await list({ OR: [{}, { categories: [a] }] })).toEqual(incidentIds(() => true));
    expect(await list({ NOT: {} })).toEqual([]);
  });

  it('search: every word contained in the title or the address', async () => {
    const sample = incidents.find((row) => [...row.title].length >= 4)!;
    const word = [...sample.title].slice(1, 3).join('');
    const contains = (row: IncidentRow, text: string) => row.title.toLowerCase().includes(text) || (row.address ?? '').toLowerCase().includes(text);
    expect(await list({ search: word })).toEqual(incidentIds((row) => contains(row, word)));
    const one = [...sample.title][0];
    expect(await list({ search: one })).toEqual(incidentIds((row) => row.title.includes(one)));
    const addressed = incidents.find((row) => (row.address ?? '').length >= 6)!;
    const words = [[...addressed.address!].slice(0, 2).join(''), [...addressed.address!].slice(4, 6).join('')];
    expect(await list({ search: words.join(' ') })).toEqual(incidentIds((row) => words.every((w) => contains(row, w))));
  });

  it('near: within the radius by great-circle distance', async () => {
    const centre = incidents.find((row) => row.lng !== null)!;
    for (const radiusMetres of [300, 2000]) {
      expect(await list({ near: { lng: centre.lng, lat: centre.lat, radiusMetres } })).toEqual(
        incidentIds((row) => row.lng !== null && metres(centre.lng!, centre.lat!, row.lng, row.lat!) <= radiusMetres),
      );
    }
  });

  it('personId and personRole: the incidents a person is involved in', async () => {
    const [{ person_id: personId }] = await hub.sql(
      `select person_id::text from incident_party p join incident i on i.id = p.incident_id where i.grid_code like $1 group by 1 order by count(*) desc limit 1`,
      [`${county}%`],
    );
    const linked = await hub.sql<{ id: string; role: string }>(
      `select distinct incident_id::text as id, role from incident_party where person_id = $1`,
      [personId],
    );
    const expected = (role?: string) =>
      [...new Set(linked.filter((link) => !role || link.role === role).map((link) => link.id))].filter((id) => incidents.some((row) => row.id === id)).sort(byNumber);
    expect(await list({ personId })).toEqual(expected());
    expect(await list({ personId, personRole: linked[0].role })).toEqual(expected(linked[0].role));
    expect(await list({ OR: [{ personId }, { NOT: { regionCode: county } }] })).toEqual(expected());
  });
});

describe('people, places and things', () => {
  it('search finds a two-character infix, a single character, and pinyin initials (a surname read as a surname)', async () => {
    const people = await hub.sql<{ id: string; name: string; address: string | null }>(
      `select id::text, name, address from person where grid_code like $1`,
      [`${town}%`],
    );
    const matching = (text: string) =>
      people
        .filter((p) => p.name.includes(text) || (p.address ?? '').includes(text))
        .map((p) => p.id)
        .sort(byNumber);
    const list = (search: string) => idsOf(admin, 'people', 'PersonFilter', { regionCode: town, search });
    expect(await list('三丰')).toEqual(matching('三丰'));
    expect((await list('三丰')).length).toBeGreaterThanOrEqual(2);
    const surname = people[0].name[0];
    expect(await list(surname)).toEqual(people.filter((p) => p.name.includes(surname)).map((p) => p.id).sort(byNumber));
    const named = (name: string) => people.find((p) => p.name === name)!.id;
    expect(await list('zsf')).toEqual(expect.arrayContaining([named('张三丰')]));
    expect(await list('ZS')).toContain(named('张三丰'));
    expect(await list('sxx')).toContain(named('单雄信'));
    // Full-width forms fold (NFKC) on both sides: a digit typed full-width finds the address 武当路1号.
    expect(await list('武当路１')).toEqual([named('张三丰')]);
    // A one-character word beside a longer one may lie in the address (addresses keep no single characters).
    expect(await list('武当 1')).toEqual([named('张三丰')]);
    // 丰三 shares no bigram with 张三丰; 三丰路 is not in any address.
    expect(await list('丰三')).toEqual(matching('丰三'));
    expect(await list('武当路1')).toEqual([named('张三丰')]);
  });

  it('an analyst cannot probe the digits of a number it reads masked through search', async () => {
    const analyst = await hub.token({ sub: 'filters-analyst', roles: [Role.ANALYST], region: county });
    const [person] = await hub.sql<{ id: string; address: string }>(`select id::text, address from person where name = '张三丰'`);
    // As a writer stores it: the address and its keys.
    const address = `${person.address} 电话13812345678`;
    await hub.sql(`update person set address = $2, search_keys = $3 where id = $1`, [person.id, address, rowSearchKeys('person', '张三丰', address)]);
    const search = (token: string, text: string) => idsOf(token, 'people', 'PersonFilter', { regionCode: town, search: text });
    expect(await search(admin, '1381234')).toEqual([person.id]);
    expect(await search(analyst, '1381234')).toEqual([]);
    expect(await search(analyst, '381')).not.toContain(person.id);
    expect(await search(analyst, '武当路')).toContain(person.id);
  });

  it('people: household types, tags (any, all), birth years, gender', async () => {
    const people = await hub.sql<{ id: string; household_type: string | null; tags: string[]; birth_date: string | null; gender: string | null }>(
      `select id::text, household_type, tags, to_char(birth_date, 'YYYY-MM-DD') as birth_date, gender from person where grid_code like $1`,
      [`${town}%`],
    );
    const list = (filter: Record<string, unknown>) => idsOf(admin, 'people', 'PersonFilter', { regionCode: town, ...filter });
    const expected = (keep: (p: (typeof people)[number]) => boolean) => people.filter(keep).map((p) => p.id).sort(byNumber);
    const tags = [...new Set(people.flatMap((p) => p.tags))].slice(0, 2);
    expect(tags).toHaveLength(2);
    expect(await list({ tagsAll: tags })).toEqual(expected((p) => tags.every((t) => p.tags.includes(t))));
    expect(await list({ tagsAny: tags })).toEqual(expected((p) => tags.some((t) => p.tags.includes(t))));
    const types = [...new Set(people.map((p) => p.household_type).filter((t) => t !== null))].slice(0, 1) as string[];
    expect(await list({ householdTypes: types })).toEqual(expected((p) => p.household_type !== null && types.includes(p.household_type)));
    expect(await list({ bornFrom: '1980-01-01', bornTo: '1989-12-31', gender: 'FEMALE' })).toEqual(
      expected((p) => p.birth_date !== null && p.birth_date >= '1980-01-01' && p.birth_date <= '1989-12-31' && p.gender === 'FEMALE'),
    );
    expect(await list({ householdType: types[0] })).toEqual(expected((p) => p.household_type === types[0]));
    const names = await hub.sql<{ id: string; name: string }>(`select id::text, name from person where grid_code like $1`, [`${town}%`]);
    const fragment = names[0].name.slice(-1);
    expect(await list({ nameContains: fragment })).toEqual(names.filter((p) => p.name.includes(fragment)).map((p) => p.id).sort(byNumber));
    expect(await list({ NOT: { OR: [{ tagsAny: tags }, { gender: 'MALE' }] } })).toEqual(
      expected((p) => !tags.some((t) => p.tags.includes(t)) && p.gender !== 'MALE'),
    );
  });

  it('places and things: search, near, kinds, categories, statuses, component code', async () => {
    const places = await hub.sql<{ id: string; kind: string; name: string; address: string | null; lng: number | null; lat: number | null }>(
      `select id::text, kind, name, address, lng, lat from place where grid_code like $1`,
      [`${county}%`],
    );
    const placeList = (filter: Record<string, unknown>) => idsOf(admin, 'places', 'PlaceFilter', { regionCode: county, ...filter });
    const keepPlaces = (keep: (p: (typeof places)[number]) => boolean) => places.filter(keep).map((p) => p.id).sort(byNumber);
    const word = [...places.find((p) => [...p.name].length >= 3)!.name].slice(0, 2).join('');
    expect(await placeList({ search: word })).toEqual(keepPlaces((p) => p.name.includes(word) || (p.address ?? '').includes(word)));
    const kind = places[0].kind;
    expect(await placeList({ kinds: [kind], NOT: { search: word } })).toEqual(
      keepPlaces((p) => p.kind === kind && !(p.name.includes(word) || (p.address ?? '').includes(word))),
    );
    const centre = places.find((p) => p.lng !== null)!;
    expect(await placeList({ near: { lng: centre.lng, lat: centre.lat, radiusMetres: 1500 } })).toEqual(
      keepPlaces((p) => p.lng !== null && metres(centre.lng!, centre.lat!, p.lng, p.lat!) <= 1500),
    );

    const things = await hub.sql<{ id: string; category: string; kind: string; status: string; component_code: string; name: string; address: string | null; lng: number | null; lat: number | null }>(
      `select id::text, category, kind, status, component_code, name, address, lng, lat from thing where grid_code like $1`,
      [`${county}%`],
    );
    const thingList = (filter: Record<string, unknown>) => idsOf(admin, 'things', 'ThingFilter', { regionCode: county, ...filter });
    const keepThings = (keep: (t: (typeof things)[number]) => boolean) => things.filter(keep).map((t) => t.id).sort(byNumber);
    const sample = things[0];
    expect(await thingList({ OR: [{ categories: [sample.category], statuses: [sample.status] }, { kinds: [things[things.length - 1].kind] }] })).toEqual(
      keepThings((t) => (t.category === sample.category && t.status === sample.status) || t.kind === things[things.length - 1].kind),
    );
    const prefix = sample.component_code.slice(0, 10);
    expect(await thingList({ componentCodePrefix: prefix })).toEqual(keepThings((t) => t.component_code.startsWith(prefix)));
    const thingWord = [...sample.name].slice(-2).join('');
    expect(await thingList({ search: thingWord })).toEqual(keepThings((t) => t.name.includes(thingWord) || (t.address ?? '').includes(thingWord)));
    const located = things.find((t) => t.lng !== null)!;
    expect(await thingList({ near: { lng: located.lng, lat: located.lat, radiusMetres: 800 } })).toEqual(
      keepThings((t) => t.lng !== null && metres(located.lng!, located.lat!, t.lng, t.lat!) <= 800),
    );
  });
});

describe('refusals, policy and scope', () => {
  const PEOPLE = 'query($filter: PersonFilter) { people(filter: $filter, first: 1) { totalCount } }';
  const INCIDENTS = 'query($filter: IncidentFilter) { incidents(filter: $filter, first: 1) { totalCount } }';

  it('names the offending field by its path', async () => {
    expectError(await hub.gql(admin, PEOPLE, { filter: { OR: [{ gender: 'MALE' }, { search: '   ' }] } }), 'BAD_USER_INPUT', 'filter.OR[1].search');
    expectError(await hub.gql(admin, PEOPLE, { filter: { search: 'x'.repeat(51) } }), 'BAD_USER_INPUT', 'filter.search');
    expectError(await hub.gql(admin, PEOPLE, { filter: { search: '——' } }), 'BAD_USER_INPUT', 'filter.search');
    expectError(await hub.gql(admin, PEOPLE, { filter: { AND: [] } }), 'BAD_USER_INPUT', 'filter.AND');
    expectError(
      await hub.gql(admin, INCIDENTS, { filter: { NOT: { reportedFrom: '2026-02-01T00:00:00Z', reportedTo: '2026-01-01T00:00:00Z' } } }),
      'BAD_USER_INPUT',
      'filter.NOT.reportedTo',
    );
    expectError(await hub.gql(admin, INCIDENTS, { filter: { OR: [{ personRole: 'REPORTER' }] } }), 'BAD_USER_INPUT', 'filter.OR[0].personRole');
    expectError(await hub.gql(admin, INCIDENTS, { filter: { personId: 'abc' } }), 'BAD_USER_INPUT', 'filter.personId');
    expectError(await hub.gql(admin, INCIDENTS, { filter: { near: { lng: 106.8, lat: 39.6, radiusMetres: 60_000 } } }), 'BAD_USER_INPUT', 'filter.near.radiusMetres');
    expectError(await hub.gql(admin, INCIDENTS, { filter: { near: { lng: 200, lat: 39.6, radiusMetres: 10 } } }), 'BAD_USER_INPUT', 'filter.near.lng');
  });

  it('bounds nesting and the number of conditions', async () => {
    let deep: Record<string, unknown> = { gender: 'MALE' };
    for (let i = 0; i < 5; i++) deep = { NOT: deep };
    expectError(await hub.gql(admin, PEOPLE, { filter: deep }), 'BAD_USER_INPUT', 'filter.NOT.NOT.NOT.NOT.NOT');
    const many = { OR: Array.from({ length: 41 }, () => ({ gender: 'MALE' })) };
    expectError(await hub.gql(admin, PEOPLE, { filter: many }), 'BAD_USER_INPUT', 'filter.OR[39].gender');
    const empties = { OR: Array.from({ length: 500 }, () => ({ NOT: {} })) };
    expectError(await hub.gql(admin, PEOPLE, { filter: empties }), 'BAD_USER_INPUT', 'filter.OR[39].NOT');
    expectError(await hub.gql(admin, INCIDENTS, { filter: { subCategories: ['a\u0000b'] } }), 'BAD_USER_INPUT', 'filter.subCategories');
    const fine = { OR: Array.from({ length: 39 }, () => ({ gender: 'MALE' })) };
    expect(ok(await hub.gql(admin, PEOPLE, { filter: fine })).people.totalCount).toBeGreaterThan(0);
  });

  it('a department may not search or filter by merged values anywhere in the tree', async () => {
    const department = await hub.token({ sub: 'filters-dept', roles: [Role.DEPARTMENT], source: SourceSystem.SOCIAL_SECURITY, region: county });
    expectError(await hub.gql(department, PEOPLE, { filter: { OR: [{ gender: 'MALE' }, { NOT: { search: '三丰' } }] } }), 'FORBIDDEN', 'filter.OR[1].NOT.search');
    expectError(await hub.gql(department, PEOPLE, { filter: { AND: [{ tagsAll: ['DISABLED'] }] } }), 'FORBIDDEN', 'filter.AND[0].tagsAll');
    expectError(await hub.gql(department, PEOPLE, { filter: { OR: [{ source: SourceSystem.CIVIL_AFFAIRS }] } }), 'FORBIDDEN', 'filter.OR[0].source');
    // When a row last changed tells when another system touched it.
    expectError(await hub.gql(department, PEOPLE, { filter: { updatedFrom: '2026-01-01T00:00:00Z' } }), 'FORBIDDEN', 'filter.updatedFrom');
    expectError(await hub.gql(department, INCIDENTS, { filter: { OR: [{ updatedTo: '2026-01-01T00:00:00Z' }] } }), 'FORBIDDEN', 'filter.OR[0].updatedTo');
    expectError(
      await hub.gql(department, 'query { incidents(first: 1, orderBy: { field: UPDATED_AT }) { totalCount } }'),
      'FORBIDDEN',
      'orderBy',
    );
    // An incident's category, severity, title and place may be another system's: the same holds for incidents.
    for (const field of ['categories', 'subCategories', 'severities', 'search', 'near']) {
      const value = { categories: ['DISPUTE'], subCategories: ['x'], severities: ['HIGH'], search: '积水', near: { lng: 106.8, lat: 39.6, radiusMetres: 100 } }[field];
      expectError(await hub.gql(department, INCIDENTS, { filter: { NOT: { [field]: value } } }), 'FORBIDDEN', `filter.NOT.${field}`);
    }
    expect(ok(await hub.gql(department, INCIDENTS, { filter: { statuses: ['REPORTED'], overdue: false } })).incidents.totalCount).toBeGreaterThanOrEqual(0);
  });

  it('no OR reaches past the scope, and a region outside it is refused wherever it is named', async () => {
    const townToken = await hub.token({ sub: 'filters-town', roles: [Role.COMMAND_CENTER], region: town });
    const inTown = incidentIds((row) => row.grid_code.startsWith(town));
    expect(await idsOf(townToken, 'incidents', 'IncidentFilter', { OR: [{ regionCode: town }, { overdue: false }, { NOT: { regionCode: town } }] })).toEqual(inTown);
    expectError(await hub.gql(townToken, INCIDENTS, { filter: { OR: [{ overdue: true }, { regionCode: otherTown }] } }), 'FORBIDDEN', 'filter.OR[1].regionCode');
    expect(await idsOf(townToken, 'incidents', 'IncidentFilter', { NOT: { regionCode: town } })).toEqual([]);
  });
});

describe('keyset paging while rows are inserted', () => {
  it('pages incidents newest first and people by name without a repeat or a gap among the rows there at the start', async () => {
    const before = await hub.sql<{ id: string }>(`select id::text from incident where grid_code like $1 order by reported_at desc, id desc`, [`${town}%`]);
    const query = `query($after: String) { incidents(filter: { regionCode: "${town}" }, first: 7, after: $after, orderBy: { field: REPORTED_AT, direction: DESC }) {
      pageInfo { hasNextPage endCursor } edges { node { id reportedAt } } } }`;
    const seen: string[] = [];
    const times: number[] = [];
    let after: string | null = null;
    for (let page = 0; page < 500; page++) {
      const connection: any = ok(await hub.gql(admin, query, { after })).incidents;
      for (const edge of connection.edges) {
        seen.push(edge.node.id);
        times.push(Date.parse(edge.node.reportedAt));
      }
      // Between pages: a new case reported now (before the cursor: not listed again) and one reported long ago,
      // after the cursor (listed in its place).
      const reportedAt = page % 2 === 0 ? new Date().toISOString() : new Date(Date.UTC(2001, 0, 1, 0, page)).toISOString();
      const inserted = ok(
        await hub.gql(admin, INGEST_INCIDENTS, {
          source: SourceSystem.GRID_APP,
          records: [{ sourceKey: `KS-${page}`, version: 1, title: `翻页测试${page}`, category: 'OTHER', gridCode: grid, reportedAt }],
        }),
      ).ingestIncidents;
      expect(inserted.rejected).toBe(0);
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const listed = new Set(seen);
    expect(before.filter((row) => !listed.has(row.id))).toEqual([]);
    // Every case inserted behind the cursor was listed; none inserted ahead of it.
    const old = await hub.sql<{ id: string }>(`select id::text from incident where source_key like 'KS-%' and reported_at < '2002-01-01'`);
    const fresh = await hub.sql<{ id: string }>(`select id::text from incident where source_key like 'KS-%' and reported_at > '2002-01-01'`);
    expect(old.filter((row) => !listed.has(row.id)).length).toBeLessThanOrEqual(1);
    expect(fresh.filter((row) => listed.has(row.id))).toEqual([]);
  }, 120_000);
});
