import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../src/auth/viewer';
import { SourceSystem } from '../../src/sources/source-system';
import { Hub, expectError, ok, startHub, wsQuery } from '../support/harness';

/**
 * Region scope (design §6: "on every path") and the DEPARTMENT source scope. A token for county 150303 must never
 * see a row of its sibling 150302 — not in lists, single lookups, lookups by ID number, nested relations, the region
 * registry, or over WebSocket. Cross-county links that the demo city lacks are created here with SQL.
 */

let hub: Hub;
let admin: string;
/** County 150303, two roles that read broadly. */
let analyst303: string;
let command303: string;

const MINE = '150303';
const OTHER = '150302';

beforeAll(async () => {
  hub = await startHub();
  admin = await hub.token({ roles: [Role.ADMIN] });
  analyst303 = await hub.token({ roles: [Role.ANALYST], region: MINE });
  command303 = await hub.token({ roles: [Role.COMMAND_CENTER], region: MINE });
});

afterAll(async () => {
  await hub?.close();
});

type ListName = 'people' | 'places' | 'things' | 'incidents';
const LISTS: Record<ListName, { table: string; kind: string; single: string; filter: string }> = {
  people: { table: 'person', kind: 'PERSON', single: 'person', filter: 'PersonFilter' },
  places: { table: 'place', kind: 'PLACE', single: 'place', filter: 'PlaceFilter' },
  things: { table: 'thing', kind: 'THING', single: 'thing', filter: 'ThingFilter' },
  incidents: { table: 'incident', kind: 'INCIDENT', single: 'incident', filter: 'IncidentFilter' },
};
const ALL_LISTS = Object.keys(LISTS) as ListName[];

function listQuery(list: ListName, selection = 'id gridCode'): string {
  return `query($filter: ${LISTS[list].filter}, $first: Int, $after: String) {
    ${list}(filter: $filter, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { ${selection} } } } }`;
}

/** Every node of a list for `token`, paging by 100; checks totalCount is stable. */
async function collect(token: string, list: ListName, filter?: Record<string, unknown>, selection?: string) {
  const nodes: any[] = [];
  let after: string | null = null;
  let total = -1;
  for (let page = 0; ; page++) {
    const data: any = ok(await hub.gql(token, listQuery(list, selection), { filter, first: 100, after }));
    const connection = data[list];
    if (total === -1) total = connection.totalCount;
    expect(connection.totalCount).toBe(total);
    nodes.push(...connection.edges.map((edge: any) => edge.node));
    if (!connection.pageInfo.hasNextPage) break;
    after = connection.pageInfo.endCursor;
    if (page > total / 100 + 2) throw new Error('paging did not end');
  }
  return { nodes, total };
}

async function sqlIds(table: string, where: string, params: unknown[] = []): Promise<string[]> {
  const rows = await hub.sql<{ id: string }>(`select id::text as id from ${table} e where ${where} order by e.id`, params);
  return rows.map((row) => row.id);
}

async function firstId(table: string, prefix: string, extra = 'true'): Promise<string> {
  const [row] = await hub.sql(`select e.id::text from ${table} e where grid_code like $1 and ${extra} order by e.id limit 1`, [
    `${prefix}%`,
  ]);
  expect(row).toBeDefined();
  return row.id;
}

/** Every value of a key named `gridCode` anywhere in a response. */
function gridCodesIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => gridCodesIn(item, found));
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'gridCode' && typeof item === 'string') found.push(item);
      else gridCodesIn(item, found);
    }
  }
  return found;
}

describe('a county token over lists', () => {
  for (const list of ALL_LISTS) {
    it(`${list}: only rows of ${MINE}, all of them`, async () => {
      const expected = await sqlIds(LISTS[list].table, `grid_code like $1`, [`${MINE}%`]);
      expect(expected.length).toBeGreaterThan(0);
      const { nodes, total } = await collect(analyst303, list);
      expect(total).toBe(expected.length);
      for (const node of nodes) expect(node.gridCode.startsWith(MINE)).toBe(true);
      expect(nodes.map((node) => node.id)).toEqual(expected);
    });
  }

  for (const list of ALL_LISTS) {
    it(`${list}: filter.regionCode of the sibling, or of the wider city, is FORBIDDEN`, async () => {
      for (const regionCode of [OTHER, `${OTHER}000000`, '1503', '150300000000', '15']) {
        const response = await hub.gql(analyst303, listQuery(list), { filter: { regionCode } });
        expectError(response, 'FORBIDDEN', 'filter.regionCode');
        expect(response.data?.[list] ?? null).toBeNull();
      }
      // Inside the scope is fine, in either form.
      const expected = await sqlIds(LISTS[list].table, `grid_code like $1`, [`${MINE}%`]);
      for (const regionCode of [MINE, `${MINE}000000`]) {
        const data: any = ok(await hub.gql(analyst303, listQuery(list), { filter: { regionCode }, first: 1 }));
        expect(data[list].totalCount).toBe(expected.length);
      }
    });
  }
});

describe('a county token over single lookups', () => {
  for (const list of ALL_LISTS) {
    it(`${LISTS[list].single}(id) of a ${OTHER} row is null; of a ${MINE} row it is found`, async () => {
      const { table, single } = LISTS[list];
      const query = `query($id: ID!) { ${single}(id: $id) { id gridCode } }`;
      const theirs = await firstId(table, OTHER);
      const mine = await firstId(table, MINE);
      for (const token of [analyst303, command303]) {
        expect(ok(await hub.gql(token, query, { id: theirs }))).toEqual({ [single]: null });
        expect(ok<any>(await hub.gql(token, query, { id: mine }))[single]?.id).toBe(mine);
      }
      expect(ok<any>(await hub.gql(admin, query, { id: theirs }))[single]?.id).toBe(theirs);
    });
  }

  it(`personByIdNumber of a ${OTHER} person is null`, async () => {
    const [theirs] = await hub.sql(`select id_number from person where grid_code like $1 order by person.id limit 1`, [`${OTHER}%`]);
    const [mine] = await hub.sql(`select id::text, id_number from person where grid_code like $1 order by person.id limit 1`, [
      `${MINE}%`,
    ]);
    const query = `query($n: String!) { personByIdNumber(idNumber: $n) { id gridCode } }`;
    // (An ANALYST may not use personByIdNumber at all: see masking.test.)
    expect(ok(await hub.gql(command303, query, { n: theirs.id_number }))).toEqual({ personByIdNumber: null });
    expect(ok<any>(await hub.gql(command303, query, { n: mine.id_number })).personByIdNumber?.id).toBe(mine.id);
  });
});

describe('a county token over nested relations', () => {
  /** Cross-county fixtures, created once. */
  let placeMine: string;
  let personTheirs: string;
  let personMine: string;
  let placeTheirs: string;
  let thingTheirs: string;
  let incidentParty: string;
  let incidentPlace: string;

  beforeAll(async () => {
    placeMine = await firstId('place', MINE);
    placeTheirs = await firstId('place', OTHER);
    personMine = await firstId('person', MINE);
    personTheirs = await firstId('person', OTHER);
    thingTheirs = await firstId('thing', OTHER);
    const incidents = await sqlIds('incident', `grid_code like $1`, [`${MINE}%`]);
    expect(incidents.length).toBeGreaterThanOrEqual(2);
    [incidentParty, incidentPlace] = incidents;
    await hub.sql(`insert into person_place (person_id, place_id, role) values ($1, $2, 'OWNER') on conflict do nothing`, [
      personTheirs,
      placeMine,
    ]);
    await hub.sql(`insert into person_place (person_id, place_id, role) values ($1, $2, 'TENANT') on conflict do nothing`, [
      personMine,
      placeTheirs,
    ]);
    await hub.sql(
      `insert into incident_party (incident_id, person_id, role) values ($1, $2, 'WITNESS') on conflict do nothing`,
      [incidentParty, personTheirs],
    );
    await hub.sql(`update incident set place_id = $2, thing_id = $3 where id = $1`, [incidentPlace, placeTheirs, thingTheirs]);
  });

  it(`place.people hides a ${OTHER} person from the county token, not from ADMIN`, async () => {
    const query = `query($id: ID!) { place(id: $id) { id people { role person { id gridCode } } } }`;
    const mine: any = ok(await hub.gql(analyst303, query, { id: placeMine }));
    expect(mine.place.id).toBe(placeMine);
    expect(mine.place.people.map((link: any) => link.person.id)).not.toContain(personTheirs);
    for (const code of gridCodesIn(mine)) expect(code.startsWith(MINE)).toBe(true);
    const all: any = ok(await hub.gql(admin, query, { id: placeMine }));
    expect(all.place.people).toContainEqual({ role: 'OWNER', person: { id: personTheirs, gridCode: expect.stringMatching(`^${OTHER}`) } });
  });

  it(`person.places hides a ${OTHER} place from the county token, not from ADMIN`, async () => {
    const query = `query($id: ID!) { person(id: $id) { id places { role place { id gridCode } } } }`;
    const mine: any = ok(await hub.gql(analyst303, query, { id: personMine }));
    expect(mine.person.id).toBe(personMine);
    expect(mine.person.places.map((link: any) => link.place.id)).not.toContain(placeTheirs);
    for (const code of gridCodesIn(mine)) expect(code.startsWith(MINE)).toBe(true);
    const all: any = ok(await hub.gql(admin, query, { id: personMine }));
    expect(all.person.places.map((link: any) => link.place.id)).toContain(placeTheirs);
  });

  it(`incident.parties hides a ${OTHER} person from the county token, not from ADMIN`, async () => {
    const query = `query($id: ID!) { incident(id: $id) { id parties { role person { id gridCode } } } }`;
    const mine: any = ok(await hub.gql(analyst303, query, { id: incidentParty }));
    expect(mine.incident.id).toBe(incidentParty);
    expect(mine.incident.parties.map((link: any) => link.person.id)).not.toContain(personTheirs);
    for (const code of gridCodesIn(mine)) expect(code.startsWith(MINE)).toBe(true);
    const all: any = ok(await hub.gql(admin, query, { id: incidentParty }));
    expect(all.incident.parties).toContainEqual({ role: 'WITNESS', person: { id: personTheirs, gridCode: expect.stringMatching(`^${OTHER}`) } });
  });

  it(`incident.place and incident.thing in ${OTHER} are null for the county token, not for ADMIN`, async () => {
    const query = `query($id: ID!) { incident(id: $id) { id place { id gridCode } thing { id gridCode } } }`;
    const mine: any = ok(await hub.gql(analyst303, query, { id: incidentPlace }));
    expect(mine.incident).toEqual({ id: incidentPlace, place: null, thing: null });
    const all: any = ok(await hub.gql(admin, query, { id: incidentPlace }));
    expect(all.incident.place?.id).toBe(placeTheirs);
    expect(all.incident.thing?.id).toBe(thingTheirs);
  });

  it('no path through a list shows a row of the sibling county', async () => {
    const nested = `query($first: Int, $after: String) {
      incidents(first: $first, after: $after) { pageInfo { hasNextPage endCursor } edges { node {
        id gridCode place { id gridCode people { person { id gridCode places { place { id gridCode } } } } }
        thing { id gridCode } parties { person { id gridCode places { place { gridCode } } } } } } } }`;
    let after: string | null = null;
    let seen = 0;
    for (let page = 0; page < 80; page++) {
      // 25 a page keeps the nested cycle's estimated cost (links counted at 20 each) under the default limit.
      const data: any = ok(await hub.gql(command303, nested, { first: 25, after }));
      const codes = gridCodesIn(data);
      seen += codes.length;
      for (const code of codes) expect(code.startsWith(MINE)).toBe(true);
      if (!data.incidents.pageInfo.hasNextPage) break;
      after = data.incidents.pageInfo.endCursor;
    }
    expect(seen).toBeGreaterThan(0);
  });
});

describe('a county token over the region registry', () => {
  it(`region(${OTHER}) and its grids are null; ancestors, itself and its grids are visible`, async () => {
    const query = `query($code: String!) { region(code: $code) { code level } }`;
    const [theirGrid] = await hub.sql(`select code from region where level = 'GRID' and code like $1 order by code limit 1`, [
      `${OTHER}%`,
    ]);
    const [myGrid] = await hub.sql(`select code from region where level = 'GRID' and code like $1 order by code limit 1`, [
      `${MINE}%`,
    ]);
    for (const code of [OTHER, `${OTHER}000000`, theirGrid.code, '150304']) {
      expect(ok(await hub.gql(analyst303, query, { code }))).toEqual({ region: null });
    }
    for (const [code, level] of [
      ['15', 'PROVINCE'],
      ['1503', 'CITY'],
      [MINE, 'COUNTY'],
      [myGrid.code, 'GRID'],
    ]) {
      expect(ok(await hub.gql(analyst303, query, { code }))).toEqual({ region: { code, level } });
    }
    // ADMIN sees the sibling.
    expect(ok(await hub.gql(admin, query, { code: OTHER }))).toEqual({ region: { code: OTHER, level: 'COUNTY' } });
  });

  it(`regions(parentCode: "1503") lists only ${MINE}; its own children are all listed`, async () => {
    const query = `query($p: String, $l: RegionLevel) { regions(parentCode: $p, level: $l) { code } }`;
    expect(ok(await hub.gql(analyst303, query, { p: '1503' }))).toEqual({ regions: [{ code: MINE }] });
    expect(ok(await hub.gql(analyst303, query, { p: '15' }))).toEqual({ regions: [{ code: '1503' }] });
    expect(ok(await hub.gql(analyst303, query, {}))).toEqual({ regions: [{ code: '15' }] });
    expect(ok(await hub.gql(analyst303, query, { l: 'COUNTY' }))).toEqual({ regions: [{ code: MINE }] });
    const towns = await hub.sql(`select code from region where parent_code = $1 order by code`, [MINE]);
    expect(towns.length).toBeGreaterThan(0);
    expect(ok(await hub.gql(analyst303, query, { p: MINE }))).toEqual({ regions: towns.map((t) => ({ code: t.code })) });
    const grids = await hub.sql(`select code from region where level = 'GRID' and code like $1 order by code`, [`${MINE}%`]);
    expect(ok(await hub.gql(analyst303, query, { p: '1503', l: 'GRID' }))).toEqual({ regions: grids.map((g) => ({ code: g.code })) });
  });

  it(`regions(parentCode: "${OTHER}") is FORBIDDEN`, async () => {
    const query = `query($p: String) { regions(parentCode: $p) { code } }`;
    expectError(await hub.gql(analyst303, query, { p: OTHER }), 'FORBIDDEN', 'parentCode');
    const [theirTown] = await hub.sql(`select code from region where parent_code = $1 order by code limit 1`, [OTHER]);
    expectError(await hub.gql(analyst303, query, { p: theirTown.code }), 'FORBIDDEN', 'parentCode');
  });

  it('a path and parent from inside the scope reach the ancestors, never the sibling', async () => {
    const data: any = ok(await hub.gql(analyst303, `{ region(code: "${MINE}") { parent { code } path { code } } }`));
    expect(data.region).toEqual({ parent: { code: '1503' }, path: [{ code: '15' }, { code: '1503' }, { code: MINE }] });
  });
});

describe('the same isolation over WebSocket', () => {
  it(`people over graphql-ws: only ${MINE}, the right total; a ${OTHER} lookup is null; a ${OTHER} filter is FORBIDDEN`, async () => {
    const client = hub.ws(analyst303);
    const expected = await sqlIds('person', `grid_code like $1`, [`${MINE}%`]);
    const list = await wsQuery(client, `{ people(first: 100) { totalCount edges { node { id gridCode } } } }`);
    expect(list.errors).toBeUndefined();
    const people = (list.data as any).people;
    expect(people.totalCount).toBe(expected.length);
    expect(people.edges).toHaveLength(Math.min(100, expected.length));
    for (const edge of people.edges) expect(edge.node.gridCode.startsWith(MINE)).toBe(true);
    expect(people.edges.map((edge: any) => edge.node.id)).toEqual(expected.slice(0, 100));

    const theirs = await firstId('person', OTHER);
    const single = await wsQuery(client, `query($id: ID!) { person(id: $id) { id } }`, { id: theirs });
    expect(single.errors).toBeUndefined();
    expect(single.data).toEqual({ person: null });

    const forbidden = await wsQuery(client, `{ people(filter: { regionCode: "${OTHER}" }) { totalCount } }`);
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(forbidden.errors?.[0]?.extensions?.field).toBe('filter.regionCode');
  });
});

describe('a grid-level token', () => {
  let grid: string;
  let token: string;

  beforeAll(async () => {
    const [row] = await hub.sql(
      `select grid_code from person where grid_code like $1 group by 1 order by count(*) desc, 1 limit 1`,
      [`${MINE}%`],
    );
    grid = row.grid_code;
    token = await hub.token({ roles: [Role.GRID_WORKER], region: grid, sub: 'grid-worker-1' });
  });

  it('sees exactly the rows of its grid in every list', async () => {
    for (const list of ALL_LISTS) {
      const expected = await sqlIds(LISTS[list].table, `grid_code = $1`, [grid]);
      const { nodes, total } = await collect(token, list);
      expect(total).toBe(expected.length);
      for (const node of nodes) expect(node.gridCode).toBe(grid);
      expect(nodes.map((node) => node.id)).toEqual(expected);
    }
    const [{ n }] = await hub.sql(`select count(*)::int as n from person where grid_code = $1`, [grid]);
    expect(n).toBeGreaterThan(0);
  });

  it('cannot read a person of a neighbouring grid, nor filter by its community', async () => {
    const community = grid.slice(0, 12);
    const [neighbour] = await hub.sql(
      `select id::text from person where grid_code like $1 and grid_code <> $2 order by person.id limit 1`,
      [`${community.slice(0, 9)}%`, grid],
    );
    expect(neighbour).toBeDefined();
    expect(ok(await hub.gql(token, `query($id: ID!) { person(id: $id) { id } }`, { id: neighbour.id }))).toEqual({ person: null });
    expectError(await hub.gql(token, listQuery('people'), { filter: { regionCode: community } }), 'FORBIDDEN', 'filter.regionCode');
    const data: any = ok(await hub.gql(token, `query($p: String) { regions(parentCode: $p) { code } }`, { p: community }));
    expect(data.regions).toEqual([{ code: grid }]);
  });
});

describe('a DEPARTMENT token (SOCIAL_SECURITY, whole city)', () => {
  let token: string;
  const KNOWN = `exists (select 1 from source_record s where s.entity_kind = $1 and s.entity_id = e.id and s.source = $2)`;

  beforeAll(async () => {
    token = await hub.token({
      roles: [Role.DEPARTMENT],
      region: '1503',
      source: SourceSystem.SOCIAL_SECURITY,
      sub: 'social-security-system',
    });
  });

  it('sees exactly the people its system sent, and only its own source records of them', async () => {
    const expected = await sqlIds('person', KNOWN, ['PERSON', 'SOCIAL_SECURITY']);
    expect(expected.length).toBeGreaterThan(0);
    const [{ n }] = await hub.sql(`select count(*)::int as n from person`);
    expect(expected.length).toBeLessThan(n);
    const { nodes, total } = await collect(token, 'people', undefined, 'id gridCode sourceRecords { source entityId }');
    expect(total).toBe(expected.length);
    expect(nodes.map((node) => node.id)).toEqual(expected);
    for (const node of nodes) {
      expect(node.sourceRecords.length).toBeGreaterThan(0);
      for (const record of node.sourceRecords) expect(record).toEqual({ source: 'SOCIAL_SECURITY', entityId: node.id });
    }
  });

  it('cannot look up a person its system never sent', async () => {
    const [other] = await hub.sql(
      `select e.id::text, e.id_number from person e where not ${KNOWN} order by e.id limit 1`,
      ['PERSON', 'SOCIAL_SECURITY'],
    );
    expect(other).toBeDefined();
    expect(ok(await hub.gql(token, `query($id: ID!) { person(id: $id) { id } }`, { id: other.id }))).toEqual({ person: null });
    expect(
      ok(await hub.gql(token, `query($n: String!) { personByIdNumber(idNumber: $n) { id } }`, { n: other.id_number })),
    ).toEqual({ personByIdNumber: null });
  });

  it('other lists hold only what its system sent', async () => {
    for (const list of ['places', 'things', 'incidents'] as ListName[]) {
      const expected = await sqlIds(LISTS[list].table, KNOWN, [LISTS[list].kind, 'SOCIAL_SECURITY']);
      const { nodes, total } = await collect(token, list);
      expect(total).toBe(expected.length);
      expect(nodes.map((node) => node.id)).toEqual(expected);
    }
  });

  it('sees no person–place links: they do not record which system sent them (ADMIN sees them)', async () => {
    // A place the department sent (an employer, say), linked to one person it sent and one it did not.
    const [place] = await hub.sql(`select id::text from place order by place.id limit 1`);
    const [known] = await hub.sql(`select id::text from person e where ${KNOWN} order by e.id limit 1`, ['PERSON', 'SOCIAL_SECURITY']);
    const [unknown] = await hub.sql(`select id::text from person e where not ${KNOWN} order by e.id limit 1`, [
      'PERSON',
      'SOCIAL_SECURITY',
    ]);
    await hub.sql(
      `insert into source_record (entity_kind, entity_id, source, source_key, version, observed_at, payload)
       values ('PLACE', $1, 'SOCIAL_SECURITY', 'scope-test-employer', 1, now(), '{}') on conflict do nothing`,
      [place.id],
    );
    for (const person of [known, unknown]) {
      await hub.sql(`insert into person_place (person_id, place_id, role) values ($1, $2, 'EMPLOYEE') on conflict do nothing`, [
        person.id,
        place.id,
      ]);
    }
    const query = `query($id: ID!) { place(id: $id) { id people(first: 100) { person { id } } } }`;
    const data: any = ok(await hub.gql(token, query, { id: place.id }));
    expect(data.place?.id).toBe(place.id);
    expect(data.place.people).toEqual([]);
    const admin = await hub.token({ roles: [Role.ADMIN] });
    const all = (ok(await hub.gql(admin, query, { id: place.id })) as any).place.people.map((link: any) => link.person.id);
    expect(all).toEqual(expect.arrayContaining([known.id, unknown.id]));
  });
});
