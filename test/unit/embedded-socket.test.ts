import { describe, expect, it } from '@jest/globals';
import { realpathSync } from 'node:fs';
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
});
