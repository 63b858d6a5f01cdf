import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { Client } from 'pg';
import { startEmbeddedDatabase, EmbeddedDatabase } from '../../src/db/embedded';
import { TEST_ADMIN_URL, TEST_TEMPLATE } from './env';

declare global {
  // eslint-disable-next-line no-var
  var gridhubTestDatabase: { embedded: EmbeddedDatabase | null; dir: string | null } | undefined;
}

/**
 * Starts one PostgreSQL for the run (embedded in a temp dir, or DATABASE_URL's server), and builds the template
 * database every suite copies: migrated from empty, with the demo city at test scale.
 */
export default async function globalSetup(): Promise<void> {
  let adminUrl: string;
  let embedded: EmbeddedDatabase | null = null;
  let dir: string | null = null;
  if (process.env.DATABASE_URL) {
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = '/postgres';
    adminUrl = url.toString();
  } else {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gridhub-test-'));
    embedded = await startEmbeddedDatabase({ dir });
    adminUrl = embedded.adminUrl;
  }
  globalThis.gridhubTestDatabase = { embedded, dir };
  process.env[TEST_ADMIN_URL] = adminUrl;

  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${TEST_TEMPLATE} with (force)`);
  await admin.query(`create database ${TEST_TEMPLATE}`);
  await admin.end();

  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${TEST_TEMPLATE}`;
  execFileSync(process.execPath, [path.join(__dirname, 'build-template.js'), templateUrl.toString()], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
