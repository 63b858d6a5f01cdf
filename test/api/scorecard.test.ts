import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../src/auth/viewer';
import { SourceSystem } from '../../src/sources/source-system';
import { expectError, Hub, ok, startHub } from '../support/harness';

/**
 * The department scorecard (部门考核) and the incident timeline over HTTP, against a small fixed set of cases,
 * events and calls planted in March 2031 (long after the demo city's data, so nothing else falls in the window).
 * The expected figures are computed by hand below, item by item, not with the code under test.
 */

let hub: Hub;
let countyName: string;
let otherCountyName: string;
let A: string; // county 150302's housing bureau
let B: string; // county 150302's city management bureau
let C: string; // county 150303's housing bureau
let grid1: string;
let otherCountyGrid: string;
const tokens: Record<string, string> = {};

const T0 = Date.parse('2031-03-10T00:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const at = (offset: number) => new Date(T0 + offset).toISOString();
const WINDOW = { from: '2031-03-01T00:00:00Z', to: '2031-04-01T00:00:00Z' };

let counter = 0;
const ids: Record<string, string> = {};

/** A case as the workflow leaves it, with its event log (type, time) in order. */
async function plantCase(
  name: string,
  gridCode: string,
  fields: { status: string; department: string | null; dueAt: number | null; satisfaction?: number },
  events: [string, number][],
): Promise<string> {
  counter += 1;
  const [row] = await hub.sql<{ id: string }>(
    `insert into incident (case_number, title, category, severity, source, source_key, grid_code, status, level, department, due_at,
                           satisfaction, reported_at)
     values ($1, $2, 'DISPUTE', 'MEDIUM', 'GRID_APP', $1, $3, $4, 'TOWN', $5, $6, $7, $8) returning id::text`,
    [`CARD-${counter}`, `考核测试${name}`, gridCode, fields.status, fields.department, fields.dueAt === null ? null : at(fields.dueAt),
      fields.satisfaction ?? null, at(events[0]?.[1] ?? 0)],
  );
  for (const [type, offset] of events) {
    await hub.sql(
      `insert into incident_event (incident_id, grid_code, category, type, actor, note, from_status, to_status, at)
       values ($1, $2, 'DISPUTE', $3, 'fixture', $4, null, 'ACCEPTED', $5)`,
      [row.id, gridCode, type, `${name} ${type}`, at(offset)],
    );
  }
  ids[name] = row.id;
  return row.id;
}

/** A call with its times (offsets from T0; null: not taken). */
async function plantCall(
  name: string,
  incident: string,
  department: string,
  times: { called: number; ackDue: number; ack: number | null; answerDue: number; answered: number | null; rated?: number; satisfaction?: number },
  note = `${name} 呼叫`,
): Promise<void> {
  const status = times.rated !== undefined ? 'RATED' : times.answered !== null ? 'ANSWERED' : times.ack !== null ? 'ACKNOWLEDGED' : 'CALLED';
  const [row] = await hub.sql<{ id: string }>(
    `insert into department_call (incident_id, department, status, note, called_by, called_at, acknowledge_due_at, acknowledged_by,
                                  acknowledged_at, answer_due_at, answered_by, answered_at, report, satisfaction, rating_comment, rated_by, rated_at)
     values ($1, $2, $3, $4, 'town', $5, $6, 'seat', $7, $8, 'seat', $9, $10, $11, $12, 'town', $13) returning id::text`,
    [ids[incident], department, status, note, at(times.called), at(times.ackDue), times.ack === null ? null : at(times.ack), at(times.answerDue),
      times.answered === null ? null : at(times.answered), times.answered === null ? null : `${name} 反馈`, times.satisfaction ?? null,
      times.rated === undefined ? null : `${name} 评价`, times.rated === undefined ? null : at(times.rated)],
  );
  ids[name] = row.id;
}

beforeAll(async () => {
  hub = await startHub();
  const gridIn = async (prefix: string) =>
    (await hub.sql<{ code: string }>(`select code from region where level = 'GRID' and code like $1 order by code limit 1`, [`${prefix}%`]))[0].code;
  grid1 = await gridIn('150302');
  otherCountyGrid = await gridIn('150303');
  const names = await hub.sql<{ code: string; name: string }>(`select code, name from region where code in ('150302', '150303')`);
  countyName = names.find((row) => row.code === '150302')!.name;
  otherCountyName = names.find((row) => row.code === '150303')!.name;
  A = `${countyName}住房和城乡建设局`;
  B = `${countyName}城市管理综合执法局`;
  C = `${otherCountyName}住房和城乡建设局`;

  // I1 (A): started after 20 min, resolved after 10 h (due 24 h), closed; satisfaction 4.
  await plantCase('I1', grid1, { status: 'CLOSED', department: A, dueAt: 24 * HOUR, satisfaction: 4 }, [
    ['DISPATCHED', 0], ['STARTED', 20 * MIN], ['RESOLVED', 10 * HOUR], ['CLOSED', 11 * HOUR],
  ]);
  // I2 (A): dispatched at 1 h, started 60 min later (late), resolved, returned at 2 d (new due 3 d), resolved again at
  // 2 d 30 h (late), closed; satisfaction 2.
  await plantCase('I2', grid1, { status: 'CLOSED', department: A, dueAt: 3 * DAY, satisfaction: 2 }, [
    ['DISPATCHED', HOUR], ['STARTED', 2 * HOUR], ['RESOLVED', DAY], ['VERIFIED', 2 * DAY], ['RESOLVED', 2 * DAY + 30 * HOUR], ['CLOSED', 4 * DAY],
  ]);
  // I3 (A): created and accepted before T0, dispatched at 3 h, started 10 min later, in progress.
  await plantCase('I3', grid1, { status: 'IN_PROGRESS', department: A, dueAt: DAY }, [
    ['CREATED', -2 * HOUR], ['ACCEPTED', -HOUR], ['DISPATCHED', 3 * HOUR], ['STARTED', 3 * HOUR + 10 * MIN],
  ]);
  // I4 (A): dispatched before the window.
  await plantCase('I4', grid1, { status: 'CLOSED', department: A, dueAt: -17 * DAY }, [
    ['DISPATCHED', -18 * DAY], ['STARTED', -18 * DAY + MIN], ['RESOLVED', -18 * DAY + HOUR], ['CLOSED', -18 * DAY + 2 * HOUR],
  ]);
  // I5 (B): dispatched at the town, escalated, dispatched at 2 h to B, started 40 min later (late).
  await plantCase('I5', grid1, { status: 'IN_PROGRESS', department: B, dueAt: 10 * DAY }, [
    ['DISPATCHED', 0], ['ESCALATED', HOUR], ['DISPATCHED', 2 * HOUR], ['STARTED', 2 * HOUR + 40 * MIN],
  ]);
  // I6 (B): started exactly 30 min after dispatch (on time), resolved after 1 h, no due time.
  await plantCase('I6', grid1, { status: 'RESOLVED', department: B, dueAt: null }, [
    ['DISPATCHED', 5 * HOUR], ['STARTED', 5 * HOUR + 30 * MIN], ['RESOLVED', 6 * HOUR],
  ]);
  // I7 (C, county 150303): started after 5 min.
  await plantCase('I7', otherCountyGrid, { status: 'IN_PROGRESS', department: C, dueAt: DAY }, [['DISPATCHED', 0], ['STARTED', 5 * MIN]]);
  // I8: dispatched in the window, then escalated and not dispatched again: no department, counted for nobody.
  await plantCase('I8', grid1, { status: 'ACCEPTED', department: null, dueAt: null }, [['DISPATCHED', 0], ['ESCALATED', HOUR]]);

  // Calls on I3.
  await plantCall('C1', 'I3', A, { called: HOUR, ackDue: HOUR + 30 * MIN, ack: HOUR + 10 * MIN, answerDue: 37 * HOUR, answered: 5 * HOUR, rated: 6 * HOUR, satisfaction: 5 },
    '请住建局协助，联系人电话13812345678');
  await plantCall('C2', 'I3', B, { called: 2 * HOUR, ackDue: 2 * HOUR + 30 * MIN, ack: 3 * HOUR, answerDue: 3 * HOUR, answered: 4 * HOUR });
  await plantCall('C3', 'I3', A, { called: 4 * HOUR, ackDue: 4 * HOUR + 30 * MIN, ack: null, answerDue: 40 * HOUR, answered: null });
  // C4: placed after the window.
  await plantCall('C4', 'I3', A, { called: 23 * DAY, ackDue: 23 * DAY + 30 * MIN, ack: 23 * DAY + MIN, answerDue: 24 * DAY, answered: null });

  tokens.countyAnalyst = await hub.token({ roles: [Role.ANALYST], region: '150302' });
  tokens.countyCentre = await hub.token({ roles: [Role.COMMAND_CENTER], region: '150302' });
  tokens.otherCounty = await hub.token({ roles: [Role.COMMAND_CENTER], region: '150303' });
  tokens.city = await hub.token({ roles: [Role.COMMAND_CENTER], region: '1503' });
  tokens.gridWorker = await hub.token({ roles: [Role.GRID_WORKER], region: grid1 });
  tokens.department = await hub.token({ roles: [Role.DEPARTMENT], region: '1503', source: SourceSystem.GRID_APP });
}, 60_000);

afterAll(async () => {
  await hub?.close();
});

const SCORECARD = `query($regionCode: String!, $from: DateTimeISO!, $to: DateTimeISO!) {
  departmentScorecard(regionCode: $regionCode, from: $from, to: $to) {
    department received dispatched called acknowledged acknowledgedOnTime resolved resolvedOnTime returned
    meanSecondsToAcknowledge meanSecondsToResolve ratings meanSatisfaction
  } }`;

/**
 * By hand, item by item (seconds from receipt):
 * A: I1 (ack 1,200 on time; resolved 36,000 on time; rated 4), I2 (ack 3,600 late; resolved at 2 d 30 h = 277,200 after
 *    its dispatch at 1 h, late against its due 3 d; returned; rated 2), I3 (ack 600 on time; not resolved), C1 (ack 600
 *    on time; answered 14,400 on time; rated 5), C3 (not acknowledged). I4 and C4 lie outside the window.
 * B: I5 (its second dispatch; ack 2,400 late), I6 (ack 1,800, on its deadline; resolved 3,600 with no due time), C2 (ack
 *    3,600 late; answered 7,200 after the call, an hour after its deadline).
 * C: I7 (ack 300 on time).
 */
const SCORE_A = {
  department: '', received: 5, dispatched: 3, called: 2, acknowledged: 4, acknowledgedOnTime: 3, resolved: 3, resolvedOnTime: 2, returned: 1,
  meanSecondsToAcknowledge: (1200 + 3600 + 600 + 600) / 4, meanSecondsToResolve: (36000 + 277200 + 14400) / 3, ratings: 3, meanSatisfaction: (4 + 2 + 5) / 3,
};
const SCORE_B = {
  department: '', received: 3, dispatched: 2, called: 1, acknowledged: 3, acknowledgedOnTime: 1, resolved: 2, resolvedOnTime: 1, returned: 0,
  meanSecondsToAcknowledge: (2400 + 1800 + 3600) / 3, meanSecondsToResolve: (3600 + 7200) / 2, ratings: 0, meanSatisfaction: null,
};
const SCORE_C = {
  department: '', received: 1, dispatched: 1, called: 0, acknowledged: 1, acknowledgedOnTime: 1, resolved: 0, resolvedOnTime: 0, returned: 0,
  meanSecondsToAcknowledge: 300, meanSecondsToResolve: null, ratings: 0, meanSatisfaction: null,
};

/** `digits`: the means' precision (times read back from the database carry microseconds, JavaScript's milliseconds). */
function expectScores(actual: any[], expected: any[], digits = 6): void {
  expect(actual.map((row) => row.department)).toEqual(expected.map((row) => row.department));
  actual.forEach((row, i) => {
    const { meanSatisfaction, meanSecondsToResolve, meanSecondsToAcknowledge, ...counts } = expected[i];
    expect(row).toMatchObject(counts);
    for (const [key, value] of Object.entries({ meanSatisfaction, meanSecondsToResolve, meanSecondsToAcknowledge })) {
      if (value === null) expect(row[key]).toBeNull();
      else expect(row[key]).toBeCloseTo(value as number, digits);
    }
  });
}

describe('departmentScorecard', () => {
  it('gives a county its departments’ figures, as computed by hand', async () => {
    const data = ok(await hub.gql(tokens.countyAnalyst, SCORECARD, { regionCode: '150302', ...WINDOW }));
    // Departments in code-point order: 住 (U+4F4F) before 城 (U+57CE).
    expectScores(data.departmentScorecard, [{ ...SCORE_A, department: A }, { ...SCORE_B, department: B }]);
  });

  it('gives the city both counties, and the other county only its own', async () => {
    const city = ok(await hub.gql(tokens.city, SCORECARD, { regionCode: '1503', ...WINDOW }));
    expectScores(city.departmentScorecard, [{ ...SCORE_A, department: A }, { ...SCORE_B, department: B }, { ...SCORE_C, department: C }].sort((x, y) => (x.department < y.department ? -1 : 1)));
    const other = ok(await hub.gql(tokens.otherCounty, SCORECARD, { regionCode: '150303', ...WINDOW }));
    expectScores(other.departmentScorecard, [{ ...SCORE_C, department: C }]);
  });

  it('counts by receipt time: a window that ends at 2 h holds I1, I2 and C1 of A and the first dispatch of nobody', async () => {
    const data = ok(await hub.gql(tokens.countyCentre, SCORECARD, { regionCode: '150302', from: WINDOW.from, to: at(2 * HOUR) }));
    expectScores(data.departmentScorecard, [
      {
        department: A, received: 3, dispatched: 2, called: 1, acknowledged: 3, acknowledgedOnTime: 2, resolved: 3, resolvedOnTime: 2, returned: 1,
        meanSecondsToAcknowledge: (1200 + 3600 + 600) / 3, meanSecondsToResolve: (36000 + 277200 + 14400) / 3, ratings: 3, meanSatisfaction: 11 / 3,
      },
    ]);
  });

  it('runs one statement whatever the number of departments and items', async () => {
    const statements = await hub.captureStatements(() => hub.gql(tokens.city, SCORECARD, { regionCode: '1503', ...WINDOW }));
    expect(statements).toHaveLength(1);
  });

  it('is scoped to the caller’s region, and to the roles that assess', async () => {
    expectError(await hub.gql(tokens.countyAnalyst, SCORECARD, { regionCode: '150303', ...WINDOW }), 'FORBIDDEN', 'regionCode');
    expectError(await hub.gql(tokens.countyAnalyst, SCORECARD, { regionCode: '1503', ...WINDOW }), 'FORBIDDEN', 'regionCode');
    expectError(await hub.gql(tokens.otherCounty, SCORECARD, { regionCode: '150302', ...WINDOW }), 'FORBIDDEN', 'regionCode');
    expectError(await hub.gql(tokens.gridWorker, SCORECARD, { regionCode: grid1, ...WINDOW }), 'FORBIDDEN');
    expectError(await hub.gql(tokens.department, SCORECARD, { regionCode: '1503', ...WINDOW }), 'FORBIDDEN');
  });

  it('checks its window', async () => {
    expectError(await hub.gql(tokens.city, SCORECARD, { regionCode: '1503', from: WINDOW.to, to: WINDOW.from }), 'BAD_USER_INPUT', 'to');
    expectError(await hub.gql(tokens.city, SCORECARD, { regionCode: '1503', from: '2030-01-01T00:00:00Z', to: '2031-04-01T00:00:00Z' }), 'BAD_USER_INPUT', 'to');
    expectError(await hub.gql(tokens.city, SCORECARD, { regionCode: '15030', ...WINDOW }), 'BAD_USER_INPUT', 'regionCode');
  });
});

describe('incidentTimeline', () => {
  const TIMELINE = `query($id: ID!) { incidentTimeline(id: $id) {
    incident { id } complete
    steps { kind at actor note secondsSincePrevious secondsSinceFirst event { seq type } call { id department } } } }`;

  it('merges the events and the calls’ steps in time order, with durations', async () => {
    const data = ok(await hub.gql(tokens.countyCentre, TIMELINE, { id: ids.I3 }));
    const timeline = data.incidentTimeline;
    expect(timeline.incident.id).toBe(ids.I3);
    expect(timeline.complete).toBe(true);
    // By hand: CREATED −2 h, ACCEPTED −1 h, C1 placed 1 h, C1 acknowledged 1 h 10, C2 placed 2 h, DISPATCHED 3 h and C2
    // acknowledged 3 h (the event first), STARTED 3 h 10, C2 answered 4 h and C3 placed 4 h (C2 first, the older call),
    // C1 answered 5 h, C1 rated 6 h. C4 (23 d) was placed, then acknowledged a minute later.
    const expected: [string, string, number][] = [
      ['EVENT', 'CREATED', -2 * HOUR],
      ['EVENT', 'ACCEPTED', -HOUR],
      ['CALL_PLACED', 'C1', HOUR],
      ['CALL_ACKNOWLEDGED', 'C1', HOUR + 10 * MIN],
      ['CALL_PLACED', 'C2', 2 * HOUR],
      ['EVENT', 'DISPATCHED', 3 * HOUR],
      ['CALL_ACKNOWLEDGED', 'C2', 3 * HOUR],
      ['EVENT', 'STARTED', 3 * HOUR + 10 * MIN],
      ['CALL_ANSWERED', 'C2', 4 * HOUR],
      ['CALL_PLACED', 'C3', 4 * HOUR],
      ['CALL_ANSWERED', 'C1', 5 * HOUR],
      ['CALL_RATED', 'C1', 6 * HOUR],
      ['CALL_PLACED', 'C4', 23 * DAY],
      ['CALL_ACKNOWLEDGED', 'C4', 23 * DAY + MIN],
    ];
    expect(timeline.steps.map((step: any) => [step.kind, step.event?.type ?? Object.keys(ids).find((key) => ids[key] === step.call?.id), Date.parse(step.at) - T0])).toEqual(expected);
    expect(timeline.steps.map((step: any) => step.secondsSincePrevious)).toEqual(
      expected.map(([, , offset], i) => (i === 0 ? null : (offset - expected[i - 1][2]) / 1000)),
    );
    expect(timeline.steps.map((step: any) => step.secondsSinceFirst)).toEqual(expected.map(([, , offset]) => (offset + 2 * HOUR) / 1000));
    expect(timeline.steps[2]).toMatchObject({ actor: 'town', note: '请住建局协助，联系人电话13812345678', call: { department: A } });
    expect(timeline.steps[11]).toMatchObject({ actor: 'town', note: 'C1 评价' });
  });

  it('runs three statements: the incident, its events, its calls', async () => {
    const statements = await hub.captureStatements(() => hub.gql(tokens.countyCentre, `query($id: ID!) { incidentTimeline(id: $id) { steps { kind } } }`, { id: ids.I3 }));
    expect(statements).toHaveLength(3);
  });

  it('is in scope and masked as the incident is', async () => {
    expect(ok(await hub.gql(tokens.otherCounty, TIMELINE, { id: ids.I3 })).incidentTimeline).toBeNull();
    expect(ok(await hub.gql(tokens.otherCounty, TIMELINE, { id: ids.I7 })).incidentTimeline.steps).toHaveLength(2);
    const masked = ok(await hub.gql(tokens.countyAnalyst, TIMELINE, { id: ids.I3 }));
    expect(masked.incidentTimeline.steps[2].note).toBe('请住建局协助，联系人电话138****5678');
    expect(ok(await hub.gql(tokens.countyCentre, TIMELINE, { id: '999999999' })).incidentTimeline).toBeNull();
  });
});

describe('through the workflow mutations (what wip-wf stores: Incident.department, its events, dueAt)', () => {
  it('counts a case the town dispatched and a call it placed, as the mutations left them', async () => {
    const start = new Date(Date.now() - 1000).toISOString();
    const town = grid1.slice(0, 9);
    const [townRow] = await hub.sql<{ name: string }>(`select name from region where code = $1`, [town]);
    const townDepartment = `${townRow.name}综治中心`; // the list's TOWN lead for disputes
    const townCentre = await hub.token({ sub: 'town-centre', roles: [Role.COMMAND_CENTER], region: town });
    const townSeat = await hub.token({ sub: 'town-seat', roles: [Role.COMMAND_CENTER], region: town, department: townDepartment });
    const housingSeat = await hub.token({ sub: 'housing-seat', roles: [Role.COMMAND_CENTER], region: '150302', department: A });
    const run = async (token: string, query: string, variables: Record<string, unknown>) => ok(await hub.gql(token, query, variables));

    const { reportIncident } = await run(
      townCentre,
      `mutation($grid: String!) { reportIncident(input: { title: "物业纠纷", category: DISPUTE, severity: MEDIUM, gridCode: $grid }) { id level } }`,
      { grid: grid1 },
    );
    expect(reportIncident.level).toBe('TOWN');
    const id = reportIncident.id;
    await run(townCentre, `mutation($id: ID!) { acceptIncident(id: $id) { id } }`, { id });
    const dispatched = (await run(townCentre, `mutation($id: ID!) { dispatchIncident(id: $id) { department dueAt } }`, { id })).dispatchIncident;
    expect(dispatched.department).toBe(townDepartment);
    const call = (await run(townCentre, `mutation($id: ID!, $d: String!) { callDepartment(incidentId: $id, department: $d, note: "请住建局协调物业") { id } }`, { id, d: A }))
      .callDepartment;
    await run(housingSeat, `mutation($c: ID!) { acknowledgeCall(callId: $c) { id } }`, { c: call.id });
    await run(housingSeat, `mutation($c: ID!) { answerCall(callId: $c, report: "已约谈物业公司") { id } }`, { c: call.id });
    await run(townCentre, `mutation($c: ID!) { rateCall(callId: $c, satisfaction: 5) { id } }`, { c: call.id });
    await run(townSeat, `mutation($id: ID!) { startIncident(id: $id) { id } }`, { id });
    await run(townSeat, `mutation($id: ID!) { resolveIncident(id: $id, feedback: "已调解") { id } }`, { id });
    await run(townCentre, `mutation($id: ID!) { verifyIncident(id: $id, passed: false, note: "当事人不认可") { id } }`, { id });
    await run(townSeat, `mutation($id: ID!) { startIncident(id: $id) { id } }`, { id }); // a returned case is DISPATCHED again
    await run(townSeat, `mutation($id: ID!) { resolveIncident(id: $id, feedback: "再次调解，双方达成协议") { id } }`, { id });
    await run(townCentre, `mutation($id: ID!) { verifyIncident(id: $id, passed: true) { id } }`, { id });
    await run(townCentre, `mutation($id: ID!) { rateIncident(id: $id, satisfaction: 3) { id } }`, { id });

    // The figures by hand, from the stored times.
    const events = await hub.sql<{ type: string; ms: number }>(
      `select type, extract(epoch from at) * 1000 as ms from incident_event where incident_id = $1 order by seq`,
      [id],
    );
    const time = (type: string, which: 'first' | 'last' = 'first') => {
      const found = events.filter((event) => event.type === type).map((event) => Number(event.ms));
      return which === 'first' ? found[0] : found[found.length - 1];
    };
    const [stored] = await hub.sql<{ called: number; ack: number; answered: number }>(
      `select extract(epoch from called_at) * 1000 as called, extract(epoch from acknowledged_at) * 1000 as ack,
              extract(epoch from answered_at) * 1000 as answered from department_call where id = $1`,
      [call.id],
    );
    const data = ok(await hub.gql(tokens.countyCentre, SCORECARD, { regionCode: grid1, from: start, to: new Date(Date.now() + 60_000).toISOString() }));
    expectScores(data.departmentScorecard, [
      {
        department: A, received: 1, dispatched: 0, called: 1, acknowledged: 1, acknowledgedOnTime: 1, resolved: 1, resolvedOnTime: 1, returned: 0,
        meanSecondsToAcknowledge: (Number(stored.ack) - Number(stored.called)) / 1000,
        meanSecondsToResolve: (Number(stored.answered) - Number(stored.called)) / 1000, ratings: 1, meanSatisfaction: 5,
      },
      {
        department: townDepartment, received: 1, dispatched: 1, called: 0, acknowledged: 1, acknowledgedOnTime: 1, resolved: 1, resolvedOnTime: 1, returned: 1,
        meanSecondsToAcknowledge: (time('STARTED') - time('DISPATCHED')) / 1000,
        meanSecondsToResolve: (time('RESOLVED', 'last') - time('DISPATCHED')) / 1000, ratings: 1, meanSatisfaction: 3,
      },
    ].sort((x, y) => (x.department < y.department ? -1 : 1)), 2);
  });
});
