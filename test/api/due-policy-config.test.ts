import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { IncidentCategory, Severity } from '../../src/incidents/incident.entity';
import { HubProcess, spawnHub, stopHubProcess } from '../support/process';
import { createScratchDatabase, ScratchDatabase } from '../support/scratch-database';

/*
 * GRIDHUB_DUE_HOURS and GRIDHUB_DUE_SEVERITY_FACTORS as a user sets them reach the demo city's first load
 * (`node dist/src/main.js` on an empty database), not only dispatch: every replayed deadline is the configured
 * limit after the dispatch (or failed verification) that set it.
 */

const HOURS = 7;

describe('the configured due-time policy reaches the demo city', () => {
  let database: ScratchDatabase;
  let dir: string;
  let hub: HubProcess | null = null;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'gridhub-due-'));
    database = await createScratchDatabase({ empty: true });
    hub = spawnHub({
      DATABASE_URL: database.url,
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
    await stopHubProcess(hub);
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives every replayed deadline the configured limit', async () => {
    const { rows } = await database.db.query<{ seconds: number }>(
      `select round(extract(epoch from i.due_at - (select max(e.at) from incident_event e
                                                    where e.incident_id = i.id and e.type in ('DISPATCHED', 'VERIFIED'))))::int as seconds
         from incident i where i.due_at is not null`,
    );
    expect(rows.length).toBeGreaterThan(0);
    expect([...new Set(rows.map((row) => row.seconds))]).toEqual([HOURS * 3600]);
  });
});
