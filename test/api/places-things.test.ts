import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../src/auth/viewer';
import { Hub, expectError, ok, startHub, pageThrough } from '../support/harness';

/**
 * Places (地) and things (物) over HTTP against the seeded demo city: lookups, filters, ordering, paging, and
 * the nested people of a place. Expectations come from SQL on the suite's own database.
 */

let hub: Hub;
let city: string;

beforeAll(async () => {
  hub = await startHub();
  city = await hub.token({ roles: [Role.COMMAND_CENTER], region: '1503' });
});

afterAll(async () => {
  await hub?.close();
});

type ListName = 'places' | 'things';
const TYPES: Record<ListName, { filter: string; order: string; table: string; kind: string }> = {
  places: { filter: 'PlaceFilter', order: 'PlaceOrder', table: 'place', kind: 'PLACE' },
  things: { filter: 'ThingFilter', order: 'ThingOrder', table: 'thing', kind: 'THING' },
};

function pageQuery(list: ListName, selection = 'id gridCode'): string {
  const { filter, order } = TYPES[list];
  return `query Page($filter: ${filter}, $first: Int, $after: String, $orderBy: ${order}) {
    ${list}(filter: $filter, first: $first, after: $after, orderBy: $orderBy) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { ${selection} } }
    }
  }`;
}

async function sqlIds(list: ListName, where: string, params: unknown[] = [], orderBy = 'id'): Promise<string[]> {
  const rows = await hub.sql<{ key: string }>(
    `select e.id::text as key from ${TYPES[list].table} e where ${where} order by ${orderBy}`,
    params,
  );
  return rows.map((row) => row.key);
}

/** totalCount equals SQL's count, and the first 100 ids (by id) equal SQL's. */
async function checkFilter(list: ListName, filter: Record<string, unknown>, where: string, params: unknown[] = []) {
  const expected = await sqlIds(list, where, params);
  const data: any = ok(await hub.gql(city, pageQuery(list), { filter, first: 100 }));
  expect(data[list].totalCount).toBe(expected.length);
  expect(data[list].edges.map((edge: any) => edge.node.id)).toEqual(expected.slice(0, 100));
  return expected;
}

/** Pages with `first` to the end, checking Relay invariants; returns the ids in order. */
async function pageAll(
  list: ListName,
  variables: { filter?: Record<string, unknown>; orderBy?: Record<string, unknown> },
  first: number,
  expectedTotal: number,
): Promise<string[]> {
  return (await pageThrough(hub, city, pageQuery(list), list, variables, first, expectedTotal)).nodes.map((node) => node.id);
}

const ATTRIBUTE_FIELDS = [
  'floors',
  'unitCount',
  'householdCount',
  'floorArea',
  'creditCode',
  'industry',
  'studentCount',
  'bedCount',
  'keyPlaceCategory',
];

describe('place(id)', () => {
  it('returns the stored place with location and kind-specific attributes, for every kind', async () => {
    const rows = await hub.sql(
      `select distinct on (kind) id::text, kind, name, address, grid_code, lng, lat, attributes
         from place order by kind, id`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(5);
    for (const row of rows) {
      const data: any = ok(
        await hub.gql(
          city,
          `query($id: ID!) { place(id: $id) {
             id kind name address gridCode location { lng lat } attributes { ${ATTRIBUTE_FIELDS.join(' ')} }
             grid { code level } regionPath { code } } }`,
          { id: row.id },
        ),
      );
      const place = data.place;
      expect(place).toMatchObject({ id: row.id, kind: row.kind, name: row.name, address: row.address, gridCode: row.grid_code });
      expect(place.location).toEqual(row.lng === null || row.lat === null ? null : { lng: row.lng, lat: row.lat });
      const expectedAttributes = Object.fromEntries(ATTRIBUTE_FIELDS.map((f) => [f, row.attributes?.[f] ?? null]));
      expect(place.attributes).toEqual(expectedAttributes);
      expect(place.grid).toEqual({ code: row.grid_code, level: 'GRID' });
      expect(place.regionPath.map((r: any) => r.code)).toEqual(
        [2, 4, 6, 9, 12, 15].map((len) => (row.grid_code as string).slice(0, len)),
      );
    }
  });

  it('a place without coordinates has location null', async () => {
    const [row] = await hub.sql(`select id::text from place order by place.id desc limit 1`);
    await hub.sql(`update place set lng = null, lat = null where id = $1`, [row.id]);
    const data: any = ok(await hub.gql(city, `query($id: ID!) { place(id: $id) { id location { lng lat } } }`, { id: row.id }));
    expect(data.place).toEqual({ id: row.id, location: null });
  });

  it('returns null for an unknown id', async () => {
    const [{ next }] = await hub.sql(`select (max(id) + 1000)::text as next from place`);
    const data: any = ok(await hub.gql(city, `query($id: ID!) { place(id: $id) { id } }`, { id: next }));
    expect(data.place).toBeNull();
  });

  it('lists the people linked to a place, with their roles, in link order', async () => {
    const [row] = await hub.sql(
      `select place_id::text as id from person_place group by place_id order by count(*) desc, place_id limit 1`,
    );
    expect(row).toBeDefined();
    const links = await hub.sql(
      `select pp.role, p.id::text as id, p.name from person_place pp join person p on p.id = pp.person_id
        where pp.place_id = $1 order by pp.id`,
      [row.id],
    );
    expect(links.length).toBeGreaterThanOrEqual(2);
    const data: any = ok(
      await hub.gql(city, `query($id: ID!) { place(id: $id) { people { role person { id name } } } }`, { id: row.id }),
    );
    expect(data.place.people).toEqual(links.map((l) => ({ role: l.role, person: { id: l.id, name: l.name } })));
  });

  it('people of every place on a page of 50 match SQL (loader groups by key)', async () => {
    const data: any = ok(
      await hub.gql(city, `{ places(first: 50) { edges { node { id people { role person { id } } } } } }`),
    );
    const nodes = data.places.edges.map((edge: any) => edge.node);
    const links = await hub.sql(
      `select place_id::text as place, role, person_id::text as person from person_place
        where place_id = any($1::bigint[]) order by person_place.id`,
      [nodes.map((n: any) => n.id)],
    );
    for (const node of nodes) {
      expect(node.people).toEqual(
        links.filter((l) => l.place === node.id).map((l) => ({ role: l.role, person: { id: l.person } })),
      );
    }
    expect(links.length).toBeGreaterThan(0);
  });
});

describe('places filters, ordering and paging', () => {
  it('kinds: one kind, and two kinds', async () => {
    const kinds = await hub.sql<{ kind: string }>(`select kind from place group by kind order by count(*) desc, kind`);
    expect(kinds.length).toBeGreaterThanOrEqual(2);
    for (const { kind } of kinds) {
      expect((await checkFilter('places', { kinds: [kind] }, `kind = $1`, [kind])).length).toBeGreaterThan(0);
    }
    const two = [kinds[0].kind, kinds[kinds.length - 1].kind];
    await checkFilter('places', { kinds: two }, `kind = any($1)`, [two]);
  });

  it('nameContains', async () => {
    const [row] = await hub.sql(`select name from place order by place.id limit 1`);
    const ids = await checkFilter('places', { nameContains: row.name }, `strpos(name, $1) > 0`, [row.name]);
    expect(ids.length).toBeGreaterThan(0);
    const [common] = await hub.sql(
      `select substr(name, 2, 1) as c from place where length(name) > 1 group by 1 order by count(*) desc, 1 limit 1`,
    );
    await checkFilter('places', { nameContains: common.c }, `strpos(name, $1) > 0`, [common.c]);
    await checkFilter('places', { nameContains: '%' }, `strpos(name, '%') > 0`);
  });

  it('regionCode, short and padded', async () => {
    for (const county of ['150302', '150303', '150304']) {
      const ids = await checkFilter('places', { regionCode: county }, `grid_code like $1`, [`${county}%`]);
      expect(ids.length).toBeGreaterThan(0);
      await checkFilter('places', { regionCode: `${county}000000` }, `grid_code like $1`, [`${county}%`]);
    }
    const [grid] = await hub.sql(`select grid_code from place group by 1 order by count(*) desc limit 1`);
    await checkFilter('places', { regionCode: grid.grid_code }, `grid_code = $1`, [grid.grid_code]);
    expectError(await hub.gql(city, pageQuery('places'), { filter: { regionCode: '15x' } }), 'BAD_USER_INPUT', 'filter.regionCode');
  });

  it('source', async () => {
    let nonEmpty = 0;
    for (const source of ['COMPREHENSIVE_GOVERNANCE', 'SOCIAL_SECURITY', 'CIVIL_AFFAIRS', 'CITY_MANAGEMENT', 'GRID_APP']) {
      const ids = await checkFilter(
        'places',
        { source },
        `exists (select 1 from source_record s where s.entity_kind = 'PLACE' and s.entity_id = e.id and s.source = $1)`,
        [source],
      );
      if (ids.length > 0) nonEmpty++;
    }
    expect(nonEmpty).toBeGreaterThanOrEqual(1);
  });

  it('orders by NAME both directions, ties by id', async () => {
    for (const direction of ['ASC', 'DESC']) {
      const dir = direction.toLowerCase();
      const expected = await sqlIds('places', 'true', [], `name ${dir}, id ${dir} limit 100`);
      const data: any = ok(await hub.gql(city, pageQuery('places'), { first: 100, orderBy: { field: 'NAME', direction } }));
      expect(data.places.edges.map((edge: any) => edge.node.id)).toEqual(expected);
    }
  });

  it('pages through every place with first: 37, by id and by NAME: no duplicates, no gaps', async () => {
    const byId = await sqlIds('places', 'true');
    const ids = await pageAll('places', {}, 37, byId.length);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(byId);
    const byName = await sqlIds('places', 'true', [], 'name desc, id desc');
    expect(await pageAll('places', { orderBy: { field: 'NAME', direction: 'DESC' } }, 37, byName.length)).toEqual(byName);
  });
});

describe('thing(id)', () => {
  it('returns the stored thing', async () => {
    const rows = await hub.sql(
      `select distinct on (category) id::text, category, kind, component_code, name, status, owner_unit, address,
              grid_code, lng, lat
         from thing order by category, id`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const row of rows) {
      const data: any = ok(
        await hub.gql(
          city,
          `query($id: ID!) { thing(id: $id) {
             id category kind componentCode name status ownerUnit address gridCode location { lng lat }
             grid { code } sourceRecords { source } } }`,
          { id: row.id },
        ),
      );
      expect(data.thing).toMatchObject({
        id: row.id,
        category: row.category,
        kind: row.kind,
        componentCode: row.component_code,
        name: row.name,
        status: row.status,
        ownerUnit: row.owner_unit,
        address: row.address,
        gridCode: row.grid_code,
        location: row.lng === null || row.lat === null ? null : { lng: row.lng, lat: row.lat },
        grid: { code: row.grid_code },
      });
      const sources = await hub.sql(
        `select source from source_record where entity_kind = 'THING' and entity_id = $1 order by source_record.id`,
        [row.id],
      );
      expect(data.thing.sourceRecords).toEqual(sources);
    }
  });

  it('returns null for an unknown id', async () => {
    const [{ next }] = await hub.sql(`select (max(id) + 1000)::text as next from thing`);
    const data: any = ok(await hub.gql(city, `query($id: ID!) { thing(id: $id) { id } }`, { id: next }));
    expect(data.thing).toBeNull();
  });
});

describe('things filters, ordering and paging', () => {
  it('categories, kinds and statuses', async () => {
    for (const [arg, column] of [
      ['categories', 'category'],
      ['kinds', 'kind'],
      ['statuses', 'status'],
    ]) {
      const values = await hub.sql<{ v: string }>(`select ${column} as v from thing group by 1 order by count(*) desc, 1`);
      expect(values.length).toBeGreaterThanOrEqual(2);
      for (const { v } of values) {
        expect((await checkFilter('things', { [arg]: [v] }, `${column} = $1`, [v])).length).toBeGreaterThan(0);
      }
      const two = [values[0].v, values[values.length - 1].v];
      await checkFilter('things', { [arg]: two }, `${column} = any($1)`, [two]);
    }
  });

  it('combined category, status and region', async () => {
    const [row] = await hub.sql(`select category, status, left(grid_code, 6) as county from thing order by thing.id limit 1`);
    const ids = await checkFilter(
      'things',
      { categories: [row.category], statuses: [row.status], regionCode: row.county },
      `category = $1 and status = $2 and grid_code like $3`,
      [row.category, row.status, `${row.county}%`],
    );
    expect(ids.length).toBeGreaterThan(0);
  });

  it('componentCodePrefix: a county code, and a full component code', async () => {
    const [row] = await hub.sql(`select id::text, component_code from thing order by thing.id limit 1`);
    const code = row.component_code as string;
    expect(code).toMatch(/^\d+$/);
    const prefix = code.slice(0, 6);
    expect((await checkFilter('things', { componentCodePrefix: prefix }, `component_code like $1`, [`${prefix}%`])).length).toBeGreaterThan(0);
    if (code.length <= 16) {
      const exact = await checkFilter('things', { componentCodePrefix: code }, `starts_with(component_code, $1)`, [code]);
      expect(exact).toContain(row.id);
    }
  });

  it('componentCodePrefix that is not digits is BAD_USER_INPUT on `filter.componentCodePrefix`', async () => {
    for (const componentCodePrefix of ['abc', '1503%', '', '15030_', '12345678901234567']) {
      expectError(
        await hub.gql(city, pageQuery('things'), { filter: { componentCodePrefix } }),
        'BAD_USER_INPUT',
        'filter.componentCodePrefix',
      );
    }
  });

  it('regionCode and source', async () => {
    for (const county of ['150302', '150303', '150304']) {
      await checkFilter('things', { regionCode: county }, `grid_code like $1`, [`${county}%`]);
    }
    const ids = await checkFilter(
      'things',
      { source: 'CITY_MANAGEMENT' },
      `exists (select 1 from source_record s where s.entity_kind = 'THING' and s.entity_id = e.id and s.source = 'CITY_MANAGEMENT')`,
    );
    expect(ids.length).toBeGreaterThan(0);
  });

  it('orders by COMPONENT_CODE in both directions', async () => {
    for (const direction of ['ASC', 'DESC']) {
      const dir = direction.toLowerCase();
      const expected = await sqlIds('things', 'true', [], `component_code ${dir}, id ${dir} limit 100`);
      const data: any = ok(
        await hub.gql(city, pageQuery('things', 'id componentCode'), {
          first: 100,
          orderBy: { field: 'COMPONENT_CODE', direction },
        }),
      );
      const nodes = data.things.edges.map((edge: any) => edge.node);
      expect(nodes.map((node: any) => node.id)).toEqual(expected);
      // Digit strings of one length compare the same in every collation.
      for (let i = 1; i < nodes.length; i++) {
        const [a, b] = [nodes[i - 1].componentCode, nodes[i].componentCode];
        if (a.length === b.length) expect(direction === 'ASC' ? a < b : a > b).toBe(true);
      }
    }
  });

  it('pages through every thing by COMPONENT_CODE and by id with first: 37, without gaps', async () => {
    const byCode = await sqlIds('things', 'true', [], 'component_code, id');
    const ids = await pageAll('things', { orderBy: { field: 'COMPONENT_CODE', direction: 'ASC' } }, 37, byCode.length);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(byCode);
    const byId = await sqlIds('things', 'true');
    expect(await pageAll('things', {}, 37, byId.length)).toEqual(byId);
    const codeDesc = await sqlIds('things', `grid_code like '150302%'`, [], 'component_code desc, id desc');
    expect(
      await pageAll(
        'things',
        { filter: { regionCode: '150302' }, orderBy: { field: 'COMPONENT_CODE', direction: 'DESC' } },
        11,
        codeDesc.length,
      ),
    ).toEqual(codeDesc);
  });

  it('rejects first over 100 and a cursor of another order', async () => {
    expectError(await hub.gql(city, pageQuery('things'), { first: 101 }), 'BAD_USER_INPUT', 'first');
    const data: any = ok(await hub.gql(city, pageQuery('things'), { first: 2 }));
    expectError(
      await hub.gql(city, pageQuery('things'), {
        first: 2,
        after: data.things.pageInfo.endCursor,
        orderBy: { field: 'COMPONENT_CODE', direction: 'ASC' },
      }),
      'BAD_USER_INPUT',
      'after',
    );
  });
});
