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

  /** The statements `action` ran, with the name of those run as named prepared statements. */
  async function statementsOf(action: () => Promise<unknown>): Promise<Array<{ sql: string; named?: string }>> {
    const knex = hub.orm.em.getConnection().getKnex();
    const seen: Array<{ sql: string; named?: string }> = [];
    const listener = (query: { sql: string; named?: string }) => seen.push({ sql: query.sql, named: query.named });
    knex.on('query', listener);
    try {
      await action();
    } finally {
      knex.removeListener('query', listener);
    }
    return seen;
  }

  it('names the one-key reads of a person card, and their generic plans use indexes only, for a county and for a grid token', async () => {
    const [row] = await hub.sql<{ id: string; grid_code: string }>(
      `select p.id::text, p.grid_code from person p where p.grid_code like '150302%'
          and exists (select 1 from incident_party ip where ip.person_id = p.id and ip.role = 'REPORTER')
          and (select count(*) from person_place pp where pp.person_id = p.id) = 1
          and exists (select 1 from source_record sr where sr.entity_kind = 'PERSON' and sr.entity_id = p.id)
        order by p.id limit 1`,
    );
    expect(row).toBeDefined();
    const card = `query($id: ID!) { person(id: $id) { name grid { name } sourceRecords { source }
      places { role place { name } } incidents(role: REPORTER, first: 10, orderBy: { field: REPORTED_AT, direction: DESC }) { incident { caseNumber } } } }`;
    for (const region of ['150302', row.grid_code]) {
      const token = await hub.token({ sub: `prepared-${region}`, roles: [Role.COMMAND_CENTER], region });
      let answer: any;
      const statements = await statementsOf(async () => (answer = ok(await hub.gql(token, card, { id: row.id }))));
      // A grid's token may see none of the incidents and places (they may lie in other grids); the county's sees them.
      if (region === '150302') expect([answer.person.incidents.length > 0, answer.person.places.length]).toEqual([true, 1]);
      const named = statements.filter((statement) => statement.named);
      // The person, their incident links, place links and source records, each from the one person's key, and their
      // one place by its key (when the token sees it).
      expect(named.map((statement) => statement.sql.match(/from "?(\w+)"?/)![1]).sort()).toEqual(
        ['incident_party', 'person', 'person_place', 'source_record', ...(answer.person.places.length ? ['place'] : [])].sort(),
      );
      for (const statement of named) {
        const plan = (await hub.sql<{ 'QUERY PLAN': string }>(`explain (generic_plan) ${statement.sql}`)).map((line) => line['QUERY PLAN']).join('\n');
        // Nothing driven by the region: no index range over grid codes, no scan of an entity table, no hash of one
        // (the link tables of the test city are a few pages, which a plan may read whole whatever the region).
        expect({ sql: statement.sql, plan }).toEqual({
          sql: statement.sql,
          plan: expect.not.stringMatching(/(Index|Recheck) Cond: [^\n]*grid_code[^\n]*>=|(Seq|Bitmap Heap) Scan on (person|place|thing|incident|region) |Hash/),
        });
      }
      // The same answer again: the prepared statements are reused (same names), the answer the same.
      let again: any;
      const repeated = await statementsOf(async () => (again = ok(await hub.gql(token, card, { id: row.id }))));
      expect(repeated.filter((statement) => statement.named).map((statement) => statement.named)).toEqual(named.map((statement) => statement.named));
      expect(again).toEqual(answer);
    }
  });

  it('keeps at most NAMED_PER_CONNECTION prepared on a connection, and runs one it let go of again', async () => {
    // One connection, so that every statement lands on it.
    const orm = await MikroORM.init(ormConfig(hub.databaseUrl, {}, { pool: { min: 1, max: 1 } }));
    try {
      const reads = boundStatements(orm.em);
      const run = (i: number) => reads.run<{ n: number }>({ sql: `select ?::int + ${i} as n`, bindings: [1] }, { named: true });
      for (let i = 0; i < NAMED_PER_CONNECTION + 30; i++) expect((await run(i))[0].n).toBe(1 + i);
      const kept = async () => (await reads.run<{ n: number }>({ sql: 'select count(*)::int as n from pg_prepared_statements', bindings: [] }))[0].n;
      expect(await kept()).toBe(NAMED_PER_CONNECTION);
      // The first ones were let go of (deallocated): run again, they are prepared anew, and the count holds.
      expect((await run(0))[0].n).toBe(1);
      expect((await run(NAMED_PER_CONNECTION + 29))[0].n).toBe(NAMED_PER_CONNECTION + 30);
      expect(await kept()).toBe(NAMED_PER_CONNECTION);
    } finally {
      await orm.close(true);
    }
  });
});
