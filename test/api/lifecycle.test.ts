import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from 'pg';
import { TEST_ADMIN_URL } from '../support/env';
import { printedToken, processesMentioning, spawnHub } from '../support/process';

const TOKEN_CLI = path.resolve(__dirname, '..', '..', 'src', 'cli', 'token.js');

async function countPeople(url: string, token: string): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ people(first: 1) { totalCount } }' }),
  });
  const body = (await response.json()) as { data: { people: { totalCount: number } } };
  return body.data.people.totalCount;
}

describe('npm start lifecycle (embedded PostgreSQL)', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gridhub-life-'));
  });

  afterAll(async () => {
    for (const pid of processesMentioning(dataDir)) process.kill(pid, 'SIGKILL');
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('starts, seeds once, stops cleanly on SIGTERM and SIGINT, and reuses the data on restart', async () => {
    const env = { GRIDHUB_DATA_DIR: dataDir, PORT: '0', GRIDHUB_DEMO_SCALE: '0.01' };
    const first = spawnHub(env);
    const url = await first.ready;
    expect(first.output()).toContain('loading the demo city');
    const token = printedToken(first.output());
    const people = await countPeople(url, token);
    expect(people).toBeGreaterThan(0);
    expect((await fetch(url.replace('/graphql', '/healthz'))).status).toBe(200);
    expect((await fetch(url.replace('/graphql', '/readyz'))).status).toBe(200);
    expect(processesMentioning(dataDir).length).toBeGreaterThan(0); // the embedded postgres runs

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(processesMentioning(dataDir)).toEqual([]);

    const second = spawnHub(env);
    const url2 = await second.ready;
    expect(second.output()).not.toContain('loading the demo city');
    expect(await countPeople(url2, printedToken(second.output()))).toBe(people);
    // `npm run token` signs with the same generated key as the server.
    const cli = spawnSync(process.execPath, [TOKEN_CLI, '--role', 'ANALYST', '--region', '150303'], {
      env: { ...process.env, GRIDHUB_DATA_DIR: dataDir, GRIDHUB_JWT_SECRET: '' },
      encoding: 'utf8',
    });
    expect(cli.status).toBe(0);
    const analyst = cli.stdout.trim().split('\n').pop()!;
    const scoped = await countPeople(url2, analyst);
    expect(scoped).toBeGreaterThan(0);
    expect(scoped).toBeLessThan(people);
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
    expect(processesMentioning(dataDir)).toEqual([]);
  });

  it('stops cleanly when Ctrl-C reaches the hub and its PostgreSQL together (a terminal process group)', async () => {
    const hub = spawnHub({ GRIDHUB_DATA_DIR: dataDir, PORT: '0', GRIDHUB_DEMO_SEED: '0' }, { ownProcessGroup: true });
    await hub.ready;
    process.kill(-hub.child.pid!, 'SIGINT');
    expect(await hub.exited).toBe(0);
    expect(hub.output()).toContain('gridhub: stopped');
    expect(processesMentioning(dataDir)).toEqual([]);
  });

  it('stops a PostgreSQL left running by a hub that was killed, and starts again', async () => {
    const env = { GRIDHUB_DATA_DIR: dataDir, PORT: '0', GRIDHUB_DEMO_SEED: '0' };
    const killed = spawnHub(env);
    await killed.ready;
    killed.child.kill('SIGKILL');
    await killed.exited;
    const next = spawnHub(env);
    await next.ready;
    expect(next.output()).toContain('left running by an earlier gridhub');
    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
    expect(processesMentioning(dataDir)).toEqual([]);
  });
});

describe('start-up robustness', () => {
  it('ignores a stale postmaster.pid naming an unrelated live process, and does not touch that process', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gridhub-stale-'));
    const bystander = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      const env = { GRIDHUB_DATA_DIR: dataDir, PORT: '0', GRIDHUB_DEMO_SEED: '0' };
      const first = spawnHub(env);
      await first.ready;
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      // As after a reboot: the lock file survived and its pid now belongs to someone else.
      await fs.writeFile(path.join(dataDir, 'postgres', 'cluster', 'postmaster.pid'), `${bystander.pid}\n`);
      const second = spawnHub(env);
      await second.ready;
      expect(second.output()).toContain('removing a stale postmaster.pid');
      expect(bystander.exitCode).toBeNull();
      expect(bystander.killed).toBe(false);
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      bystander.kill('SIGKILL');
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a second hub on the same data directory reached through a symlink, leaving the first one running', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gridhub-link-'));
    const link = `${dataDir}-link`;
    await fs.symlink(dataDir, link);
    const env = { PORT: '0', GRIDHUB_DEMO_SEED: '0' };
    const first = spawnHub({ ...env, GRIDHUB_DATA_DIR: dataDir });
    try {
      const url = await first.ready;
      const second = spawnHub({ ...env, GRIDHUB_DATA_DIR: link });
      expect(await second.exited).toBe(1);
      expect(second.output()).toMatch(/in use by process \d+/);
      expect((await fetch(url.replace('/graphql', '/readyz'))).status).toBe(200);
    } finally {
      first.child.kill('SIGTERM');
      await first.exited;
      await fs.rm(link, { force: true });
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });

  it('stops while waiting for another instance to finish starting', async () => {
    const adminUrl = process.env[TEST_ADMIN_URL]!;
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query('drop database if exists gridhub_test_wait with (force)');
    await admin.query('create database gridhub_test_wait');
    const url = new URL(adminUrl);
    url.pathname = '/gridhub_test_wait';
    const holder = new Client({ connectionString: url.toString() });
    await holder.connect();
    await holder.query("select pg_advisory_lock('29117719582897506'::bigint)"); // as a starting instance would
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gridhub-wait-'));
    try {
      const hub = spawnHub({ DATABASE_URL: url.toString(), GRIDHUB_DATA_DIR: dataDir, PORT: '0' });
      // Once it says which database it uses, its signal handlers are in place (a loaded machine may take a while
      // to get there); then it waits for the lock.
      for (let waited = 0; !hub.output().includes('using the database at DATABASE_URL') && waited < 30_000; waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
      hub.child.kill('SIGTERM');
      const started = Date.now();
      expect(await hub.exited).toBe(0);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(hub.output()).toContain('stopped before start-up finished');
    } finally {
      await holder.end();
      await admin.query('drop database if exists gridhub_test_wait with (force)');
      await admin.end();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });

  it('lets two hubs start together on one empty database (migrations and seeding take turns)', async () => {
    const adminUrl = process.env[TEST_ADMIN_URL]!;
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query('drop database if exists gridhub_test_pair with (force)');
    await admin.query('create database gridhub_test_pair');
    const url = new URL(adminUrl);
    url.pathname = '/gridhub_test_pair';
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gridhub-pair-'));
    const env = { DATABASE_URL: url.toString(), GRIDHUB_DATA_DIR: dataDir, PORT: '0', GRIDHUB_DEMO_SCALE: '0.01' };
    const hubs = [spawnHub(env), spawnHub(env)];
    try {
      const urls = await Promise.all(hubs.map((hub) => hub.ready));
      const seeded = hubs.filter((hub) => hub.output().includes('loading the demo city'));
      expect(seeded).toHaveLength(1);
      const token = printedToken(hubs[0].output());
      const counts = await Promise.all(urls.map((graphqlUrl) => countPeople(graphqlUrl, token)));
      expect(counts).toEqual([500, 500]);
    } finally {
      for (const hub of hubs) hub.child.kill('SIGTERM');
      await Promise.all(hubs.map((hub) => hub.exited));
      await admin.query('drop database if exists gridhub_test_pair with (force)');
      await admin.end();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });

  it('stops during the first demo-city load without keeping half of it', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gridhub-abort-'));
    try {
      const env = { GRIDHUB_DATA_DIR: dataDir, PORT: '0', GRIDHUB_DEMO_SCALE: '2' };
      const hub = spawnHub(env);
      const deadline = Date.now() + 60_000;
      while (!hub.output().includes('people:') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      hub.child.kill('SIGTERM');
      expect(await hub.exited).toBe(0);
      expect(hub.output()).toContain('stopped before start-up finished');
      expect(processesMentioning(dataDir)).toEqual([]);
      const again = spawnHub({ ...env, GRIDHUB_DEMO_SCALE: '0.01' });
      await again.ready;
      expect(again.output()).toContain('loading the demo city'); // the aborted load left the database empty
      again.child.kill('SIGTERM');
      expect(await again.exited).toBe(0);
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('start-up configuration', () => {
  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x/y' }, 'DATABASE_URL'],
    [{ GRIDHUB_DEMO_SEED: 'maybe' }, 'GRIDHUB_DEMO_SEED'],
    [{ GRIDHUB_JWT_SECRET: 'short' }, 'GRIDHUB_JWT_SECRET'],
    [{ GRIDHUB_DEMO_SCALE: '-1' }, 'GRIDHUB_DEMO_SCALE'],
  ])('refuses %j naming the variable', async (env, name) => {
    const hub = spawnHub(env as Record<string, string>);
    expect(await hub.exited).toBe(2);
    expect(hub.output()).toContain(`configuration error: ${name}`);
  });

  it('uses DATABASE_URL when set: migrates an empty database and serves it', async () => {
    const adminUrl = process.env[TEST_ADMIN_URL]!;
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query('drop database if exists gridhub_test_external with (force)');
    await admin.query('create database gridhub_test_external');
    const url = new URL(adminUrl);
    url.pathname = '/gridhub_test_external';
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gridhub-ext-'));
    const hub = spawnHub({
      DATABASE_URL: url.toString(),
      GRIDHUB_DATA_DIR: dataDir,
      PORT: '0',
      GRIDHUB_DEMO_SEED: '0',
      GRIDHUB_JWT_SECRET: 's'.repeat(40),
    });
    try {
      const graphqlUrl = await hub.ready;
      expect(hub.output()).toContain('using the database at DATABASE_URL');
      expect(await countPeople(graphqlUrl, printedToken(hub.output()))).toBe(0);
      const db = new Client({ connectionString: url.toString() });
      await db.connect();
      const { rows } = await db.query('select name from mikro_orm_migrations order by id');
      await db.end();
      expect(rows.map((row) => row.name)).toContain('Migration20261122000000_initial');
      expect(processesMentioning(dataDir)).toEqual([]); // no embedded server was started
    } finally {
      hub.child.kill('SIGTERM');
      await hub.exited;
      await admin.query('drop database if exists gridhub_test_external with (force)');
      await admin.end();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('npm run seed', () => {
  const SEED_CLI = path.resolve(__dirname, '..', '..', 'src', 'cli', 'seed.js');
  const run = (url: string, ...args: string[]) =>
    spawnSync(process.execPath, [SEED_CLI, ...args], { env: { ...process.env, DATABASE_URL: url }, encoding: 'utf8' });

  it('fills an empty database, refuses a full one unless --reset, and names a bad flag', async () => {
    const adminUrl = process.env[TEST_ADMIN_URL]!;
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query('drop database if exists gridhub_test_seed with (force)');
    await admin.query('create database gridhub_test_seed');
    const url = new URL(adminUrl);
    url.pathname = '/gridhub_test_seed';
    try {
      const first = run(url.toString(), '--scale', '0.02');
      expect(first.status).toBe(0);
      expect(first.stdout).toMatch(/person\s+1,000/);
      const again = run(url.toString(), '--scale', '0.02');
      expect(again.status).toBe(1);
      expect(again.stderr).toMatch(/not empty.*--reset/);
      const reset = run(url.toString(), '--scale', '0.01', '--reset');
      expect(reset.status).toBe(0);
      const db = new Client({ connectionString: url.toString() });
      await db.connect();
      const { rows } = await db.query('select count(*)::int as n from person');
      await db.end();
      expect(rows[0].n).toBe(500);
      const bad = run(url.toString(), '--scale', 'lots');
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain('--scale');
    } finally {
      await admin.query('drop database if exists gridhub_test_seed with (force)');
      await admin.end();
    }
  });

  it('keeps the previous city when a --reset reload is interrupted: the emptying is part of the load\'s transaction', async () => {
    const adminUrl = process.env[TEST_ADMIN_URL]!;
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query('drop database if exists gridhub_test_reseed with (force)');
    await admin.query('create database gridhub_test_reseed');
    const url = new URL(adminUrl);
    url.pathname = '/gridhub_test_reseed';
    const db = new Client({ connectionString: url.toString() });
    const counts = async () =>
      (await db.query('select (select count(*) from region)::int as regions, (select count(*) from person)::int as people, ' +
        '(select count(*) from incident_event)::int as events, (select max(id) from person)::int as "lastPerson"')).rows[0];
    try {
      expect(run(url.toString(), '--scale', '0.02').status).toBe(0);
      await db.connect();
      const before = await counts();
      expect(before.people).toBe(1000);

      // A bigger city, interrupted once it is writing people: the old city was emptied (inside the transaction) by then.
      const reload = spawn(process.execPath, [SEED_CLI, '--scale', '1', '--reset'], {
        env: { ...process.env, DATABASE_URL: url.toString() },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      reload.stderr!.on('data', (chunk) => (stderr += chunk));
      const exited = new Promise<number | null>((resolve) => reload.on('exit', (code) => resolve(code)));
      const deadline = Date.now() + 30_000;
      while (!/seed: people: [1-9]/.test(stderr) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      expect(stderr).toMatch(/--reset: replacing/);
      expect(stderr).toMatch(/seed: people: [1-9]/);
      reload.kill('SIGTERM');
      expect(await exited).toBe(130);
      expect(stderr).toContain('nothing was kept');
      expect(await counts()).toEqual(before);
    } finally {
      await db.end().catch(() => undefined);
      await admin.query('drop database if exists gridhub_test_reseed with (force)');
      await admin.end();
    }
  });
});
