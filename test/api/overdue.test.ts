import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { Role } from '../../src/auth/viewer';
import { ormConfig } from '../../src/db/orm-config';
import { OverdueSweeper } from '../../src/incidents/overdue-sweeper';
import { TEST_ADMIN_URL, TEST_TEMPLATE } from '../support/env';
import { Hub, ok, startHub } from '../support/harness';
import { HubProcess, spawnHub } from '../support/process';

/*
 * The overdue sweeper: once per case and deadline, with a clock the test controls, and with several instances
 * (in-process sweepers on their own connection pools, and two hub processes) sweeping one database.
 */

let hub: Hub;
let worker: string;
let grid: string;

beforeAll(async () => {
  hub = await startHub();
  grid = (await hub.sql<{ code: string }>(`select code from region where level = 'GRID' and code like '150302001002%' order by code limit 1`))[0].code;
  worker = await hub.token({ sub: 'gw-a', roles: [Role.GRID_WORKER], region: grid });
});

afterAll(async () => {
  await hub?.close();
});

async function run(mutation: string): Promise<any> {
  return Object.values(ok(await hub.gql(worker, `mutation { ${mutation} { id status version dueAt overdue } }`)))[0];
}

/** A case dispatched just now by the grid worker (CITY_MANAGEMENT, LOW: due in 48 h). */
async function dispatched(): Promise<{ id: string; dueAt: Date }> {
  const { id } = await run(`reportIncident(input: { title: "路灯不亮", category: CITY_MANAGEMENT, subCategory: "路灯不亮", severity: LOW, gridCode: "${grid}" })`);
  await run(`acceptIncident(id: "${id}")`);
  const { dueAt } = await run(`dispatchIncident(id: "${id}")`);
  return { id, dueAt: new Date(dueAt) };
}

async function overdueEvents(id: string): Promise<Array<{ from_status: string; to_status: string; actor: string; at: Date }>> {
  return hub.sql(`select from_status, to_status, actor, at from incident_event where incident_id = $1 and type = 'OVERDUE' order by seq`, [id]);
}

describe('overdue sweeper', () => {
  it('marks a case once per deadline, by the clock it is given', async () => {
    const { id, dueAt } = await dispatched();
    let now = new Date(dueAt.getTime() - 60_000);
    const sweeper = new OverdueSweeper(hub.orm, { intervalMs: 60_000, clock: () => now });
    await sweeper.sweep();
    expect(await overdueEvents(id)).toEqual([]);

    now = new Date(dueAt.getTime() + 1000);
    await sweeper.sweep();
    const marked = await run(`startIncident(id: "${id}")`);
    expect(marked).toMatchObject({ status: 'IN_PROGRESS', overdue: true, version: 5 }); // report, accept, dispatch, overdue, start
    expect(await overdueEvents(id)).toEqual([{ from_status: 'DISPATCHED', to_status: 'DISPATCHED', actor: 'system', at: now }]);

    now = new Date(dueAt.getTime() + 3 * 3600_000);
    expect(await sweeper.sweep()).toBe(0);
    expect(await overdueEvents(id)).toHaveLength(1);

    // A failed verification sets a new deadline: swept once more when that one passes.
    await run(`resolveIncident(id: "${id}", feedback: "已更换灯具")`);
    const back = await run(`verifyIncident(id: "${id}", passed: false)`);
    expect(back.overdue).toBe(false);
    const secondDue = new Date(back.dueAt);
    expect(secondDue.getTime()).toBeGreaterThan(dueAt.getTime());
    now = new Date(secondDue.getTime() - 1000);
    await sweeper.sweep();
    expect(await overdueEvents(id)).toHaveLength(1);
    now = new Date(secondDue.getTime() + 1000);
    await sweeper.sweep();
    await sweeper.sweep();
    expect((await overdueEvents(id)).map((event) => event.from_status)).toEqual(['DISPATCHED', 'DISPATCHED']);
  });

  it('never marks a case whose deadline was cleared by escalation', async () => {
    const { id, dueAt } = await dispatched();
    await run(`escalateIncident(id: "${id}", reason: "需社区协调")`);
    const sweeper = new OverdueSweeper(hub.orm, { intervalMs: 60_000, clock: () => new Date(dueAt.getTime() + 86_400_000) });
    await sweeper.sweep();
    expect(await overdueEvents(id)).toEqual([]);
  });

  it('marks each case once when two instances sweep one database at the same time', async () => {
    const cases = [];
    for (let i = 0; i < 12; i++) cases.push(await dispatched());
    const later = new Date(Math.max(...cases.map((c) => c.dueAt.getTime())) + 1000);
    const [{ last }] = await hub.sql<{ last: string }>(`select coalesce(max(seq), 0)::text as last from incident_event`);
    const second = await MikroORM.init(ormConfig(hub.databaseUrl, { statementTimeoutMs: 10_000 }));
    try {
      // Small batches, so that the instances' transactions interleave; timers running besides explicit sweeps.
      const a = new OverdueSweeper(hub.orm, { intervalMs: 10, clock: () => later, batchSize: 3 });
      const b = new OverdueSweeper(second, { intervalMs: 10, clock: () => later, batchSize: 3 });
      a.start();
      b.start();
      const counts = await Promise.all([a.sweep(), b.sweep(), a.sweep(), b.sweep()]);
      await Promise.all([a.stop(), b.stop()]);
      const appended = await hub.sql<{ incident_id: string; n: number }>(
        `select incident_id::text, count(*)::int as n from incident_event where type = 'OVERDUE' and seq > $1 group by incident_id`,
        [last],
      );
      expect(appended.every((row) => row.n === 1)).toBe(true);
      for (const { id } of cases) expect(appended.find((row) => row.incident_id === id)?.n).toBe(1);
      // What the explicit sweeps report marking is a part of what was appended (the timers marked the rest).
      expect(counts.reduce((sum, n) => sum + n, 0)).toBeLessThanOrEqual(appended.length);
      const [{ left }] = await hub.sql<{ left: number }>(
        `select count(*)::int as left from incident where status in ('DISPATCHED', 'IN_PROGRESS') and not overdue and due_at <= $1`,
        [later],
      );
      expect(left).toBe(0);
    } finally {
      await second.close(true);
    }
  });
});

describe('two hub processes on one database', () => {
  let dataDir: string;
  let database: string;
  let url: string;
  const processes: HubProcess[] = [];

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gridhub-sweep-'));
    database = `gridhub_test_${randomBytes(6).toString('hex')}`;
    const admin = new Client({ connectionString: process.env[TEST_ADMIN_URL] });
    await admin.connect();
    await admin.query(`create database ${database} template ${TEST_TEMPLATE}`);
    await admin.end();
    const dbUrl = new URL(process.env[TEST_ADMIN_URL]!);
    dbUrl.pathname = `/${database}`;
    url = dbUrl.toString();
  });

  afterAll(async () => {
    for (const hubProcess of processes) hubProcess.child.kill('SIGKILL');
    await Promise.all(processes.map((hubProcess) => hubProcess.exited));
    const admin = new Client({ connectionString: process.env[TEST_ADMIN_URL] });
    await admin.connect();
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('mark every case past its due time once, both sweeping from their start', async () => {
    const db = new Client({ connectionString: url });
    await db.connect();
    try {
      // The demo city's open cases are dated around its base date, so many are past due and not yet marked; more
      // are made so by moving their deadlines into the past.
      await db.query(`update incident set due_at = now() - interval '1 minute', overdue = false where status in ('DISPATCHED', 'IN_PROGRESS')`);
      const due = (await db.query(`select id::text from incident where status in ('DISPATCHED', 'IN_PROGRESS') and not overdue and due_at <= now()`)).rows.map(
        (row) => row.id as string,
      );
      expect(due.length).toBeGreaterThan(10);
      const [{ last }] = (await db.query(`select coalesce(max(seq), 0)::text as last from incident_event`)).rows;
      const env = { DATABASE_URL: url, GRIDHUB_DATA_DIR: dataDir, PORT: '0', GRIDHUB_DEMO_SEED: '0', GRIDHUB_SWEEP_INTERVAL_MS: '20' };
      processes.push(spawnHub(env), spawnHub(env));
      await Promise.all(processes.map((hubProcess) => hubProcess.ready));
      for (let waited = 0; waited < 30_000; waited += 100) {
        const { rows } = await db.query(`select count(*)::int as n from incident where id = any($1::bigint[]) and not overdue`, [due]);
        if (rows[0].n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await new Promise((resolve) => setTimeout(resolve, 200)); // a few more sweeps of each
      const { rows } = await db.query(
        `select incident_id::text as id, count(*)::int as n from incident_event where type = 'OVERDUE' and seq > $1 group by incident_id`,
        [last],
      );
      expect(rows.map((row) => row.id).sort()).toEqual([...due].sort());
      expect(rows.every((row) => row.n === 1)).toBe(true);
    } finally {
      await db.end();
    }
  });
});
