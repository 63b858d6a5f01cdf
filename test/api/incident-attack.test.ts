import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../src/auth/viewer';
import { expectError, GraphQLResponse, Hub, ok, startHub } from '../support/harness';
import { collect, disposeLiveClients, liveClient, sleep, waitUntil } from '../support/live';

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

export const _unused = [log, expect, expectError, ok, collect, liveClient, sleep, waitUntil, () => grid2, () => farGrid];
