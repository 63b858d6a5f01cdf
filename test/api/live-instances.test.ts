import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from 'pg';
import { signToken } from '../../src/auth/tokens';
import { Role } from '../../src/auth/viewer';
import { TEST_ADMIN_URL, TEST_TEMPLATE } from '../support/env';
import { ascending, collect, disposeLiveClients, liveClient, sleep, waitUntil } from '../support/live';
import { HubProcess, spawnHub } from '../support/process';

/**
 * Design §7: hub instances are stateless and serve subscribers equally. Two hub processes (`node
 * dist/src/main.js`) on one database: a subscriber on B receives what is written through A, and a subscriber whose
 * server was restarted resumes with `afterSeq` and gets exactly what it missed, then live events again.
 */
describe('incidentEvents across hub instances', () => {
  const name = `gridhub_test_live_${randomBytes(4).toString('hex')}`;
  const secret = randomBytes(32).toString('hex');
  let databaseUrl: string;
  let dataDir: string;
  const hubs: HubProcess[] = [];
  let admin: string;
  let viewer: string;
  let grid: string;
  let serial = 0;

  const start = async (): Promise<{ hub: HubProcess; url: string; wsUrl: string }> => {
    const hub = spawnHub({ DATABASE_URL: databaseUrl, GRIDHUB_JWT_SECRET: secret, GRIDHUB_DATA_DIR: dataDir, PORT: '0', GRIDHUB_DEMO_SEED: '0' });
    hubs.push(hub);
    const url = (await hub.ready).replace('localhost', '127.0.0.1');
    return { hub, url, wsUrl: url.replace('http://', 'ws://') };
  };

  /** Ingests one new incident through the hub at `url`. */
  const ingest = async (url: string): Promise<string> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({
        query: `mutation ($records: [IncidentRecordInput!]!) {
          ingestIncidents(source: GRID_APP, records: $records) { results { outcome entityId } } }`,
        variables: { records: [{ sourceKey: `INSTANCES-${++serial}`, version: 1, title: `跨实例 ${serial}`, category: 'DISPUTE', gridCode: grid }] },
      }),
    });
    const body = (await response.json()) as any;
    expect(body.data?.ingestIncidents.results[0].outcome).toBe('CREATED');
    return body.data.ingestIncidents.results[0].entityId;
  };

  beforeAll(async () => {
    const adminUrl = process.env[TEST_ADMIN_URL]!;
    const admin_ = new Client({ connectionString: adminUrl });
    await admin_.connect();
    await admin_.query(`create database ${name} template ${TEST_TEMPLATE}`);
    await admin_.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gridhub-live-'));
    const key = new TextEncoder().encode(secret);
    admin = await signToken(key, { sub: 'instances-admin', roles: [Role.ADMIN] });
    viewer = await signToken(key, { sub: 'instances-viewer', roles: [Role.COMMAND_CENTER], region: '1503' });
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    grid = (await db.query(`select code from region where level = 'GRID' order by code limit 1`)).rows[0].code;
    await db.end();
  });

  afterAll(async () => {
    await disposeLiveClients();
    for (const hub of hubs) {
      if (hub.child.exitCode === null && hub.child.signalCode === null) hub.child.kill('SIGTERM');
      await hub.exited;
    }
    await fs.rm(dataDir, { recursive: true, force: true });
    const admin_ = new Client({ connectionString: process.env[TEST_ADMIN_URL]! });
    await admin_.connect();
    await admin_.query(`drop database if exists ${name} with (force)`);
    await admin_.end();
  });

  it('gives a subscriber on instance B what is written through instance A, and resumes after B restarts', async () => {
    const a = await start();
    let b = await start();
    const onA = collect(liveClient(a.wsUrl, viewer));
    const onB = collect(liveClient(b.wsUrl, viewer));
    await sleep(1000);

    const first = [await ingest(a.url), await ingest(a.url)];
    await waitUntil(() => onB.events.length >= 2 && onA.events.length >= 2, 'both instances to deliver the events written through A');
    expect(onB.events.map((event) => event.incidentId)).toEqual(first);
    expect(onB.seqs()).toEqual(onA.seqs());
    const last = onB.seqs()[1];

    // B stops; events keep coming through A; B starts again and its subscriber resumes after the last seq it got.
    onB.stop();
    b.hub.child.kill('SIGTERM');
    expect(await b.hub.exited).toBe(0);
    const missed = [await ingest(a.url), await ingest(a.url), await ingest(a.url)];
    b = await start();
    const resumed = collect(liveClient(b.wsUrl, viewer), { afterSeq: last });
    await waitUntil(() => resumed.events.length >= 3, 'the replay of the missed events');
    const live = await ingest(a.url);
    await waitUntil(() => resumed.events.length >= 4 && onA.events.length >= 6, 'the live event after the replay');
    await sleep(500);
    expect(resumed.events.map((event) => event.incidentId)).toEqual([...missed, live]);
    expect(ascending(resumed.seqs())).toBe(true);
    expect(resumed.seqs()).toEqual(onA.seqs().slice(2));
    expect(resumed.failure).toBeNull();
  }, 120_000);
});
