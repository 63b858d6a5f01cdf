import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../src/auth/viewer';
import { HandlingLevel } from '../../src/incidents/incident-workflow';
import { IncidentCategory } from '../../src/incidents/incident.entity';
import { DEFAULT_RESPONSIBILITY_FILE, departmentsFor, loadResponsibilityList, responsibilityFor } from '../../src/incidents/responsibility-list';
import { expectError, GraphQLResponse, Hub, ok, startHub } from '../support/harness';

/*
 * The workflow mutations over HTTP against a real database: every transition of the table (README, Incident
 * events) and every refused one, rights by role and level, expectedVersion, escalation through the levels, the
 * responsibility list's default department, and that an action's change and its event commit together or not at all.
 */

const FIELDS = 'id status level version department assignee dueAt overdue feedback resolutionPhotos satisfaction closedAt caseNumber';

type Action = 'accept' | 'reject' | 'dispatch' | 'start' | 'resolve' | 'verifyPassed' | 'verifyFailed' | 'escalate' | 'rate';
const ACTIONS: Action[] = ['accept', 'reject', 'dispatch', 'start', 'resolve', 'verifyPassed', 'verifyFailed', 'escalate', 'rate'];
const MUTATION: Record<Action, [string, string]> = {
  accept: ['acceptIncident', ''],
  reject: ['rejectIncident', 'reason: "不属于受理范围"'],
  dispatch: ['dispatchIncident', ''],
  start: ['startIncident', ''],
  resolve: ['resolveIncident', 'feedback: "已清理占道物品"'],
  verifyPassed: ['verifyIncident', 'passed: true'],
  verifyFailed: ['verifyIncident', 'passed: false'],
  escalate: ['escalateIncident', 'reason: "需上级协调"'],
  rate: ['rateIncident', 'satisfaction: 4'],
};

let hub: Hub;
let grid: string;
let otherGrid: string;
let farGrid: string;
let community: string;
let town: string;
let county: string;
let names: { county: string; town: string; community: string };
const tokens: Record<string, string> = {};

beforeAll(async () => {
  hub = await startHub();
  const grids = await hub.sql<{ code: string }>(`select code from region where level = 'GRID' and code like '150302001002%' order by code limit 2`);
  [grid, otherGrid] = grids.map((row) => row.code);
  farGrid = (await hub.sql<{ code: string }>(`select code from region where level = 'GRID' and code like '150303%' order by code limit 1`))[0].code;
  community = grid.slice(0, 12);
  town = grid.slice(0, 9);
  county = grid.slice(0, 6);
  const nameOf = async (code: string) => (await hub.sql<{ name: string }>('select name from region where code = $1', [code]))[0].name;
  names = { county: await nameOf(county), town: await nameOf(town), community: await nameOf(community) };
  const claims: Record<string, Parameters<Hub['token']>[0]> = {
    admin: { sub: 'admin-1', roles: [Role.ADMIN] },
    worker: { sub: 'gw-a', roles: [Role.GRID_WORKER], region: grid },
    otherWorker: { sub: 'gw-b', roles: [Role.GRID_WORKER], region: otherGrid },
    communityCentre: { sub: 'cc-community', roles: [Role.COMMAND_CENTER], region: community },
    otherCommunityCentre: { sub: 'cc-other-community', roles: [Role.COMMAND_CENTER], region: farGrid.slice(0, 12) },
    townCentre: { sub: 'cc-town', roles: [Role.COMMAND_CENTER], region: town },
    countyCentre: { sub: 'cc-county', roles: [Role.COMMAND_CENTER], region: county },
    otherCountyCentre: { sub: 'cc-other-county', roles: [Role.COMMAND_CENTER], region: farGrid.slice(0, 6) },
    cityCentre: { sub: 'cc-city', roles: [Role.COMMAND_CENTER], region: '1503' },
    analyst: { sub: 'analyst', roles: [Role.ANALYST], region: county },
    department: { sub: 'cm-system', roles: [Role.DEPARTMENT], region: '1503', source: 'CITY_MANAGEMENT' as never },
  };
  for (const [name, claim] of Object.entries(claims)) tokens[name] = await hub.token(claim);
});

afterAll(async () => {
  await hub?.close();
});

function report(token: string, input: Record<string, unknown> = {}): Promise<GraphQLResponse> {
  return hub.gql(token, `mutation ($input: ReportIncidentInput!) { reportIncident(input: $input) { ${FIELDS} } }`, {
    input: { title: '商户门前占道经营', category: 'CITY_MANAGEMENT', subCategory: '占道经营', severity: 'LOW', gridCode: grid, ...input },
  });
}

function act(token: string, action: Action, id: string, extra = '', expectedVersion?: number): Promise<GraphQLResponse> {
  const [name, args] = MUTATION[action];
  const all = [`id: "${id}"`, args, extra, expectedVersion === undefined ? '' : `expectedVersion: ${expectedVersion}`].filter(Boolean).join(', ');
  return hub.gql(token, `mutation { ${name}(${all}) { ${FIELDS} } }`);
}

async function events(id: string): Promise<Array<{ type: string; from_status: string | null; to_status: string; actor: string; note: string | null }>> {
  return hub.sql('select type, from_status, to_status, actor, note from incident_event where incident_id = $1 order by seq', [id]);
}

async function stored(id: string): Promise<{ status: string; level: string; version: number; department: string | null }> {
  return (await hub.sql('select status, level, version, department from incident where id = $1', [id]))[0];
}

/** A new case reported by `token` (default: the grid worker of `grid`), brought to `status` by ADMIN. */
async function caseIn(status: string, token = tokens.worker, input: Record<string, unknown> = {}): Promise<string> {
  const id: string = ok(await report(token, input)).reportIncident.id;
  const path: Record<string, Action[]> = {
    REPORTED: [],
    ACCEPTED: ['accept'],
    DISPATCHED: ['accept', 'dispatch'],
    IN_PROGRESS: ['accept', 'dispatch', 'start'],
    RESOLVED: ['accept', 'dispatch', 'start', 'resolve'],
    CLOSED: ['accept', 'dispatch', 'start', 'resolve', 'verifyPassed'],
    REJECTED: ['reject'],
  };
  for (const action of path[status]) ok(await act(tokens.admin, action, id));
  expect((await stored(id)).status).toBe(status);
  return id;
}

/** Runs `attempt` and checks it changed nothing of the incident: same version and state, no new event. */
async function changesNothing(id: string, attempt: () => Promise<unknown>): Promise<void> {
  const before = { incident: await stored(id), events: (await events(id)).length };
  await attempt();
  expect({ incident: await stored(id), events: (await events(id)).length }).toEqual(before);
}

describe('reportIncident', () => {
  it('creates a REPORTED case at the reporter’s level with one CREATED event by the reporter', async () => {
    const byWorker = ok(await report(tokens.worker)).reportIncident;
    expect(byWorker).toMatchObject({ status: 'REPORTED', level: 'GRID', version: 1, department: null });
    expect(byWorker.caseNumber).toMatch(new RegExp(`^${county}-\\d{8}-\\d{5}$`));
    expect(await events(byWorker.id)).toEqual([{ type: 'CREATED', from_status: null, to_status: 'REPORTED', actor: 'gw-a', note: 'reported through GRID_APP' }]);
    const source = await hub.sql('select source, grid_code from incident where id = $1', [byWorker.id]);
    expect(source).toEqual([{ source: 'GRID_APP', grid_code: grid }]);

    expect(ok(await report(tokens.communityCentre)).reportIncident.level).toBe('COMMUNITY');
    expect(ok(await report(tokens.townCentre)).reportIncident.level).toBe('TOWN');
    expect(ok(await report(tokens.countyCentre)).reportIncident.level).toBe('COUNTY');
    expect(ok(await report(tokens.admin, { gridCode: farGrid })).reportIncident.level).toBe('GRID');
  });

  it('refuses reporters outside their grid or region, and roles that run no workflow', async () => {
    const count = async () => Number((await hub.sql('select count(*) from incident'))[0].count);
    const before = await count();
    expectError(await report(tokens.worker, { gridCode: otherGrid }), 'FORBIDDEN', 'input.gridCode');
    expectError(await report(tokens.otherCountyCentre), 'FORBIDDEN', 'input.gridCode');
    expectError(await report(tokens.cityCentre), 'FORBIDDEN');
    expectError(await report(tokens.cityCentre, { gridCode: null, lng: 106.8, lat: 39.66 }), 'FORBIDDEN');
    expectError(await report(tokens.analyst, { gridCode: null, lng: 106.8, lat: 39.66 }), 'FORBIDDEN');
    expectError(await report(tokens.analyst), 'FORBIDDEN');
    expectError(await report(tokens.department), 'FORBIDDEN');
    expect(await count()).toBe(before);
  });

  it('places a report by its coordinates, in the reporter’s region only', async () => {
    const [{ boundary }] = await hub.sql('select boundary from region where code = $1', [grid]);
    const ring: number[][] = boundary.coordinates[0];
    const xs = ring.map((p) => p[0]);
    const ys = ring.map((p) => p[1]);
    const point = { gridCode: null, lng: (Math.min(...xs) + Math.max(...xs)) / 2, lat: (Math.min(...ys) + Math.max(...ys)) / 2 };
    const placed = ok(await report(tokens.communityCentre, point)).reportIncident;
    expect((await hub.sql('select grid_code from incident where id = $1', [placed.id]))[0].grid_code).toBe(grid);
    expect(placed.level).toBe('COMMUNITY');
    expectError(await report(tokens.otherWorker, point), 'BAD_USER_INPUT', 'input.lng');
  });

  it('checks the report like any ingested record, naming the input field', async () => {
    expectError(await report(tokens.worker, { title: '   ' }), 'BAD_USER_INPUT', 'input.title');
    expectError(await report(tokens.admin, { gridCode: '150302001002999' }), 'BAD_USER_INPUT', 'input.gridCode');
    expectError(await report(tokens.admin, { placeId: '999999999' }), 'BAD_USER_INPUT', 'input.placeId');
  });
});

describe('the transition table', () => {
  it('walks a case through every action, one event each, as the table says', async () => {
    const id = await caseIn('REPORTED');
    const steps: Array<[Action, string, string, string]> = [
      // action, event, from, to
      ['accept', 'ACCEPTED', 'REPORTED', 'ACCEPTED'],
      ['dispatch', 'DISPATCHED', 'ACCEPTED', 'DISPATCHED'],
      ['start', 'STARTED', 'DISPATCHED', 'IN_PROGRESS'],
      ['resolve', 'RESOLVED', 'IN_PROGRESS', 'RESOLVED'],
      ['verifyFailed', 'VERIFIED', 'RESOLVED', 'DISPATCHED'],
      ['start', 'STARTED', 'DISPATCHED', 'IN_PROGRESS'],
      ['resolve', 'RESOLVED', 'IN_PROGRESS', 'RESOLVED'],
      ['rate', 'RATED', 'RESOLVED', 'RESOLVED'],
      ['verifyPassed', 'CLOSED', 'RESOLVED', 'CLOSED'],
      ['rate', 'RATED', 'CLOSED', 'CLOSED'],
    ];
    let version = 1;
    for (const [action, type, from, to] of steps) {
      const incident: any = Object.values(ok(await act(tokens.worker, action, id)))[0];
      expect(incident.status).toBe(to);
      expect(incident.version).toBe(++version);
      const log = await events(id);
      expect(log).toHaveLength(version);
      expect(log[log.length - 1]).toMatchObject({ type, from_status: from, to_status: to, actor: 'gw-a' });
    }
    const closed = ok(await hub.gql(tokens.worker, `{ incident(id: "${id}") { ${FIELDS} } }`)).incident;
    expect(closed).toMatchObject({ status: 'CLOSED', satisfaction: 4, feedback: '已清理占道物品' });
    expect(closed.closedAt).not.toBeNull();
  });

  it('rejects a reported case: REJECTED, with the reason as the note', async () => {
    const id = await caseIn('REPORTED');
    expect(ok(await act(tokens.worker, 'reject', id)).rejectIncident.status).toBe('REJECTED');
    expect((await events(id)).slice(-1)).toEqual([{ type: 'REJECTED', from_status: 'REPORTED', to_status: 'REJECTED', actor: 'gw-a', note: '不属于受理范围' }]);
  });

  it('escalates from every open state back to ACCEPTED one level up, clearing department and due time', async () => {
    for (const status of ['REPORTED', 'ACCEPTED', 'DISPATCHED', 'IN_PROGRESS']) {
      const id = await caseIn(status);
      const escalated = ok(await act(tokens.worker, 'escalate', id)).escalateIncident;
      expect(escalated).toMatchObject({ status: 'ACCEPTED', level: 'COMMUNITY', department: null, assignee: null, dueAt: null, overdue: false });
      expect((await events(id)).slice(-1)[0]).toMatchObject({ type: 'ESCALATED', from_status: status, to_status: 'ACCEPTED', note: '上报社区（村）：需上级协调' });
    }
  });

  it('refuses every action the table does not allow, naming the state and the allowed mutations, and changes nothing', async () => {
    const allowed: Record<string, Action[]> = {
      REPORTED: ['accept', 'reject', 'escalate'],
      ACCEPTED: ['dispatch', 'escalate'],
      DISPATCHED: ['start', 'escalate'],
      IN_PROGRESS: ['resolve', 'escalate'],
      RESOLVED: ['verifyPassed', 'verifyFailed', 'rate'],
      CLOSED: ['rate'],
      REJECTED: [],
    };
    const mutations: Record<string, string[]> = {
      REPORTED: ['acceptIncident', 'rejectIncident', 'escalateIncident'],
      ACCEPTED: ['dispatchIncident', 'escalateIncident'],
      DISPATCHED: ['startIncident', 'escalateIncident'],
      IN_PROGRESS: ['resolveIncident', 'escalateIncident'],
      RESOLVED: ['verifyIncident', 'rateIncident'],
      CLOSED: ['rateIncident'],
      REJECTED: [],
    };
    let refused = 0;
    for (const [status, actions] of Object.entries(allowed)) {
      const id = await caseIn(status);
      for (const action of ACTIONS.filter((candidate) => !actions.includes(candidate))) {
        await changesNothing(id, async () => {
          const response = await act(tokens.worker, action, id);
          expectError(response, 'BAD_USER_INPUT', 'id');
          expect(response.errors![0].message).toContain(`it is ${status}`);
          expect(response.errors![0].extensions).toMatchObject({ status, allowedActions: mutations[status] });
        });
        refused++;
      }
    }
    expect(refused).toBe(9 * 7 - 13);
  });
});

describe('rights by role, region and level', () => {
  it('at GRID level only the grid’s own worker (and ADMIN) may act', async () => {
    const id = await caseIn('REPORTED');
    for (const token of ['otherWorker', 'communityCentre', 'townCentre', 'countyCentre', 'otherCountyCentre', 'cityCentre', 'analyst', 'department']) {
      await changesNothing(id, async () => expectError(await act(tokens[token], 'accept', id), 'FORBIDDEN', 'id'));
    }
    expect(ok(await act(tokens.worker, 'accept', id)).acceptIncident.status).toBe('ACCEPTED');
    const other = await caseIn('REPORTED');
    expect(ok(await act(tokens.admin, 'accept', other)).acceptIncident.status).toBe('ACCEPTED');
  });

  it('escalates through every level, where only that level’s command centre acts, and not above COUNTY', async () => {
    const id = await caseIn('ACCEPTED');
    const ladder: Array<[string, string, string[]]> = [
      // who escalates, the level it reaches, who may not act there
      ['worker', 'COMMUNITY', ['worker', 'otherWorker', 'townCentre', 'countyCentre', 'otherCommunityCentre', 'cityCentre']],
      ['communityCentre', 'TOWN', ['worker', 'communityCentre', 'countyCentre', 'otherCountyCentre', 'cityCentre']],
      ['townCentre', 'COUNTY', ['worker', 'communityCentre', 'townCentre', 'otherCountyCentre', 'cityCentre', 'analyst']],
    ];
    for (const [who, level, refused] of ladder) {
      const escalated = ok(await act(tokens[who], 'escalate', id)).escalateIncident;
      expect(escalated).toMatchObject({ status: 'ACCEPTED', level });
      for (const token of refused) await changesNothing(id, async () => expectError(await act(tokens[token], 'dispatch', id), 'FORBIDDEN', 'id'));
    }
    await changesNothing(id, async () => {
      const response = await act(tokens.countyCentre, 'escalate', id);
      expectError(response, 'BAD_USER_INPUT', 'id');
      expect(response.errors![0].message).toContain('COUNTY, the highest level');
      expect(response.errors![0].extensions!.allowedActions).toEqual(['dispatchIncident']);
    });
    expect(ok(await act(tokens.countyCentre, 'dispatch', id)).dispatchIncident).toMatchObject({ status: 'DISPATCHED', level: 'COUNTY' });
    expect((await events(id)).filter((event) => event.type === 'ESCALATED').map((event) => event.actor)).toEqual(['gw-a', 'cc-community', 'cc-town']);
  });

  it('lets the seat of the department a case is dispatched to start and resolve it, and nothing else', async () => {
    const id = await caseIn('ACCEPTED', tokens.countyCentre);
    const lead = `${names.county}城市管理综合执法局`;
    expect(ok(await act(tokens.countyCentre, 'dispatch', id)).dispatchIncident.department).toBe(lead);
    const seat = await hub.token({ sub: 'cgj-1', roles: [Role.COMMAND_CENTER], region: county, department: lead });
    const otherSeat = await hub.token({ sub: 'scj-1', roles: [Role.COMMAND_CENTER], region: county, department: `${names.county}市场监督管理局` });
    const farSeat = await hub.token({ sub: 'cgj-far', roles: [Role.COMMAND_CENTER], region: farGrid.slice(0, 6), department: lead });
    await changesNothing(id, async () => expectError(await act(otherSeat, 'start', id), 'FORBIDDEN', 'id'));
    await changesNothing(id, async () => expectError(await act(farSeat, 'start', id), 'FORBIDDEN', 'id'));
    await changesNothing(id, async () => expectError(await act(seat, 'escalate', id), 'FORBIDDEN', 'id'));
    expect(ok(await act(seat, 'start', id)).startIncident.status).toBe('IN_PROGRESS');
    expect(ok(await act(seat, 'resolve', id)).resolveIncident.status).toBe('RESOLVED');
    await changesNothing(id, async () => expectError(await act(seat, 'verifyPassed', id), 'FORBIDDEN', 'id'));
    expect((await events(id)).slice(-2).map((event) => [event.type, event.actor])).toEqual([['STARTED', 'cgj-1'], ['RESOLVED', 'cgj-1']]);
    const fresh = await caseIn('REPORTED', tokens.countyCentre);
    await changesNothing(fresh, async () => expectError(await act(seat, 'accept', fresh), 'FORBIDDEN', 'id'));
    expectError(await report(seat), 'FORBIDDEN');
  });

  it('refuses a department claim on anything but a COMMAND_CENTER token', async () => {
    await expect(hub.token({ roles: [Role.GRID_WORKER], region: grid, department: '某部门' })).rejects.toThrow('only a COMMAND_CENTER token');
    await expect(hub.token({ roles: [Role.COMMAND_CENTER, Role.ANALYST], region: county, department: '某部门' })).rejects.toThrow('only a COMMAND_CENTER token');
  });

  it('reads the changed case back through the access policy: a token that also holds ANALYST sees it masked', async () => {
    const id = await caseIn('IN_PROGRESS', tokens.countyCentre);
    const masked = await hub.token({ sub: 'cc-analyst', roles: [Role.COMMAND_CENTER, Role.ANALYST], region: county });
    const resolved = ok(await act(masked, 'resolve', id, '', undefined)).resolveIncident;
    expect(resolved.status).toBe('RESOLVED');
    const again = await caseIn('IN_PROGRESS', tokens.countyCentre);
    const response = await hub.gql(masked, `mutation { resolveIncident(id: "${again}", feedback: "已联系当事人 13812345678 处理") { feedback } }`);
    expect(ok(response).resolveIncident.feedback).toBe('已联系当事人 138****5678 处理');
    expect((await hub.sql('select feedback from incident where id = $1', [again]))[0].feedback).toBe('已联系当事人 13812345678 处理');
  });
});

describe('the answer', () => {
  // Every scalar field of Incident, and its place, thing and events: the mutation answers from the row its statement
  // returned, and must answer exactly as a query of the committed case does.
  const ALL = `id caseNumber title description category subCategory severity source sourceKey gridCode address status level version
    department assignee dueAt overdue feedback resolutionPhotos satisfaction reportedAt closedAt createdAt updatedAt
    location { lng lat } grid { code name } regionPath { code } lineage { field source sourceRecordId }
    place { id name } thing { id } events { seq type note }`;

  it('is the committed case as a query reads it, field for field, after every kind of action', async () => {
    const [place] = await hub.sql<{ id: string; lng: number; lat: number }>(
      `select id::text, lng, lat from place where grid_code = $1 and lng is not null order by id limit 1`,
      [grid],
    );
    const id = ok(
      await report(tokens.worker, { description: '门前堆放杂物 13812345678', address: '人民路1号', placeId: place.id, lng: place.lng, lat: place.lat }),
    ).reportIncident.id;
    const dueAt = new Date(Date.now() + 3600_000).toISOString();
    const steps: Array<[Action, string]> = [
      ['accept', ''],
      ['dispatch', `assignee: "张三", dueAt: "${dueAt}"`],
      ['start', ''],
      ['resolve', 'photoUrls: ["https://img.example.cn/a.jpg"]'],
      ['verifyFailed', ''],
      ['start', ''],
      ['resolve', ''],
      ['verifyPassed', ''],
      ['rate', ''],
    ];
    for (const [action, extra] of steps) {
      const [name, args] = MUTATION[action];
      const all = [`id: "${id}"`, args, extra].filter(Boolean).join(', ');
      const answer = ok(await hub.gql(tokens.admin, `mutation { ${name}(${all}) { ${ALL} } }`))[name];
      const read = ok(await hub.gql(tokens.admin, `query($id: ID!) { incident(id: $id) { ${ALL} } }`, { id })).incident;
      expect(answer).toEqual(read);
    }
    const read = ok(await hub.gql(tokens.admin, `query($id: ID!) { incident(id: $id) { ${ALL} } }`, { id })).incident;
    expect(read).toMatchObject({ place: { id: place.id }, location: { lng: place.lng, lat: place.lat }, satisfaction: 4, status: 'CLOSED' });
    expect(read.lineage.length).toBeGreaterThan(0);
    const escalated = await caseIn('DISPATCHED');
    const answer = ok(await hub.gql(tokens.admin, `mutation { escalateIncident(id: "${escalated}", reason: "需上级协调") { ${ALL} } }`)).escalateIncident;
    expect(answer).toEqual(ok(await hub.gql(tokens.admin, `query($id: ID!) { incident(id: $id) { ${ALL} } }`, { id: escalated })).incident);
    expect(answer).toMatchObject({ level: 'COMMUNITY', status: 'ACCEPTED', department: null, dueAt: null });
  });

  it('is the committed case also when an earlier mutation of the same document read it (nothing cached before the change shows)', async () => {
    const id = await caseIn('REPORTED');
    const document = `mutation($id: ID!) {
      a: acceptIncident(id: $id) { ${ALL} }
      b: escalateIncident(id: $id, reason: "需上级协调") { ${ALL} }
      c: dispatchIncident(id: $id) { ${ALL} }
    }`;
    const { a, b, c } = ok(await hub.gql(tokens.admin, document, { id }));
    expect(a.events.map((event: { type: string }) => event.type)).toEqual(['CREATED', 'ACCEPTED']);
    expect(b.events.map((event: { type: string }) => event.type)).toEqual(['CREATED', 'ACCEPTED', 'ESCALATED']);
    expect(c).toEqual(ok(await hub.gql(tokens.admin, `query($id: ID!) { incident(id: $id) { ${ALL} } }`, { id })).incident);
  });
});

describe('text arguments', () => {
  it('refuses text PostgreSQL cannot store (NUL, a lone surrogate) as BAD_USER_INPUT naming the argument, and changes nothing', async () => {
    const id = await caseIn('REPORTED');
    const gql = (query: string, variables: Record<string, unknown>) => hub.gql(tokens.worker, query, variables);
    await changesNothing(id, async () => {
      const nul = await gql(`mutation ($id: ID!, $note: String) { acceptIncident(id: $id, note: $note) { id } }`, { id, note: '受理\u0000' });
      expectError(nul, 'BAD_USER_INPUT', 'note');
      const lone = await gql(`mutation ($id: ID!, $reason: String!) { rejectIncident(id: $id, reason: $reason) { id } }`, { id, reason: '重复\ud800' });
      expectError(lone, 'BAD_USER_INPUT', 'reason');
    });
    expect(ok(await act(tokens.worker, 'accept', id, 'note: "第一行\\n第二行"')).acceptIncident.status).toBe('ACCEPTED');
  });
});

describe('expectedVersion', () => {
  it('refuses a stale version with CONFLICT and appends nothing; the current one passes', async () => {
    const id = await caseIn('REPORTED');
    expect(ok(await act(tokens.worker, 'accept', id, '', 1)).acceptIncident.version).toBe(2);
    await changesNothing(id, async () => {
      const response = await act(tokens.worker, 'dispatch', id, '', 1);
      expectError(response, 'CONFLICT');
      expect(response.errors![0].extensions).toMatchObject({ field: 'expectedVersion', currentVersion: 2 });
    });
    expect(ok(await act(tokens.worker, 'dispatch', id, '', 2)).dispatchIncident.version).toBe(3);
    expectError(await act(tokens.worker, 'start', id, '', 0), 'BAD_USER_INPUT', 'expectedVersion');
  });

  it('without expectedVersion, lands every one of twenty concurrent ratings, each with its own event (a contended case is decided under its row lock)', async () => {
    const id = await caseIn('CLOSED');
    const before = (await stored(id)).version;
    // Each its own subject: one subject may have only a few operations in flight.
    const raters = await Promise.all(Array.from({ length: 20 }, (_, i) => hub.token({ sub: `rater-${i}`, roles: [Role.ADMIN] })));
    const answers = await Promise.all(
      raters.map((token, i) => hub.gql(token, `mutation { rateIncident(id: "${id}", satisfaction: ${(i % 5) + 1}) { version } }`)),
    );
    const versions = answers.map((answer) => ok(answer).rateIncident.version).sort((a: number, b: number) => a - b);
    expect(versions).toEqual(Array.from({ length: 20 }, (_, i) => before + i + 1));
    expect((await events(id)).filter((event) => event.type === 'RATED')).toHaveLength(20);
    expect((await stored(id)).version).toBe(before + 20);
  });

  it('lets one of two concurrent actions on the same version win', async () => {
    const id = await caseIn('ACCEPTED');
    const results = await Promise.all([act(tokens.worker, 'dispatch', id, '', 2), act(tokens.worker, 'escalate', id, '', 2)]);
    const [dispatch, escalate] = results.map((response) => response.errors?.[0]?.extensions?.code ?? 'OK');
    // The loser is decided on the winner's state: after a dispatch, a stale escalation is a CONFLICT; after an
    // escalation the case is the community's, which the grid worker may not act on at all (checked first).
    expect([dispatch, escalate]).toEqual(dispatch === 'OK' ? ['OK', 'CONFLICT'] : ['FORBIDDEN', 'OK']);
    expect(await events(id)).toHaveLength(3);
    expect((await stored(id)).version).toBe(3);
  });
});

describe('dispatch: the responsibility list and due times', () => {
  it('the demo city’s dispatched cases went to the list’s lead at their level, as dispatchIncident sends them', async () => {
    const list = loadResponsibilityList(DEFAULT_RESPONSIBILITY_FILE);
    const cases = await hub.sql<{ category: IncidentCategory; subCategory: string | null; level: HandlingLevel; department: string; county: string; town: string; community: string }>(
      `select i.category, i.sub_category as "subCategory", i.level, i.department,
              c.name as county, t.name as town, m.name as community
         from incident i join region c on c.code = left(i.grid_code, 6) join region t on t.code = left(i.grid_code, 9)
         join region m on m.code = left(i.grid_code, 12)
        where i.department is not null`,
    );
    const covered = cases.filter((row) => responsibilityFor(list, row.category, row.subCategory, row.level) !== null);
    // The shipped list names a lead for most categories and levels; the template's own department stands in elsewhere.
    expect(covered.length).toBeGreaterThan(cases.length / 2);
    const astray = covered.filter(
      (row) => row.department !== departmentsFor(responsibilityFor(list, row.category, row.subCategory, row.level)!, row).lead,
    );
    expect(astray.slice(0, 3)).toEqual([]);
  });

  it('takes the lead department for the case’s category and level, and accepts a cooperating one', async () => {
    const atCounty = await caseIn('ACCEPTED', tokens.countyCentre);
    expect(ok(await act(tokens.countyCentre, 'dispatch', atCounty)).dispatchIncident.department).toBe(`${names.county}城市管理综合执法局`);
    expect((await events(atCounty)).slice(-1)[0].note).toBe(`派遣至${names.county}城市管理综合执法局`);

    const fireLane = { title: '消防通道被占用', category: 'SAFETY_HAZARD', subCategory: '消防通道堵塞' };
    const atTown = await caseIn('ACCEPTED', tokens.townCentre, fireLane);
    expect(ok(await act(tokens.townCentre, 'dispatch', atTown)).dispatchIncident.department).toBe(`${names.town}消防工作站`);
    const cooperating = await caseIn('ACCEPTED', tokens.townCentre, fireLane);
    const dispatched = ok(await act(tokens.townCentre, 'dispatch', cooperating, `department: "${names.town}综合行政执法队", assignee: "张伟"`)).dispatchIncident;
    expect(dispatched).toMatchObject({ department: `${names.town}综合行政执法队`, assignee: '张伟' });

    // {townShort}: 凤凰岭街道 → 凤凰岭派出所.
    const theft = await caseIn('ACCEPTED', tokens.townCentre, { title: '电动自行车被盗', category: 'PUBLIC_SECURITY', subCategory: '盗窃' });
    expect(ok(await act(tokens.townCentre, 'dispatch', theft)).dispatchIncident.department).toBe(
      `乌海市公安局${names.county}分局${names.town.replace(/街道$/, '')}派出所`,
    );
  });

  it('refuses a department the list does not name for the case, and asks for one where it names none', async () => {
    const id = await caseIn('ACCEPTED', tokens.countyCentre);
    await changesNothing(id, async () => {
      const response = await act(tokens.countyCentre, 'dispatch', id, 'department: "乌海市燃气公司"');
      expectError(response, 'BAD_USER_INPUT', 'department');
      expect(response.errors![0].message).toContain(`${names.county}城市管理综合执法局`);
    });
    const hazmat = await caseIn('ACCEPTED', tokens.worker, { title: '危化品混存', category: 'SAFETY_HAZARD', subCategory: '危化品存放隐患' });
    await changesNothing(hazmat, async () => expectError(await act(tokens.worker, 'dispatch', hazmat), 'BAD_USER_INPUT', 'department'));
    expect(ok(await act(tokens.worker, 'dispatch', hazmat, 'department: "网格员自行处置"')).dispatchIncident.department).toBe('网格员自行处置');
  });

  it('sets the due time from the policy (CITY_MANAGEMENT LOW: 48 h; HIGH: 24 h), or an earlier one given', async () => {
    const low = await caseIn('ACCEPTED');
    const before = Date.now();
    const dueLow = new Date(ok(await act(tokens.worker, 'dispatch', low)).dispatchIncident.dueAt).getTime();
    expect(dueLow).toBeGreaterThanOrEqual(before + 48 * 3600_000 - 1000);
    expect(dueLow).toBeLessThanOrEqual(Date.now() + 48 * 3600_000 + 1000);
    const high = await caseIn('ACCEPTED', tokens.worker, { severity: 'HIGH' });
    const dueHigh = new Date(ok(await act(tokens.worker, 'dispatch', high)).dispatchIncident.dueAt).getTime();
    expect(dueHigh).toBeLessThanOrEqual(Date.now() + 24 * 3600_000 + 1000);
    expect(dueHigh).toBeGreaterThan(Date.now() + 24 * 3600_000 - 60_000);

    const given = await caseIn('ACCEPTED');
    const tomorrow = new Date(Date.now() + 24 * 3600_000).toISOString();
    expect(new Date(ok(await act(tokens.worker, 'dispatch', given, `dueAt: "${tomorrow}"`)).dispatchIncident.dueAt).toISOString()).toBe(tomorrow);
    const late = await caseIn('ACCEPTED');
    const tooLate = new Date(Date.now() + 49 * 3600_000).toISOString();
    await changesNothing(late, async () => expectError(await act(tokens.worker, 'dispatch', late, `dueAt: "${tooLate}"`), 'BAD_USER_INPUT', 'dueAt'));
    const past = new Date(Date.now() - 60_000).toISOString();
    await changesNothing(late, async () => expectError(await act(tokens.worker, 'dispatch', late, `dueAt: "${past}"`), 'BAD_USER_INPUT', 'dueAt'));
  });

  it('gives a case sent back by a failed verification a new due time', async () => {
    const id = await caseIn('RESOLVED');
    await hub.sql(`update incident set due_at = now() - interval '1 hour', overdue = true where id = $1`, [id]);
    const back = ok(await act(tokens.worker, 'verifyFailed', id, 'note: "问题仍然存在"')).verifyIncident;
    expect(back).toMatchObject({ status: 'DISPATCHED', overdue: false });
    expect(new Date(back.dueAt).getTime()).toBeGreaterThan(Date.now() + 47 * 3600_000);
  });
});

describe('arguments', () => {
  it('names the bad argument', async () => {
    const resolved = await caseIn('RESOLVED');
    const rate = (value: number) => hub.gql(tokens.worker, `mutation { rateIncident(id: "${resolved}", satisfaction: ${value}) { satisfaction } }`);
    await changesNothing(resolved, async () => {
      expectError(await rate(6), 'BAD_USER_INPUT', 'satisfaction');
      expectError(await rate(0), 'BAD_USER_INPUT', 'satisfaction');
    });
    const inProgress = await caseIn('IN_PROGRESS');
    const resolve = (photos: string[]) =>
      hub.gql(tokens.worker, `mutation ($photos: [String!]) { resolveIncident(id: "${inProgress}", feedback: "已处置", photoUrls: $photos) { resolutionPhotos } }`, { photos });
    await changesNothing(inProgress, async () => {
      expectError(await resolve(['javascript:alert(1)']), 'BAD_USER_INPUT', 'photoUrls[0]');
      expectError(await resolve(Array.from({ length: 10 }, (_, i) => `https://img.example.cn/${i}.jpg`)), 'BAD_USER_INPUT', 'photoUrls');
      expectError(await hub.gql(tokens.worker, `mutation { resolveIncident(id: "${inProgress}", feedback: "  ") { id } }`), 'BAD_USER_INPUT', 'feedback');
    });
    expect(ok(await resolve(['https://img.example.cn/a.jpg'])).resolveIncident.resolutionPhotos).toEqual(['https://img.example.cn/a.jpg']);
    expectError(await act(tokens.admin, 'accept', '999999999'), 'NOT_FOUND', 'id');
    expectError(await act(tokens.admin, 'accept', 'abc'), 'BAD_USER_INPUT', 'id');
  });
});

describe('one transaction', () => {
  it('keeps nothing of an action whose event cannot be appended', async () => {
    await hub.sql(`create function refuse_boom() returns trigger language plpgsql as $$
      begin if new.note = 'boom' or new.actor = 'boom-reporter' then raise exception 'refused by test trigger'; end if; return new; end $$`);
    await hub.sql(`create trigger refuse_boom before insert on incident_event for each row execute function refuse_boom()`);
    try {
      const id = await caseIn('REPORTED');
      await changesNothing(id, async () => expectError(await act(tokens.worker, 'accept', id, 'note: "boom"'), 'INTERNAL_SERVER_ERROR'));
      const count = async () => Number((await hub.sql('select count(*) from incident'))[0].count);
      const before = await count();
      const reporter = await hub.token({ sub: 'boom-reporter', roles: [Role.GRID_WORKER], region: grid });
      expectError(await report(reporter), 'INTERNAL_SERVER_ERROR');
      expect(await count()).toBe(before);
      expect(Number((await hub.sql(`select count(*) from source_record where source = 'GRID_APP' and payload ->> 'title' = '商户门前占道经营'`))[0].count)).toBe(
        Number((await hub.sql(`select count(*) from incident where source = 'GRID_APP' and title = '商户门前占道经营'`))[0].count),
      );
    } finally {
      await hub.sql('drop trigger refuse_boom on incident_event');
      await hub.sql('drop function refuse_boom()');
    }
  });
});
