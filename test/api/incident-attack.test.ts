import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../src/auth/viewer';
import { expectError, GraphQLResponse, Hub, ok, startHub } from '../support/harness';
import WebSocket from 'ws';
import { ascending, collect, disposeLiveClients, INCIDENT_EVENTS, INSERT_EVENTS, liveClient, sleep, waitUntil } from '../support/live';

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

const log = (label: string, r: GraphQLResponse | unknown) => console.log(label, JSON.stringify(r).slice(0, 600));

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

describe('probe3', () => {
  it('conc', async () => {
    const a = await plantCase(grid1, { status: 'REPORTED' });
    const accs = await Promise.all(Array.from({ length: 8 }, () => hub.gql(tokens.town1, `mutation($id: ID!) { acceptIncident(id: $id) { id version } }`, { id: a })));
    log('accept x8', accs.map((r) => r.errors?.[0]?.extensions?.code ?? 'OK'));
    log('accept events', await hub.sql(`select type from incident_event where incident_id = $1`, [a]));
    const r = await plantCase(grid1, { status: 'RESOLVED', department: housing });
    const rates = await Promise.all([1, 2, 3, 4, 5].map((n) => hub.gql(tokens.town1, `mutation($id: ID!, $n: Int!) { rateIncident(id: $id, satisfaction: $n) { id version satisfaction } }`, { id: r, n })));
    log('rate x5', rates.map((x) => x.errors?.[0]?.extensions?.code ?? x.data.rateIncident.version));
    log('rate db', await hub.sql(`select version, satisfaction, (select count(*)::int from incident_event where incident_id = $1) as events from incident where id = $1`, [r]));
    const c = await plantCase(grid1, { status: 'DISPATCHED', department: housing });
    const calls = await Promise.all(Array.from({ length: 5 }, () => hub.gql(tokens.town1, `mutation($id: ID!, $d: String!) { callDepartment(incidentId: $id, department: $d, note: "x") { id } }`, { id: c, d: housing })));
    log('call x5', calls.map((x) => x.errors?.[0]?.extensions?.code ?? 'OK'));
    const callId = calls.find((x) => !x.errors)!.data.callDepartment.id;
    ok(await hub.gql(tokens.housingSeat, `mutation($id: ID!) { acknowledgeCall(callId: $id) { id } }`, { id: callId }));
    ok(await hub.gql(tokens.housingSeat, `mutation($id: ID!) { answerCall(callId: $id, report: "ok") { id } }`, { id: callId }));
    const rc = await Promise.all([1, 2, 3].map((n) => hub.gql(tokens.town1, `mutation($id: ID!, $n: Int!) { rateCall(callId: $id, satisfaction: $n) { id } }`, { id: callId, n })));
    log('ratecall x3', rc.map((x) => x.errors?.[0]?.extensions?.code ?? 'OK'));
    const e = await plantCase(grid1, { status: 'ACCEPTED' });
    const race = await Promise.all([
      hub.gql(tokens.town1, `mutation($id: ID!) { escalateIncident(id: $id, reason: "r") { status level department } }`, { id: e }),
      hub.gql(tokens.town1, `mutation($id: ID!) { dispatchIncident(id: $id) { status level department } }`, { id: e }),
    ]);
    log('race', race);
    log('race db', await hub.sql(`select status, level, department, version from incident where id = $1`, [e]));
  }, 60_000);

  it('live', async () => {
    const sub = async (tok: string, vars: Record<string, unknown>, q?: string) => {
      const c = collect(liveClient(hub.wsUrl, tok), vars, q);
      await sleep(700);
      return c;
    };
    for (const afterSeq of ['-1', 'abc', '99999999999999999999', '999999999999999999', ' 1', '0']) {
      const c = await sub(tokens.admin, { afterSeq });
      log(`afterSeq ${afterSeq}`, { events: c.events.length, errors: c.errors, failure: String(c.failure), completed: c.completed });
      c.stop();
    }
    for (const regionCode of ['%', '15030_', 'x'.repeat(5000), '150303', '', '1503020010020019999']) {
      const c = await sub(tokens.worker, { regionCode });
      log(`region ${regionCode.slice(0, 20)}`, { events: c.events.length, errors: c.errors, failure: String(c.failure) });
      c.stop();
    }
    const many = await sub(tokens.admin, { categories: Array(100).fill('DISPUTE') });
    log('categories x100', { errors: many.errors, failure: String(many.failure) });
    const toomany = await sub(tokens.admin, { categories: Array(5000).fill('DISPUTE') });
    log('categories x5000', { errors: toomany.errors, failure: String(toomany.failure) });
    // analyst masking in live and replay, and timeline
    const maxSeq = (await hub.sql(`select coalesce(max(seq),0)::text as m from incident_event`))[0].m;
    const analystLive = await sub(tokens.analyst, {}, `subscription { incidentEvents { seq note incident { id assignee } } }`);
    const id = await plantCase(grid1, { status: 'REPORTED' });
    ok(await hub.gql(tokens.town1, `mutation($id: ID!) { rejectIncident(id: $id, reason: "重复，联系人13812345678 身份证110101199003071234") { id } }`, { id }));
    await waitUntil(() => analystLive.events.length > 0, 'analyst live');
    const analystReplay = await sub(tokens.analyst, { afterSeq: maxSeq }, `subscription($afterSeq: ID) { incidentEvents(afterSeq: $afterSeq) { seq note } }`);
    log('analyst live', analystLive.events);
    log('analyst replay', analystReplay.events);
    log('analyst timeline', await hub.gql(tokens.analyst, `query($id: ID!) { incidentTimeline(id: $id) { steps { note event { note } } } }`, { id }));
    log('analyst events', await hub.gql(tokens.analyst, `query($id: ID!) { incident(id: $id) { events { edges { node { note } } } } }`, { id }));
    // token expiring
    const short = await hub.token({ sub: 'short', roles: [Role.ADMIN] }, '2s');
    const s2 = await sub(short, {});
    await sleep(3000);
    log('expired', { errors: s2.errors, completed: s2.completed, failure: String(s2.failure) });
    const expired = await hub.token({ sub: 'short', roles: [Role.ADMIN] }, '-10s');
    const s3 = await sub(expired, {});
    log('already expired', { errors: s3.errors, completed: s3.completed, failure: String(s3.failure) });
  }, 60_000);
});

describe('probe4', () => {
  it('p4', async () => {
    if (process.env.P4A) {
    for (const d of ['a\u0000', 'a\ud800', ' '.repeat(150), '']) {
      log(`calls dept ${JSON.stringify(d).slice(0, 20)}`, await hub.gql(tokens.analyst, `query($d: String) { departmentCalls(filter: { department: $d }) { totalCount edges { node { id } } } }`, { d }));
    }
    log('calls statuses', await hub.gql(tokens.analyst, `query { departmentCalls(filter: { statuses: [] }) { totalCount } }`));
    log('calls first 0', await hub.gql(tokens.analyst, `query { departmentCalls(first: 0) { totalCount pageInfo { hasNextPage } } }`));
    log('scorecard town', await hub.gql(tokens.town1, `query { departmentScorecard(regionCode: "150302", from: "2026-01-01T00:00:00Z", to: "2026-12-31T00:00:00Z") { department } }`));
    log('scorecard worker', await hub.gql(tokens.worker, `query($r: String!) { departmentScorecard(regionCode: $r, from: "2026-01-01T00:00:00Z", to: "2026-12-31T00:00:00Z") { department } }`, { r: grid1 }));
    log('scorecard city analyst', await hub.gql(tokens.analyst, `query { departmentScorecard(regionCode: "1503", from: "2026-01-01T00:00:00Z", to: "2026-12-31T00:00:00Z") { department } }`));
    log('scorecard dates', await hub.gql(tokens.analyst, `query { departmentScorecard(regionCode: "150302", from: "2026-01-01", to: "2026-12-31") { department } }`));
    log('timeline bad id', await hub.gql(tokens.analyst, `query { incidentTimeline(id: "0") { complete } }`));
    const id = await plantCase(grid1, { status: 'DISPATCHED', department: housing });
    const call = ok(await hub.gql(tokens.town1, `mutation($id: ID!, $d: String!) { callDepartment(incidentId: $id, department: $d, note: "x 13812345678") { id } }`, { id, d: housing })).callDepartment;
    log('worker calls', await hub.gql(tokens.worker, `query { departmentCalls { totalCount edges { node { note incident { id } } } } }`));
    log('other county calls by id', await hub.gql(tokens.otherCounty, `query($id: ID!) { departmentCalls(filter: { incidentId: $id }) { totalCount } }`, { id }));
    log('other county ack', await hub.gql(tokens.housingSeatOther, `mutation($id: ID!) { acknowledgeCall(callId: $id) { id } }`, { id: call.id }));
    log('other county rate call', await hub.gql(tokens.otherCounty, `mutation($id: ID!) { rateCall(callId: $id, satisfaction: 1) { id } }`, { id: call.id }));
    log('worker ack', await hub.gql(tokens.worker, `mutation($id: ID!) { acknowledgeCall(callId: $id) { id } }`, { id: call.id }));
    log('admin ack', await hub.gql(tokens.admin, `mutation($id: ID!) { acknowledgeCall(callId: $id) { id } }`, { id: call.id }));
    log('call on county case', await hub.gql(tokens.town1, `mutation($id: ID!, $d: String!) { callDepartment(incidentId: $id, department: $d, note: "x") { id } }`, { id: await plantCase(grid1, { status: 'DISPATCHED', level: 'COUNTY', department: housing }), d: housing }));
    log('call huge incident', await hub.gql(tokens.town1, `mutation($d: String!) { callDepartment(incidentId: "9223372036854775807", department: $d, note: "x") { id } }`, { d: housing }));
    log('ack huge call', await hub.gql(tokens.housingSeat, `mutation { acknowledgeCall(callId: "9223372036854775807") { id } }`));
    }
    const id = await plantCase(grid1, { status: 'DISPATCHED', department: housing });
    const id2 = await plantCase(grid1, { status: 'ACCEPTED' });
    const wsSeat = await hub.token({ sub: 'ws-seat', roles: [Role.COMMAND_CENTER], region: '150302', department: ` ${housing} ` } as never);
    log('spaced dept seat start', await hub.gql(wsSeat, `mutation($id: ID!) { startIncident(id: $id) { id status } }`, { id }));
    const seatGrid = await hub.token({ sub: 'seat-multi', roles: [Role.COMMAND_CENTER, Role.GRID_WORKER], region: grid1, department: housing } as never);
    log('seat+worker', await hub.gql(seatGrid, `mutation($id: ID!) { acceptIncident(id: $id) { id status } }`, { id: id2 }));
  }, 60_000);
});

describe('probe5', () => {
  it('p5', async () => {
    const places = await hub.sql(`select id::text, grid_code from place where grid_code = $1 order by id limit 3`, [grid1]);
    const farPlace = (await hub.sql(`select id::text from place where grid_code like '150303%' limit 1`))[0];
    log('places', places);
    for (const pl of [...places, farPlace]) {
      if (!pl) continue;
      log(`report place ${pl.id} ${pl.source}`, await hub.gql(tokens.worker, `mutation($i: ReportIncidentInput!) { reportIncident(input: $i) { id place { id } } }`, { i: { title: '测试地点', category: 'DISPUTE', gridCode: grid1, placeId: pl.id } }));
    }
    const things = await hub.sql(`select id::text from thing where grid_code like $1 order by id limit 2`, [`${town1}%`]);
    for (const th of things) log(`report thing ${th.id} ${th.source}`, await hub.gql(tokens.town1, `mutation($i: ReportIncidentInput!) { reportIncident(input: $i) { id level thing { id } } }`, { i: { title: '测试部件', category: 'DISPUTE', gridCode: grid1, thingId: th.id } }));
    const g = (await hub.sql(`select ST_X(ST_PointOnSurface(geom)) as lng, ST_Y(ST_PointOnSurface(geom)) as lat from region where code = $1`, [farGrid]).catch((e) => [{ e: String(e) }]))[0];
    log('far coords', g);
    if (g.lng) log('report far coords', await hub.gql(tokens.worker, `mutation($i: ReportIncidentInput!) { reportIncident(input: $i) { id } }`, { i: { title: '坐标', category: 'DISPUTE', lng: g.lng, lat: g.lat } }));
    log('analyst report', await hub.gql(tokens.analyst, `mutation($i: ReportIncidentInput!) { reportIncident(input: $i) { id } }`, { i: { title: '坐标', category: 'DISPUTE', gridCode: grid1 } }));
    log('seat report', await hub.gql(tokens.housingSeat, `mutation($i: ReportIncidentInput!) { reportIncident(input: $i) { id } }`, { i: { title: '坐标', category: 'DISPUTE', gridCode: grid1 } }));
    log('dept report', await hub.gql(tokens.department, `mutation($i: ReportIncidentInput!) { reportIncident(input: $i) { id } }`, { i: { title: '坐标', category: 'DISPUTE', gridCode: grid1 } }));
  }, 60_000);
});

export const _unused = [log, expect, expectError, ok, collect, liveClient, sleep, waitUntil, () => grid2, () => farGrid];
