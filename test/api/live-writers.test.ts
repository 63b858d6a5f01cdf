import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../src/auth/viewer';
import { OverdueSweeper } from '../../src/incidents/overdue-sweeper';
import { incidentEventBell } from '../../src/live/bell';
import { Hub, ok, startHub } from '../support/harness';
import { collect, disposeLiveClients, liveClient, waitUntil } from '../support/live';

/**
 * The writers of the incident event log ring the live feed after they commit (inIncidentTransaction): the
 * workflow mutations and the overdue sweeper. The feed's timer is set to a minute here, so an event that arrives
 * within seconds was rung — the wiring between the three parts of issue 11, not the timer, delivered it.
 */

/** Longer than any wait below: only the bell can deliver in time. */
const POLL_MS = 60_000;
const RUNG_WITHIN_MS = 10_000;

describe('live feed rung by the workflow and the sweeper', () => {
  let hub: Hub;
  let grid: string;
  let worker: string;

  beforeAll(async () => {
    hub = await startHub({ live: { pollMs: POLL_MS } });
    grid = (await hub.sql<{ code: string }>(`select code from region where level = 'GRID' and code like '150302%' order by code limit 1`))[0].code;
    worker = await hub.token({ sub: 'gw-live', roles: [Role.GRID_WORKER], region: grid });
  });
  afterAll(async () => {
    await disposeLiveClients();
    await hub?.close();
  });

  const run = async (mutation: string): Promise<any> =>
    Object.values(ok(await hub.gql(worker, `mutation { ${mutation} { id status version dueAt } }`)))[0];

  it('delivers each workflow mutation and the OVERDUE event of a sweep at once, without waiting for the timer', async () => {
    const centre = await hub.token({ sub: 'cc-live', roles: [Role.COMMAND_CENTER], region: grid.slice(0, 9) });
    const feed = collect(liveClient(hub.wsUrl, centre), { regionCode: grid });
    // The server registers the subscription asynchronously; give it a moment before the first write.
    await new Promise((resolve) => setTimeout(resolve, 500));

    const { id } = await run(
      `reportIncident(input: { title: "路灯不亮", category: CITY_MANAGEMENT, subCategory: "路灯不亮", severity: LOW, gridCode: "${grid}" })`,
    );
    await waitUntil(() => feed.events.length >= 1, 'the CREATED event of reportIncident', RUNG_WITHIN_MS);
    await run(`acceptIncident(id: "${id}")`);
    const { dueAt } = await run(`dispatchIncident(id: "${id}")`);
    await waitUntil(() => feed.events.length >= 3, 'the ACCEPTED and DISPATCHED events', RUNG_WITHIN_MS);

    const sweeper = new OverdueSweeper(hub.orm, { intervalMs: POLL_MS, clock: () => new Date(new Date(dueAt).getTime() + 1000) });
    expect(await sweeper.sweep()).toBeGreaterThanOrEqual(1);
    await waitUntil(() => feed.events.some((event) => event.type === 'OVERDUE' && event.incidentId === id), 'the OVERDUE event', RUNG_WITHIN_MS);

    const mine = feed.events.filter((event) => event.incidentId === id);
    expect(mine.map((event) => [event.type, event.actor])).toEqual([
      ['CREATED', expect.any(String)],
      ['ACCEPTED', 'gw-live'],
      ['DISPATCHED', 'gw-live'],
      ['OVERDUE', 'system'],
    ]);
    expect(feed.failure).toBeNull();
  });

  it('rings after a sweep that marked cases, not after one that found none', async () => {
    let rings = 0;
    const stop = incidentEventBell(hub.orm).listen(() => rings++);
    try {
      expect(await new OverdueSweeper(hub.orm, { intervalMs: POLL_MS, clock: () => new Date(0) }).sweep()).toBe(0);
      expect(rings).toBe(0);
      await run(`reportIncident(input: { title: "井盖缺失", category: CITY_MANAGEMENT, severity: LOW, gridCode: "${grid}" })`);
      expect(rings).toBe(1);
    } finally {
      stop();
    }
  });

  it('reads the log when another instance notifies, not when its own notification comes back', async () => {
    const centre = await hub.token({ sub: 'cc-notify', roles: [Role.COMMAND_CENTER], region: grid.slice(0, 9) });
    const feed = collect(liveClient(hub.wsUrl, centre), { regionCode: grid });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const { id } = await run(`reportIncident(input: { title: "井盖缺失", category: CITY_MANAGEMENT, severity: LOW, gridCode: "${grid}" })`);
    // This incident's events only: the case the test before reported in the same grid may reach a subscriber that
    // joined while the feed was still reading it (every event above the feed's watermark is delivered).
    const mine = () => feed.events.filter((event) => event.incidentId === id);
    await waitUntil(() => mine().length >= 1, 'the CREATED event', RUNG_WITHIN_MS);
    // An event written behind the hub's back (as another instance's writer would), announced first with this
    // process's own bell id — which its feed ignores, its bell having woken it already — then with another's.
    await hub.sql(
      `insert into incident_event (incident_id, grid_code, category, type, actor, note, from_status, to_status, at)
       select id, grid_code, category, 'UPDATED', 'other-instance', null, status, status, now() from incident where id = $1`,
      [id],
    );
    await hub.sql(`select pg_notify('gridhub_incident_events', $1)`, [incidentEventBell(hub.orm).id]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(mine().map((event) => event.type)).toEqual(['CREATED']);
    await hub.sql(`select pg_notify('gridhub_incident_events', 'another-instance')`);
    await waitUntil(() => mine().length >= 2, 'the event announced by another instance', RUNG_WITHIN_MS);
    expect(mine().map((event) => [event.type, event.actor])).toEqual([
      ['CREATED', expect.any(String)],
      ['UPDATED', 'other-instance'],
    ]);
    // Nothing delivered twice.
    expect(new Set(feed.seqs()).size).toBe(feed.events.length);
  });
});
