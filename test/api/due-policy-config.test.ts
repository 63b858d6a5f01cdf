import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from 'pg';
import { IncidentCategory, Severity } from '../../src/incidents/incident.entity';
import { TEST_ADMIN_URL } from '../support/env';
import { HubProcess, spawnHub } from '../support/process';

/*
 * GRIDHUB_DUE_HOURS and GRIDHUB_DUE_SEVERITY_FACTORS as a user sets them reach the demo city's first load
 * (`node dist/src/main.js` on an empty database), not only dispatch: every replayed deadline is the configured
 * limit after the dispatch (or failed verification) that set it.
 */

const HOURS = 7;

describe('the configured due-time policy reaches the demo city', () => {
  let admin: Client;
  let db: Client;
  let name: string;
  let dir: string;
  let hub: HubProcess | null = null;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'gridhub-due-'));
    admin = new Client({ connectionString: process.env[TEST_ADMIN_URL] });
    await admin.connect();
    name = `gridhub_test_${randomBytes(6).toString('hex')}`;
    await admin.query(`create database ${name}`);
    const url = new URL(process.env[TEST_ADMIN_URL]!);
    url.pathname = `/${name}`;
    db = new Client({ connectionString: url.toString() });
    await db.connect();
    hub = spawnHub({
      DATABASE_URL: url.toString(),
      PORT: '0',
      GRIDHUB_DATA_DIR: dir,
      GRIDHUB_DEMO_SCALE: '0.02',
      GRIDHUB_SWEEP_INTERVAL_MS: '0',
      GRIDHUB_DUE_HOURS: Object.values(IncidentCategory).map((category) => `${category}=${HOURS}`).join(','),
      GRIDHUB_DUE_SEVERITY_FACTORS: Object.values(Severity).map((severity) => `${severity}=1`).join(','),
    });
    await hub.ready;
  }, 180_000);

  afterAll(async () => {
    if (hub && hub.child.exitCode === null) {
      hub.child.kill('SIGTERM');
      await hub.exited;
    }
    await db?.end();
    await admin?.query(`drop database if exists ${name} with (force)`);
    await admin?.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives every replayed deadline the configured limit', async () => {
    const { rows } = await db.query<{ seconds: number }>(
      `select round(extract(epoch from i.due_at - (select max(e.at) from incident_event e
                                                    where e.incident_id = i.id and e.type in ('DISPATCHED', 'VERIFIED'))))::int as seconds
         from incident i where i.due_at is not null`,
    );
    expect(rows.length).toBeGreaterThan(0);
    expect([...new Set(rows.map((row) => row.seconds))]).toEqual([HOURS * 3600]);
  });
});
