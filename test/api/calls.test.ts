import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../src/auth/viewer';
import { expectError, Hub, ok, startHub } from '../support/harness';

/**
 * "The town calls, the county answers" (乡呼县应) over HTTP against the seeded demo city: the call, acknowledge,
 * answer and rate loop, every refused step (role, town, county, department seat, order, double rating, bad
 * satisfaction, stale version), late against on-time acknowledgement (timestamps moved in the database), and what
 * the calls read like (Incident.calls, in scope and masked).
 */

let hub: Hub;
/** Town T1 and T2 of county 150302, and a grid of each; a grid of county 150303. */
let town1: string;
let town2: string;
let grid1: string;
let grid2: string;
let countyName: string;
let otherCountyName: string;
/** Departments as the responsibility list names them for county 150302, written out by hand. */
let housing: string;
let cityManagement: string;
const HEATING = '乌海市热力公司';

const tokens: Record<string, string> = {};

const CALL_FIELDS = `id incidentId department status note calledBy calledAt acknowledgeDueAt acknowledgedBy acknowledgedAt
  answerDueAt answeredBy answeredAt report satisfaction ratingComment ratedBy ratedAt version acknowledgementLate answerLate`;
const CALL = `mutation($incidentId: ID!, $department: String!, $note: String!) {
  callDepartment(incidentId: $incidentId, department: $department, note: $note) { ${CALL_FIELDS} } }`;
const ACKNOWLEDGE = `mutation($callId: ID!, $expectedVersion: Int) { acknowledgeCall(callId: $callId, expectedVersion: $expectedVersion) { ${CALL_FIELDS} } }`;
const ANSWER = `mutation($callId: ID!, $report: String!, $expectedVersion: Int) {
  answerCall(callId: $callId, report: $report, expectedVersion: $expectedVersion) { ${CALL_FIELDS} } }`;
const RATE = `mutation($callId: ID!, $satisfaction: Int!, $comment: String, $expectedVersion: Int) {
  rateCall(callId: $callId, satisfaction: $satisfaction, comment: $comment, expectedVersion: $expectedVersion) { ${CALL_FIELDS} } }`;

let caseCounter = 0;

/** A case planted in the database as the workflow leaves it (no mutation of this suite's own). */
async function plantCase(
  gridCode: string,
  options: { level?: string; status?: string; category?: string; severity?: string; title?: string } = {},
): Promise<string> {
  caseCounter += 1;
  const [row] = await hub.sql<{ id: string }>(
    `insert into incident (case_number, title, category, severity, source, source_key, grid_code, status, level, reported_at)
     values ($1, $2, $3, $4, 'GRID_APP', $1, $5, $6, $7, now()) returning id::text`,
    [
      `CALL-${caseCounter}`,
      options.title ?? `乡呼县应测试${caseCounter}`,
      options.category ?? 'DISPUTE',
      options.severity ?? 'HIGH',
      gridCode,
      options.status ?? 'DISPATCHED',
      options.level ?? 'TOWN',
    ],
  );
  return row.id;
}

async function placeCall(incidentId: string, department = housing, note = '请住建局派员到场协助'): Promise<any> {
  return ok(await hub.gql(tokens.town1, CALL, { incidentId, department, note })).callDepartment;
}

beforeAll(async () => {
  hub = await startHub();
  const towns = await hub.sql<{ code: string }>(`select code from region where level = 'TOWN' and parent_code = '150302' order by code limit 2`);
  [town1, town2] = towns.map((town) => town.code);
  const gridIn = async (prefix: string) =>
    (await hub.sql<{ code: string }>(`select code from region where level = 'GRID' and code like $1 order by code limit 1`, [`${prefix}%`]))[0].code;
  grid1 = await gridIn(town1);
  grid2 = await gridIn(town2);
  const names = await hub.sql<{ code: string; name: string }>(`select code, name from region where code in ('150302', '150303')`);
  countyName = names.find((row) => row.code === '150302')!.name;
  otherCountyName = names.find((row) => row.code === '150303')!.name;
  housing = `${countyName}住房和城乡建设局`;
  cityManagement = `${countyName}城市管理综合执法局`;

  const claims: Record<string, Parameters<Hub['token']>[0]> = {
    town1: { sub: 'town1-operator', roles: [Role.COMMAND_CENTER], region: town1 },
    town1b: { sub: 'town1-other-operator', roles: [Role.COMMAND_CENTER], region: town1 },
    town2: { sub: 'town2-operator', roles: [Role.COMMAND_CENTER], region: town2 },
    county: { sub: 'county-operator', roles: [Role.COMMAND_CENTER], region: '150302' },
    city: { sub: 'city-operator', roles: [Role.COMMAND_CENTER], region: '1503' },
    admin: { sub: 'admin', roles: [Role.ADMIN] },
    analyst: { sub: 'analyst', roles: [Role.ANALYST], region: '150302' },
    gridWorker: { sub: 'grid-worker', roles: [Role.GRID_WORKER], region: grid1 },
    housingSeat: { sub: 'housing-seat', roles: [Role.COMMAND_CENTER], region: '150302', department: housing },
    housingTownSeat: { sub: 'housing-town-seat', roles: [Role.COMMAND_CENTER], region: town1, department: housing },
    cityManagementSeat: { sub: 'city-management-seat', roles: [Role.COMMAND_CENTER], region: '150302', department: cityManagement },
    otherCountyHousingSeat: { sub: 'other-housing-seat', roles: [Role.COMMAND_CENTER], region: '150303', department: `${otherCountyName}住房和城乡建设局` },
    heatingSeatCity: { sub: 'heating-seat', roles: [Role.COMMAND_CENTER], region: '1503', department: HEATING },
    heatingSeatOtherCounty: { sub: 'heating-seat-150303', roles: [Role.COMMAND_CENTER], region: '150303', department: HEATING },
    townSeat: { sub: 'town-seat', roles: [Role.COMMAND_CENTER], region: town1, department: `${countyName}司法局` },
  };
  for (const [name, claim] of Object.entries(claims)) tokens[name] = await hub.token(claim);
}, 60_000);

afterAll(async () => {
  await hub?.close();
});

describe('the loop: call, acknowledge, answer, rate', () => {
  it('answers each mutation of a document with what it wrote, not what an earlier one read', async () => {
    const incidentId = await plantCase(grid1, { category: 'DISPUTE', severity: 'HIGH' });
    const both = ok(
      await hub.gql(
        tokens.town1,
        `mutation($id: ID!, $first: String!, $second: String!) {
          a: callDepartment(incidentId: $id, department: $first, note: "呼叫一") { incident { calls { department } } }
          b: callDepartment(incidentId: $id, department: $second, note: "呼叫二") { incident { calls { department } } } }`,
        { id: incidentId, first: housing, second: cityManagement },
      ),
    );
    expect(both.a.incident.calls.map((call: { department: string }) => call.department)).toEqual([housing]);
    expect(both.b.incident.calls.map((call: { department: string }) => call.department).sort()).toEqual([housing, cityManagement].sort());
    const callId = (await hub.sql<{ id: string }>(`select id::text from department_call where incident_id = $1 and department = $2`, [incidentId, housing]))[0].id;
    const steps = ok(
      await hub.gql(
        tokens.housingSeat,
        `mutation($id: ID!) { a: acknowledgeCall(callId: $id) { status incident { calls { id status } } }
          b: answerCall(callId: $id, report: "已派员处理") { status incident { calls { id status } } } }`,
        { id: callId },
      ),
    );
    const statusIn = (answer: { incident: { calls: Array<{ id: string; status: string }> } }) => answer.incident.calls.find((call) => call.id === callId)!.status;
    expect([steps.a.status, statusIn(steps.a), steps.b.status, statusIn(steps.b)]).toEqual(['ACKNOWLEDGED', 'ACKNOWLEDGED', 'ANSWERED', 'ANSWERED']);
  });

  it('runs from a town command centre to the county department and back, with deadlines and versions', async () => {
    const incidentId = await plantCase(grid1, { category: 'DISPUTE', severity: 'HIGH' });
    const [before] = await hub.sql<{ events: number; version: number }>(
      `select (select count(*)::int from incident_event where incident_id = $1) as events, version from incident where id = $1`,
      [incidentId],
    );

    const placed = await placeCall(incidentId, housing, '  请派员协助调处物业纠纷  ');
    expect(placed).toMatchObject({
      incidentId,
      department: housing,
      status: 'CALLED',
      note: '请派员协助调处物业纠纷',
      calledBy: 'town1-operator',
      acknowledgedAt: null,
      answeredAt: null,
      satisfaction: null,
      version: 1,
      acknowledgementLate: false,
      answerLate: false,
    });
    const calledAt = Date.parse(placed.calledAt);
    expect(Math.abs(calledAt - Date.now())).toBeLessThan(60_000);
    // Default acknowledgement time 30 minutes; answer: DISPUTE 72 h × HIGH 0.5 = 36 h.
    expect(Date.parse(placed.acknowledgeDueAt) - calledAt).toBe(30 * 60_000);
    expect(Date.parse(placed.answerDueAt) - calledAt).toBe(36 * 3600_000);

    const acknowledged = ok(await hub.gql(tokens.housingSeat, ACKNOWLEDGE, { callId: placed.id, expectedVersion: 1 })).acknowledgeCall;
    expect(acknowledged).toMatchObject({ status: 'ACKNOWLEDGED', acknowledgedBy: 'housing-seat', version: 2, acknowledgementLate: false });
    expect(Date.parse(acknowledged.acknowledgedAt)).toBeGreaterThanOrEqual(calledAt);

    const answered = ok(await hub.gql(tokens.housingSeat, ANSWER, { callId: placed.id, report: '已派员到场，督促物业整改' })).answerCall;
    expect(answered).toMatchObject({ status: 'ANSWERED', answeredBy: 'housing-seat', report: '已派员到场，督促物业整改', version: 3, answerLate: false });

    // Any seat of the calling town rates.
    const rated = ok(await hub.gql(tokens.town1b, RATE, { callId: placed.id, satisfaction: 4, comment: '响应及时', expectedVersion: 3 })).rateCall;
    expect(rated).toMatchObject({ status: 'RATED', satisfaction: 4, ratingComment: '响应及时', ratedBy: 'town1-other-operator', version: 4 });

    // The call shows on its incident; it appended no incident event and left the incident as it was.
    const read = ok(await hub.gql(tokens.town1, `query($id: ID!) { incident(id: $id) { calls { id status satisfaction } } }`, { id: incidentId }));
    expect(read.incident.calls).toEqual([{ id: placed.id, status: 'RATED', satisfaction: 4 }]);
    const [after] = await hub.sql<{ events: number; version: number }>(
      `select (select count(*)::int from incident_event where incident_id = $1) as events, version from incident where id = $1`,
      [incidentId],
    );
    expect(after).toEqual(before);
  });

  it('lets a city-wide department seat answer a call in its city, and a second call once the first is answered', async () => {
    const incidentId = await plantCase(grid1, { status: 'IN_PROGRESS' });
    const first = await placeCall(incidentId, HEATING, '供热管网漏水');
    // One open call per department and case.
    const again = await hub.gql(tokens.town1, CALL, { incidentId, department: HEATING, note: '再次呼叫' });
    expectError(again, 'CONFLICT', 'department');
    expect(again.errors![0].extensions!.callId).toBe(first.id);
    // Another department on the same case is another call.
    await placeCall(incidentId, cityManagement, '占道施工');
    ok(await hub.gql(tokens.heatingSeatCity, ACKNOWLEDGE, { callId: first.id }));
    expectError(await hub.gql(tokens.town1, CALL, { incidentId, department: HEATING, note: '再次呼叫' }), 'CONFLICT', 'department');
    ok(await hub.gql(tokens.heatingSeatCity, ANSWER, { callId: first.id, report: '已抢修' }));
    const second = await placeCall(incidentId, HEATING, '再次漏水');
    expect(second.status).toBe('CALLED');
  });
});

describe('who may place a call', () => {
  let incidentId: string;
  beforeAll(async () => {
    incidentId = await plantCase(grid1);
  });

  it.each([
    ['the county command centre', 'county'],
    ['the city command centre', 'city'],
    ['another town', 'town2'],
    ['ADMIN', 'admin'],
    ['an ANALYST', 'analyst'],
    ['a grid worker', 'gridWorker'],
    ['the department seat itself', 'housingSeat'],
    ['a department seat with a town region', 'townSeat'],
  ])('not %s (FORBIDDEN)', async (_label, token) => {
    expectError(await hub.gql(tokens[token], CALL, { incidentId, department: housing, note: '呼叫' }), 'FORBIDDEN');
  });

  it('not on a case the town does not handle (another level), nor on one outside its town', async () => {
    const community = await plantCase(grid1, { level: 'COMMUNITY' });
    const refused = await hub.gql(tokens.town1, CALL, { incidentId: community, department: housing, note: '呼叫' });
    expectError(refused, 'FORBIDDEN', 'incidentId');
    expect(refused.errors![0].message).toContain('COMMUNITY');
    const elsewhere = await plantCase(grid2);
    expectError(await hub.gql(tokens.town1, CALL, { incidentId: elsewhere, department: housing, note: '呼叫' }), 'FORBIDDEN', 'incidentId');
  });

  it.each(['REPORTED', 'RESOLVED', 'CLOSED', 'REJECTED'])('not on a %s case (BAD_USER_INPUT naming the state)', async (status) => {
    const id = await plantCase(grid1, { status });
    const refused = await hub.gql(tokens.town1, CALL, { incidentId: id, department: housing, note: '呼叫' });
    expectError(refused, 'BAD_USER_INPUT', 'incidentId');
    expect(refused.errors![0].message).toContain(status);
  });

  it('only a county department the responsibility list names (BAD_USER_INPUT on department)', async () => {
    for (const department of ['不存在的部门', `${otherCountyName}住房和城乡建设局`, `${countyName}司法局`.replace('司法局', '综治中心')]) {
      const refused = await hub.gql(tokens.town1, CALL, { incidentId, department, note: '呼叫' });
      expectError(refused, 'BAD_USER_INPUT', 'department');
    }
    // A town-level department of the list is no county department either.
    const [town] = await hub.sql<{ name: string }>(`select name from region where code = $1`, [town1]);
    expectError(await hub.gql(tokens.town1, CALL, { incidentId, department: `${town.name}综治中心`, note: '呼叫' }), 'BAD_USER_INPUT', 'department');
  });

  it('checks its arguments: blank note, unknown or malformed incident', async () => {
    expectError(await hub.gql(tokens.town1, CALL, { incidentId, department: housing, note: '   ' }), 'BAD_USER_INPUT', 'note');
    expectError(await hub.gql(tokens.town1, CALL, { incidentId: '999999999', department: housing, note: '呼叫' }), 'NOT_FOUND', 'incidentId');
    expectError(await hub.gql(tokens.town1, CALL, { incidentId: 'abc', department: housing, note: '呼叫' }), 'BAD_USER_INPUT', 'incidentId');
  });
});

describe('who may take each step, and in which order', () => {
  let call: any;
  beforeAll(async () => {
    call = await placeCall(await plantCase(grid1));
  });

  it.each([
    ['the calling town', 'town1'],
    ['the county command centre', 'county'],
    ['ADMIN', 'admin'],
    ['another department’s seat', 'cityManagementSeat'],
    ['the same-named department of another county', 'otherCountyHousingSeat'],
    ['the department’s seat with a town region', 'housingTownSeat'],
  ])('acknowledge: not %s (FORBIDDEN)', async (_label, token) => {
    expectError(await hub.gql(tokens[token], ACKNOWLEDGE, { callId: call.id }), 'FORBIDDEN', 'callId');
  });

  it('a city-wide department’s seat of the wrong county may not acknowledge (FORBIDDEN)', async () => {
    const heating = await placeCall(await plantCase(grid1), HEATING, '供热');
    const refused = await hub.gql(tokens.heatingSeatOtherCounty, ACKNOWLEDGE, { callId: heating.id });
    expectError(refused, 'FORBIDDEN', 'callId');
    expect(refused.errors![0].message).toContain('150303');
  });

  it('in order: no answer or rating before acknowledgement, no second acknowledgement, no rating before the answer', async () => {
    const early = await hub.gql(tokens.housingSeat, ANSWER, { callId: call.id, report: '已处理' });
    expectError(early, 'BAD_USER_INPUT', 'callId');
    expect(early.errors![0].extensions).toMatchObject({ status: 'CALLED', allowedActions: ['acknowledgeCall'] });
    expectError(await hub.gql(tokens.town1, RATE, { callId: call.id, satisfaction: 5 }), 'BAD_USER_INPUT', 'callId');

    ok(await hub.gql(tokens.housingSeat, ACKNOWLEDGE, { callId: call.id }));
    const twice = await hub.gql(tokens.housingSeat, ACKNOWLEDGE, { callId: call.id });
    expectError(twice, 'BAD_USER_INPUT', 'callId');
    expect(twice.errors![0].message).toContain('already acknowledged');
    const unanswered = await hub.gql(tokens.town1, RATE, { callId: call.id, satisfaction: 5 });
    expectError(unanswered, 'BAD_USER_INPUT', 'callId');
    expect(unanswered.errors![0].extensions).toMatchObject({ status: 'ACKNOWLEDGED', allowedActions: ['answerCall'] });

    // Answering is the seat's too; the report must say something.
    expectError(await hub.gql(tokens.town1, ANSWER, { callId: call.id, report: '已处理' }), 'FORBIDDEN', 'callId');
    expectError(await hub.gql(tokens.housingSeat, ANSWER, { callId: call.id, report: ' ' }), 'BAD_USER_INPUT', 'report');
    ok(await hub.gql(tokens.housingSeat, ANSWER, { callId: call.id, report: '已处理' }));
  });

  it('rating: only the calling town, 1 to 5, once', async () => {
    for (const token of ['housingSeat', 'town2', 'county', 'admin']) {
      expectError(await hub.gql(tokens[token], RATE, { callId: call.id, satisfaction: 5 }), 'FORBIDDEN', 'callId');
    }
    for (const satisfaction of [0, 6, -1]) {
      expectError(await hub.gql(tokens.town1, RATE, { callId: call.id, satisfaction }), 'BAD_USER_INPUT', 'satisfaction');
    }
    ok(await hub.gql(tokens.town1, RATE, { callId: call.id, satisfaction: 3 }));
    const again = await hub.gql(tokens.town1, RATE, { callId: call.id, satisfaction: 5 });
    expectError(again, 'BAD_USER_INPUT', 'callId');
    expect(again.errors![0].message).toContain('already rated');
    const [row] = await hub.sql(`select satisfaction, status from department_call where id = $1`, [call.id]);
    expect(row).toEqual({ satisfaction: 3, status: 'RATED' });
  });

  it('a stale expectedVersion is a CONFLICT; an unknown call NOT_FOUND', async () => {
    const fresh = await placeCall(await plantCase(grid1));
    const stale = await hub.gql(tokens.housingSeat, ACKNOWLEDGE, { callId: fresh.id, expectedVersion: 2 });
    expectError(stale, 'CONFLICT');
    expect(stale.errors![0].extensions).toMatchObject({ field: 'expectedVersion', currentVersion: 1 });
    expectError(await hub.gql(tokens.housingSeat, ACKNOWLEDGE, { callId: '999999999' }), 'NOT_FOUND', 'callId');
  });
});

describe('late or on time (computed when read)', () => {
  /** Moves a call's times `minutes` into the past, as if it had been placed then. */
  async function age(callId: string, minutes: number): Promise<void> {
    await hub.sql(
      `update department_call set called_at = called_at - make_interval(mins => $2), acknowledge_due_at = acknowledge_due_at - make_interval(mins => $2),
              answer_due_at = answer_due_at - make_interval(mins => $2) where id = $1`,
      [callId, minutes],
    );
  }
  const READ = `query($id: ID!) { incident(id: $id) { calls { id status acknowledgementLate answerLate } } }`;

  it('an unacknowledged call past its deadline reads late, and stays late when acknowledged after it', async () => {
    const incidentId = await plantCase(grid1);
    const call = await placeCall(incidentId);
    await age(call.id, 31);
    expect(ok(await hub.gql(tokens.town1, READ, { id: incidentId })).incident.calls[0]).toMatchObject({ acknowledgementLate: true, answerLate: false });
    const acknowledged = ok(await hub.gql(tokens.housingSeat, ACKNOWLEDGE, { callId: call.id })).acknowledgeCall;
    expect(acknowledged.acknowledgementLate).toBe(true);
  });

  it('a call acknowledged within its deadline stays on time after the deadline has passed', async () => {
    const incidentId = await plantCase(grid1);
    const call = await placeCall(incidentId);
    await age(call.id, 10);
    ok(await hub.gql(tokens.housingSeat, ACKNOWLEDGE, { callId: call.id }));
    // Another 60 minutes later: acknowledged 10 minutes after the call, within its 30.
    await hub.sql(
      `update department_call set called_at = called_at - interval '60 minutes', acknowledge_due_at = acknowledge_due_at - interval '60 minutes',
              acknowledged_at = acknowledged_at - interval '60 minutes' where id = $1`,
      [call.id],
    );
    expect(ok(await hub.gql(tokens.town1, READ, { id: incidentId })).incident.calls[0]).toMatchObject({ acknowledgementLate: false });
  });

  it('an answer after its deadline is late', async () => {
    const incidentId = await plantCase(grid1, { category: 'PUBLIC_SECURITY', severity: 'CRITICAL' }); // 12 h × 0.25 = 3 h
    const call = await placeCall(incidentId);
    expect(Date.parse(call.answerDueAt) - Date.parse(call.calledAt)).toBe(3 * 3600_000);
    ok(await hub.gql(tokens.housingSeat, ACKNOWLEDGE, { callId: call.id }));
    await age(call.id, 4 * 60);
    const answered = ok(await hub.gql(tokens.housingSeat, ANSWER, { callId: call.id, report: '已处理' })).answerCall;
    expect(answered).toMatchObject({ answerLate: true });
  });
});

describe('departmentCalls', () => {
  const LIST = `query($filter: DepartmentCallFilter, $first: Int, $after: String) {
    departmentCalls(filter: $filter, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id department status incidentId } } } }`;

  it('gives a department’s seat the calls it has still to answer, a page at a time, in scope only', async () => {
    const town2Case = await plantCase(grid2);
    const mine = [await placeCall(await plantCase(grid1), cityManagement), await placeCall(await plantCase(grid1), cityManagement)];
    const town2Call = ok(await hub.gql(tokens.town2, CALL, { incidentId: town2Case, department: cityManagement, note: '呼叫' })).callDepartment;
    const done = await placeCall(await plantCase(grid1), cityManagement);
    ok(await hub.gql(tokens.cityManagementSeat, ACKNOWLEDGE, { callId: done.id }));
    ok(await hub.gql(tokens.cityManagementSeat, ANSWER, { callId: done.id, report: '已处理' }));

    const filter = { department: cityManagement, statuses: ['CALLED', 'ACKNOWLEDGED'] };
    const expected = (
      await hub.sql<{ id: string }>(`select id::text from department_call where department = $1 and status in ('CALLED', 'ACKNOWLEDGED') order by department_call.id`, [cityManagement])
    ).map((row) => row.id);
    expect(expected).toEqual(expect.arrayContaining([...mine.map((call) => call.id), town2Call.id]));
    const first = ok(await hub.gql(tokens.cityManagementSeat, LIST, { filter, first: 2 })).departmentCalls;
    expect(first.totalCount).toBe(expected.length);
    expect(first.edges.map((edge: any) => edge.node.id)).toEqual(expected.slice(0, 2));
    const rest = ok(await hub.gql(tokens.cityManagementSeat, LIST, { filter, first: 100, after: first.pageInfo.endCursor })).departmentCalls;
    expect([...first.edges, ...rest.edges].map((edge: any) => edge.node.id)).toEqual(expected);
    expect(rest.pageInfo.hasNextPage).toBe(false);

    // Town 1 sees its own town's calls only; another county's seat none of them.
    const town1 = ok(await hub.gql(tokens.town1, LIST, { filter, first: 100 })).departmentCalls;
    expect(town1.edges.map((edge: any) => edge.node.id)).not.toContain(town2Call.id);
    expect(town1.edges.map((edge: any) => edge.node.id)).toEqual(expect.arrayContaining(mine.map((call) => call.id)));
    expect(ok(await hub.gql(tokens.otherCountyHousingSeat, LIST, { filter, first: 100 })).departmentCalls.totalCount).toBe(0);
    expectError(await hub.gql(tokens.town1, LIST, { filter: { regionCode: town2 } }), 'FORBIDDEN', 'filter.regionCode');
    expectError(await hub.gql(tokens.town1, LIST, { after: 'bm90LWEtY3Vyc29y' }), 'BAD_USER_INPUT', 'after');
  });
});

describe('reading calls', () => {
  it('shows them in scope only, and masks personal data for masked roles', async () => {
    const incidentId = await plantCase(grid1);
    await placeCall(incidentId, housing, '当事人电话13812345678，请联系');
    const QUERY = `query($id: ID!) { incident(id: $id) { calls { note department incident { id } } } }`;
    const raw = ok(await hub.gql(tokens.county, QUERY, { id: incidentId }));
    expect(raw.incident.calls[0]).toEqual({ note: '当事人电话13812345678，请联系', department: housing, incident: { id: incidentId } });
    const masked = ok(await hub.gql(tokens.analyst, QUERY, { id: incidentId }));
    expect(masked.incident.calls[0].note).toBe('当事人电话138****5678，请联系');
    // The seat of another county sees neither the case nor its calls.
    const outside = ok(await hub.gql(tokens.otherCountyHousingSeat, QUERY, { id: incidentId }));
    expect(outside.incident).toBeNull();
  });

  it('loads the calls of a page of incidents in one statement', async () => {
    const ids = [await plantCase(grid1), await plantCase(grid1)];
    for (const id of ids) await placeCall(id);
    const statements = await hub.captureStatements(() =>
      hub.gql(tokens.town1, `query($grid: String!) { incidents(filter: { regionCode: $grid }, first: 100) { edges { node { id calls { id } } } } }`, {
        grid: grid1,
      }),
    );
    const page = ok(
      await hub.gql(tokens.town1, `query($grid: String!) { incidents(filter: { regionCode: $grid }, first: 100) { edges { node { id calls { id } } } } }`, {
        grid: grid1,
      }),
    );
    const withCalls = page.incidents.edges.filter((edge: any) => ids.includes(edge.node.id));
    expect(withCalls.map((edge: any) => edge.node.calls.length)).toEqual([1, 1]);
    expect(statements.filter((sql) => sql.includes('department_call'))).toHaveLength(1);
  });
});
