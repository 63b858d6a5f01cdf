import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client as PgClient } from 'pg';
import WebSocket from 'ws';
import { Role } from '../../src/auth/viewer';
import { SourceSystem } from '../../src/sources/source-system';
import { Hub, ok, startHub } from '../support/harness';
import { ascending, collect, Collected, INCIDENT_EVENTS, INSERT_EVENT, INSERT_EVENTS, liveClient, disposeLiveClients, sleep, waitUntil } from '../support/live';

/**
 * `subscription incidentEvents` over graphql-ws against real PostgreSQL (design §4, §5, §7): scope, filters and
 * masking per role; replay then live with no gap and no duplicate, also across a transaction that commits while
 * the replay runs; seqs that commit out of order; a lost notification; token expiry; the per-socket operation cap.
 * Events come from `ingestIncidents` (which rings the bell) and from plain SQL inserts (which do not).
 */

const WITH_INCIDENT = `
  subscription Events($regionCode: String, $categories: [IncidentCategory!], $afterSeq: ID) {
    incidentEvents(regionCode: $regionCode, categories: $categories, afterSeq: $afterSeq) {
      seq incidentId gridCode category type note incident { id title }
    }
  }`;

describe('incidentEvents', () => {
  let hub: Hub;
  let admin: string;
  /** Grids: two in county 150302 under different towns, one in county 150303. */
  let gridA: string;
  let gridA2: string;
  let gridB: string;
  /** An incident in county 150302, for events written by SQL. */
  let incidentA: string;
  let serial = 0;

  const maxSeq = async (): Promise<bigint> => BigInt((await hub.sql(`select coalesce(max(seq), 0)::text as m from incident_event`))[0].m);

  /** Ingests one new incident (one CREATED event); returns its id. */
  const ingest = async (source: SourceSystem, record: Record<string, unknown>): Promise<string> => {
    const response = await hub.gql(
      admin,
      `mutation ($source: SourceSystem!, $records: [IncidentRecordInput!]!) {
         ingestIncidents(source: $source, records: $records) { results { outcome entityId errors { field message } } } }`,
      { source, records: [{ sourceKey: `LIVE-${++serial}`, version: 1, ...record }] },
    );
    const result = ok(response).ingestIncidents.results[0];
    expect(result).toMatchObject({ outcome: 'CREATED' });
    return result.entityId;
  };

  const token = (roles: Role[], region: string | undefined, extra: Record<string, unknown> = {}) =>
    hub.token({ sub: `live-${roles.join('-')}-${region}`, roles, region, ...extra });

  const subscribe = async (claims: Promise<string>, variables: Record<string, unknown> = {}, query = INCIDENT_EVENTS): Promise<Collected> =>
    collect(liveClient(hub.wsUrl, await claims), variables, query);

  beforeAll(async () => {
    hub = await startHub({ live: { pollMs: 300, batchSize: 100 } });
    admin = await hub.token({ roles: [Role.ADMIN] });
    const grids = await hub.sql<{ code: string }>(`select code from region where level = 'GRID' and code like '150302%' order by code`);
    gridA = grids[0].code;
    gridA2 = grids.find((grid) => grid.code.slice(0, 9) !== gridA.slice(0, 9))!.code;
    gridB = (await hub.sql(`select code from region where level = 'GRID' and code like '150303%' order by code limit 1`))[0].code;
    incidentA = (await hub.sql(`select id::text from incident where grid_code like '150302%' order by id limit 1`))[0].id;
  });
  afterAll(() => hub?.close());

  it('gives each subscriber only the events in its scope and filters, masked as its queries are', async () => {
    const city = await subscribe(token([Role.COMMAND_CENTER], '1503'), {}, WITH_INCIDENT);
    const countyA = await subscribe(token([Role.COMMAND_CENTER], '150302'));
    const countyB = await subscribe(token([Role.COMMAND_CENTER], '150303'));
    const town = await subscribe(token([Role.COMMAND_CENTER], '1503'), { regionCode: gridA.slice(0, 9) });
    const disputes = await subscribe(token([Role.COMMAND_CENTER], '1503'), { categories: ['DISPUTE'] });
    const analystToken = await token([Role.ANALYST], '150302');
    const analyst = collect(liveClient(hub.wsUrl, analystToken), {}, WITH_INCIDENT);
    // The same flat selection as countyA's: its results are shared per event and masking, never across maskings.
    const analystFlat = collect(liveClient(hub.wsUrl, analystToken));
    const cityManagement = await subscribe(token([Role.DEPARTMENT], '1503', { source: SourceSystem.CITY_MANAGEMENT }));
    const gridApp = await subscribe(token([Role.DEPARTMENT], '1503', { source: SourceSystem.GRID_APP }));
    await sleep(500); // every subscription registered

    const phone = '13812345678';
    const x1 = await ingest(SourceSystem.GRID_APP, { title: `邻里纠纷 联系电话${phone}`, category: 'DISPUTE', gridCode: gridA });
    const x2 = await ingest(SourceSystem.GRID_APP, { title: '井盖破损', category: 'SAFETY_HAZARD', gridCode: gridA2 });
    const x3 = await ingest(SourceSystem.GRID_APP, { title: '噪音纠纷', category: 'DISPUTE', gridCode: gridB });
    const x4 = await ingest(SourceSystem.CITY_MANAGEMENT, { title: '垃圾堆放', category: 'ENVIRONMENT', gridCode: gridB });
    // A note written by a workflow action (plain SQL here, no bell: the timer finds it) with a phone number in it.
    const [{ seq: noteSeq }] = await hub.sql(INSERT_EVENT, [x1, `回访 ${phone}`]);

    const expected: Array<[string, Collected, string[]]> = [
      ['city', city, [x1, x2, x3, x4, x1]],
      ['county 150302', countyA, [x1, x2, x1]],
      ['county 150303', countyB, [x3, x4]],
      ['town filter', town, [x1, x1]],
      ['categories filter', disputes, [x1, x3, x1]],
      ['analyst 150302', analyst, [x1, x2, x1]],
      ['analyst 150302, event fields only', analystFlat, [x1, x2, x1]],
      ['department CITY_MANAGEMENT', cityManagement, [x4]],
      ['department GRID_APP', gridApp, [x1, x2, x3, x1]],
    ];
    for (const [name, collected, ids] of expected) {
      await waitUntil(() => collected.events.length >= ids.length, `${name} to receive ${ids.length} events`);
    }
    await sleep(1000); // nothing more may come
    for (const [name, collected, ids] of expected) {
      expect({ name, incidents: collected.events.map((event) => event.incidentId), failure: collected.failure }).toEqual({
        name,
        incidents: ids,
        failure: null,
      });
      expect(ascending(collected.seqs())).toBe(true);
    }
    expect(city.events[4]).toMatchObject({ seq: noteSeq, type: 'UPDATED', note: `回访 ${phone}`, incident: { id: x1, title: `邻里纠纷 联系电话${phone}` } });
    expect(analyst.events[2]).toMatchObject({ seq: noteSeq, note: '回访 138****5678', incident: { id: x1, title: '邻里纠纷 联系电话138****5678' } });
    expect(analyst.events[0]).toMatchObject({ type: 'CREATED', gridCode: gridA, category: 'DISPUTE' });
    expect(countyA.events[2]).toMatchObject({ seq: noteSeq, note: `回访 ${phone}` });
    expect(analystFlat.events[2]).toMatchObject({ seq: noteSeq, note: '回访 138****5678' });
    // No more than a query with the same token shows.
    const query = ok(await hub.gql(analystToken, `query($id: ID!) { incident(id: $id) { title events(first: 100) { seq note } } }`, { id: x1 }));
    expect(query.incident.title).toBe(analyst.events[0].incident.title);
    expect(query.incident.events.find((event: any) => event.seq === noteSeq).note).toBe(analyst.events[2].note);
    for (const collected of [city, countyA, countyB, town, disputes, analyst, analystFlat, cityManagement, gridApp]) collected.stop();
  });

  it('refuses a region outside the scope, a bad afterSeq, and categories for a department', async () => {
    const refused = async (claims: Promise<string>, variables: Record<string, unknown>) => {
      // Refused when its event stream is made: one result with the error, then complete (graphql-js's subscribe).
      const collected = await subscribe(claims, variables);
      await waitUntil(() => collected.completed || collected.failure !== null, 'the refusal');
      expect(collected.events).toEqual([]);
      return (collected.failure as any[] | null)?.[0] ?? collected.errors[0];
    };
    expect((await refused(token([Role.COMMAND_CENTER], '150302'), { regionCode: '150303' })).extensions).toMatchObject({
      code: 'FORBIDDEN',
      field: 'regionCode',
    });
    expect((await refused(token([Role.COMMAND_CENTER], '150302'), { afterSeq: '12x' })).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'afterSeq',
    });
    expect((await refused(token([Role.COMMAND_CENTER], '150302'), { regionCode: '15030' })).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
    });
    const department = token([Role.DEPARTMENT], '1503', { source: SourceSystem.GRID_APP });
    expect((await refused(department, { categories: ['DISPUTE'] })).extensions).toMatchObject({ code: 'FORBIDDEN', field: 'categories' });
  });

  it('replays every stored event after afterSeq, then continues live, with no gap and no duplicate — also across a transaction that commits during the replay', async () => {
    const base = await maxSeq();
    // 250 committed events, then one in a transaction left open, then 350 more committed: the open one's seq is a gap
    // the feed may not pass, so the replay ends below it and everything after it must come live, in order.
    await hub.sql(INSERT_EVENTS, [incidentA, 'first ', 250]);
    const open = new PgClient({ connectionString: hub.orm.config.get('clientUrl') });
    await open.connect();
    try {
      await open.query('begin');
      const [{ seq: openSeq }] = (await open.query(INSERT_EVENT, [incidentA, 'committed during the replay'])).rows;
      await hub.sql(INSERT_EVENTS, [incidentA, 'second ', 350]);
      await hub.sql(`select pg_notify('gridhub_incident_events', '')`);

      const replaying = await subscribe(token([Role.COMMAND_CENTER], '150302'), { afterSeq: base.toString() });
      await waitUntil(() => replaying.events.length >= 250, 'the replay up to the open transaction');
      await sleep(1000);
      expect(replaying.events.length).toBe(250); // nothing past the gap while its transaction may still commit
      expect(BigInt(replaying.events[249].seq)).toBe(BigInt(openSeq) - 1n);

      await open.query('commit');
      // A writer keeps adding live events meanwhile.
      const more: string[] = [];
      for (let i = 0; i < 5; i++) more.push((await hub.sql(INSERT_EVENT, [incidentA, `live ${i}`]))[0].seq);
      const expected = (await hub.sql(`select seq::text from incident_event where seq > $1 order by seq`, [base.toString()])).map((row) => row.seq);
      expect(expected.length).toBe(250 + 1 + 350 + 5);
      await waitUntil(() => replaying.events.length >= expected.length, `all ${expected.length} events`);
      await sleep(500);
      expect(replaying.seqs()).toEqual(expected);
      expect(replaying.events.find((event) => event.seq === openSeq).note).toBe('committed during the replay');
      replaying.stop();
    } finally {
      await open.end();
    }
  });

  it('replays across pages while new events commit during the replay, and a second subscriber resumes where the first stopped', async () => {
    const base = await maxSeq();
    await hub.sql(INSERT_EVENTS, [incidentA, 'batch ', 420]);
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        await hub.sql(INSERT_EVENT, [incidentA, `during ${i}`]);
        await sleep(5);
      }
    })();
    const first = await subscribe(token([Role.COMMAND_CENTER], '1503'), { afterSeq: base.toString() });
    await waitUntil(() => first.events.length >= 450, 'the replay and some live events');
    writing = false;
    await writer;
    const all = (await hub.sql(`select seq::text from incident_event where seq > $1 order by seq`, [base.toString()])).map((row) => row.seq);
    await waitUntil(() => first.events.length >= all.length, `all ${all.length} events`);
    await sleep(500);
    expect(first.seqs()).toEqual(all);
    first.stop();
    // Resuming from the middle gives exactly the rest.
    const middle = all[200];
    const resumed = await subscribe(token([Role.COMMAND_CENTER], '1503'), { afterSeq: middle });
    await waitUntil(() => resumed.events.length >= all.length - 201, 'the resumed replay');
    await sleep(500);
    expect(resumed.seqs()).toEqual(all.slice(201));
    resumed.stop();
  });

  it('holds a seq that committed before a lower one until the lower one has committed, then gives both in seq order, once; a rolled-back seq is passed', async () => {
    const subscriber = await subscribe(token([Role.COMMAND_CENTER], '150302'));
    await sleep(500);
    const url = hub.orm.config.get('clientUrl')!;
    const [t1, t2] = [new PgClient({ connectionString: url }), new PgClient({ connectionString: url })];
    await Promise.all([t1.connect(), t2.connect()]);
    try {
      await t1.query('begin');
      await t2.query('begin');
      const [{ seq: lower }] = (await t1.query(INSERT_EVENT, [incidentA, 'transaction 1'])).rows;
      const [{ seq: higher }] = (await t2.query(INSERT_EVENT, [incidentA, 'transaction 2'])).rows;
      expect(BigInt(higher)).toBeGreaterThan(BigInt(lower));
      await t2.query('commit');
      await hub.sql(`select pg_notify('gridhub_incident_events', '')`);
      await sleep(1500); // several reads, rung and on the timer
      expect(subscriber.seqs()).toEqual([]);
      await t1.query('commit');
      await waitUntil(() => subscriber.events.length >= 2, 'both events');

      // A seq taken by a transaction that rolls back never commits: the events after it still come.
      await t1.query('begin');
      const [{ seq: rolledBack }] = (await t1.query(INSERT_EVENT, [incidentA, 'rolled back'])).rows;
      const [{ seq: after }] = await hub.sql(INSERT_EVENT, [incidentA, 'after the rollback']);
      await sleep(800);
      await t1.query('rollback');
      await waitUntil(() => subscriber.events.length >= 3, 'the event after the rolled-back seq');
      await sleep(500);
      expect(subscriber.seqs()).toEqual([lower, higher, after]);
      expect(subscriber.events.map((event) => event.note)).toEqual(['transaction 1', 'transaction 2', 'after the rollback']);
      expect(BigInt(rolledBack)).toBeLessThan(BigInt(after));
      subscriber.stop();
    } finally {
      await Promise.all([t1.end(), t2.end()]);
    }
  });

  it('delivers an event whose notification never came, on the timer', async () => {
    const subscriber = await subscribe(token([Role.COMMAND_CENTER], '150302'));
    await sleep(500);
    // No bell, no NOTIFY: only the feed's timer (300 ms here) can find it.
    const [{ seq }] = await hub.sql(INSERT_EVENT, [incidentA, 'no bell rang']);
    await waitUntil(() => subscriber.events.length >= 1, 'the event', 10_000);
    expect(subscriber.seqs()).toEqual([seq]);
    subscriber.stop();
  });

  it('reconnects when the feed loses its database connection, and delivers what was written meanwhile', async () => {
    const subscriber = await subscribe(token([Role.COMMAND_CENTER], '150302'));
    await sleep(500);
    const [{ terminated }] = await hub.sql(
      `select count(pg_terminate_backend(pid))::int as terminated from pg_stat_activity
        where application_name = 'gridhub-live' and datname = current_database()`,
    );
    expect(terminated).toBe(1);
    const [{ seq }] = await hub.sql(INSERT_EVENT, [incidentA, 'while the feed was away']);
    await hub.sql(`select pg_notify('gridhub_incident_events', '')`); // nobody listens now
    await waitUntil(() => subscriber.events.length >= 1, 'the event after the reconnection', 15_000);
    expect(subscriber.seqs()).toEqual([seq]);
    expect(subscriber.failure).toBeNull();
    subscriber.stop();
  });

  it('ends a subscription with UNAUTHENTICATED when its token expires', async () => {
    const shortLived = await hub.token({ sub: 'short', roles: [Role.COMMAND_CENTER], region: '150302' }, '3s');
    const subscriber = collect(liveClient(hub.wsUrl, shortLived));
    await sleep(500);
    const [{ seq }] = await hub.sql(INSERT_EVENT, [incidentA, 'before expiry']);
    await waitUntil(() => subscriber.events.length >= 1, 'the event before expiry');
    await waitUntil(() => subscriber.completed, 'the end of the subscription', 10_000);
    expect(subscriber.seqs()).toEqual([seq]);
    expect(subscriber.errors).toHaveLength(1);
    expect(subscriber.errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(subscriber.errors[0].message).toContain(`afterSeq: ${seq}`);
  });

  it('serves the subscription over WebSocket only: over HTTP it is refused', async () => {
    const response = await hub.gql(await token([Role.COMMAND_CENTER], '150302'), 'subscription { incidentEvents { seq } }');
    expect(response.data?.incidentEvents ?? null).toBeNull();
    expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('counts subscriptions against the per-socket operation cap', async () => {
    const client = liveClient(hub.wsUrl, await token([Role.COMMAND_CENTER], '150302'));
    const subscriptions = Array.from({ length: 20 }, () => collect(client));
    await sleep(500);
    const over = collect(client);
    await waitUntil(() => over.failure !== null, 'the refusal of the 21st');
    expect((over.failure as any[])[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(subscriptions.every((subscription) => subscription.failure === null)).toBe(true);
    for (const subscription of subscriptions) subscription.stop();
  });
});

describe('incidentEvents: a slow consumer', () => {
  let hub: Hub;

  beforeAll(async () => {
    hub = await startHub({ live: { pollMs: 300, batchSize: 50, maxQueuedPerSocket: 200 } });
  });
  afterAll(async () => {
    await disposeLiveClients();
    await hub?.close();
  });

  it('is closed with a clear reason once too many events wait for it, while another subscriber keeps receiving', async () => {
    const token = await hub.token({ roles: [Role.COMMAND_CENTER], region: '1503' });
    const incident = (await hub.sql(`select id::text from incident order by id limit 1`))[0].id;
    const fast = collect(liveClient(hub.wsUrl, token));

    // The slow one: a raw graphql-transport-ws socket that stops reading once subscribed.
    const slow = new WebSocket(hub.wsUrl, 'graphql-transport-ws');
    let received = 0;
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      slow.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    slow.on('message', (data) => {
      const message = JSON.parse(String(data));
      if (message.type === 'connection_ack') {
        slow.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: INCIDENT_EVENTS } }));
      } else if (message.type === 'next') received++;
    });
    await new Promise((resolve) => slow.once('open', resolve));
    slow.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
    await sleep(500);
    (slow as any)._socket.pause();

    // 4,000 events of ~8 KB (32 MB) in steps the fast subscriber keeps up with: far more than the kernel buffers
    // between the hub and the paused socket hold.
    const note = 'x'.repeat(8000);
    const total = 4000;
    for (let done = 0; done < total; done += 100) {
      await hub.sql(INSERT_EVENTS, [incident, note, 100]);
      await hub.sql(`select pg_notify('gridhub_incident_events', '')`);
      await waitUntil(() => fast.events.length >= done + 100 || fast.failure !== null, 'the fast subscriber to keep up', 30_000);
    }
    expect(fast.failure).toBeNull();
    expect(fast.events).toHaveLength(total);
    expect(ascending(fast.seqs())).toBe(true);

    (slow as any)._socket.resume();
    const { code, reason } = await closed;
    expect({ code, reason }).toEqual({ code: 4503, reason: 'slow consumer: more than 200 events waited; resume with afterSeq' });
    expect(received).toBeLessThan(total);
  }, 180_000);
});
