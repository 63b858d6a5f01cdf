import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/postgresql';
import { Role } from '../../src/auth/viewer';
import { boundStatements, NAMED_PER_CONNECTION } from '../../src/db/bound';
import { ormConfig } from '../../src/db/orm-config';
import { Hub, ok, startHub } from '../support/harness';

/**
 * Reads that start from one key run as named prepared statements, which PostgreSQL may plan once for all values
 * (src/db/bound.ts): their generic plans must reach every table by an index on the key or by primary key, whatever
 * the region of the token, and a connection keeps only so many of them.
 */
describe('prepared reads', () => {
  let hub: Hub;
  beforeAll(async () => {
    hub = await startHub();
  });
  afterAll(() => hub.close());

  /** The generic plan of `sql` (`$n` placeholders), as PostgreSQL would keep it for every value. */
  const genericPlan = async (sql: string) =>
    (await hub.sql<{ 'QUERY PLAN': string }>(`explain (generic_plan) ${sql}`)).map((line) => line['QUERY PLAN']).join('\n');
  // Nothing driven by the region: no index range over grid codes, no scan of an entity table, no hash of one (the link
  // tables of the test city are a few pages, which a plan may read whole whatever the region).
  const REGION_DRIVEN = /(Index|Recheck) Cond: [^\n]*grid_code[^\n]*>=|(Seq|Bitmap Heap) Scan on (person|place|thing|incident|region) |Hash/;

  it('names the one-key reads of a person card, an incident, a place and a thing, and their generic plans never scan a region, for any token', async () => {
    const [row] = await hub.sql<{ id: string; grid_code: string }>(
      `select p.id::text, p.grid_code from person p where p.grid_code like '150302%'
          and exists (select 1 from incident_party ip where ip.person_id = p.id and ip.role = 'REPORTER')
          and (select count(*) from person_place pp where pp.person_id = p.id) = 1
          and exists (select 1 from source_record sr where sr.entity_kind = 'PERSON' and sr.entity_id = p.id)
        order by p.id limit 1`,
    );
    expect(row).toBeDefined();
    const [incident] = await hub.sql<{ id: string }>(
      `select i.id::text from incident i where i.grid_code like '150302%' and exists (select 1 from incident_party ip where ip.incident_id = i.id) order by i.id limit 1`,
    );
    const [place] = await hub.sql<{ id: string }>(`select id::text from place where grid_code like '150302%' order by id limit 1`);
    const [thing] = await hub.sql<{ id: string }>(`select id::text from thing where grid_code like '150302%' order by id limit 1`);
    const card = `query($id: ID!) { person(id: $id) { name grid { name } sourceRecords { source }
      places { role place { name } } incidents(role: REPORTER, first: 10, orderBy: { field: REPORTED_AT, direction: DESC }) { incident { caseNumber } } } }`;
    const reads: Array<[string, Record<string, unknown>]> = [
      [card, { id: row.id }],
      [`query($id: ID!) { incident(id: $id) { caseNumber parties { role person { name } } events { type } } }`, { id: incident.id }],
      [`query($id: ID!) { place(id: $id) { name } }`, { id: place.id }],
      [`query($id: ID!) { thing(id: $id) { name } }`, { id: thing.id }],
    ];
    const tokens = {
      county: await hub.token({ sub: 'prepared-county', roles: [Role.COMMAND_CENTER], region: '150302' }),
      grid: await hub.token({ sub: 'prepared-grid', roles: [Role.COMMAND_CENTER], region: row.grid_code }),
      department: await hub.token({ sub: 'prepared-department', roles: [Role.DEPARTMENT], region: '1503', source: 'COMPREHENSIVE_GOVERNANCE' as never }),
    };
    for (const [who, token] of Object.entries(tokens)) {
      for (const [query, variables] of reads) {
        let answer: any;
        const statements = await hub.captureQueries(async () => (answer = ok(await hub.gql(token, query, variables))));
        const named = statements.filter((statement) => statement.named);
        // Every read here starts from one key: the row by id at least is named.
        expect({ who, query, named: named.length > 0 }).toEqual({ who, query, named: true });
        for (const statement of named) {
          expect({ who, sql: statement.sql, plan: await genericPlan(statement.sql) }).toEqual({ who, sql: statement.sql, plan: expect.not.stringMatching(REGION_DRIVEN) });
        }
        if (query === card && who === 'county') {
          // The person, their incident links, place links and source records, each from the one person's key, and
          // their one place by its key.
          expect([answer.person.incidents.length > 0, answer.person.places.length]).toEqual([true, 1]);
          expect(named.map((statement) => statement.sql.match(/from "?(\w+)"?/)![1]).sort()).toEqual(
            ['incident_party', 'person', 'person_place', 'place', 'source_record'].sort(),
          );
        }
        // The same answer again, from the same prepared statements.
        let again: any;
        const repeated = await hub.captureQueries(async () => (again = ok(await hub.gql(token, query, variables))));
        expect(repeated.filter((statement) => statement.named).map((statement) => statement.named)).toEqual(named.map((statement) => statement.named));
        expect(again).toEqual(answer);
      }
    }
  });

  it('applies the scope afresh on every run of a kept plan: a person moved out of a grid is gone for its token, their links with them', async () => {
    const [row] = await hub.sql<{ id: string; grid_code: string }>(
      `select p.id::text, p.grid_code from person p where p.grid_code like '150302%'
          and exists (select 1 from person_place pp join place pl on pl.id = pp.place_id where pp.person_id = p.id and pl.grid_code = p.grid_code)
        order by p.id limit 1`,
    );
    const [elsewhere] = await hub.sql<{ code: string }>(`select code from region where level = 'GRID' and code like '150303%' order by code limit 1`);
    const token = await hub.token({ sub: 'prepared-moved', roles: [Role.COMMAND_CENTER], region: row.grid_code });
    const card = `query($id: ID!) { person(id: $id) { name places { place { name } } sourceRecords { source } } }`;
    // Past PostgreSQL's five custom plans, so that what answers is the kept generic plan.
    for (let i = 0; i < 8; i++) expect(ok(await hub.gql(token, card, { id: row.id })).person.places.length).toBeGreaterThan(0);
    await hub.sql(`update person set grid_code = $1 where id = $2`, [elsewhere.code, row.id]);
    for (let i = 0; i < 3; i++) expect(ok(await hub.gql(token, card, { id: row.id })).person).toBeNull();
    // Its place still in the grid: the place is there, the moved person is not among its people.
    const [place] = await hub.sql<{ id: string }>(
      `select pl.id::text from person_place pp join place pl on pl.id = pp.place_id where pp.person_id = $1 and pl.grid_code = $2 order by pl.id limit 1`,
      [row.id, row.grid_code],
    );
    const people = ok(await hub.gql(token, `query($id: ID!) { place(id: $id) { people { person { id } } } }`, { id: place.id })).place.people;
    expect(people.map((link: { person: { id: string } }) => link.person.id)).not.toContain(row.id);
  });

  it('keeps at most NAMED_PER_CONNECTION prepared on a connection, and runs one it let go of again', async () => {
    // One connection, so that every statement lands on it.
    const orm = await MikroORM.init(ormConfig(hub.databaseUrl, {}, { pool: { min: 1, max: 1 } }));
    try {
      const reads = boundStatements(orm.em);
      const run = (i: number) => reads.run<{ n: number }>({ sql: `select ?::int + ${i} as n`, bindings: [1] }, { named: true });
      const announced: string[] = [];
      orm.em.getConnection().getKnex().on('query', (query: { sql: string }) => announced.push(query.sql));
      for (let i = 0; i < NAMED_PER_CONNECTION + 30; i++) expect((await run(i))[0].n).toBe(1 + i);
      // Each statement let go of is announced as the statement that frees it, like any other.
      expect(announced.filter((sql) => sql.startsWith('deallocate gridhub_'))).toHaveLength(30);
      const kept = async () => (await reads.run<{ n: number }>({ sql: 'select count(*)::int as n from pg_prepared_statements', bindings: [] }))[0].n;
      expect(await kept()).toBe(NAMED_PER_CONNECTION);
      // The first ones were let go of (deallocated): run again, they are prepared anew, and the count holds.
      expect((await run(0))[0].n).toBe(1);
      expect((await run(NAMED_PER_CONNECTION + 29))[0].n).toBe(NAMED_PER_CONNECTION + 30);
      expect(await kept()).toBe(NAMED_PER_CONNECTION);
      // Least recently used goes first: the oldest kept one, touched, stays; the next oldest makes room instead.
      const names = async () =>
        (await reads.run<{ statement: string }>({ sql: 'select statement from pg_prepared_statements', bindings: [] })).map((row) => row.statement);
      const oldest = 31; // 0–29 let go, 0 and 129 run again: 30 let go of to make room for 0.
      expect((await names()).some((text) => text.includes(`+ ${oldest - 1} as n`))).toBe(false);
      expect((await names()).some((text) => text.includes(`+ ${oldest} as n`))).toBe(true);
      await run(oldest);
      await run(NAMED_PER_CONNECTION + 30);
      const after = await names();
      expect(after.some((text) => text.includes(`+ ${oldest} as n`))).toBe(true);
      expect(after.some((text) => text.includes(`+ ${oldest + 1} as n`))).toBe(false);
    } finally {
      await orm.close(true);
    }
  });
});
