import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../src/auth/viewer';
import { expectError, Hub, ok, startHub } from '../support/harness';

/*
 * The relations between people and incidents, both ways: `Person.incidents(role, first, after)` and
 * `Incident.parties(role)` — against the links as stored, within the viewer's scope, a page at a time, and in a
 * number of statements that does not grow with the page.
 */

let hub: Hub;
let admin: string;

beforeAll(async () => {
  hub = await startHub();
  admin = await hub.token({ sub: 'admin-relations', roles: [Role.ADMIN] });
});

afterAll(async () => {
  await hub?.close();
});

interface Link {
  id: string;
  incident_id: string;
  role: string;
  grid_code: string;
}

/** A person with links to incidents in at least `min` rows (each link's incident with its grid), in link order. */
async function personWithLinks(min: number): Promise<{ personId: string; links: Link[] }> {
  const [row] = await hub.sql<{ person_id: string }>(
    `select person_id::text from incident_party group by person_id having count(distinct incident_id) >= $1 order by person_id limit 1`,
    [min],
  );
  expect(row).toBeDefined();
  const links = await hub.sql<Link>(
    `select l.id::text, l.incident_id::text, l.role, i.grid_code from incident_party l join incident i on i.id = l.incident_id
      where l.person_id = $1
        and not exists (select 1 from incident_party d where d.person_id = l.person_id and d.incident_id = l.incident_id and d.role = l.role and d.id < l.id)
      order by l.id`,
    [row.person_id],
  );
  return { personId: row.person_id, links };
}

const PERSON_INCIDENTS = `query($id: ID!, $first: Int, $after: String, $role: IncidentPartyRole) {
  person(id: $id) { incidents(first: $first, after: $after, role: $role) { role cursor incident { id gridCode } } } }`;

describe('Person.incidents', () => {
  it('lists the incidents a person is involved in, with the role, in link order, a page at a time', async () => {
    const { personId, links } = await personWithLinks(2);
    const all = ok(await hub.gql(admin, PERSON_INCIDENTS, { id: personId, first: 100 })).person.incidents;
    expect(all.map((link: { role: string; incident: { id: string } }) => [link.incident.id, link.role])).toEqual(
      links.map((link) => [link.incident_id, link.role]),
    );
    const first = ok(await hub.gql(admin, PERSON_INCIDENTS, { id: personId, first: 1 })).person.incidents;
    expect(first).toHaveLength(1);
    const rest = ok(await hub.gql(admin, PERSON_INCIDENTS, { id: personId, first: 100, after: first[0].cursor })).person.incidents;
    expect([...first, ...rest]).toEqual(all);
  });

  it('orders by a field of the incident, newest reported first, and pages through the order', async () => {
    const { personId } = await personWithLinks(3);
    // As the list orders: the incident's report time, then the link, both descending (a link to the same incident in
    // two roles is two rows).
    const stored = await hub.sql<{ id: string; incident_id: string }>(
      `select l.id::text, l.incident_id::text from incident_party l join incident i on i.id = l.incident_id
        where l.person_id = $1
          and not exists (select 1 from incident_party d where d.person_id = l.person_id and d.incident_id = l.incident_id and d.role = l.role and d.id < l.id)
        order by i.reported_at desc, l.id desc`,
      [personId],
    );
    const query = `query($id: ID!, $first: Int, $after: String) {
      person(id: $id) { incidents(first: $first, after: $after, orderBy: { field: REPORTED_AT, direction: DESC }) { cursor incident { id reportedAt } } } }`;
    const all = ok(await hub.gql(admin, query, { id: personId, first: 100 })).person.incidents;
    expect(all.map((link: { incident: { id: string } }) => link.incident.id)).toEqual(stored.map((row) => row.incident_id));
    const times = all.map((link: { incident: { reportedAt: string } }) => Date.parse(link.incident.reportedAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    // One at a time through the cursor gives the same list.
    const walked: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < all.length + 1; i++) {
      const page: Array<{ cursor: string; incident: { id: string } }> = ok(await hub.gql(admin, query, { id: personId, first: 1, after })).person.incidents;
      if (page.length === 0) break;
      walked.push(page[0].incident.id);
      after = page[0].cursor;
    }
    expect(walked).toEqual(all.map((link: { incident: { id: string } }) => link.incident.id));
    // A cursor of link order is not one of this order, and the other way round.
    const linkCursor = ok(await hub.gql(admin, PERSON_INCIDENTS, { id: personId, first: 1 })).person.incidents[0].cursor;
    expectError(await hub.gql(admin, query, { id: personId, after: linkCursor }), 'BAD_USER_INPUT', 'after');
    expectError(await hub.gql(admin, PERSON_INCIDENTS, { id: personId, after: all[0].cursor }), 'BAD_USER_INPUT', 'after');
    const forged = Buffer.from(JSON.stringify({ l: 'Person.incidents', o: 'ID:ASC', v: 'abc', id: '1' })).toString('base64url');
    const byId = `query($id: ID!, $after: String) { person(id: $id) { incidents(after: $after, orderBy: { field: ID }) { cursor } } }`;
    expectError(await hub.gql(admin, byId, { id: personId, after: forged }), 'BAD_USER_INPUT', 'after');
  });

  it('filters by role', async () => {
    const { personId, links } = await personWithLinks(2);
    for (const role of ['REPORTER', 'PARTY', 'VICTIM', 'WITNESS']) {
      const answer = ok(await hub.gql(admin, PERSON_INCIDENTS, { id: personId, first: 100, role })).person.incidents;
      expect(answer.map((link: { incident: { id: string } }) => link.incident.id)).toEqual(
        links.filter((link) => link.role === role).map((link) => link.incident_id),
      );
    }
    expectError(await hub.gql(admin, PERSON_INCIDENTS, { id: personId, role: 'BYSTANDER' }), 'BAD_USER_INPUT');
  });

  it('shows only incidents in the viewer’s scope', async () => {
    // A person of one district made a witness of an incident in another: each district's centre sees its own.
    const { personId, links } = await personWithLinks(1);
    const home = links[0].grid_code.slice(0, 6);
    const [far] = await hub.sql<{ id: string; county: string }>(
      `select id::text, left(grid_code, 6) as county from incident where left(grid_code, 6) <> $1 order by id limit 1`,
      [home],
    );
    await hub.sql(`insert into incident_party (incident_id, person_id, role) values ($1, $2, 'WITNESS')`, [far.id, personId]);
    const seenBy = async (region: string) => {
      const token = await hub.token({ sub: `cc-${region}`, roles: [Role.COMMAND_CENTER], region });
      const answer = ok(await hub.gql(token, PERSON_INCIDENTS, { id: personId, first: 100 })).person;
      return answer === null ? null : answer.incidents.map((link: { incident: { id: string } }) => link.incident.id);
    };
    const atHome = links.filter((link) => link.grid_code.startsWith(home)).map((link) => link.incident_id);
    expect(await seenBy(home)).toEqual(atHome);
    // The person lives at home: the far district's centre cannot read the person at all.
    expect(await seenBy(far.county)).toBeNull();
    const everything = ok(await hub.gql(admin, PERSON_INCIDENTS, { id: personId, first: 100 })).person.incidents;
    expect(everything.map((link: { incident: { id: string } }) => link.incident.id)).toEqual([...links.map((link) => link.incident_id), far.id]);
  });
});

describe('Incident.parties(role)', () => {
  it('lists only the people involved in the given role', async () => {
    const [row] = await hub.sql<{ incident_id: string }>(
      `select incident_id::text from incident_party group by incident_id having count(distinct role) >= 2 order by incident_id limit 1`,
    );
    const stored = await hub.sql<{ person_id: string; role: string }>(
      `select person_id::text, role from incident_party where incident_id = $1 order by id`,
      [row.incident_id],
    );
    const query = `query($id: ID!, $role: IncidentPartyRole) { incident(id: $id) { parties(role: $role, first: 100) { role person { id } } } }`;
    for (const role of [...new Set(stored.map((link) => link.role))]) {
      const parties = ok(await hub.gql(admin, query, { id: row.incident_id, role })).incident.parties;
      expect(parties.map((link: { person: { id: string } }) => link.person.id)).toEqual(
        stored.filter((link) => link.role === role).map((link) => link.person_id),
      );
      expect(parties.every((link: { role: string }) => link.role === role)).toBe(true);
    }
  });
});

describe('incidents(filter: { personId, personRole })', () => {
  const QUERY = `query($filter: IncidentFilter) { incidents(filter: $filter, first: 100) { totalCount edges { node { id } } } }`;

  it('lists the incidents a person is involved in, or in one role, in scope', async () => {
    const { personId, links } = await personWithLinks(2);
    const ids = (answer: any) => answer.incidents.edges.map((edge: { node: { id: string } }) => edge.node.id).sort();
    const distinct = (rows: Link[]) => [...new Set(rows.map((link) => link.incident_id))].sort();
    const all = ok(await hub.gql(admin, QUERY, { filter: { personId } }));
    expect(ids(all)).toEqual(distinct(links));
    expect(all.incidents.totalCount).toBe(distinct(links).length);
    const role = links[0].role;
    expect(ids(ok(await hub.gql(admin, QUERY, { filter: { personId, personRole: role } })))).toEqual(distinct(links.filter((link) => link.role === role)));
    expectError(await hub.gql(admin, QUERY, { filter: { personRole: role } }), 'BAD_USER_INPUT', 'filter.personRole');
    expectError(await hub.gql(admin, QUERY, { filter: { personId: 'abc' } }), 'BAD_USER_INPUT', 'filter.personId');

    // A centre of another district cannot follow a person outside its scope into its own incidents.
    const home = links[0].grid_code.slice(0, 6);
    const [far] = await hub.sql<{ id: string; county: string }>(
      `select id::text, left(grid_code, 6) as county from incident where left(grid_code, 6) <> $1 order by id desc limit 1`,
      [home],
    );
    await hub.sql(`insert into incident_party (incident_id, person_id, role) values ($1, $2, 'PARTY')`, [far.id, personId]);
    expect(ids(ok(await hub.gql(admin, QUERY, { filter: { personId } })))).toContain(far.id);
    const centre = await hub.token({ sub: 'cc-person-filter', roles: [Role.COMMAND_CENTER], region: far.county });
    expect(ids(ok(await hub.gql(centre, QUERY, { filter: { personId } })))).toEqual([]);
  });
});

describe('Place.incidents and Thing.incidents', () => {
  for (const [kind, column] of [
    ['place', 'place_id'],
    ['thing', 'thing_id'],
  ] as const) {
    it(`lists the incidents of a ${kind}, newest first, a page at a time, in scope`, async () => {
      // A ${kind} and two more incidents of its district about it (the demo city has few incidents per thing).
      const [row] = await hub.sql<{ parent: string; county: string }>(`select id::text as parent, left(grid_code, 6) as county from ${kind} order by id limit 1`);
      await hub.sql(
        `update incident set ${column} = $1 where id in (select id from incident where left(grid_code, 6) = $2 and ${column} is null order by id limit 2)`,
        [row.parent, row.county],
      );
      const stored = await hub.sql<{ id: string; grid_code: string }>(
        `select id::text, grid_code from incident where ${column} = $1 order by id desc`,
        [row.parent],
      );
      const query = `query($id: ID!, $first: Int, $after: String) { ${kind}(id: $id) { incidents(first: $first, after: $after) { id } } }`;
      const all = ok(await hub.gql(admin, query, { id: row.parent, first: 100 }))[kind].incidents.map((incident: { id: string }) => incident.id);
      expect(all).toEqual(stored.map((incident) => incident.id));
      const first = ok(await hub.gql(admin, query, { id: row.parent, first: 1 }))[kind].incidents;
      const rest = ok(await hub.gql(admin, query, { id: row.parent, first: 100, after: first[0].id }))[kind].incidents;
      expect([...first, ...rest].map((incident: { id: string }) => incident.id)).toEqual(all);
      expectError(await hub.gql(admin, query, { id: row.parent, after: 'abc' }), 'BAD_USER_INPUT', 'after');

      // An incident of another district about this one: its own district's centre does not see it.
      const county = row.county;
      const [far] = await hub.sql<{ id: string }>(`select id::text from incident where left(grid_code, 6) <> $1 order by id limit 1`, [county]);
      await hub.sql(`update incident set ${column} = $1 where id = $2`, [row.parent, far.id]);
      const centre = await hub.token({ sub: `cc-${kind}-incidents`, roles: [Role.COMMAND_CENTER], region: county });
      const seen = ok(await hub.gql(centre, query, { id: row.parent, first: 100 }))[kind].incidents.map((incident: { id: string }) => incident.id);
      expect(seen).toEqual(stored.filter((incident) => incident.grid_code.startsWith(county)).map((incident) => incident.id));
      const everything = ok(await hub.gql(admin, query, { id: row.parent, first: 100 }))[kind].incidents.map((incident: { id: string }) => incident.id);
      expect(everything).toContain(far.id);
    });
  }
});

describe('Region.counts', () => {
  const COUNTS = 'counts { people places things incidents openIncidents overdueIncidents }';

  /** The counts as SQL gives them for grids under `region` and also under `within` (the token's region). */
  async function expected(region: string, within = region): Promise<Record<string, number>> {
    const under = (table: string, extra = 'true') =>
      hub.sql<{ n: string }>(`select count(*) as n from ${table} where grid_code like $1 and grid_code like $2 and ${extra}`, [`${region}%`, `${within}%`]);
    const n = async (table: string, extra?: string) => Number((await under(table, extra))[0].n);
    return {
      people: await n('person'),
      places: await n('place'),
      things: await n('thing'),
      incidents: await n('incident'),
      openIncidents: await n('incident', `status not in ('CLOSED', 'REJECTED')`),
      overdueIncidents: await n('incident', `overdue and status in ('DISPATCHED', 'IN_PROGRESS')`),
    };
  }

  it('counts what lies under each region, in one set of statements for all of them', async () => {
    const county = '150302';
    // Cases resolved or closed after their due time keep their overdue mark: they are not overdue now, and must not be
    // counted so.
    for (const status of ['RESOLVED', 'CLOSED']) {
      const late = await hub.sql<{ id: string }>(
        `update incident set overdue = true where id = (select id from incident where grid_code like $1 and status = $2 and not overdue order by id limit 1) returning id::text`,
        [`${county}%`, status],
      );
      expect(late).toHaveLength(1);
    }
    const answer = ok(await hub.gql(admin, `query($code: String!) { region(code: $code) { ${COUNTS} } }`, { code: county }));
    expect(answer.region.counts).toEqual(await expected(county));
    expect(answer.region.counts.overdueIncidents).toBeGreaterThan(0);
    const marked = await hub.sql<{ n: string }>(`select count(*) as n from incident where grid_code like $1 and overdue`, [`${county}%`]);
    expect(answer.region.counts.overdueIncidents).toBeLessThan(Number(marked[0].n));
    const under = async (level: string) => {
      let regions: Array<{ code: string; counts: Record<string, number> }> = [];
      const query = `query($code: String!) { regions(parentCode: $code, level: ${level}) { code ${COUNTS} } }`;
      const statements = await hub.captureStatements(async () => (regions = ok(await hub.gql(admin, query, { code: county })).regions));
      return { regions, statements: statements.length };
    };
    const towns = await under('TOWN');
    const communities = await under('COMMUNITY');
    expect(communities.regions.length).toBeGreaterThan(towns.regions.length);
    for (const town of towns.regions) expect(town.counts).toEqual(await expected(town.code));
    for (const community of communities.regions.slice(0, 5)) expect(community.counts).toEqual(await expected(community.code));
    // The regions, then four counting statements for all of them together, however many.
    expect([towns.statements, communities.statements]).toEqual([5, 5]);
  });

  it('counts within the token’s region: a town’s centre asking about its district sees its town', async () => {
    const [town] = await hub.sql<{ code: string }>(`select code from region where level = 'TOWN' and code like '150302%' order by code limit 1`);
    const centre = await hub.token({ sub: 'cc-town-counts', roles: [Role.COMMAND_CENTER], region: town.code });
    const answer = ok(await hub.gql(centre, `{ region(code: "150302") { ${COUNTS} } }`)).region;
    expect(answer.counts).toEqual(await expected('150302', town.code));
    expect(answer.counts.people).toBeLessThan((await expected('150302')).people);
  });
});

describe('statements', () => {
  it('do not grow with the page: 5 or 50 incidents, their people, those people’s incidents, grids and reporters', async () => {
    const query = `query($first: Int) { incidents(first: $first, filter: { regionCode: "150302" }) { edges { node { id
      parties(first: 3) { role person { id incidents(first: 3) { role incident { id grid { name } parties(role: REPORTER, first: 1) { person { name } } } } } } } } } }`;
    const count = async (first: number) => (await hub.captureStatements(async () => ok(await hub.gql(admin, query, { first })))).length;
    // One statement per level at most — the page, parties (their people read with them), the people's incident links
    // (the incidents with them), grids, reporters (with their people) — fewer when a level's rows were all loaded
    // already (the loaders' caches).
    const depth = 5;
    for (const first of [5, 50]) {
      const statements = await count(first);
      expect(statements).toBeGreaterThanOrEqual(depth - 2);
      expect(statements).toBeLessThanOrEqual(depth);
    }
  });
});

describe('hostile and narrow readers of the new relations', () => {
  it('a department counts and follows only what its own system sent', async () => {
    const source = 'COMPREHENSIVE_GOVERNANCE';
    const department = await hub.token({ sub: 'dept-relations', roles: [Role.DEPARTMENT], region: '1503', source: source as never });
    const counts = ok(await hub.gql(department, `{ region(code: "150302") { counts { people places things incidents } } }`)).region.counts;
    const sent = async (table: string, kind: string) =>
      Number(
        (
          await hub.sql<{ n: string }>(
            `select count(*) as n from ${table} e where e.grid_code like '150302%'
               and exists (select 1 from source_record sr where sr.entity_kind = $1 and sr.entity_id = e.id and sr.source = $2)`,
            [kind, source],
          )
        )[0].n,
      );
    expect(counts).toEqual({
      people: await sent('person', 'PERSON'),
      places: await sent('place', 'PLACE'),
      things: await sent('thing', 'THING'),
      incidents: await sent('incident', 'INCIDENT'),
    });
    expect(counts.people).toBeGreaterThan(0);
    expect(counts.people).toBeLessThan((await hub.sql<{ n: string }>(`select count(*) as n from person where grid_code like '150302%'`)).map((r) => Number(r.n))[0]);
    // Its view of a person's incidents: exactly the links its system sent, to incidents it sent, of a person it sent.
    const sentBy = (alias: string, kind: string) =>
      `exists (select 1 from source_record sr where sr.entity_kind = '${kind}' and sr.entity_id = ${alias}.id and sr.source = $1)`;
    const [row] = await hub.sql<{ person_id: string }>(
      `select l.person_id::text from incident_party l join person p on p.id = l.person_id join incident i on i.id = l.incident_id
        where l.source = $1 and ${sentBy('p', 'PERSON')} and ${sentBy('i', 'INCIDENT')} order by l.person_id limit 1`,
      [source],
    );
    expect(row).toBeDefined();
    const own = await hub.sql<{ incident_id: string }>(
      `select l.incident_id::text from incident_party l join incident i on i.id = l.incident_id
        where l.person_id = $2 and l.source = $1 and ${sentBy('i', 'INCIDENT')} order by l.id`,
      [source, row.person_id],
    );
    const seen = ok(await hub.gql(department, PERSON_INCIDENTS, { id: row.person_id, first: 100 })).person.incidents;
    expect(seen.map((link: { incident: { id: string } }) => link.incident.id)).toEqual(own.map((link) => link.incident_id));
    const all = await hub.sql(`select 1 from incident_party where person_id = $1`, [row.person_id]);
    expect(all.length).toBeGreaterThanOrEqual(own.length);
  });

  it('prices nesting and breadth: people within incidents within people is refused, every grid’s counts are answered', async () => {
    const deep = `{ people(first: 100) { edges { node { incidents(first: 100) { incident { parties(first: 100) { person {
      incidents(first: 100) { incident { id } } } } } } } } } }`;
    expectError(await hub.gql(admin, deep), 'QUERY_TOO_COMPLEX');
    const grids = ok(await hub.gql(admin, `{ regions(parentCode: "150302", level: GRID) { code counts { people overdueIncidents } } }`)).regions;
    expect(grids.length).toBeGreaterThan(100);
    const [sample] = grids;
    expect(sample.counts.people).toBe(
      Number((await hub.sql<{ n: string }>(`select count(*) as n from person where grid_code = $1`, [sample.code]))[0].n),
    );
    // The hub still answers.
    expect(ok(await hub.gql(admin, '{ __typename }')).__typename).toBe('Query');
  });

  it('refuses malformed arguments of the new fields, naming them', async () => {
    expectError(await hub.gql(admin, `{ incidents(filter: { personId: "-1" }) { totalCount } }`), 'BAD_USER_INPUT', 'filter.personId');
    const [place] = await hub.sql<{ id: string }>(`select id::text from place order by id limit 1`);
    expectError(await hub.gql(admin, `{ place(id: "${place.id}") { incidents(first: 1000) { id } } }`), 'BAD_USER_INPUT', 'first');
    expectError(await hub.gql(admin, `{ place(id: "${place.id}") { incidents(after: "1; drop table incident") { id } } }`), 'BAD_USER_INPUT', 'after');
  });
});

