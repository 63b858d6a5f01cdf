import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../src/auth/viewer';
import { SourceSystem } from '../../src/sources/source-system';
import { expectError, Hub, ok, startHub, wsQuery } from '../support/harness';

/**
 * What a masked role must not be able to reconstruct, and what a department reads of others' data:
 * a masked ID number plus an exact birth date is the whole number; a department token reads what it sent.
 */
let hub: Hub;
beforeAll(async () => {
  hub = await startHub();
});
afterAll(() => hub.close());

const PERSON = `query ($id: ID!) { person(id: $id) {
  idNumber phone birthDate tags socialSecurity { insured } civilAffairs { allowances { type } } governance { riskLevel }
  lineage { source sourceRecordId } sourceRecords { source sourceKey } } }`;

describe('masked roles cannot recover ID numbers from birth dates', () => {
  it('shows an ANALYST only the birth year, and filters birth dates by whole years only', async () => {
    const analyst = await hub.token({ roles: [Role.ANALYST], region: '1503' });
    const [row] = await hub.sql<{ id: string; birth_date: string }>(
      "select id::text, to_char(birth_date, 'YYYY-MM-DD') as birth_date from person order by id limit 1",
    );
    const { person } = ok(await hub.gql(analyst, PERSON, { id: row.id }));
    expect(person.birthDate).toBe(`${row.birth_date.slice(0, 4)}-**-**`);
    const list = `query ($filter: PersonFilter) { people(filter: $filter) { totalCount } }`;
    expectError(await hub.gql(analyst, list, { filter: { bornFrom: row.birth_date, bornTo: row.birth_date } }), 'FORBIDDEN', 'filter.bornFrom');
    const year = row.birth_date.slice(0, 4);
    const byYear = ok(await hub.gql(analyst, list, { filter: { bornFrom: `${year}-01-01`, bornTo: `${year}-12-31` } }));
    const [{ count }] = await hub.sql(`select count(*)::int as count from person where extract(year from birth_date) = ${year}`);
    expect(byYear.people.totalCount).toBe(count);
  });

  it('may not order people by birth date (the order next to masked ID numbers gives the dates away)', async () => {
    const analyst = await hub.token({ roles: [Role.ANALYST], region: '1503' });
    const result = await hub.gql(analyst, '{ people(orderBy: { field: BIRTH_DATE }) { totalCount } }');
    expectError(result, 'FORBIDDEN', 'orderBy');
    const command = await hub.token({ roles: [Role.COMMAND_CENTER], region: '1503' });
    ok(await hub.gql(command, '{ people(orderBy: { field: BIRTH_DATE }) { totalCount } }'));
  });

  it('shows exact birth dates to roles that see personal data', async () => {
    const command = await hub.token({ roles: [Role.COMMAND_CENTER], region: '1503' });
    const [row] = await hub.sql("select id::text, to_char(birth_date, 'YYYY-MM-DD') as birth_date from person order by id limit 1");
    expect(ok(await hub.gql(command, PERSON, { id: row.id })).person.birthDate).toBe(row.birth_date);
  });

  it('masks a token that combines ANALYST with a role that may see personal data', async () => {
    const mixed = await hub.token({ roles: [Role.ANALYST, Role.DEPARTMENT], region: '1503', source: SourceSystem.SOCIAL_SECURITY });
    const [row] = await hub.sql('select id::text, id_number from person order by id limit 1');
    const { person } = ok(await hub.gql(mixed, PERSON, { id: row.id }));
    expect(person.idNumber).toBe(`${row.id_number.slice(0, 6)}********${row.id_number.slice(-4)}`);
  });

  it('rejects bornTo before bornFrom', async () => {
    const command = await hub.token({ roles: [Role.COMMAND_CENTER], region: '1503' });
    const result = await hub.gql(command, '{ people(filter: { bornFrom: "2000-01-01", bornTo: "1999-12-31" }) { totalCount } }');
    expectError(result, 'BAD_USER_INPUT', 'filter.bornTo');
  });
});

describe('a department token reads what its own system sent', () => {
  it('sees only its own facet, no governance tags, and only its own lineage and source records', async () => {
    const civil = await hub.token({ roles: [Role.DEPARTMENT], region: '1503', source: SourceSystem.CIVIL_AFFAIRS });
    const [row] = await hub.sql(
      `select p.id::text from person p
        where p.governance is not null and p.social_security is not null and p.civil_affairs is not null
          and cardinality(p.tags) > 0
          and exists (select 1 from source_record s where s.entity_kind = 'PERSON' and s.entity_id = p.id and s.source = 'CIVIL_AFFAIRS')
        order by p.id limit 1`,
    );
    const { person } = ok(await hub.gql(civil, PERSON, { id: row.id }));
    expect(person.civilAffairs).not.toBeNull();
    expect(person.socialSecurity).toBeNull();
    expect(person.governance).toBeNull();
    expect(person.tags).toEqual([]);
    for (const entry of [...person.lineage, ...person.sourceRecords]) expect(entry.source).toBe('CIVIL_AFFAIRS');
    const admin = await hub.token({ roles: [Role.ADMIN] });
    const full = ok(await hub.gql(admin, PERSON, { id: row.id })).person;
    expect(full.governance).not.toBeNull();
    expect(full.tags.length).toBeGreaterThan(0);
    expect(new Set(full.sourceRecords.map((r: any) => r.source)).size).toBeGreaterThan(1);
  });

  it('may not filter by governance tags', async () => {
    const civil = await hub.token({ roles: [Role.DEPARTMENT], region: '1503', source: SourceSystem.CIVIL_AFFAIRS });
    const result = await hub.gql(civil, '{ people(filter: { tagsAny: [KEY_PETITIONER] }) { totalCount } }');
    expectError(result, 'FORBIDDEN', 'filter.tagsAny');
  });
});

describe('inputs that reach the database', () => {
  it('answers control characters in text filters with BAD_USER_INPUT', async () => {
    const admin = await hub.token({ roles: [Role.ADMIN] });
    const result = await hub.gql(admin, 'query ($t: String) { places(filter: { nameContains: $t }) { totalCount } }', { t: 'a\u0000' });
    expectError(result, 'BAD_USER_INPUT', 'filter.nameContains');
  });
});

describe('tokens on an open WebSocket', () => {
  it('fails operations with UNAUTHENTICATED once the token has expired, without dropping the socket', async () => {
    const shortLived = await hub.token({ roles: [Role.COMMAND_CENTER], region: '1503' }, '2s');
    const client = hub.ws(shortLived, { lazy: false });
    const before = await wsQuery(client, '{ region(code: "1503") { name } }');
    expect(before.data.region.name).toBe('乌海市');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const after = await wsQuery(client, '{ region(code: "1503") { name } }').catch((error) => ({ thrown: error }));
    expect(after).toMatchObject({ thrown: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) })] });
    // A new connection with the expired token is refused.
    const refused = await wsQuery(hub.ws(shortLived), '{ region(code: "1503") { name } }').catch((error) => error);
    expect(refused).toMatchObject({ code: 4403 });
  });
});

describe('free text of incidents', () => {
  it('masks ID and phone numbers written into titles, descriptions and feedback for an ANALYST', async () => {
    const [row] = await hub.sql<{ id: string; id_number: string }>(
      'select i.id::text, p.id_number from incident i, person p order by i.id, p.id limit 1',
    );
    await hub.sql(
      "update incident set title = 'call 13812345678', description = $2, feedback = 'done, 13912345678' where id = $1",
      [row.id, `reported by ${row.id_number}`],
    );
    const query = 'query ($id: ID!) { incident(id: $id) { title description feedback } }';
    const analyst = await hub.token({ roles: [Role.ANALYST], region: '1503' });
    expect(ok(await hub.gql(analyst, query, { id: row.id })).incident).toEqual({
      title: 'call 138****5678',
      description: `reported by ${row.id_number.slice(0, 6)}********${row.id_number.slice(-4)}`,
      feedback: 'done, 139****5678',
    });
    const command = await hub.token({ roles: [Role.COMMAND_CENTER], region: '1503' });
    expect(ok(await hub.gql(command, query, { id: row.id })).incident.description).toBe(`reported by ${row.id_number}`);
  });
});

describe('dates and notes that give personal data away', () => {
  it('shows an ANALYST only the year an allowance started (a senior allowance starts on a birthday)', async () => {
    const [row] = await hub.sql<{ id: string }>(
      "select id::text from person where civil_affairs->'allowances' @> '[{\"type\": \"SENIOR\"}]' order by id limit 1",
    );
    expect(row).toBeDefined();
    const query = 'query ($id: ID!) { person(id: $id) { civilAffairs { allowances { type since } } sourceRecords { payload } } }';
    const analyst = await hub.token({ roles: [Role.ANALYST], region: '1503' });
    const { person } = ok(await hub.gql(analyst, query, { id: row.id }));
    for (const allowance of person.civilAffairs.allowances) {
      if (allowance.since !== null) expect(allowance.since).toMatch(/^\d{4}-\*\*-\*\*$/);
    }
    expect(JSON.stringify(person.sourceRecords)).not.toMatch(/"\d{4}-\d{2}-\d{2}"/);
    const command = await hub.token({ roles: [Role.COMMAND_CENTER], region: '1503' });
    const full = ok(await hub.gql(command, query, { id: row.id })).person;
    expect(full.civilAffairs.allowances.some((a: any) => /^\d{4}-\d{2}-\d{2}$/.test(a.since ?? ''))).toBe(true);
  });

  it('masks numbers in incident event notes and incident source keys', async () => {
    const [event] = await hub.sql<{ incident_id: string; seq: string }>('select incident_id::text, seq::text from incident_event order by seq limit 1');
    await hub.sql("update incident_event set note = '已回访，联系人+86 138-1234-5678' where seq = $1", [event.seq]);
    await hub.sql("update incident set source_key = 'GA-11010519491231002X' where id = $1", [event.incident_id]);
    const query = 'query ($id: ID!) { incident(id: $id) { sourceKey events { seq note } } }';
    const analyst = await hub.token({ roles: [Role.ANALYST], region: '1503' });
    const { incident } = ok(await hub.gql(analyst, query, { id: event.incident_id }));
    expect(incident.sourceKey).toBe('GA-110105********002X');
    expect(incident.events.find((e: any) => e.seq === event.seq).note).toBe('已回访，联系人138****5678');
  });
});
