import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RawQueryFragment } from '@mikro-orm/core';
import { Role } from '../../src/auth/viewer';
import { Hub, ok, startHub } from '../support/harness';

/** List pages load only the columns the query selects (plus id, grid code and the order key). */
describe('lean list reads', () => {
  let hub: Hub;
  let token: string;
  beforeAll(async () => {
    hub = await startHub();
    token = await hub.token({ roles: [Role.COMMAND_CENTER], region: '1503' });
  });
  afterAll(() => hub.close());

  const listStatement = (statements: string[], table: string) =>
    statements.find((sql) => sql.startsWith('select') && sql.includes(`from "${table}" as "e"`) && !sql.includes('count('))!;

  it('selects only the requested person columns, through fragments too', async () => {
    const query = `{ people(first: 5, orderBy: { field: NAME }) { edges { node { ...P } } } }
      fragment P on Person { name ... on Person { gender } grid { name } }`;
    const statements = await hub.captureStatements(async () => ok(await hub.gql(token, query)));
    const sql = listStatement(statements, 'person');
    expect(sql).toBeDefined();
    for (const column of ['"name"', '"gender"', '"grid_code"', '"id"']) expect(sql).toContain(column);
    for (const column of ['social_security', 'civil_affairs', 'governance', 'lineage', 'id_number', 'phone']) {
      expect(sql).not.toContain(column);
    }
  });

  it('loads the columns a field resolver needs (location, incident links)', async () => {
    const query = '{ incidents(first: 3) { edges { node { caseNumber location { lng lat } place { name } } } } }';
    const statements = await hub.captureStatements(async () => ok(await hub.gql(token, query)));
    const sql = listStatement(statements, 'incident');
    for (const column of ['"case_number"', '"lng"', '"lat"', '"place_id"']) expect(sql).toContain(column);
    expect(sql).not.toContain('"description"');
  });

  it('answers fully when a partly loaded row is met again through a nested path', async () => {
    // The same people appear as a lean list row and as incident parties (loaded whole by the loader).
    const [row] = await hub.sql(
      `select p.id::text, p.id_number, p.phone from incident_party ip join person p on p.id = ip.person_id
        where p.id in (select id from person order by id limit 100) order by p.id limit 1`,
    );
    expect(row).toBeDefined();
    const query = `query ($id: ID!) {
      people(first: 100) { edges { node { id name } } }
      person(id: $id) { id idNumber phone }
      incidents(first: 100) { edges { node { parties { person { id idNumber phone } } } } }
    }`;
    const data = ok(await hub.gql(token, query, { id: row.id }));
    expect(data.person).toEqual({ id: row.id, idNumber: row.id_number, phone: row.phone });
    for (const edge of data.incidents.edges) for (const party of edge.node.parties) expect(party.person.idNumber).toMatch(/^\d{17}[\dX]$/);
  });

  it('leaves nothing behind in MikroORM\'s process-wide cache of SQL conditions after 1,000 requests', async () => {
    // Every SQL condition of a query builder sits in that cache until the builder runs; a clone that never ran (a
    // page's count) or a count (MikroORM counts on a clone of its own) used to leave one or two entries a request.
    const queries = [
      '{ incidents(first: 5, filter: { regionCode: "150302" }) { edges { node { id place { name } parties { role } } } } }',
      '{ incidents(first: 5, filter: { regionCode: "150302" }) { totalCount edges { node { id } } } }',
      '{ people(first: 5, filter: { regionCode: "150302", nameContains: "王" }) { totalCount edges { node { id grid { name } places { role } } } } }',
      '{ people(first: 1) { edges { node { id regionPath { code } sourceRecords { id } lineage { field } } } } }',
      '{ regions(parentCode: "150302") { code name } }',
    ];
    const admin = await hub.token({ roles: [Role.ADMIN] });
    const before = RawQueryFragment.checkCacheSize();
    for (let i = 0; i < 1000; i++) ok(await hub.gql(i % 2 === 0 ? token : admin, queries[i % queries.length]));
    expect(RawQueryFragment.checkCacheSize()).toBe(before);
  }, 120_000);
});
