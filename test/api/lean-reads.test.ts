import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { RawQueryFragment } from '@mikro-orm/core';
import { Role } from '../../src/auth/viewer';
import { Hub, ok, startHub, wsQuery } from '../support/harness';

/** List pages load only the columns the query selects (plus id, grid code and the order key). */
describe('lean list reads', () => {
  let hub: Hub;
  let token: string;
  beforeAll(async () => {
    hub = await startHub();
    token = await hub.token({ roles: [Role.COMMAND_CENTER], region: '1503' });
  });
  afterAll(() => hub.close());

  // A row by its key is read from a fence (`from (select * from "person" k where k.id = … offset 0) e`).
  const listStatement = (statements: string[], table: string) =>
    statements.find((sql) => sql.startsWith('select') && (sql.includes(`from "${table}" as "e"`) || sql.includes(`from "${table}" k `)) && !sql.includes('count('))!;

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

  it('reads a linked row with the columns its field selects: a place by id, a party with its person, a person by id', async () => {
    const query = `query ($id: ID!) {
      incidents(first: 100) { edges { node { place { name } parties { person { name } } } } }
      person(id: $id) { name }
    }`;
    const [row] = await hub.sql(`select id::text from person where grid_code like '1503%' order by id limit 1`);
    const statements = await hub.captureStatements(async () => ok(await hub.gql(token, query, { id: row.id })));
    const place = listStatement(statements, 'place');
    expect(place).toMatch(/e\."name"/);
    for (const column of ['attributes', 'lineage', 'address']) expect(place).not.toContain(column);
    const parties = statements.find((sql) => sql.includes('from incident_party l'))!;
    expect(parties).toContain('"t:name"');
    for (const column of ['t:lineage', 't:social_security', 't:id_number']) expect(parties).not.toContain(column);
    const person = listStatement(statements, 'person');
    expect(person).toMatch(/e\."name"/);
    expect(person).not.toContain('lineage');
  });

  it('reads a page\'s grids with its rows (no statement of their own), the same grids region(code) answers', async () => {
    const query = `{ incidents(first: 30) { edges { node { gridCode grid { code name level parentCode divisionCode } } } } }`;
    let data: any;
    const statements = await hub.captureStatements(async () => (data = ok(await hub.gql(token, query))));
    expect(statements.filter((sql) => /from "region"/.test(sql) && !/join "region"/.test(sql))).toEqual([]);
    expect(listStatement(statements, 'incident')).toContain('left join "region" as "gr" on gr.code = e.grid_code');
    expect(data.incidents.edges.length).toBeGreaterThan(0);
    for (const { node } of data.incidents.edges) {
      const direct = ok(await hub.gql(token, 'query($code: String!) { region(code: $code) { code name level parentCode divisionCode } }', { code: node.gridCode }));
      expect(node.grid).toEqual(direct.region);
    }
    // Its boundary, asked for beside, is read on its own (a grid read with a page leaves it out).
    const withBoundary = ok(await hub.gql(token, '{ incidents(first: 3) { edges { node { grid { code boundary } } } } }'));
    for (const { node } of withBoundary.incidents.edges) {
      const [row] = await hub.sql('select boundary from region where code = $1', [node.grid.code]);
      expect(node.grid.boundary).toEqual(row.boundary);
    }
  });

  it('makes a row of any set of columns alike: 70 different selections of one person (past the 64 shapes built ahead)', async () => {
    const [row] = await hub.sql(`select id::text from person where grid_code like '1503%' and phone is not null order by id limit 1`);
    const fields = ['name', 'gender', 'birthDate', 'phone', 'address', 'householdType', 'idNumber', 'idCollision', 'createdAt', 'updatedAt'];
    const query = (selected: string[]) => `query($id: ID!) { person(id: $id) { id ${selected.join(' ')} } }`;
    const whole = ok(await hub.gql(token, query(fields), { id: row.id })).person;
    expect(whole.phone).toBeTruthy();
    for (let mask = 1; mask <= 70; mask++) {
      const selected = fields.filter((_, i) => (mask & (1 << i)) !== 0);
      const answer = ok(await hub.gql(token, query(selected), { id: row.id })).person;
      expect(answer).toEqual(Object.fromEntries([['id', row.id], ...selected.map((field) => [field, whole[field]])]));
    }
  });

  it('answers each selection of the same row in full: a place asked twice with different fields in one request', async () => {
    const query = `{ incidents(first: 100) { edges { node { a: place { name } b: place { id name address kind } } } } }`;
    const data = ok(await hub.gql(token, query));
    const withPlace = data.incidents.edges.filter((edge: any) => edge.node.b !== null);
    expect(withPlace.length).toBeGreaterThan(0);
    for (const { node } of withPlace) {
      const [place] = await hub.sql(`select id::text, name, address, kind from place where id = $1`, [node.b.id]);
      expect(node.b).toEqual(place);
      expect(node.a).toEqual({ name: place.name });
    }
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

  it('keeps no memory per request: the heap holds no more data after 1,000 more requests of lists, nested pages and lookups', async () => {
    // The hub runs in this process (startHub), so its heap is this heap. Each reading follows full collections, so
    // it counts only what something still holds; `gc` is V8's, reached without --expose-gc on jest's command line.
    // Code is left out (V8's code spaces): the compiler keeps optimising the hub's functions for thousands of
    // requests (+0.6 to +0.9 MiB of code over 2,000 here, flattening out), which is not memory kept per request.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const data = async () => {
      for (let i = 0; i < 3; i++) {
        gc();
        await new Promise((resolve) => setImmediate(resolve));
      }
      return getHeapSpaceStatistics()
        .filter((space) => !space.space_name.startsWith('code'))
        .reduce((sum, space) => sum + space.space_used_size, 0);
    };
    const people = (await hub.sql<{ id: string }>('select id::text from person order by id limit 200')).map((row) => row.id);
    const places = (await hub.sql<{ id: string }>('select id::text from place order by id limit 200')).map((row) => row.id);
    const towns = (await hub.sql<{ code: string }>(`select code from region where level = 'TOWN' and code like '1503%' order by code`)).map((row) => row.code);
    const admin = await hub.token({ roles: [Role.ADMIN] });
    // Values change from request to request (ids, regions, cursors, page sizes): a cache keyed by a statement with
    // its values written in, or by the values, would grow with each.
    const request = async (i: number) => {
      const viewer = i % 3 === 0 ? admin : token;
      switch (i % 4) {
        case 0:
          return ok(await hub.gql(viewer, `query($region: String, $first: Int) { incidents(filter: { regionCode: $region }, first: $first, orderBy: { field: REPORTED_AT, direction: DESC }) {
            totalCount pageInfo { endCursor } edges { node { id caseNumber grid { name } } } } }`, { region: towns[i % towns.length], first: 5 + (i % 20) }));
        case 1:
          return ok(await hub.gql(viewer, `query($first: Int) { people(first: $first, orderBy: { field: NAME }) {
            edges { node { id name grid { name } places { role place { name } } sourceRecords { source } } } } }`, { first: 3 + (i % 10) }));
        case 2:
          return ok(await hub.gql(viewer, `query($id: ID!, $place: ID!) { person(id: $id) { id name regionPath { code } lineage { field } }
            place(id: $place) { id name people { role person { id } } } }`, { id: people[i % people.length], place: places[i % places.length] }));
        default:
          return ok(await hub.gql(viewer, `query($region: String) { incidents(filter: { regionCode: $region }, first: 10) { edges { node { id parties { role person { name } } events { type } } } } }`, { region: towns[(i * 7) % towns.length] }));
      }
    };
    for (let i = 0; i < 200; i++) await request(i);
    const readings = [await data()];
    for (let i = 200; i < 1200; i++) {
      await request(i);
      if ((i - 199) % 250 === 0) readings.push(await data());
    }
    // Tolerance: the last reading may lie at most 1 MiB above the lowest one before it — about 1 KiB a request over
    // 1,000. Anything kept per request holds at least a statement's text (300–1,500 characters here, 5–8 statements
    // a request) or a row, so a leak shows as several MiB; without one the readings move by a few hundred KiB either
    // way (what the compiler keeps beside code, the pool's connections), and fall once by up to 3.5 MiB as something
    // of the hub's start is let go — the reason for the lowest reading rather than the first.
    const grewBy = readings[readings.length - 1] - Math.min(...readings.slice(0, -1));
    expect(grewBy).toBeLessThan(2 ** 20);
  }, 300_000);

  it('makes a request’s reader only when a field reads data: none for { __typename }, one per request that reads, over HTTP and WebSocket', async () => {
    // Apollo hands resolvers a copy of the context, and once read every getter of it while copying: every request
    // forked an entity manager and made all its loaders and services, whatever it asked.
    const fork = jest.spyOn(hub.orm.em, 'fork');
    const forksOf = async (action: () => Promise<unknown>) => {
      fork.mockClear();
      await action();
      return fork.mock.calls.length;
    };
    const reads = `{ region(code: "150302") { name } people(first: 2) { edges { node { name grid { name } } } } }`;
    const socket = hub.ws(token);
    try {
      expect(await forksOf(async () => ok(await hub.gql(token, '{ __typename }')))).toBe(0);
      expect(await forksOf(async () => ok(await hub.gql(token, reads)))).toBe(1);
      expect(await forksOf(async () => ok(await wsQuery(socket, '{ __typename }')))).toBe(0);
      expect(await forksOf(async () => ok(await wsQuery(socket, reads)))).toBe(1);
    } finally {
      fork.mockRestore();
    }
  });
});
