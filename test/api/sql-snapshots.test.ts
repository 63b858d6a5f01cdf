import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../src/auth/viewer';
import { Hub, ok, startHub } from '../support/harness';
import { captureSql, snapshotDirectory, sqlSnapshot } from '../support/sql-snapshot';

/**
 * The SQL of three key operations is kept as a snapshot beside this test (test/api/sql/*.sql), so a dropped scope
 * condition or an extra statement shows in review: a filtered `people` page with grid and places, an `incidents`
 * page with parties and events, and `person` by id. Statements carry placeholders, never values (reads are sent with
 * bind parameters, `$1`…); their order is made deterministic by captureSql (one statement in flight at a time while
 * capturing).
 *
 * UPDATE_SQL_SNAPSHOTS=1 rewrites the files instead of comparing. Regenerating cannot hide a dropped region scope:
 * every statement over person, place, thing or incident must carry the county's range condition whatever the
 * snapshot says.
 */

let hub: Hub;
/** A command-centre token limited to one county: every read carries the county's range condition. */
let county: string;
const COUNTY = '150302';
const SNAPSHOTS = snapshotDirectory(__dirname);

beforeAll(async () => {
  hub = await startHub();
  county = await hub.token({ roles: [Role.COMMAND_CENTER], region: COUNTY });
});

afterAll(async () => {
  await hub?.close();
});

/** Tables whose rows hang on a grid, each read of which must be limited to the viewer's region. */
const SCOPED_TABLE = /\b(?:from|join)\s+"?(person|place|thing|incident)"?(?=[\s;)]|$)/gi;

/** Checks the region scope of every statement over a grid-bound table: `<alias>.grid_code >= $n` (and `< $n`), or `left(<alias>.grid_code, 6) = $n`. */
function expectScoped(statements: readonly string[]): void {
  let scoped = 0;
  for (const sql of statements) {
    const tables = [...sql.matchAll(SCOPED_TABLE)].map((match) => match[1]);
    if (tables.length === 0) continue;
    scoped++;
    // One range condition per grid-bound table read: a county is [150302, 150303) on grid_code; or, where a list
    // is read from the index of the region's level, its code compared as that index has it: left(grid_code, 6) = $n.
    const lower = sql.match(/grid_code"? >= (?:\?|\$\d+)/g) ?? [];
    const upper = sql.match(/grid_code"? < (?:\?|\$\d+)/g) ?? [];
    const prefix = sql.match(/left\(\w+\.grid_code, 6\) = \$\d+/g) ?? [];
    if (lower.length + prefix.length < tables.length || upper.length + prefix.length < tables.length) {
      throw new Error(`a statement over ${tables.join(', ')} lacks the region scope (grid_code >= $n and < $n, or left(grid_code, 6) = $n):\n${sql}`);
    }
  }
  expect(scoped).toBeGreaterThan(0);
}

/** Runs `query` with the county token, capturing its statements twice; both runs must agree. */
async function statementsOf(query: string, variables: Record<string, unknown>): Promise<string[]> {
  const run = () => captureSql(hub, async () => ok(await hub.gql(county, query, variables)));
  const first = await run();
  // The loaders' caches live per request, so a second run issues the same statements; a difference means the
  // order (or the set) depends on timing, and the snapshot would flap.
  expect(await run()).toEqual(first);
  return first;
}

function expectSnapshot(name: string, title: string, statements: readonly string[]): void {
  expectScoped(statements);
  const { expected, actual } = sqlSnapshot(SNAPSHOTS, name, title, statements);
  expect(actual).toBe(expected);
}

describe(`SQL of key operations (COMMAND_CENTER limited to ${COUNTY})`, () => {
  it('a filtered people page with grid and places', async () => {
    const query = `query($filter: PersonFilter, $first: Int) {
      people(filter: $filter, first: $first) {
        totalCount pageInfo { hasNextPage endCursor }
        edges { cursor node { id name gridCode grid { code name } places { role place { id name gridCode } } } } } }`;
    const statements = await statementsOf(query, {
      filter: { regionCode: COUNTY, householdType: 'REGISTERED', nameContains: '王' },
      first: 20,
    });
    expectSnapshot('people-page', 'people(filter: { regionCode, householdType, nameContains }, first: 20) with grid and places', statements);
  });

  it('an incidents page with parties and events', async () => {
    const query = `query($filter: IncidentFilter, $first: Int) {
      incidents(filter: $filter, first: $first, orderBy: { field: REPORTED_AT, direction: DESC }) {
        pageInfo { hasNextPage endCursor }
        edges { node { id caseNumber title status gridCode parties { role person { id name } } events { seq type at } } } } }`;
    const statements = await statementsOf(query, { filter: { regionCode: COUNTY }, first: 20 });
    expectSnapshot('incidents-page', 'incidents(filter: { regionCode }, first: 20, orderBy: REPORTED_AT DESC) with parties and events', statements);
  });

  it('person by id', async () => {
    const [row] = await hub.sql(
      `select p.id::text from person p where p.grid_code like $1
          and exists (select 1 from person_place pp where pp.person_id = p.id)
        order by p.id limit 1`,
      [`${COUNTY}%`],
    );
    expect(row).toBeDefined();
    const query = `query($id: ID!) {
      person(id: $id) {
        id idNumber name phone birthDate gridCode address householdType tags
        grid { code name } regionPath { code }
        lineage { field source sourceRecordId }
        sourceRecords { id source sourceKey payload }
        places { role place { id name } } } }`;
    const statements = await statementsOf(query, { id: row.id });
    expectSnapshot('person-by-id', 'person(id) with grid, region path, lineage, source records and places', statements);
  });

  it('workflow actions: two prepared statements each, no transaction', async () => {
    // The rights are checked on the row read (not in its SQL), so no scope condition is expected here.
    const admin = await hub.token({ roles: [Role.ADMIN] });
    const [grid] = await hub.sql<{ code: string }>(`select code from region where level = 'GRID' and code like $1 order by code limit 1`, [`${COUNTY}%`]);
    const report = `mutation($grid: String!) { reportIncident(input: { title: "井盖缺失", category: CITY_MANAGEMENT, severity: LOW, gridCode: $grid }) { id } }`;
    const { id } = ok(await hub.gql(admin, report, { grid: grid.code })).reportIncident;
    // The live bell's NOTIFY after the commit is coalesced with others in time, so it may or may not fall inside
    // the capture: it is left out.
    const action = async (mutation: string) =>
      (await captureSql(hub, async () => ok(await hub.gql(admin, mutation, { id })))).filter((sql) => !sql.includes('pg_notify'));
    const accept = await action(`mutation($id: ID!) { acceptIncident(id: $id, expectedVersion: 1) { version } }`);
    const dispatch = await action(`mutation($id: ID!) { dispatchIncident(id: $id) { version dueAt } }`);
    expect([accept.length, dispatch.length]).toEqual([2, 2]);
    const { expected, actual } = sqlSnapshot(SNAPSHOTS, 'workflow-actions', 'acceptIncident(id, expectedVersion), then dispatchIncident(id)', [...accept, ...dispatch]);
    expect(actual).toBe(expected);
  });
});
