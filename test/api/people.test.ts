import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../src/auth/viewer';
import { GraphQLResponse, Hub, expectError, ok, startHub, pageThrough } from '../support/harness';

/**
 * People over HTTP against the seeded demo city: lookups, every filter, every order, keyset paging, errors,
 * nested fields and the statement count of a nested page. Expectations are computed with SQL on the suite's own
 * database, never taken from the API.
 */

let hub: Hub;
/** Reads the whole city, unmasked. */
let city: string;
let admin: string;

const COUNTY = '150302';

beforeAll(async () => {
  hub = await startHub();
  city = await hub.token({ roles: [Role.COMMAND_CENTER], region: '1503' });
  admin = await hub.token({ roles: [Role.ADMIN] });
});

afterAll(async () => {
  await hub?.close();
});

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECKS = '10X98765432';
/** GB 11643 check character, written here independently of src/. */
function idCheck(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i];
  return ID_CHECKS[sum % 11];
}

const PEOPLE_PAGE = `
  query Page($filter: PersonFilter, $first: Int, $after: String, $orderBy: PersonOrder) {
    people(filter: $filter, first: $first, after: $after, orderBy: $orderBy) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id name gridCode birthDate updatedAt gender householdType tags } }
    }
  }`;

interface Collected {
  nodes: any[];
  ids: string[];
  pages: number;
}

/** Pages through `people` to the end (see pageThrough), returning the nodes and their ids. */
async function pageAll(
  token: string,
  variables: { filter?: Record<string, unknown>; orderBy?: Record<string, unknown> },
  first: number,
  expectedTotal: number,
): Promise<Collected> {
  const { nodes, pages } = await pageThrough(hub, token, PEOPLE_PAGE, 'people', variables, first, expectedTotal);
  return { nodes, ids: nodes.map((node) => node.id), pages };
}

async function sqlIds(where: string, params: unknown[] = [], orderBy = 'id'): Promise<string[]> {
  const rows = await hub.sql<{ key: string }>(`select p.id::text as key from person p where ${where} order by ${orderBy}`, params);
  return rows.map((row) => row.key);
}

const LIST = `
  query List($filter: PersonFilter, $first: Int) {
    people(filter: $filter, first: $first) { totalCount edges { node { id } } }
  }`;

/** Checks a filter against SQL: totalCount equals the SQL count, and the first 100 ids equal SQL's first 100. */
async function checkFilter(filter: Record<string, unknown>, where: string, params: unknown[] = [], token = city) {
  const expected = await sqlIds(where, params);
  const data: any = ok(await hub.gql(token, LIST, { filter, first: 100 }));
  expect(data.people.totalCount).toBe(expected.length);
  expect(data.people.edges.map((edge: any) => edge.node.id)).toEqual(expected.slice(0, 100));
  return expected;
}

describe('person(id)', () => {
  it('returns the stored person with its core fields', async () => {
    const [row] = await hub.sql(
      `select id::text, id_number, name, gender, to_char(birth_date, 'YYYY-MM-DD') as birth_date, phone, grid_code,
              address, household_type, tags
         from person where phone is not null and cardinality(tags) > 0 order by person.id limit 1`,
    );
    expect(row).toBeDefined();
    const data: any = ok(
      await hub.gql(
        city,
        `query($id: ID!) { person(id: $id) {
           id idNumber name gender birthDate phone gridCode address householdType tags } }`,
        { id: row.id },
      ),
    );
    expect(data.person).toEqual({
      id: row.id,
      idNumber: row.id_number,
      name: row.name,
      gender: row.gender,
      birthDate: row.birth_date,
      phone: row.phone,
      gridCode: row.grid_code,
      address: row.address,
      householdType: row.household_type,
      tags: row.tags,
    });
  });

  it('returns null for an unknown id', async () => {
    const [{ next }] = await hub.sql(`select (max(id) + 1000)::text as next from person`);
    const data: any = ok(await hub.gql(city, `query($id: ID!) { person(id: $id) { id } }`, { id: next }));
    expect(data.person).toBeNull();
  });

  it('rejects an id that is not a number with BAD_USER_INPUT on `id`', async () => {
    expectError(await hub.gql(city, `{ person(id: "abc") { id } }`), 'BAD_USER_INPUT', 'id');
  });

  it('answers an id beyond the bigint range without an internal error', async () => {
    const response = await hub.gql(city, `{ person(id: "9999999999999999999") { id } }`);
    if (response.errors?.length) {
      expectError(response, 'BAD_USER_INPUT', 'id');
    } else {
      expect(response.data).toEqual({ person: null });
    }
  });
});

describe('personByIdNumber', () => {
  it('finds a person by a valid ID number', async () => {
    const [row] = await hub.sql(`select id::text, id_number from person order by person.id desc limit 1`);
    const data: any = ok(
      await hub.gql(city, `query($n: String!) { personByIdNumber(idNumber: $n) { id idNumber } }`, { n: row.id_number }),
    );
    expect(data.personByIdNumber).toEqual({ id: row.id, idNumber: row.id_number });
  });

  it('returns null for a valid but unknown ID number', async () => {
    const [row] = await hub.sql(`select id_number from person order by person.id limit 1`);
    let unknown: string | null = null;
    for (let seq = 999; seq > 0 && unknown === null; seq--) {
      const first17 = (row.id_number as string).slice(0, 14) + String(seq).padStart(3, '0');
      const candidate = first17 + idCheck(first17);
      const [{ n }] = await hub.sql(`select count(*)::int as n from person where id_number = $1`, [candidate]);
      if (n === 0) unknown = candidate;
    }
    expect(unknown).not.toBeNull();
    const data: any = ok(
      await hub.gql(city, `query($n: String!) { personByIdNumber(idNumber: $n) { id } }`, { n: unknown }),
    );
    expect(data.personByIdNumber).toBeNull();
  });

  it('rejects a bad checksum with BAD_USER_INPUT on `idNumber`', async () => {
    const [row] = await hub.sql(`select id_number from person order by person.id limit 1`);
    const real = row.id_number as string;
    const wrong = [...ID_CHECKS].find((c) => c !== real[17])!;
    const response = await hub.gql(city, `query($n: String!) { personByIdNumber(idNumber: $n) { id } }`, {
      n: real.slice(0, 17) + wrong,
    });
    expectError(response, 'BAD_USER_INPUT', 'idNumber');
    expect(response.data?.personByIdNumber ?? null).toBeNull();
  });

  it('rejects a malformed number with BAD_USER_INPUT on `idNumber`', async () => {
    expectError(await hub.gql(city, `{ personByIdNumber(idNumber: "15030219800101") { id } }`), 'BAD_USER_INPUT', 'idNumber');
  });
});

describe('people filters', () => {
  it('regionCode: a county, short and padded 12-digit form, give the same rows', async () => {
    const expected = await checkFilter({ regionCode: COUNTY }, `grid_code like $1`, [`${COUNTY}%`]);
    expect(expected.length).toBeGreaterThan(100);
    await checkFilter({ regionCode: `${COUNTY}000000` }, `grid_code like $1`, [`${COUNTY}%`]);
  });

  it('regionCode: a town, a community and a grid, short and padded', async () => {
    const [town] = await hub.sql(
      `select left(grid_code, 9) as code from person where grid_code like $1 group by 1 order by count(*) desc limit 1`,
      [`${COUNTY}%`],
    );
    await checkFilter({ regionCode: town.code }, `grid_code like $1`, [`${town.code}%`]);
    await checkFilter({ regionCode: `${town.code}000` }, `grid_code like $1`, [`${town.code}%`]);
    const [community] = await hub.sql(
      `select left(grid_code, 12) as code from person group by 1 order by count(*) desc limit 1`,
    );
    await checkFilter({ regionCode: community.code }, `grid_code like $1`, [`${community.code}%`]);
    const [grid] = await hub.sql(`select grid_code as code from person group by 1 order by count(*) desc limit 1`);
    const ids = await checkFilter({ regionCode: grid.code }, `grid_code = $1`, [grid.code]);
    expect(ids.length).toBeGreaterThan(0);
  });

  it('nameContains: a common character, a full name, and LIKE wildcards taken literally', async () => {
    const [common] = await hub.sql(`select left(name, 1) as c from person group by 1 order by count(*) desc, 1 limit 1`);
    const some = await checkFilter({ nameContains: common.c }, `strpos(name, $1) > 0`, [common.c]);
    expect(some.length).toBeGreaterThan(1);
    const [person] = await hub.sql(`select id::text, name from person order by person.id limit 1`);
    const byName = await checkFilter({ nameContains: person.name }, `strpos(name, $1) > 0`, [person.name]);
    expect(byName).toContain(person.id);
    await checkFilter({ nameContains: '%' }, `strpos(name, '%') > 0`);
    await checkFilter({ nameContains: '_' }, `strpos(name, '_') > 0`);
  });

  it('nameContains: empty text is BAD_USER_INPUT on `filter.nameContains`', async () => {
    expectError(await hub.gql(city, LIST, { filter: { nameContains: ' ' } }), 'BAD_USER_INPUT', 'filter.nameContains');
  });

  it('gender and householdType', async () => {
    for (const gender of ['MALE', 'FEMALE']) {
      const ids = await checkFilter({ gender }, `gender = $1`, [gender]);
      expect(ids.length).toBeGreaterThan(0);
    }
    for (const householdType of ['REGISTERED', 'FLOATING']) {
      const ids = await checkFilter({ householdType }, `household_type = $1`, [householdType]);
      expect(ids.length).toBeGreaterThan(0);
    }
  });

  it('tagsAny: one tag, and two tags (either)', async () => {
    const tags = await hub.sql<{ tag: string }>(
      `select t as tag from person, unnest(tags) as t group by t order by count(*) desc, t`,
    );
    expect(tags.length).toBeGreaterThanOrEqual(2);
    const one = await checkFilter({ tagsAny: [tags[0].tag] }, `tags && $1::text[]`, [[tags[0].tag]]);
    expect(one.length).toBeGreaterThan(0);
    const pair = [tags[tags.length - 1].tag, tags[tags.length - 2].tag];
    const two = await checkFilter({ tagsAny: pair }, `tags && $1::text[]`, [pair]);
    expect(two.length).toBeGreaterThan(0);
  });

  it('bornFrom / bornTo: inclusive bounds, alone and together', async () => {
    await checkFilter({ bornFrom: '1980-01-01', bornTo: '1989-12-31' }, `birth_date between '1980-01-01' and '1989-12-31'`);
    await checkFilter({ bornFrom: '2000-01-01' }, `birth_date >= '2000-01-01'`);
    await checkFilter({ bornTo: '1960-06-30' }, `birth_date <= '1960-06-30'`);
    const [row] = await hub.sql(`select id::text, to_char(birth_date, 'YYYY-MM-DD') as d from person order by person.id limit 1`);
    const sameDay = await checkFilter({ bornFrom: row.d, bornTo: row.d }, `birth_date = $1::date`, [row.d]);
    expect(sameDay).toContain(row.id);
  });

  it('bornFrom that is not a date is BAD_USER_INPUT on `filter.bornFrom`', async () => {
    expectError(await hub.gql(city, LIST, { filter: { bornFrom: '1980-02-30' } }), 'BAD_USER_INPUT', 'filter.bornFrom');
    expectError(await hub.gql(city, LIST, { filter: { bornTo: 'yesterday' } }), 'BAD_USER_INPUT', 'filter.bornTo');
  });

  it('source: people known to each department system', async () => {
    let nonEmpty = 0;
    for (const source of ['COMPREHENSIVE_GOVERNANCE', 'SOCIAL_SECURITY', 'CIVIL_AFFAIRS', 'CITY_MANAGEMENT', 'GRID_APP']) {
      const ids = await checkFilter(
        { source },
        `exists (select 1 from source_record s where s.entity_kind = 'PERSON' and s.entity_id = p.id and s.source = $1)`,
        [source],
      );
      if (ids.length > 0) nonEmpty++;
    }
    expect(nonEmpty).toBeGreaterThanOrEqual(2);
  });

  it('all conditions together must hold', async () => {
    await checkFilter(
      { regionCode: COUNTY, gender: 'FEMALE', householdType: 'REGISTERED', bornFrom: '1950-01-01', source: 'SOCIAL_SECURITY' },
      `grid_code like $1 and gender = 'FEMALE' and household_type = 'REGISTERED' and birth_date >= '1950-01-01'
       and exists (select 1 from source_record s where s.entity_kind = 'PERSON' and s.entity_id = p.id and s.source = 'SOCIAL_SECURITY')`,
      [`${COUNTY}%`],
    );
  });
});

describe('people ordering', () => {
  const COLUMNS: Record<string, string> = { ID: 'id', NAME: 'name', BIRTH_DATE: 'birth_date', UPDATED_AT: 'updated_at' };

  for (const field of Object.keys(COLUMNS)) {
    for (const direction of ['ASC', 'DESC']) {
      it(`orders by ${field} ${direction}, ties by id in the same direction`, async () => {
        const column = COLUMNS[field];
        const dir = direction.toLowerCase();
        const expected = await sqlIds(`grid_code like $1`, [`${COUNTY}%`], `${column} ${dir}, id ${dir} limit 100`);
        const data: any = ok(
          await hub.gql(city, PEOPLE_PAGE, { filter: { regionCode: COUNTY }, first: 100, orderBy: { field, direction } }),
        );
        const nodes = data.people.edges.map((edge: any) => edge.node);
        expect(nodes.map((node: any) => node.id)).toEqual(expected);
        // Sortedness checked in JS too, where the comparison does not depend on a collation.
        const sign = direction === 'ASC' ? 1 : -1;
        for (let i = 1; i < nodes.length; i++) {
          const [a, b] = [nodes[i - 1], nodes[i]];
          let cmp = 0;
          if (field === 'BIRTH_DATE') cmp = a.birthDate < b.birthDate ? -1 : a.birthDate > b.birthDate ? 1 : 0;
          if (field === 'UPDATED_AT') cmp = Math.sign(Date.parse(a.updatedAt) - Date.parse(b.updatedAt));
          if (field === 'ID') cmp = Math.sign(Number(a.id) - Number(b.id));
          if (field === 'NAME') continue;
          expect(cmp * sign).toBeLessThanOrEqual(0);
          if (cmp === 0) expect(Math.sign(Number(a.id) - Number(b.id)) * sign).toBe(-1);
        }
      });
    }
  }

  it('orderBy without direction is ascending', async () => {
    const expected = await sqlIds(`grid_code like $1`, [`${COUNTY}%`], `birth_date asc, id asc limit 20`);
    const data: any = ok(
      await hub.gql(city, PEOPLE_PAGE, { filter: { regionCode: COUNTY }, orderBy: { field: 'BIRTH_DATE' } }),
    );
    expect(data.people.edges.map((edge: any) => edge.node.id)).toEqual(expected);
  });
});

describe('people paging', () => {
  it('default page size is 20, and ordering defaults to id', async () => {
    const expected = await sqlIds(`true`, [], `id limit 21`);
    const data: any = ok(await hub.gql(city, PEOPLE_PAGE, {}));
    expect(data.people.edges.map((edge: any) => edge.node.id)).toEqual(expected.slice(0, 20));
    expect(data.people.pageInfo.hasNextPage).toBe(expected.length > 20);
    expect(data.people.pageInfo.hasPreviousPage).toBe(false);
  });

  it('pages through a whole county by id with first: 37: no duplicates, no gaps', async () => {
    const expected = await sqlIds(`grid_code like $1`, [`${COUNTY}%`]);
    const { ids, pages } = await pageAll(city, { filter: { regionCode: COUNTY } }, 37, expected.length);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expected);
    expect(pages).toBe(Math.max(1, Math.ceil(expected.length / 37)));
  });

  it('pages through a whole county by NAME, both directions', async () => {
    for (const direction of ['ASC', 'DESC']) {
      const dir = direction.toLowerCase();
      const expected = await sqlIds(`grid_code like $1`, [`${COUNTY}%`], `name ${dir}, id ${dir}`);
      const { ids } = await pageAll(
        city,
        { filter: { regionCode: COUNTY }, orderBy: { field: 'NAME', direction } },
        37,
        expected.length,
      );
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual(expected);
    }
  });

  it('pages through a whole county by BIRTH_DATE descending (many ties)', async () => {
    const expected = await sqlIds(`grid_code like $1`, [`${COUNTY}%`], `birth_date desc, id desc`);
    const { ids } = await pageAll(
      city,
      { filter: { regionCode: COUNTY }, orderBy: { field: 'BIRTH_DATE', direction: 'DESC' } },
      37,
      expected.length,
    );
    expect(ids).toEqual(expected);
  });

  it('pages by UPDATED_AT without gaps when timestamps tie and carry microseconds', async () => {
    // PostgreSQL keeps microseconds (now() in SQL writes them); the cursor must not lose them.
    const [town] = await hub.sql(
      `select left(grid_code, 9) as code from person where grid_code like '150303%' group by 1 order by count(*) desc limit 1`,
    );
    await hub.sql(
      `update person set updated_at = timestamptz '2025-03-01 08:00:00.123456+00' + (id % 3) * interval '1 microsecond'
        where grid_code like $1`,
      [`${town.code}%`],
    );
    for (const direction of ['ASC', 'DESC']) {
      const dir = direction.toLowerCase();
      const expected = await sqlIds(`grid_code like $1`, [`${town.code}%`], `updated_at ${dir}, id ${dir}`);
      expect(expected.length).toBeGreaterThan(10);
      const { ids } = await pageAll(
        city,
        { filter: { regionCode: town.code }, orderBy: { field: 'UPDATED_AT', direction } },
        7,
        expected.length,
      );
      expect(ids).toEqual(expected);
    }
  });

  it('first: 100 is allowed; over 100 is BAD_USER_INPUT on `first`', async () => {
    const data: any = ok(await hub.gql(city, LIST, { first: 100 }));
    expect(data.people.edges).toHaveLength(100);
    expectError(await hub.gql(city, LIST, { first: 101 }), 'BAD_USER_INPUT', 'first');
    expectError(await hub.gql(city, LIST, { first: 100000 }), 'BAD_USER_INPUT', 'first');
  });

  it('negative first is BAD_USER_INPUT on `first`', async () => {
    expectError(await hub.gql(city, LIST, { first: -1 }), 'BAD_USER_INPUT', 'first');
  });

  it('a garbage cursor is BAD_USER_INPUT on `after`', async () => {
    for (const after of ['garbage', '!!!', '', Buffer.from('{"o":"ID"}').toString('base64url')]) {
      expectError(await hub.gql(city, PEOPLE_PAGE, { after }), 'BAD_USER_INPUT', 'after');
    }
  });

  it('a tampered cursor (right order, bad value) is BAD_USER_INPUT on `after`, not an internal error', async () => {
    const forged = [
      { o: 'BIRTH_DATE', v: 'not a date', id: '1' },
      { o: 'NAME', v: 42, id: '1' },
      { o: 'UPDATED_AT', v: 'not a time', id: '1' },
      { o: 'ID', v: 1, id: '99999999999999999999999' },
    ];
    for (const cursor of forged) {
      const after = Buffer.from(JSON.stringify(cursor)).toString('base64url');
      expectError(
        await hub.gql(city, PEOPLE_PAGE, { after, orderBy: { field: cursor.o, direction: 'ASC' } }),
        'BAD_USER_INPUT',
        'after',
      );
    }
  });

  it('a cursor from another order is BAD_USER_INPUT on `after`', async () => {
    const data: any = ok(await hub.gql(city, PEOPLE_PAGE, { first: 3 }));
    const after = data.people.pageInfo.endCursor;
    expectError(
      await hub.gql(city, PEOPLE_PAGE, { first: 3, after, orderBy: { field: 'NAME', direction: 'ASC' } }),
      'BAD_USER_INPUT',
      'after',
    );
    // The same cursor continues its own order.
    ok(await hub.gql(city, PEOPLE_PAGE, { first: 3, after }));
  });

  it('a malformed region code is BAD_USER_INPUT on `filter.regionCode`', async () => {
    for (const regionCode of ['abc', '15030', '1503021', '150302x', '000000']) {
      expectError(await hub.gql(city, LIST, { filter: { regionCode } }), 'BAD_USER_INPUT', 'filter.regionCode');
    }
  });
});

const NESTED = `
  grid { code name level }
  regionPath { code level }
  places { role place { id name grid { code } } }
  sourceRecords { id entityId entityKind source sourceKey version payload }
  lineage { field source sourceRecordId }
  socialSecurity { insured pensionType medicalInsurance employer }
  civilAffairs { allowances { type monthlyAmount since } disabilityGrade }
  governance { keyPersonCategory riskLevel gridWorker }`;

const LEVELS = ['PROVINCE', 'CITY', 'COUNTY', 'TOWN', 'COMMUNITY', 'GRID'];
const LENGTHS = [2, 4, 6, 9, 12, 15];

/** Checks every nested field of `node` against SQL. */
async function checkNested(node: any): Promise<void> {
  const [person] = await hub.sql(
    `select grid_code, social_security, civil_affairs, governance, lineage from person where id = $1`,
    [node.id],
  );
  // grid and region path
  const [grid] = await hub.sql(`select code, name, level from region where code = $1`, [person.grid_code]);
  expect(node.grid).toEqual({ code: grid.code, name: grid.name, level: 'GRID' });
  const pathCodes = LENGTHS.map((len) => (person.grid_code as string).slice(0, len));
  const registered = await hub.sql(`select code, level from region where code = any($1) order by length(code)`, [pathCodes]);
  expect(registered.map((r) => r.code)).toEqual(pathCodes);
  expect(node.regionPath).toEqual(pathCodes.map((code, i) => ({ code, level: LEVELS[i] })));
  // places
  const links = await hub.sql(
    `select pp.role, p.id::text as id, p.name, p.grid_code from person_place pp join place p on p.id = pp.place_id
      where pp.person_id = $1 order by pp.id`,
    [node.id],
  );
  expect(node.places).toEqual(links.map((l) => ({ role: l.role, place: { id: l.id, name: l.name, grid: { code: l.grid_code } } })));
  // source records
  const records = await hub.sql(
    `select id::text, source, source_key, version::text as version, payload from source_record
      where entity_kind = 'PERSON' and entity_id = $1 order by source_record.id`,
    [node.id],
  );
  expect(records.length).toBeGreaterThan(0);
  expect(node.sourceRecords).toEqual(
    records.map((r) => ({
      id: r.id,
      entityId: node.id,
      entityKind: 'PERSON',
      source: r.source,
      sourceKey: r.source_key,
      version: r.version,
      payload: r.payload,
    })),
  );
  // lineage: as stored, and every record it names is one of this person's records from that source
  const stored = Object.entries(person.lineage as Record<string, { source: string; sourceRecordId: string }>)
    .map(([field, from]) => ({ field, source: from.source, sourceRecordId: String(from.sourceRecordId) }))
    .sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
  const got = [...node.lineage].sort((a: any, b: any) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
  expect(got).toEqual(stored);
  const recordSource = new Map(records.map((r) => [r.id, r.source]));
  for (const entry of node.lineage) {
    expect(recordSource.has(entry.sourceRecordId)).toBe(true);
    expect(recordSource.get(entry.sourceRecordId)).toBe(entry.source);
  }
  // facets
  const ss = person.social_security;
  expect(node.socialSecurity).toEqual(
    ss === null
      ? null
      : { insured: ss.insured, pensionType: ss.pensionType, medicalInsurance: ss.medicalInsurance, employer: ss.employer ?? null },
  );
  const ca = person.civil_affairs;
  expect(node.civilAffairs).toEqual(
    ca === null
      ? null
      : {
          allowances: (ca.allowances ?? []).map((a: any) => ({ type: a.type, monthlyAmount: a.monthlyAmount, since: a.since ?? null })),
          disabilityGrade: ca.disabilityGrade ?? null,
        },
  );
  const gov = person.governance;
  expect(node.governance).toEqual(
    gov === null
      ? null
      : { keyPersonCategory: gov.keyPersonCategory ?? null, riskLevel: gov.riskLevel ?? null, gridWorker: gov.gridWorker ?? null },
  );
}

describe('nested fields of a person', () => {
  it('grid, regionPath, places, sourceRecords, lineage and facets of one richly linked person', async () => {
    const [row] = await hub.sql(
      `select p.id::text from person p
        where exists (select 1 from person_place pp where pp.person_id = p.id)
          and (select count(*) from source_record s where s.entity_kind = 'PERSON' and s.entity_id = p.id) >= 2
        order by (p.social_security is not null)::int + (p.civil_affairs is not null)::int + (p.governance is not null)::int desc,
                 p.id
        limit 1`,
    );
    expect(row).toBeDefined();
    const data: any = ok(await hub.gql(city, `query($id: ID!) { person(id: $id) { id ${NESTED} } }`, { id: row.id }));
    expect(data.person.id).toBe(row.id);
    expect(data.person.lineage.length).toBeGreaterThan(0);
    await checkNested(data.person);
  });

  it('every person of a page of 50 gets its own nested rows (loader results in key order)', async () => {
    const data: any = ok(
      await hub.gql(city, `query($f: PersonFilter) { people(filter: $f, first: 50) { edges { node { id ${NESTED} } } } }`, {
        f: { regionCode: '150303' },
      }),
    );
    const nodes = data.people.edges.map((edge: any) => edge.node);
    expect(nodes).toHaveLength(50);
    for (const node of nodes) await checkNested(node);
    expect(nodes.some((node: any) => node.places.length > 0)).toBe(true);
  });

  it('runs the same small number of statements for a page of 5 and a page of 50 (no N+1)', async () => {
    const query = `query($first: Int, $f: PersonFilter) {
      people(filter: $f, first: $first) { totalCount edges { node { id name idNumber phone tags ${NESTED} } } } }`;
    const counts: number[] = [];
    for (const first of [5, 50]) {
      let response: GraphQLResponse | undefined;
      counts.push(
        await hub.countStatements(async () => {
          response = await hub.gql(city, query, { first, f: { regionCode: COUNTY } });
        }),
      );
      const data: any = ok(response!);
      expect(data.people.edges).toHaveLength(first);
    }
    expect(counts[0]).toBeGreaterThan(0);
    expect(counts[1]).toBe(counts[0]);
    expect(counts[1]).toBeLessThanOrEqual(12);
  });
});

describe('ADMIN without region', () => {
  it('sees every person', async () => {
    const [{ n }] = await hub.sql(`select count(*)::int as n from person`);
    const data: any = ok(await hub.gql(admin, LIST, { first: 1 }));
    expect(data.people.totalCount).toBe(n);
  });
});
