import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../src/auth/viewer';
import { eventFor, INCIDENT_EVENTS, IncidentAction, IncidentStatus } from '../../src/incidents/incident-workflow';
import { GraphQLResponse, Hub, expectError, ok, startHub, pageThrough } from '../support/harness';

/**
 * Incidents (事) over HTTP against the seeded demo city: lookup, every filter, ordering by report time with
 * keyset paging, nested place/thing/parties/events, and the statement count of a nested page.
 */

let hub: Hub;
let city: string;

beforeAll(async () => {
  hub = await startHub();
  city = await hub.token({ roles: [Role.COMMAND_CENTER], region: '1503' });
});

afterAll(async () => {
  await hub?.close();
});

const STATUSES = ['REPORTED', 'ACCEPTED', 'DISPATCHED', 'IN_PROGRESS', 'RESOLVED', 'CLOSED', 'REJECTED'];

const PAGE = `
  query Page($filter: IncidentFilter, $first: Int, $after: String, $orderBy: IncidentOrder) {
    incidents(filter: $filter, first: $first, after: $after, orderBy: $orderBy) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id gridCode reportedAt status } }
    }
  }`;

async function sqlIds(where: string, params: unknown[] = [], orderBy = 'id'): Promise<string[]> {
  const rows = await hub.sql<{ key: string }>(`select e.id::text as key from incident e where ${where} order by ${orderBy}`, params);
  return rows.map((row) => row.key);
}

async function checkFilter(filter: Record<string, unknown>, where: string, params: unknown[] = []): Promise<string[]> {
  const expected = await sqlIds(where, params);
  const data: any = ok(await hub.gql(city, PAGE, { filter, first: 100 }));
  expect(data.incidents.totalCount).toBe(expected.length);
  expect(data.incidents.edges.map((edge: any) => edge.node.id)).toEqual(expected.slice(0, 100));
  return expected;
}

async function pageAll(
  variables: { filter?: Record<string, unknown>; orderBy?: Record<string, unknown> },
  first: number,
  expectedTotal: number,
): Promise<string[]> {
  return (await pageThrough(hub, city, PAGE, 'incidents', variables, first, expectedTotal)).nodes.map((node) => node.id);
}

describe('incident(id)', () => {
  it('returns the stored incident', async () => {
    const [row] = await hub.sql(
      `select id::text, case_number, title, description, category, sub_category, severity, source, source_key, grid_code,
              address, status, level, version, department, assignee, overdue, feedback, satisfaction, lng, lat,
              floor(extract(epoch from reported_at) * 1000)::float8 as reported_ms
         from incident order by (department is not null) desc, id limit 1`,
    );
    const data: any = ok(
      await hub.gql(
        city,
        `query($id: ID!) { incident(id: $id) {
           id caseNumber title description category subCategory severity source sourceKey gridCode address status level
           version department assignee overdue feedback satisfaction reportedAt location { lng lat } } }`,
        { id: row.id },
      ),
    );
    const { reportedAt, ...rest } = data.incident;
    expect(rest).toEqual({
      id: row.id,
      caseNumber: row.case_number,
      title: row.title,
      description: row.description,
      category: row.category,
      subCategory: row.sub_category,
      severity: row.severity,
      source: row.source,
      sourceKey: row.source_key,
      gridCode: row.grid_code,
      address: row.address,
      status: row.status,
      level: row.level,
      version: row.version,
      department: row.department,
      assignee: row.assignee,
      overdue: row.overdue,
      feedback: row.feedback,
      satisfaction: row.satisfaction,
      location: row.lng === null || row.lat === null ? null : { lng: row.lng, lat: row.lat },
    });
    expect(Date.parse(reportedAt)).toBe(row.reported_ms);
  });

  it('lineage: every core field the source record carries points at that record of the incident', async () => {
    const rows = await hub.sql(
      `(select id::text from incident where thing_id is not null order by id limit 1)
       union all (select id::text from incident where place_id is not null order by id limit 1)
       union all (select id::text from incident where place_id is null and thing_id is null order by id limit 1)`,
    );
    expect(rows).toHaveLength(3);
    const query = `query($id: ID!) { incident(id: $id) {
      source place { id } thing { id } lineage { field source sourceRecordId } sourceRecords { id source payload } } }`;
    for (const { id } of rows) {
      const { incident }: any = ok(await hub.gql(city, query, { id }));
      expect(incident.sourceRecords).toHaveLength(1);
      const [record] = incident.sourceRecords;
      const fields = ['address', 'category', 'description', 'gridCode', 'location', 'reportedAt', 'severity', 'subCategory', 'title'];
      if (incident.place) fields.push('place');
      if (incident.thing) fields.push('thing');
      expect(incident.lineage).toEqual(fields.sort().map((field) => ({ field, source: record.source, sourceRecordId: record.id })));
      expect(record.source).toBe(incident.source);
      // The record does carry what the lineage says it gave.
      expect(Object.keys(record.payload)).toEqual(
        expect.arrayContaining(['title', 'description', 'category', 'subCategory', 'severity', 'gridCode', 'address', 'lng', 'lat', 'reportedAt']),
      );
      if (incident.place) expect(record.payload.place).toBeDefined();
      if (incident.thing) expect(record.payload.thing).toBeDefined();
    }
  });

  it('returns null for an unknown id', async () => {
    const [{ next }] = await hub.sql(`select (max(id) + 1000)::text as next from incident`);
    const data: any = ok(await hub.gql(city, `query($id: ID!) { incident(id: $id) { id } }`, { id: next }));
    expect(data.incident).toBeNull();
  });
});

describe('incidents filters', () => {
  it('the demo data holds every status, and statuses filters each one', async () => {
    const present = await hub.sql<{ status: string }>(`select distinct status from incident order by status`);
    expect(present.map((r) => r.status).sort()).toEqual([...STATUSES].sort());
    for (const status of STATUSES) {
      expect((await checkFilter({ statuses: [status] }, `status = $1`, [status])).length).toBeGreaterThan(0);
    }
    const open = ['REPORTED', 'ACCEPTED', 'DISPATCHED', 'IN_PROGRESS'];
    await checkFilter({ statuses: open }, `status = any($1)`, [open]);
  });

  it('categories, severities and levels', async () => {
    for (const [arg, column] of [
      ['categories', 'category'],
      ['severities', 'severity'],
      ['levels', 'level'],
    ]) {
      const values = await hub.sql<{ v: string }>(`select ${column} as v from incident group by 1 order by count(*) desc, 1`);
      expect(values.length).toBeGreaterThanOrEqual(2);
      for (const { v } of values) {
        expect((await checkFilter({ [arg]: [v] }, `${column} = $1`, [v])).length).toBeGreaterThan(0);
      }
      const two = [values[0].v, values[values.length - 1].v];
      await checkFilter({ [arg]: two }, `${column} = any($1)`, [two]);
    }
  });

  it('overdue true and false', async () => {
    const overdue = await checkFilter({ overdue: true }, `overdue`);
    const onTime = await checkFilter({ overdue: false }, `not overdue`);
    expect(overdue.length).toBeGreaterThan(0);
    expect(onTime.length).toBeGreaterThan(0);
  });

  it('reportedFrom is inclusive, reportedTo exclusive', async () => {
    const rows = await hub.sql<{ at: Date }>(`select reported_at as at from incident order by reported_at, id`);
    const from = rows[Math.floor(rows.length / 4)].at;
    const to = rows[Math.floor((rows.length * 3) / 4)].at;
    const both = await checkFilter(
      { reportedFrom: from.toISOString(), reportedTo: to.toISOString() },
      `reported_at >= $1 and reported_at < $2`,
      [from, to],
    );
    expect(both.length).toBeGreaterThan(0);
    await checkFilter({ reportedFrom: from.toISOString() }, `reported_at >= $1`, [from]);
    await checkFilter({ reportedTo: to.toISOString() }, `reported_at < $1`, [to]);
  });

  it('reportedTo at or before reportedFrom is BAD_USER_INPUT', async () => {
    const at = '2025-06-01T00:00:00.000Z';
    for (const reportedTo of [at, '2025-05-31T23:59:59.000Z']) {
      const response = await hub.gql(city, PAGE, { filter: { reportedFrom: at, reportedTo } });
      expectError(response, 'BAD_USER_INPUT');
      expect(['filter.reportedTo', 'filter.reportedFrom']).toContain(response.errors![0].extensions?.field);
    }
    expectError(await hub.gql(city, PAGE, { filter: { reportedFrom: 'last tuesday' } }), 'BAD_USER_INPUT');
  });

  it('source: reported by or known to each source system', async () => {
    for (const source of ['COMPREHENSIVE_GOVERNANCE', 'SOCIAL_SECURITY', 'CIVIL_AFFAIRS', 'CITY_MANAGEMENT', 'GRID_APP']) {
      await checkFilter(
        { source },
        `(source = $1 or exists (select 1 from source_record s where s.entity_kind = 'INCIDENT' and s.entity_id = e.id and s.source = $1))`,
        [source],
      );
    }
    const [{ n }] = await hub.sql(`select count(distinct source)::int as n from incident`);
    expect(n).toBeGreaterThanOrEqual(2);
  });

  it('regionCode, short and padded, and combined with other conditions', async () => {
    for (const county of ['150302', '150303', '150304']) {
      expect((await checkFilter({ regionCode: county }, `grid_code like $1`, [`${county}%`])).length).toBeGreaterThan(0);
      await checkFilter({ regionCode: `${county}000000` }, `grid_code like $1`, [`${county}%`]);
    }
    const [row] = await hub.sql(`select left(grid_code, 9) as town, category from incident order by incident.id limit 1`);
    await checkFilter(
      { regionCode: row.town, categories: [row.category], statuses: STATUSES.slice(0, 5) },
      `grid_code like $1 and category = $2 and status = any($3)`,
      [`${row.town}%`, row.category, STATUSES.slice(0, 5)],
    );
    expectError(await hub.gql(city, PAGE, { filter: { regionCode: '1503x' } }), 'BAD_USER_INPUT', 'filter.regionCode');
  });
});

describe('incidents ordering and paging', () => {
  it('first page by REPORTED_AT DESC is the newest, ties by id descending', async () => {
    const expected = await sqlIds('true', [], 'reported_at desc, id desc limit 100');
    const data: any = ok(await hub.gql(city, PAGE, { first: 100, orderBy: { field: 'REPORTED_AT', direction: 'DESC' } }));
    const nodes = data.incidents.edges.map((edge: any) => edge.node);
    expect(nodes.map((node: any) => node.id)).toEqual(expected);
    for (let i = 1; i < nodes.length; i++) {
      expect(Date.parse(nodes[i - 1].reportedAt)).toBeGreaterThanOrEqual(Date.parse(nodes[i].reportedAt));
    }
  });

  it('pages through every incident by REPORTED_AT DESC with first: 37: no duplicates, no gaps', async () => {
    const expected = await sqlIds('true', [], 'reported_at desc, id desc');
    const ids = await pageAll({ orderBy: { field: 'REPORTED_AT', direction: 'DESC' } }, 37, expected.length);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expected);
  });

  it('pages by CASE_NUMBER and UPDATED_AT too', async () => {
    for (const [field, column] of [
      ['CASE_NUMBER', 'case_number'],
      ['UPDATED_AT', 'updated_at'],
    ]) {
      const expected = await sqlIds('true', [], `${column} asc, id asc`);
      expect(await pageAll({ orderBy: { field, direction: 'ASC' } }, 37, expected.length)).toEqual(expected);
    }
  });

  it('pages by REPORTED_AT without gaps when report times tie and carry microseconds', async () => {
    // Times written by SQL keep microseconds; a cursor that rounds them to milliseconds skips or repeats rows.
    await hub.sql(
      `update incident set reported_at = timestamptz '2025-02-01 09:30:00.654321+00' + (id % 2) * interval '1 microsecond'
        where grid_code like '150304%'`,
    );
    for (const direction of ['DESC', 'ASC']) {
      const dir = direction.toLowerCase();
      const expected = await sqlIds(`grid_code like '150304%'`, [], `reported_at ${dir}, id ${dir}`);
      expect(expected.length).toBeGreaterThan(5);
      const ids = await pageAll(
        { filter: { regionCode: '150304' }, orderBy: { field: 'REPORTED_AT', direction } },
        4,
        expected.length,
      );
      expect(ids).toEqual(expected);
    }
  });

  it('rejects first over 100, a garbage cursor and a cursor of another order', async () => {
    expectError(await hub.gql(city, PAGE, { first: 101 }), 'BAD_USER_INPUT', 'first');
    expectError(await hub.gql(city, PAGE, { after: 'nonsense' }), 'BAD_USER_INPUT', 'after');
    const data: any = ok(await hub.gql(city, PAGE, { first: 1, orderBy: { field: 'REPORTED_AT', direction: 'DESC' } }));
    expectError(
      await hub.gql(city, PAGE, { first: 1, after: data.incidents.pageInfo.endCursor, orderBy: { field: 'CASE_NUMBER' } }),
      'BAD_USER_INPUT',
      'after',
    );
  });
});

const NESTED = `
  id status gridCode
  grid { code }
  regionPath { code }
  place { id name gridCode }
  thing { id name gridCode }
  parties { role person { id name } }
  events { seq incidentId gridCode type fromStatus toStatus actor at }
  sourceRecords { id source sourceKey }`;

async function checkNested(node: any): Promise<void> {
  const [incident] = await hub.sql(
    `select i.place_id::text as place_id, i.thing_id::text as thing_id, p.name as place_name, p.grid_code as place_grid,
            t.name as thing_name, t.grid_code as thing_grid
       from incident i left join place p on p.id = i.place_id left join thing t on t.id = i.thing_id where i.id = $1`,
    [node.id],
  );
  expect(node.place).toEqual(
    incident.place_id === null ? null : { id: incident.place_id, name: incident.place_name, gridCode: incident.place_grid },
  );
  expect(node.thing).toEqual(
    incident.thing_id === null ? null : { id: incident.thing_id, name: incident.thing_name, gridCode: incident.thing_grid },
  );
  const parties = await hub.sql(
    `select ip.role, p.id::text as id, p.name from incident_party ip join person p on p.id = ip.person_id
      where ip.incident_id = $1 order by ip.id`,
    [node.id],
  );
  expect(node.parties).toEqual(parties.map((p) => ({ role: p.role, person: { id: p.id, name: p.name } })));
  const events = await hub.sql(
    `select seq::text as seq, type, from_status, to_status, actor from incident_event where incident_id = $1 order by incident_event.seq`,
    [node.id],
  );
  expect(events.length).toBeGreaterThan(0);
  expect(
    node.events.map((e: any) => ({ seq: e.seq, type: e.type, from_status: e.fromStatus, to_status: e.toStatus, actor: e.actor })),
  ).toEqual(events);
  for (let i = 1; i < node.events.length; i++) {
    expect(BigInt(node.events[i].seq) > BigInt(node.events[i - 1].seq)).toBe(true);
  }
  for (const event of node.events) {
    expect(event.incidentId).toBe(node.id);
  }
  expect(node.events[node.events.length - 1].toStatus).toBe(node.status);
  const records = await hub.sql(
    `select id::text, source, source_key from source_record where entity_kind = 'INCIDENT' and entity_id = $1 order by source_record.id`,
    [node.id],
  );
  expect(node.sourceRecords).toEqual(records.map((r) => ({ id: r.id, source: r.source, sourceKey: r.source_key })));
  expect(node.grid).toEqual({ code: node.gridCode });
}

describe('nested fields of incidents', () => {
  it('place, thing, parties and events in seq order ending in the current status, for incidents that have them', async () => {
    const [withPlace] = await hub.sql(`select id::text from incident where place_id is not null order by incident.id limit 1`);
    const [withThing] = await hub.sql(`select id::text from incident where thing_id is not null order by incident.id limit 1`);
    const [withParties] = await hub.sql(
      `select incident_id::text as id from incident_party group by incident_id order by count(*) desc, incident_id limit 1`,
    );
    const [withEvents] = await hub.sql(
      `select incident_id::text as id from incident_event group by incident_id order by count(*) desc, incident_id limit 1`,
    );
    for (const row of [withPlace, withThing, withParties, withEvents]) {
      expect(row).toBeDefined();
      const data: any = ok(await hub.gql(city, `query($id: ID!) { incident(id: $id) { ${NESTED} } }`, { id: row.id }));
      await checkNested(data.incident);
    }
  });

  it('every incident of every status: its events end in its status', async () => {
    const data: any = ok(await hub.gql(city, `{ incidents(first: 100) { edges { node { id status events { toStatus } } } } }`));
    const nodes = data.incidents.edges.map((edge: any) => edge.node);
    expect(nodes.length).toBeGreaterThan(0);
    for (const node of nodes) {
      expect(node.events.length).toBeGreaterThan(0);
      expect(node.events[node.events.length - 1].toStatus).toBe(node.status);
    }
  });

  it('nested rows of a page of 50 match SQL, and the statement count does not grow with the page', async () => {
    const query = `query($first: Int) { incidents(first: $first) { totalCount edges { node { ${NESTED} } } } }`;
    const counts: number[] = [];
    let nodes: any[] = [];
    for (const first of [5, 50]) {
      let response: GraphQLResponse | undefined;
      counts.push(
        await hub.countStatements(async () => {
          response = await hub.gql(city, query, { first });
        }),
      );
      nodes = ok<any>(response!).incidents.edges.map((edge: any) => edge.node);
      expect(nodes).toHaveLength(first);
    }
    expect(counts[0]).toBeGreaterThan(0);
    expect(counts[1]).toBe(counts[0]);
    expect(counts[1]).toBeLessThanOrEqual(12);
    for (const node of nodes) await checkNested(node);
  });
});

describe('incident events of the demo city', () => {
  it('follow the event contract: every stored step is one the workflow table allows, and a closing is CLOSED', async () => {
    const steps = await hub.sql<{ type: string; from_status: IncidentStatus | null; to_status: IncidentStatus }>(
      'select distinct type, from_status, to_status from incident_event order by 1, 2, 3',
    );
    for (const step of steps) {
      const actions = (Object.keys(INCIDENT_EVENTS) as IncidentAction[]).filter((action) => INCIDENT_EVENTS[action].event === step.type);
      const allowed = actions.some((action) => {
        const event = eventFor(step.from_status, action);
        return event?.toStatus === step.to_status;
      });
      if (!allowed) throw new Error(`stored step not in the contract: ${JSON.stringify(step)}`);
    }
    const types = new Set(steps.map((step) => step.type));
    for (const type of ['CREATED', 'ACCEPTED', 'REJECTED', 'DISPATCHED', 'STARTED', 'RESOLVED', 'CLOSED', 'ESCALATED', 'RATED', 'OVERDUE']) {
      expect(types).toContain(type);
    }
    const [{ unclosed }] = await hub.sql(
      `select count(*)::int as unclosed from incident i where status = 'CLOSED'
         and not exists (select 1 from incident_event e where e.incident_id = i.id and e.type = 'CLOSED' and e.from_status = 'RESOLVED')`,
    );
    expect(unclosed).toBe(0);
  });
});
