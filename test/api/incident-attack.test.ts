import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client as PgClient } from 'pg';
import { Role } from '../../src/auth/viewer';
import { expectError, GraphQLResponse, Hub, ok, startHub } from '../support/harness';
import WebSocket from 'ws';
import { ascending, collect, disposeLiveClients, INCIDENT_EVENTS, INSERT_EVENTS, liveClient, sleep, waitUntil } from '../support/live';

/*
 * A hostile or careless client against the incident workflow, the department calls (乡呼县应) and the live
 * incidentEvents subscription, over HTTP and graphql-ws against real PostgreSQL: text PostgreSQL cannot store,
 * an afterSeq past the log, a dueAt limit a masked message hid, refusals that described cases outside the
 * caller's scope, concurrent actions without expectedVersion (also on a case that never stops changing), and
 * resuming after a slow-consumer close.
 */

let hub: Hub;
let grid1: string;
let grid2: string;
let farGrid: string;
let town1: string;
let housing: string;
const tokens: Record<string, string> = {};
let caseCounter = 0;

async function plantCase(gridCode: string, options: { level?: string; status?: string; category?: string; department?: string } = {}): Promise<string> {
  caseCounter += 1;
  const [row] = await hub.sql<{ id: string }>(
    `insert into incident (case_number, title, category, severity, source, source_key, grid_code, status, level, reported_at, department, due_at)
     values ($1, $2, $3, 'HIGH', 'GRID_APP', $1, $4, $5, $6, now(), $7, case when $7::text is null then null else now() + interval '1 day' end) returning id::text`,
    [`ATTACK-${caseCounter}`, `攻击测试${caseCounter}`, options.category ?? 'DISPUTE', gridCode, options.status ?? 'DISPATCHED', options.level ?? 'TOWN', options.department ?? null],
  );
  return row.id;
}


beforeAll(async () => {
  hub = await startHub({ live: { pollMs: 300, batchSize: 100 } });
  town1 = (await hub.sql(`select code from region where level = 'TOWN' and parent_code = '150302' order by code limit 1`))[0].code;
  const grids = await hub.sql<{ code: string }>(`select code from region where level = 'GRID' and code like $1 order by code limit 2`, [`${town1}%`]);
  [grid1, grid2] = grids.map((g) => g.code);
  farGrid = (await hub.sql(`select code from region where level = 'GRID' and code like '150303%' order by code limit 1`))[0].code;
  const countyName = (await hub.sql(`select name from region where code = '150302'`))[0].name;
  housing = `${countyName}住房和城乡建设局`;
  const claims: Record<string, Parameters<Hub['token']>[0]> = {
    admin: { sub: 'admin', roles: [Role.ADMIN] },
    worker: { sub: 'gw', roles: [Role.GRID_WORKER], region: grid1 },
    town1: { sub: 'town1', roles: [Role.COMMAND_CENTER], region: town1 },
    county: { sub: 'county', roles: [Role.COMMAND_CENTER], region: '150302' },
    otherCounty: { sub: 'other-county', roles: [Role.COMMAND_CENTER], region: '150303' },
    analyst: { sub: 'analyst', roles: [Role.ANALYST], region: '150302' },
    department: { sub: 'dept', roles: [Role.DEPARTMENT], region: '1503', source: 'CITY_MANAGEMENT' as never },
    housingSeat: { sub: 'housing-seat', roles: [Role.COMMAND_CENTER], region: '150302', department: housing },
    housingSeatOther: { sub: 'housing-seat-other', roles: [Role.COMMAND_CENTER], region: '150303', department: housing },
  };
  for (const [name, claim] of Object.entries(claims)) tokens[name] = await hub.token(claim);
}, 60_000);

afterAll(async () => {
  await disposeLiveClients();
  await hub?.close();
});

describe('text arguments PostgreSQL cannot store', () => {
  const BAD = ['收到\u0000已处理', '已处理\ud800', 'http://a/b\u0000'];
  const ACTIONS: Array<[string, string, string, string]> = [
    // [label, status planted, mutation, field the error must name]
    ['acceptIncident note', 'REPORTED', 'acceptIncident(id: $id, note: $t) { id }', 'note'],
    ['rejectIncident reason', 'REPORTED', 'rejectIncident(id: $id, reason: $t) { id }', 'reason'],
    ['dispatchIncident assignee', 'ACCEPTED', 'dispatchIncident(id: $id, assignee: $t) { id }', 'assignee'],
    ['dispatchIncident note', 'ACCEPTED', 'dispatchIncident(id: $id, note: $t) { id }', 'note'],
    ['startIncident note', 'DISPATCHED', 'startIncident(id: $id, note: $t) { id }', 'note'],
    ['resolveIncident feedback', 'IN_PROGRESS', 'resolveIncident(id: $id, feedback: $t) { id }', 'feedback'],
    ['resolveIncident photoUrls', 'IN_PROGRESS', 'resolveIncident(id: $id, feedback: "已清理", photoUrls: [$t]) { id }', 'photoUrls[0]'],
    ['verifyIncident note', 'RESOLVED', 'verifyIncident(id: $id, passed: false, note: $t) { id }', 'note'],
    ['escalateIncident reason', 'ACCEPTED', 'escalateIncident(id: $id, reason: $t) { id }', 'reason'],
    ['rateIncident comment', 'RESOLVED', 'rateIncident(id: $id, satisfaction: 3, comment: $t) { id }', 'comment'],
  ];

  it('NUL bytes and lone surrogates in workflow texts are BAD_USER_INPUT naming the argument, not INTERNAL_SERVER_ERROR, and change nothing', async () => {
    for (const [label, status, mutation, field] of ACTIONS) {
      for (const text of BAD) {
        // The photo URL check refuses anything that is not a URL on its own; the other texts take any string.
        if (field === 'photoUrls[0]' && !text.startsWith('http')) continue;
        const id = await plantCase(grid1, { status, department: ['REPORTED', 'ACCEPTED'].includes(status) ? undefined : housing });
        const response = await hub.gql(tokens.town1, `mutation($id: ID!, $t: String!) { ${mutation} }`, { id, t: text });
        try {
          expectError(response, 'BAD_USER_INPUT', field);
        } catch (error) {
          throw new Error(`${label} ${JSON.stringify(text)}: ${(error as Error).message}`);
        }
        const [row] = await hub.sql(`select status, version, (select count(*)::int from incident_event where incident_id = $1) as events from incident where id = $1`, [id]);
        expect(row).toEqual({ status, version: 1, events: 0 });
      }
    }
  }, 120_000);

  it('NUL bytes and lone surrogates in call texts (note, report, comment) are BAD_USER_INPUT naming the argument; a lone surrogate is not stored as U+FFFD', async () => {
    const id = await plantCase(grid1, { status: 'DISPATCHED', department: housing });
    const CALL = `mutation($id: ID!, $t: String!, $d: String!) { callDepartment(incidentId: $id, department: $d, note: $t) { id note } }`;
    for (const text of BAD.slice(0, 2)) expectError(await hub.gql(tokens.town1, CALL, { id, t: text, d: housing }), 'BAD_USER_INPUT', 'note');
    expect(await hub.sql(`select id from department_call where incident_id = $1`, [id])).toEqual([]);
    const call = ok(await hub.gql(tokens.town1, CALL, { id, t: '请派员协助', d: housing })).callDepartment;
    ok(await hub.gql(tokens.housingSeat, `mutation($id: ID!) { acknowledgeCall(callId: $id) { id } }`, { id: call.id }));
    const ANSWER = `mutation($id: ID!, $t: String!) { answerCall(callId: $id, report: $t) { id } }`;
    for (const text of BAD.slice(0, 2)) expectError(await hub.gql(tokens.housingSeat, ANSWER, { id: call.id, t: text }), 'BAD_USER_INPUT', 'report');
    ok(await hub.gql(tokens.housingSeat, ANSWER, { id: call.id, t: '已派员' }));
    const RATE = `mutation($id: ID!, $t: String!) { rateCall(callId: $id, satisfaction: 3, comment: $t) { id } }`;
    for (const text of BAD.slice(0, 2)) expectError(await hub.gql(tokens.town1, RATE, { id: call.id, t: text }), 'BAD_USER_INPUT', 'comment');
    expect(await hub.sql(`select status, version from department_call where id = $1`, [call.id])).toEqual([{ status: 'ANSWERED', version: 3 }]);
  }, 60_000);
});

describe('incidentEvents afterSeq', () => {
  it('an afterSeq past the end of the log is BAD_USER_INPUT, not a subscription that stays silent while events happen', async () => {
    const last = BigInt((await hub.sql(`select coalesce(max(seq), 0)::text as m from incident_event`))[0].m);
    const ahead = collect(liveClient(hub.wsUrl, tokens.admin), { afterSeq: (last + 1000n).toString() });
    // The end itself is a seq a client may hold: it resumes there and hears the next event.
    const atEnd = collect(liveClient(hub.wsUrl, tokens.admin), { afterSeq: last.toString() });
    await waitUntil(() => ahead.errors.length > 0 || ahead.completed || ahead.failure !== null || atEnd.failure !== null, 'the refusal', 5_000).catch(() => undefined);
    const id = await plantCase(grid1, { status: 'REPORTED' });
    ok(await hub.gql(tokens.town1, `mutation($id: ID!) { acceptIncident(id: $id) { id } }`, { id }));
    await waitUntil(() => atEnd.events.some((event) => event.incidentId === id), 'the event at the end of the log');
    expect(ahead.events).toEqual([]);
    expect(ahead.errors).toHaveLength(1);
    expect(ahead.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'afterSeq' });
    expect(ahead.completed).toBe(true);
    expect(atEnd.errors).toEqual([]);
  }, 60_000);
});

describe('errors a client must be able to act on', () => {
  it('a dueAt past the limit says the limit usably (error messages are masked for everyone, so not as a date in the message)', async () => {
    const id = await plantCase(grid1, { status: 'ACCEPTED' });
    const before = Date.now();
    const response = await hub.gql(tokens.town1, `mutation($id: ID!, $d: DateTimeISO) { dispatchIncident(id: $id, dueAt: $d) { id dueAt } }`, {
      id,
      d: '2099-01-01T00:00:00Z',
    });
    expectError(response, 'BAD_USER_INPUT', 'dueAt');
    const error = response.errors![0];
    expect(error.message).not.toContain('**');
    // DISPUTE 72 h × HIGH 0.5 = 36 h from now.
    expect(error.message).toContain('36 hours');
    const latest = Date.parse(error.extensions!.latestDueAt);
    expect(latest - before).toBeGreaterThanOrEqual(36 * 3600_000 - 1000);
    expect(latest - Date.now()).toBeLessThanOrEqual(36 * 3600_000);
    // The limit itself is accepted.
    expect(ok(await hub.gql(tokens.town1, `mutation($id: ID!, $d: DateTimeISO) { dispatchIncident(id: $id, dueAt: $d) { dueAt } }`, { id, d: error.extensions!.latestDueAt })).dispatchIncident.dueAt).toBe(
      error.extensions!.latestDueAt,
    );
  });

  it('departmentCalls filter.department with a NUL byte is BAD_USER_INPUT on filter.department, not INTERNAL_SERVER_ERROR', async () => {
    const QUERY = `query($d: String) { departmentCalls(filter: { department: $d }) { totalCount } }`;
    expectError(await hub.gql(tokens.analyst, QUERY, { d: `${housing}\u0000` }), 'BAD_USER_INPUT', 'filter.department');
    expectError(await hub.gql(tokens.analyst, QUERY, { d: `${housing}\ud800` }), 'BAD_USER_INPUT', 'filter.department');
    expect(ok(await hub.gql(tokens.analyst, QUERY, { d: housing })).departmentCalls.totalCount).toBeGreaterThanOrEqual(0);
  });
});

describe('incidentEvents after a slow-consumer close', () => {
  it('a client closed with 4503 that resumes with the last seq it received gets every event exactly once', async () => {
    const small = await startHub({ live: { pollMs: 200, maxQueuedPerSocket: 20, batchSize: 50 } });
    try {
      const token = await small.token({ roles: [Role.COMMAND_CENTER], region: '1503' });
      const incident = (await small.sql(`select id::text from incident order by id limit 1`))[0].id;
      const slow = new WebSocket(small.wsUrl, 'graphql-transport-ws');
      const received: string[] = [];
      const closed = new Promise<number>((resolve) => slow.on('close', (code) => resolve(code)));
      slow.on('message', (data) => {
        const message = JSON.parse(String(data));
        if (message.type === 'connection_ack') slow.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: INCIDENT_EVENTS } }));
        else if (message.type === 'next' && message.payload.data) received.push(message.payload.data.incidentEvents.seq);
      });
      await new Promise((resolve) => slow.once('open', resolve));
      slow.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
      await sleep(700);
      const first = BigInt((await small.sql(`select coalesce(max(seq), 0)::text as m from incident_event`))[0].m);
      (slow as any)._socket.pause();
      // 1,200 events of ~8 KB: more than the kernel buffers hold, so the queue overflows.
      const note = 'x'.repeat(8000);
      for (let i = 0; i < 12; i++) {
        await small.sql(INSERT_EVENTS, [incident, note, 100]);
        await small.sql(`select pg_notify('gridhub_incident_events', '')`);
        await sleep(50);
      }
      const all = (await small.sql<{ seq: string }>(`select seq::text from incident_event where seq > $1 order by seq`, [first.toString()])).map((row) => row.seq);
      expect(all).toHaveLength(1200);
      await sleep(1000);
      (slow as any)._socket.resume();
      expect(await closed).toBe(4503);
      expect(received.length).toBeLessThan(all.length);
      // What arrived before the close is a prefix of the log, in order.
      expect(received).toEqual(all.slice(0, received.length));
      const last = received[received.length - 1] ?? first.toString();
      const resumed = collect(liveClient(small.wsUrl, token), { afterSeq: last }, `subscription($afterSeq: ID) { incidentEvents(afterSeq: $afterSeq) { seq } }`);
      await waitUntil(() => resumed.events.length >= all.length - received.length || resumed.failure !== null, 'the rest of the events', 60_000);
      await sleep(500);
      expect(resumed.failure).toBeNull();
      expect(ascending(resumed.seqs())).toBe(true);
      expect([...received, ...resumed.seqs()]).toEqual(all);
      resumed.stop();
    } finally {
      await small.close();
    }
  }, 120_000);
});

describe('refusals do not describe a case outside the caller’s scope', () => {
  it('workflow and call refusals to a caller outside the case’s region name neither its grid nor the department called', async () => {
    const otherWorker = await hub.token({ sub: 'gw-other', roles: [Role.GRID_WORKER], region: grid2 });
    const otherCountySeat = await hub.token({ sub: 'far-seat', roles: [Role.COMMAND_CENTER], region: '150303', department: '某区住房和城乡建设局' });
    const otherCountyAdmin = await hub.token({ sub: 'far-admin', roles: [Role.ADMIN], region: '150303' });
    const otherTown = await hub.token({ sub: 'far-town', roles: [Role.COMMAND_CENTER], region: farGrid.slice(0, 9) });

    const gridCase = await plantCase(grid1, { status: 'REPORTED', level: 'GRID' });
    const refusals: GraphQLResponse[] = [];
    for (const token of [tokens.otherCounty, otherWorker, otherCountySeat, otherCountyAdmin]) {
      refusals.push(await hub.gql(token, `mutation($id: ID!) { acceptIncident(id: $id) { id } }`, { id: gridCase }));
    }
    const dispatched = await plantCase(grid1, { status: 'DISPATCHED', department: housing });
    refusals.push(await hub.gql(otherCountySeat, `mutation($id: ID!) { startIncident(id: $id) { id } }`, { id: dispatched }));
    refusals.push(await hub.gql(otherTown, `mutation($id: ID!) { callDepartment(incidentId: $id, department: "x", note: "呼叫") { id } }`, { id: dispatched }));
    const call = ok(await hub.gql(tokens.town1, `mutation($id: ID!, $d: String!) { callDepartment(incidentId: $id, department: $d, note: "呼叫") { id } }`, { id: dispatched, d: housing })).callDepartment;
    for (const token of [otherCountySeat, otherCountyAdmin, otherWorker]) {
      refusals.push(await hub.gql(token, `mutation($id: ID!) { acknowledgeCall(callId: $id) { id } }`, { id: call.id }));
    }
    refusals.push(await hub.gql(otherTown, `mutation($id: ID!) { rateCall(callId: $id, satisfaction: 1) { id } }`, { id: call.id }));
    for (const response of refusals) {
      expectError(response, 'FORBIDDEN');
      const message = response.errors![0].message;
      expect(message).not.toContain(grid1);
      expect(message).not.toContain(housing);
    }
    // The case's own actors still hear why, in full.
    const inScope = await hub.gql(tokens.housingSeat, `mutation($id: ID!) { acceptIncident(id: $id) { id } }`, { id: gridCase });
    expect(inScope.errors![0].message).toContain('may only start and resolve');
  });
});

describe('concurrent actions without expectedVersion', () => {
  it('race to one outcome: one accept of eight, every one of five ratings with its own event, one call of five, one call rating of three', async () => {
    const accepted = await plantCase(grid1, { status: 'REPORTED' });
    const accepts = await Promise.all(Array.from({ length: 8 }, () => hub.gql(tokens.town1, `mutation($id: ID!) { acceptIncident(id: $id) { version } }`, { id: accepted })));
    expect(accepts.filter((response) => !response.errors).map((response) => response.data.acceptIncident.version)).toEqual([2]);
    for (const response of accepts.filter((response) => response.errors)) expectError(response, 'BAD_USER_INPUT', 'id');
    expect(await hub.sql(`select type from incident_event where incident_id = $1`, [accepted])).toEqual([{ type: 'ACCEPTED' }]);

    const rated = await plantCase(grid1, { status: 'RESOLVED', department: housing });
    const ratings = await Promise.all([1, 2, 3, 4, 5].map((n) => hub.gql(tokens.town1, `mutation($id: ID!, $n: Int!) { rateIncident(id: $id, satisfaction: $n) { version } }`, { id: rated, n })));
    expect(ratings.map((response) => ok(response).rateIncident.version).sort()).toEqual([2, 3, 4, 5, 6]);
    const events = await hub.sql(`select note from incident_event where incident_id = $1 and type = 'RATED' order by seq`, [rated]);
    expect(events).toHaveLength(5);
    const [row] = await hub.sql(`select version, satisfaction from incident where id = $1`, [rated]);
    // The rating that stands is the last one written.
    expect(row).toEqual({ version: 6, satisfaction: Number(/满意度(\d)分/.exec(events[4].note)![1]) });

    const called = await plantCase(grid1, { status: 'DISPATCHED', department: housing });
    const CALL = `mutation($id: ID!, $d: String!) { callDepartment(incidentId: $id, department: $d, note: "呼叫") { id } }`;
    const calls = await Promise.all(Array.from({ length: 5 }, () => hub.gql(tokens.town1, CALL, { id: called, d: housing })));
    const placed = calls.filter((response) => !response.errors);
    expect(placed).toHaveLength(1);
    for (const response of calls.filter((response) => response.errors)) expectError(response, 'CONFLICT', 'department');
    const callId = placed[0].data.callDepartment.id;
    ok(await hub.gql(tokens.housingSeat, `mutation($id: ID!) { acknowledgeCall(callId: $id) { id } }`, { id: callId }));
    ok(await hub.gql(tokens.housingSeat, `mutation($id: ID!) { answerCall(callId: $id, report: "已处理") { id } }`, { id: callId }));
    const callRatings = await Promise.all([1, 2, 3].map((n) => hub.gql(tokens.town1, `mutation($id: ID!, $n: Int!) { rateCall(callId: $id, satisfaction: $n) { satisfaction } }`, { id: callId, n })));
    const stood = callRatings.filter((response) => !response.errors);
    expect(stood).toHaveLength(1);
    expect(await hub.sql(`select status, version, satisfaction from department_call where incident_id = $1`, [called])).toEqual([
      { status: 'RATED', version: 4, satisfaction: stood[0].data.rateCall.satisfaction },
    ]);
  }, 60_000);
});

describe('an action on a case that keeps changing', () => {
  it('without expectedVersion is not refused because concurrent changes keep getting there first: it waits its turn', async () => {
    const id = await plantCase(grid1, { status: 'RESOLVED', department: housing });
    // Another instance rates the case as fast as it can, each rating one statement as the workflow's own are: every
    // one moves the version between this hub's read of the case and its conditional write.
    const rival = new PgClient({ connectionString: hub.databaseUrl });
    await rival.connect();
    let racing = true;
    let rivalRatings = 0;
    const rivalLoop = (async () => {
      while (racing) {
        await rival.query(
          `with changed as (update incident set satisfaction = 1, version = version + 1, updated_at = now() where id = $1
                              returning id, grid_code, category, status)
           insert into incident_event (incident_id, grid_code, category, type, actor, note, from_status, to_status, at)
           select id, grid_code, category, 'RATED', 'rival', '满意度1分', status, status, now() from changed`,
          [id],
        );
        rivalRatings += 1;
      }
    })();
    let responses: GraphQLResponse[];
    try {
      responses = await Promise.all(
        [2, 3, 4, 5].map((n) => hub.gql(tokens.town1, `mutation($id: ID!, $n: Int!) { rateIncident(id: $id, satisfaction: $n) { version } }`, { id, n })),
      );
    } finally {
      racing = false;
      await rivalLoop;
      await rival.end();
    }
    for (const response of responses) ok(response);
    expect(rivalRatings).toBeGreaterThan(0);
    const events = await hub.sql(`select actor, from_status, to_status from incident_event where incident_id = $1 order by seq`, [id]);
    expect(events.filter((event) => event.actor === 'town1')).toHaveLength(4);
    expect((await hub.sql(`select version from incident where id = $1`, [id]))[0].version).toBe(1 + events.length);
  }, 60_000);
});
