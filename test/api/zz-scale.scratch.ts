import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, it } from '@jest/globals';
import { Client } from 'pg';
import { signToken } from '../../src/auth/tokens';
import { Role } from '../../src/auth/viewer';
import { TEST_ADMIN_URL, TEST_TEMPLATE } from '../support/env';
import { disposeLiveClients, liveClient, sleep } from '../support/live';

const N = Number(process.env.SCALE_N ?? 1000);
const RATE = Number(process.env.SCALE_RATE ?? 200);
describe('scale scratch', () => {
  afterAll(async () => { await disposeLiveClients(); });
  it('measures', async () => {
    const name = `gridhub_scale_${randomBytes(3).toString('hex')}`;
    const admin = new Client({ connectionString: process.env[TEST_ADMIN_URL]! });
    await admin.connect();
    await admin.query(`create database ${name} template ${TEST_TEMPLATE}`);
    const url = new URL(process.env[TEST_ADMIN_URL]!); url.pathname = `/${name}`;
    const secret = randomBytes(32).toString('hex');
    const child = spawn(process.execPath, [...(process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/liveprof'] : []), path.resolve(__dirname, '../../src/main.js')], {
      env: { ...process.env, NODE_ENV: '', DATABASE_URL: url.toString(), GRIDHUB_JWT_SECRET: secret, PORT: '0', GRIDHUB_DEMO_SEED: '0', GRIDHUB_DATA_DIR: '/tmp/livescale', GRIDHUB_RATE_LIMITS: 'COMMAND_CENTER=100000,ADMIN=100000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (c) => (out += c)); child.stderr!.on('data', (c) => (out += c));
    while (!/ready at (\S+)/.test(out)) await sleep(100);
    const port = /localhost:(\d+)/.exec(out)![1];
    const wsUrl = `ws://127.0.0.1:${port}/graphql`;
    const key = new TextEncoder().encode(secret);
    const db = new Client({ connectionString: url.toString() }); await db.connect();
    const codes = async (level: string) => (await db.query(`select code from region where level = $1 order by code`, [level])).rows.map((r) => r.code);
    const [communities, towns, counties] = [await codes('COMMUNITY'), await codes('TOWN'), await codes('COUNTY')];
    const regions = Array.from({ length: N }, (_, i) => (i < 10 ? '1503' : i % 10 === 0 ? counties[i % counties.length] : i % 3 === 0 ? towns[i % towns.length] : communities[i % communities.length]));
    const rss = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024;
    const latencies: number[] = [];
    let received = 0;
    const rss0 = rss();
    for (let i = 0; i < N; i++) {
      const token = await signToken(key, { sub: `s${i}`, roles: [Role.COMMAND_CENTER], region: regions[i] });
      liveClient(wsUrl, token).subscribe<any>({ query: 'subscription { incidentEvents { seq type gridCode note at } }' }, {
        next: (v) => { received++; latencies.push(Date.now() - Number(v.data.incidentEvents.note)); },
        error: (e) => console.error('error', e), complete: () => undefined,
      });
      if (i % 100 === 99) await sleep(50);
    }
    await sleep(3000);
    const rss1 = rss();
    const incidents = (await db.query(`select id::text from incident order by random() limit 500`)).rows.map((r) => r.id);
    const started = Date.now();
    let events = 0;
    const perTick = RATE / 20;
    for (let tick = 0; tick < 200; tick++) {
      const t = Date.now();
      const ids = Array.from({ length: perTick }, (_, k) => incidents[(tick * perTick + k) % incidents.length]);
      await db.query(`insert into incident_event (incident_id, grid_code, category, type, actor, note, from_status, to_status)
          select id, grid_code, category, 'UPDATED', 'x', $2, status, status from incident where id = any($1::bigint[])`, [ids, String(Date.now())]);
      await db.query(`select pg_notify('gridhub_incident_events', '')`);
      events += perTick;
      const wait = 50 - (Date.now() - t);
      if (wait > 0) await sleep(wait);
    }
    const elapsed = (Date.now() - started) / 1000;
    await sleep(3000);
    const rss2 = rss();
    latencies.sort((a, b) => a - b);
    const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
    console.log(`N=${N} events=${events} in ${elapsed}s (${(events / elapsed).toFixed(0)}/s) messages=${received} (${(received / elapsed).toFixed(0)}/s) p50=${q(0.5)} p99=${q(0.99)} max=${latencies[latencies.length - 1]} server rss start=${rss0.toFixed(0)}MB subscribed=${rss1.toFixed(0)}MB end=${rss2.toFixed(0)}MB`);
    await disposeLiveClients();
    child.kill('SIGTERM');
    await new Promise((r) => child.on('exit', r));
    await db.end();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }, 600_000);
});
