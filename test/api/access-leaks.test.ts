import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../src/auth/viewer';
import { composeIdNumber } from '../../src/shared/id-number';
import { SourceSystem } from '../../src/sources/source-system';
import { Hub, expectError, ok, startHub } from '../support/harness';

/**
 * Regression tests for access leaks, one per leak, over HTTP (design §6):
 *
 * - B1 a DEPARTMENT may not filter by another source (it would learn which of its records that system also holds);
 * - B2 a DEPARTMENT reads its own system's values of a person, never a value another system gave;
 * - B3 free-text fields of incidents, places and things are masked for an ANALYST like titles and descriptions;
 * - B4 source record payloads are masked whatever the source called the field or however it wrote the value;
 * - a list's cursor is refused by another list;
 * - link lists (person.places, place.people, incident.parties, incident.events) are capped and paged.
 *
 * Fixtures are found in the demo city with SQL or planted with SQL, so that each test fails when the leak is there.
 */

let hub: Hub;
let admin: string;
/** Reads the whole city with personal data masked. */
let analyst: string;
/** The social-security system's token for the whole city. */
let socialSecurity: string;

const CITY = '1503';
const COUNTY = '150302';
const { SOCIAL_SECURITY, COMPREHENSIVE_GOVERNANCE } = SourceSystem;

beforeAll(async () => {
  hub = await startHub();
  admin = await hub.token({ roles: [Role.ADMIN] });
  analyst = await hub.token({ roles: [Role.ANALYST], region: CITY });
  socialSecurity = await hub.token({ roles: [Role.DEPARTMENT], region: CITY, source: SOCIAL_SECURITY, sub: 'social-security-system' });
});

afterAll(async () => {
  await hub?.close();
});

type ListName = 'people' | 'places' | 'things' | 'incidents';
const LISTS: Record<ListName, { table: string; kind: string; filter: string }> = {
  people: { table: 'person', kind: 'PERSON', filter: 'PersonFilter' },
  places: { table: 'place', kind: 'PLACE', filter: 'PlaceFilter' },
  things: { table: 'thing', kind: 'THING', filter: 'ThingFilter' },
  incidents: { table: 'incident', kind: 'INCIDENT', filter: 'IncidentFilter' },
};
const ALL_LISTS = Object.keys(LISTS) as ListName[];

function listQuery(list: ListName): string {
  return `query($filter: ${LISTS[list].filter}, $first: Int, $after: String) {
    ${list}(filter: $filter, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } } } }`;
}

const maskId = (idNumber: string) => `${idNumber.slice(0, 6)}********${idNumber.slice(-4)}`;
const MOBILE = '13812345678';
const MASKED_MOBILE = '138****5678';

/** A valid ID number born 1985-01-01 in county 150302 whose check character is a digit (it can be a JSON number). */
function numericIdNumber(): string {
  for (let sequence = 123; ; sequence++) {
    const id = composeIdNumber(COUNTY, '1985-01-01', sequence);
    if (/^\d{18}$/.test(id)) return id;
  }
}
const ID_NUMBER = numericIdNumber();

/** `text` as an ANALYST must see it: the ID and the mobile number masked, everything else as stored. */
const maskedText = (text: string) => text.split(ID_NUMBER).join(maskId(ID_NUMBER)).split(MOBILE).join(MASKED_MOBILE);

describe('B1: a DEPARTMENT may not filter by another source', () => {
  for (const list of ALL_LISTS) {
    it(`${list}: filter.source of another system is FORBIDDEN; its own source still works`, async () => {
      // The same token may not ask "which of my records does civil affairs (or anyone else) also hold?".
      const others = Object.values(SourceSystem).filter((s) => s !== SOCIAL_SECURITY);
      expect(others).toContain(SourceSystem.CIVIL_AFFAIRS);
      for (const source of others) {
        const response = await hub.gql(socialSecurity, listQuery(list), { filter: { source } });
        expectError(response, 'FORBIDDEN', 'filter.source');
        expect(response.data?.[list] ?? null).toBeNull();
      }

      const [{ n }] = await hub.sql(
        `select count(*)::int as n from ${LISTS[list].table} e
          where exists (select 1 from source_record s where s.entity_kind = $1 and s.entity_id = e.id and s.source = $2)`,
        [LISTS[list].kind, SOCIAL_SECURITY],
      );
      const own: any = ok(await hub.gql(socialSecurity, listQuery(list), { filter: { source: SOCIAL_SECURITY }, first: 5 }));
      expect(own[list].totalCount).toBe(n);
    });
  }
});

describe('a DEPARTMENT may not filter or order by merged values (they may be another system\'s)', () => {
  const cases: [string, string, Record<string, unknown>, string][] = [
    ['people', 'query($filter: PersonFilter) { people(filter: $filter) { totalCount } }', { filter: { nameContains: '王' } }, 'filter.nameContains'],
    ['people', 'query($filter: PersonFilter) { people(filter: $filter) { totalCount } }', { filter: { householdType: 'FLOATING' } }, 'filter.householdType'],
    ['people', '{ people(orderBy: { field: NAME }) { totalCount } }', {}, 'orderBy'],
    ['places', 'query($filter: PlaceFilter) { places(filter: $filter) { totalCount } }', { filter: { nameContains: '小区' } }, 'filter.nameContains'],
    ['places', '{ places(orderBy: { field: NAME }) { totalCount } }', {}, 'orderBy'],
    ['things', 'query($filter: ThingFilter) { things(filter: $filter) { totalCount } }', { filter: { statuses: ['DAMAGED'] } }, 'filter.statuses'],
    ['things', '{ things(orderBy: { field: COMPONENT_CODE }) { totalCount } }', {}, 'orderBy'],
    ['people', '{ people(orderBy: { field: UPDATED_AT }) { totalCount } }', {}, 'orderBy'],
    ['places', 'query($filter: PlaceFilter) { places(filter: $filter) { totalCount } }', { filter: { kinds: ['HOSPITAL'] } }, 'filter.kinds'],
    ['things', 'query($filter: ThingFilter) { things(filter: $filter) { totalCount } }', { filter: { kinds: ['CAMERA'] } }, 'filter.kinds'],
  ];
  for (const [list, query, variables, field] of cases) {
    it(`${list}: ${field} ${JSON.stringify(variables)} is FORBIDDEN to the department, answered to a broad reader`, async () => {
      expectError(await hub.gql(socialSecurity, query, variables), 'FORBIDDEN', field);
      ok(await hub.gql(admin, query, variables));
    });
  }
});

describe('a DEPARTMENT reads when its own system sent a record, not when others did (found attacking)', () => {
  it('createdAt and updatedAt are those of its own records', async () => {
    const [row] = await hub.sql(
      `select p.id::text, min(s.received_at) as first, max(s.received_at) as last from person p
         join source_record s on s.entity_kind = 'PERSON' and s.entity_id = p.id and s.source = 'SOCIAL_SECURITY'
        where exists (select 1 from source_record o
                       where o.entity_kind = 'PERSON' and o.entity_id = p.id and o.source <> 'SOCIAL_SECURITY')
        group by p.id order by p.id limit 1`,
    );
    // The demo city arrives in one transaction, so all its records share one receipt time: date the person from
    // another system's record that came earlier, as in a hub that has been running for a while.
    await hub.sql(`update person set created_at = created_at - interval '30 days' where id = $1`, [row.id]);
    const data: any = ok(await hub.gql(socialSecurity, `query($id: ID!) { person(id: $id) { createdAt updatedAt } }`, { id: row.id }));
    expect(data.person).toEqual({ createdAt: new Date(row.first).toISOString(), updatedAt: new Date(row.last).toISOString() });
  });
});

describe('B2: a DEPARTMENT reads only the values its own system sent', () => {
  /** A person whose address and household type survived from governance, with a social-security record of it. */
  let subject: { id: string; own: Record<string, unknown>; stored: Record<string, unknown> };

  beforeAll(async () => {
    const [row] = await hub.sql(
      `select p.id::text, s.id::text as record
         from person p join source_record s on s.entity_kind = 'PERSON' and s.entity_id = p.id and s.source = 'SOCIAL_SECURITY'
        where p.lineage -> 'address' ->> 'source' = 'COMPREHENSIVE_GOVERNANCE'
          and p.lineage -> 'householdType' ->> 'source' = 'COMPREHENSIVE_GOVERNANCE'
          and p.lineage -> 'name' ->> 'source' = 'COMPREHENSIVE_GOVERNANCE'
          and p.household_type is not null and p.social_security is not null and p.governance is not null
          and cardinality(p.tags) > 0
          and s.payload ->> 'gridCode' = p.grid_code
          and (select count(*) from source_record o
                where o.entity_kind = 'PERSON' and o.entity_id = p.id and o.source = 'SOCIAL_SECURITY') = 1
        order by p.id limit 1`,
    );
    expect(row).toBeDefined();
    // Make the social-security record disagree with the surviving (governance) name and address, as a mailing
    // address from an old employer would; its payload has no household type (the system does not record it).
    await hub.sql(
      `update source_record
          set payload = jsonb_set(jsonb_set(payload - 'householdType', '{address}', to_jsonb($2::text)), '{name}', to_jsonb($3::text))
        where id = $1`,
      [row.record, '乌海市海勃湾区社保邮寄地址路88号', '社保登记姓名'],
    );
    const [own] = await hub.sql(`select payload from source_record where id = $1`, [row.record]);
    const [stored] = await hub.sql(
      `select name, phone, address, household_type as "householdType", grid_code as "gridCode" from person where id = $1`,
      [row.id],
    );
    subject = { id: row.id, own: own.payload, stored };
    // The test can only fail if the governance values really differ from the department's own.
    expect(stored.address).not.toBe(own.payload.address);
    expect(stored.name).not.toBe(own.payload.name);
    expect(stored.householdType).not.toBeNull();
    expect(own.payload.householdType).toBeUndefined();
  });

  const CORE_FIELDS = ['name', 'phone', 'address', 'householdType', 'gridCode'];
  const PERSON = `query($id: ID!) { person(id: $id) {
    id ${CORE_FIELDS.join(' ')} tags
    lineage { field source sourceRecordId }
    socialSecurity { insured } civilAffairs { disabilityGrade } governance { riskLevel }
    sourceRecords { source } } }`;

  it('sees for each core field its own value or null, never the governance value', async () => {
    const data: any = ok(await hub.gql(socialSecurity, PERSON, { id: subject.id }));
    expect(data.person?.id).toBe(subject.id);
    // Every field that shows something other than the department's own value or null, with what it showed.
    const leaks = CORE_FIELDS.filter((field) => ![subject.own[field] ?? null, null].includes(data.person[field])).map(
      (field) => ({ field, seen: data.person[field], own: subject.own[field] ?? null, governance: subject.stored[field] }),
    );
    expect(leaks).toEqual([]);
    expect(data.person.householdType).toBeNull();
    expect(data.person.address).not.toBe(subject.stored.address);
  });

  it('sees only its own lineage, facet and source records, and no tags', async () => {
    const data: any = ok(await hub.gql(socialSecurity, PERSON, { id: subject.id }));
    expect(data.person.lineage.length).toBeGreaterThan(0);
    for (const entry of data.person.lineage) expect(entry.source).toBe(SOCIAL_SECURITY);
    expect(data.person.tags).toEqual([]);
    expect(data.person.socialSecurity).not.toBeNull();
    expect(data.person.civilAffairs).toBeNull();
    expect(data.person.governance).toBeNull();
    expect(data.person.sourceRecords).toEqual([{ source: SOCIAL_SECURITY }]);
  });

  it('leaves the canonical view of broad readers unchanged', async () => {
    const data: any = ok(await hub.gql(admin, PERSON, { id: subject.id }));
    for (const field of CORE_FIELDS) expect(data.person[field]).toBe(subject.stored[field]);
    expect(data.person.lineage.map((entry: any) => entry.source)).toContain(COMPREHENSIVE_GOVERNANCE);
  });
});

describe('B3: free text of incidents, places and things is masked for an ANALYST', () => {
  const planted = (what: string) => `乌海市海勃湾区${what}（联系人身份证${ID_NUMBER}，电话 ${MOBILE}）`;
  let incident: string;
  let place: string;
  let thing: string;

  beforeAll(async () => {
    const pick = async (table: string, extra = 'true') =>
      (await hub.sql(`select id::text from ${table} where grid_code like $1 and ${extra} order by id limit 1`, [`${COUNTY}%`]))[0].id;
    incident = await pick('incident');
    place = await pick('place', `kind = 'SHOP'`);
    thing = await pick('thing');
    await hub.sql(`update incident set address = $2, assignee = $3 where id = $1`, [
      incident,
      planted('事发地址滨河路1号'),
      `张师傅 ${MOBILE} ${ID_NUMBER}`,
    ]);
    await hub.sql(
      `update place set address = $2,
          attributes = attributes || jsonb_build_object('creditCode', $3::text, 'industry', $4::text)
        where id = $1`,
      [place, planted('人民路2号'), `统一社会信用代码待补，负责人${ID_NUMBER}`, planted('零售业')],
    );
    await hub.sql(`update thing set address = $2, owner_unit = $3 where id = $1`, [
      thing,
      planted('黄河街3号'),
      planted('市政养护所'),
    ]);
  });

  const QUERIES = {
    incident: `query($id: ID!) { incident(id: $id) { id address assignee } }`,
    place: `query($id: ID!) { place(id: $id) { id address attributes { creditCode industry } } }`,
    thing: `query($id: ID!) { thing(id: $id) { id address ownerUnit } }`,
  };

  async function stored() {
    const [i] = await hub.sql(`select address, assignee from incident where id = $1`, [incident]);
    const [p] = await hub.sql(`select address, attributes ->> 'creditCode' as "creditCode", attributes ->> 'industry' as industry from place where id = $1`, [place]);
    const [t] = await hub.sql(`select address, owner_unit as "ownerUnit" from thing where id = $1`, [thing]);
    return {
      incident: { id: incident, address: i.address, assignee: i.assignee },
      place: { id: place, address: p.address, attributes: { creditCode: p.creditCode, industry: p.industry } },
      thing: { id: thing, address: t.address, ownerUnit: t.ownerUnit },
    };
  }

  it('an ANALYST sees ID and mobile numbers masked in every free-text field', async () => {
    const rows = await stored();
    const seen = {
      incident: (ok(await hub.gql(analyst, QUERIES.incident, { id: incident })) as any).incident,
      place: (ok(await hub.gql(analyst, QUERIES.place, { id: place })) as any).place,
      thing: (ok(await hub.gql(analyst, QUERIES.thing, { id: thing })) as any).thing,
    };
    expect(seen).toEqual({
      incident: { id: incident, address: maskedText(rows.incident.address), assignee: maskedText(rows.incident.assignee) },
      place: {
        id: place,
        address: maskedText(rows.place.address),
        attributes: { creditCode: maskedText(rows.place.attributes.creditCode), industry: maskedText(rows.place.attributes.industry) },
      },
      thing: { id: thing, address: maskedText(rows.thing.address), ownerUnit: maskedText(rows.thing.ownerUnit) },
    });
    const text = JSON.stringify(seen);
    expect(text).not.toContain(ID_NUMBER);
    expect(text).not.toContain(MOBILE);
  });

  it('an ADMIN sees them as stored', async () => {
    const rows = await stored();
    expect(rows.incident.address).toContain(ID_NUMBER);
    expect((ok(await hub.gql(admin, QUERIES.incident, { id: incident })) as any).incident).toEqual(rows.incident);
    expect((ok(await hub.gql(admin, QUERIES.place, { id: place })) as any).place).toEqual(rows.place);
    expect((ok(await hub.gql(admin, QUERIES.thing, { id: thing })) as any).thing).toEqual(rows.thing);
  });
});

describe('B4: source record payloads are masked whatever the field is called and however the value is written', () => {
  let person: string;
  let planted: string[];
  const DATES = ['19850101', '1985/01/01', '1985-01-01T00:00:00Z'];

  beforeAll(async () => {
    [{ id: person }] = await hub.sql(`select id::text from person where grid_code like $1 order by id limit 1`, [`${COUNTY}%`]);
    // The ID number as a JSON number (written as SQL text, so PostgreSQL keeps all 18 digits), and a birth date in
    // each way systems write one, under a pinyin key (出生日期 csrq) and an English one.
    const payloads = [
      `{"xm": "测试", "zjhm": ${ID_NUMBER}, "csrq": "${DATES[0]}", "birthday": "${DATES[1]}"}`,
      `{"csrq": "${DATES[1]}", "birthday": "${DATES[2]}"}`,
      `{"csrq": "${DATES[2]}", "birthday": "${DATES[0]}"}`,
    ];
    planted = [];
    for (const [i, payload] of payloads.entries()) {
      const [row] = await hub.sql(
        `insert into source_record (entity_kind, entity_id, source, source_key, version, observed_at, payload)
         values ('PERSON', $1, 'GRID_APP', $2, 1, now(), $3::jsonb) returning id::text`,
        [person, `access-leaks-b4-${i}`, payload],
      );
      planted.push(row.id);
    }
  });

  const QUERY = `query($id: ID!) { person(id: $id) { sourceRecords { id payload } } }`;

  /** Digits of a value with the year 1985 taken out once: a month and day 01-01 must not be left. */
  const revealsMonthDay = (value: unknown) => String(value).replace(/\D/g, '').replace('1985', '').includes('0101');

  it('an ANALYST sees neither the ID number nor the full birth dates', async () => {
    const data: any = ok(await hub.gql(analyst, QUERY, { id: person }));
    const records = planted.map((id) => data.person.sourceRecords.find((r: any) => r.id === id));
    expect(records.every((r) => r !== undefined)).toBe(true);
    for (const { payload } of records) {
      const text = JSON.stringify(payload);
      expect(text).not.toContain(ID_NUMBER.slice(0, 14));
      expect(text.replace(/\D/g, '')).not.toContain('19850101');
      for (const date of DATES) expect(text).not.toContain(date);
      for (const key of ['csrq', 'birthday']) {
        expect({ key, value: payload[key], revealsMonthDay: revealsMonthDay(payload[key]) }).toEqual({
          key,
          value: payload[key],
          revealsMonthDay: false,
        });
        expect(String(payload[key])).toContain('1985');
      }
    }
    expect(String(records[0].payload.zjhm)).not.toContain(ID_NUMBER.slice(6, 14));
    expect(records[0].payload.xm).toBe('测试');
  });

  it('an ADMIN sees the payloads as stored', async () => {
    const rows = await hub.sql(`select id::text, payload from source_record where id = any($1::bigint[]) order by id`, [planted]);
    const data: any = ok(await hub.gql(admin, QUERY, { id: person }));
    const seen = data.person.sourceRecords.filter((r: any) => planted.includes(r.id));
    expect(seen).toEqual(rows.map((r) => ({ id: r.id, payload: r.payload })));
    expect(JSON.stringify(seen)).toContain('1985/01/01');
    expect(JSON.stringify(seen)).toContain(ID_NUMBER.slice(0, 14));
  });
});

describe('a cursor belongs to its list', () => {
  let command: string;

  beforeAll(async () => {
    command = await hub.token({ roles: [Role.COMMAND_CENTER], region: CITY });
  });

  async function endCursor(list: ListName): Promise<string> {
    const data: any = ok(await hub.gql(command, listQuery(list), { first: 2 }));
    expect(data[list].pageInfo.hasNextPage).toBe(true);
    return data[list].pageInfo.endCursor;
  }

  it('an incidents cursor passed to people is BAD_USER_INPUT on `after`', async () => {
    const after = await endCursor('incidents');
    expectError(await hub.gql(command, listQuery('people'), { first: 2, after }), 'BAD_USER_INPUT', 'after');
  });

  it('a places cursor passed to things is BAD_USER_INPUT on `after`', async () => {
    const after = await endCursor('places');
    expectError(await hub.gql(command, listQuery('things'), { first: 2, after }), 'BAD_USER_INPUT', 'after');
  });

  it('a cursor of the same list still continues it', async () => {
    for (const list of ALL_LISTS) {
      const after = await endCursor(list);
      const data: any = ok(await hub.gql(command, listQuery(list), { first: 2, after }));
      expect(data[list].edges).toHaveLength(2);
    }
  });
});

describe('link lists are capped and paged', () => {
  /** How many links the planted place, person and incident get: more than the default page of 20. */
  const MANY = 23;
  let place: string;
  let person: string;
  let incident: string;

  beforeAll(async () => {
    // The place and the person with the most links in the county, topped up with links to the county's people
    // and places (ADMIN reads them all, so every link in the database is visible).
    [{ id: place }] = await hub.sql(
      `select pp.place_id::text as id from person_place pp join place p on p.id = pp.place_id where p.grid_code like $1
        group by pp.place_id order by count(*) desc, pp.place_id limit 1`,
      [`${COUNTY}%`],
    );
    [{ id: person }] = await hub.sql(
      `select pp.person_id::text as id from person_place pp join person p on p.id = pp.person_id where p.grid_code like $1
        group by pp.person_id order by count(*) desc, pp.person_id limit 1`,
      [`${COUNTY}%`],
    );
    [{ id: incident }] = await hub.sql(
      `select e.incident_id::text as id from incident_event e join incident i on i.id = e.incident_id where i.grid_code like $1
        group by e.incident_id order by count(*) desc, e.incident_id limit 1`,
      [`${COUNTY}%`],
    );
    await hub.sql(
      `insert into person_place (person_id, place_id, role)
       select p.id, $1, 'EMPLOYEE' from person p where p.grid_code like $2 order by p.id limit $3
       on conflict do nothing`,
      [place, `${COUNTY}%`, MANY],
    );
    await hub.sql(
      `insert into person_place (person_id, place_id, role)
       select $1, p.id, 'TENANT' from place p where p.grid_code like $2 order by p.id limit $3
       on conflict do nothing`,
      [person, `${COUNTY}%`, MANY],
    );
    await hub.sql(
      `insert into incident_party (incident_id, person_id, role)
       select $1, p.id, 'WITNESS' from person p where p.grid_code like $2 order by p.id limit $3
       on conflict do nothing`,
      [incident, `${COUNTY}%`, MANY],
    );
    // Events as the workflow appends them: a few notes, so the log is long enough to page by 2 several times.
    await hub.sql(
      `insert into incident_event (incident_id, grid_code, category, type, actor, note, to_status, at)
       select i.id, i.grid_code, i.category, 'UPDATED', 'access-leaks-test', 'note ' || n, i.status, now()
         from incident i, generate_series(1, 5) n where i.id = $1`,
      [incident],
    );
  });

  /**
   * Pages through a link list with `first: 2`, passing as `after` what `cursorOf` reads from the last item of each
   * page, until a page comes back short. Arguments are inlined as literals so that `after` fits whether the
   * schema types it String or ID.
   */
  async function pageLinks(
    query: (args: string) => string,
    itemsOf: (data: any) => any[],
    cursorOf: (item: any) => string,
    total: number,
  ): Promise<any[]> {
    const items: any[] = [];
    let after: string | null = null;
    for (let page = 0; ; page++) {
      const args: string = after === null ? 'first: 2' : `first: 2, after: ${JSON.stringify(after)}`;
      const batch = itemsOf(ok(await hub.gql(admin, query(args))));
      expect(batch.length).toBeLessThanOrEqual(2);
      items.push(...batch);
      if (batch.length < 2) return items;
      after = cursorOf(batch[batch.length - 1]);
      if (page > total / 2 + 2) throw new Error(`paging did not end after ${page} pages (${total} links)`);
    }
  }

  const noDuplicates = (keys: string[]) => expect(new Set(keys).size).toBe(keys.length);

  /** A link two systems both sent is one link: the first row of each (parent, target, role). */
  const FIRST_OF_LINK = (table: string) =>
    table === 'person_place'
      ? 'not exists (select 1 from person_place d where d.person_id = l.person_id and d.place_id = l.place_id and d.role = l.role and d.id < l.id)'
      : 'not exists (select 1 from incident_party d where d.incident_id = l.incident_id and d.person_id = l.person_id and d.role = l.role and d.id < l.id)';

  // Each link list: its parent, the SQL of its links in order, and the field and target it answers with.
  const LINK_LISTS = [
    { name: 'place.people', parent: () => place, sql: `select person_id::text as id, role from person_place l where place_id = $1 and ${FIRST_OF_LINK('person_place')} order by l.id`, root: 'place', field: 'people', target: 'person' },
    { name: 'person.places', parent: () => person, sql: `select place_id::text as id, role from person_place l where person_id = $1 and ${FIRST_OF_LINK('person_place')} order by l.id`, root: 'person', field: 'places', target: 'place' },
    { name: 'incident.parties', parent: () => incident, sql: `select person_id::text as id, role from incident_party l where incident_id = $1 and ${FIRST_OF_LINK('incident_party')} order by l.id`, root: 'incident', field: 'parties', target: 'person' },
  ];
  for (const list of LINK_LISTS) {
    it(`${list.name}: pages of 2 by cursor give exactly the links of the database, in order`, async () => {
      const links = await hub.sql(list.sql, [list.parent()]);
      expect(links.length).toBeGreaterThan(20);
      const seen = await pageLinks(
        (args) => `{ ${list.root}(id: ${JSON.stringify(list.parent())}) { ${list.field}(${args}) { cursor role ${list.target} { id } } } }`,
        (data) => data[list.root][list.field],
        (link) => link.cursor,
        links.length,
      );
      expect(seen.map((link) => ({ id: link[list.target].id, role: link.role }))).toEqual(links);
      noDuplicates(seen.map((link) => link.cursor));
    });
  }

  it('incident.events: pages of 2 after the last seq give exactly the events of the database, in seq order', async () => {
    const events = await hub.sql(`select seq::text, type from incident_event where incident_id = $1 order by incident_event.seq`, [incident]);
    expect(events.length).toBeGreaterThanOrEqual(6);
    const seen = await pageLinks(
      (args) => `{ incident(id: ${JSON.stringify(incident)}) { events(${args}) { seq type } } }`,
      (data) => data.incident.events,
      (event) => event.seq,
      events.length,
    );
    expect(seen).toEqual(events);
    noDuplicates(seen.map((event) => event.seq));
  });

  it('a link list without `first` holds the first 20', async () => {
    const data: any = ok(
      await hub.gql(
        admin,
        `query($place: ID!, $person: ID!, $incident: ID!) {
          place(id: $place) { people { cursor } }
          person(id: $person) { places { cursor } }
          incident(id: $incident) { parties { cursor } } }`,
        { place, person, incident },
      ),
    );
    expect(data.place.people).toHaveLength(20);
    expect(data.person.places).toHaveLength(20);
    expect(data.incident.parties).toHaveLength(20);
  });

  it('`first` above 100 is BAD_USER_INPUT on `first`, on every link list', async () => {
    const queries = [
      `{ place(id: ${JSON.stringify(place)}) { people(first: 101) { role } } }`,
      `{ person(id: ${JSON.stringify(person)}) { places(first: 101) { role } } }`,
      `{ incident(id: ${JSON.stringify(incident)}) { parties(first: 101) { role } } }`,
      `{ incident(id: ${JSON.stringify(incident)}) { events(first: 101) { seq } } }`,
    ];
    for (const query of queries) expectError(await hub.gql(admin, query), 'BAD_USER_INPUT', 'first');
    // 100 is allowed.
    const data: any = ok(await hub.gql(admin, `{ place(id: ${JSON.stringify(place)}) { people(first: 100) { role } } }`));
    const [{ n }] = await hub.sql(`select count(*)::int as n from person_place l where place_id = $1 and ${FIRST_OF_LINK('person_place')}`, [place]);
    expect(data.place.people).toHaveLength(Math.min(100, n));
  });
});
