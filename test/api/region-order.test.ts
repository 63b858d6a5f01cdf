import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../src/auth/viewer';
import { Hub, ok, pageThrough, startHub } from '../support/harness';

/**
 * A region's incidents by report time are read from the index of the region's level (`left(grid_code, N)`, N = 6,
 * 9, 12; Migration20261205100000_region_order): the list statement compares that expression instead of the region's
 * range, the index can give the page in order without a sort, and the pages hold exactly the region's incidents.
 */
describe("a region's incidents by report time", () => {
  let hub: Hub;
  let admin: string;
  const regions: Record<'county' | 'town' | 'community' | 'grid', string> = { county: '', town: '', community: '', grid: '' };

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.token({ roles: [Role.ADMIN] });
    // The grid with the most incidents, and its community, town and county.
    const [row] = await hub.sql<{ grid: string }>(`select grid_code as grid from incident group by grid_code order by count(*) desc, grid_code limit 1`);
    regions.grid = row.grid;
    regions.community = row.grid.slice(0, 12);
    regions.town = row.grid.slice(0, 9);
    regions.county = row.grid.slice(0, 6);
  });
  afterAll(() => hub?.close());

  const PAGE = `query($region: String, $first: Int, $after: String, $direction: OrderDirection!) {
    incidents(filter: { regionCode: $region }, first: $first, after: $after, orderBy: { field: REPORTED_AT, direction: $direction }) {
      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } } } }`;

  /** The ids of the region's incidents in the order the database gives by report time, then id. */
  async function expectedIds(region: string, direction: 'ASC' | 'DESC'): Promise<string[]> {
    const rows = await hub.sql<{ id: string }>(
      `select id::text from incident where grid_code like $1 order by reported_at ${direction}, id ${direction}`,
      [`${region}%`],
    );
    return rows.map((row) => row.id);
  }

  /** The list statement of one page (and its values), as the hub sent it. */
  async function listStatement(token: string, variables: Record<string, unknown>): Promise<{ sql: string; bindings: unknown[] }> {
    const knex = hub.orm.em.getConnection().getKnex();
    const sent: Array<{ sql: string; bindings: unknown[] }> = [];
    const listener = (query: { sql: string; bindings?: unknown[] }) => sent.push({ sql: query.sql, bindings: query.bindings ?? [] });
    knex.on('query', listener);
    try {
      ok(await hub.gql(token, PAGE, variables));
    } finally {
      knex.removeListener('query', listener);
    }
    const list = sent.find((query) => query.sql.includes('from "incident" as "e"') && !query.sql.includes('count('));
    expect(list).toBeDefined();
    return list!;
  }

  it.each(['county', 'town', 'community', 'grid'] as const)('pages through a %s exactly, both ways', async (level) => {
    const region = regions[level];
    for (const direction of ['DESC', 'ASC'] as const) {
      const ids = await expectedIds(region, direction);
      expect(ids.length).toBeGreaterThan(2);
      const first = ids.length > 20 ? 7 : 2;
      const { nodes } = await pageThrough(hub, admin, PAGE, 'incidents', { region, direction }, first, ids.length);
      expect(nodes.map((node) => node.id)).toEqual(ids);
    }
  });

  it.each<['county' | 'town' | 'community', number]>([
    ['county', 6],
    ['town', 9],
    ['community', 12],
  ])("compares a %s's code as the index has it, not its range", async (level, length) => {
    const { sql, bindings } = await listStatement(admin, { region: regions[level], first: 50, direction: 'DESC' });
    expect(sql).toContain(`left(e.grid_code, ${length}) = $`);
    expect(sql).not.toMatch(/grid_code [<>]=? \$/);
    expect(bindings).toContain(regions[level]);
  });

  it('finds the region among the other conditions of a filter', async () => {
    const knex = hub.orm.em.getConnection().getKnex();
    const sent: string[] = [];
    const listener = (query: { sql: string }) => sent.push(query.sql);
    knex.on('query', listener);
    try {
      ok(await hub.gql(admin, `query($region: String!) { incidents(filter: { regionCode: $region, overdue: false, NOT: { statuses: [CLOSED] } }, first: 10,
        orderBy: { field: REPORTED_AT, direction: DESC }) { edges { node { id } } } }`, { region: regions.town }));
    } finally {
      knex.removeListener('query', listener);
    }
    const list = sent.find((sql) => sql.includes('from "incident" as "e"') && !sql.includes('count('));
    expect(list).toContain('left(e.grid_code, 9) = $');
    expect(list).not.toMatch(/grid_code [<>]=? \$/);
  });

  it("takes the scope's region when it is the narrowest, and keeps the wider ones' out", async () => {
    const town = await hub.token({ roles: [Role.COMMAND_CENTER], region: regions.town });
    const unfiltered = await listStatement(town, { first: 50, direction: 'DESC' });
    expect(unfiltered.sql).toContain('left(e.grid_code, 9) = $');
    expect(unfiltered.sql).not.toMatch(/grid_code [<>]=? \$/);
    // A community under the town's scope: the community's code; the town's range is implied by it.
    const community = await listStatement(town, { region: regions.community, first: 50, direction: 'DESC' });
    expect(community.sql).toContain('left(e.grid_code, 12) = $');
    expect(community.sql).not.toMatch(/grid_code [<>]=? \$/);
  });

  it('keeps the range where no index serves: a grid, and other orders', async () => {
    const grid = await listStatement(admin, { region: regions.grid, first: 50, direction: 'DESC' });
    expect(grid.sql).toMatch(/e\.grid_code >= \$\d+ and e\.grid_code < \$\d+/);
    expect(grid.sql).not.toContain('left(');
    const knex = hub.orm.em.getConnection().getKnex();
    const sent: string[] = [];
    const listener = (query: { sql: string }) => sent.push(query.sql);
    knex.on('query', listener);
    try {
      ok(await hub.gql(admin, `query($region: String) { incidents(filter: { regionCode: $region }, first: 5) { edges { node { id } } } }`, { region: regions.town }));
    } finally {
      knex.removeListener('query', listener);
    }
    const byId = sent.find((sql) => sql.includes('from "incident" as "e"'))!;
    expect(byId).toMatch(/e\.grid_code >= \$\d+ and e\.grid_code < \$\d+/);
    expect(byId).not.toContain('left(');
  });

  it.each<['county' | 'town' | 'community', string]>([
    ['county', 'incident_county_reported_at_id_index'],
    ['town', 'incident_town_reported_at_id_index'],
    ['community', 'incident_community_reported_at_id_index'],
  ])("can read a %s's page in order from %s, without a sort", async (level, index) => {
    // The test city is too small for the planner to prefer an index on its own merits; with sorts and the other
    // scans priced out, a plan without a Sort exists only if the statement's expression is the index's.
    const { sql, bindings } = await listStatement(admin, { region: regions[level], first: 50, direction: 'DESC' });
    await hub.sql('begin');
    try {
      await hub.sql('set local enable_sort = off; set local enable_seqscan = off; set local enable_bitmapscan = off');
      const [{ 'QUERY PLAN': plan }] = await hub.sql<{ 'QUERY PLAN': unknown }>(`explain (format json) ${sql}`, bindings);
      const text = JSON.stringify(plan);
      expect(text).toContain(`"Index Name":"${index}"`);
      expect(text).not.toContain('"Node Type":"Sort"');
    } finally {
      await hub.sql('rollback');
    }
  });
});
