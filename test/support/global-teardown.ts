import fs from 'node:fs/promises';
import { Client } from 'pg';
import { TEST_ADMIN_URL } from './env';

/** Drops the suites' databases (on an external server) or stops the embedded server and removes its files. */
export default async function globalTeardown(): Promise<void> {
  const state = globalThis.gridhubTestDatabase;
  if (state?.embedded) {
    await state.embedded.stop();
    if (state.dir) await fs.rm(state.dir, { recursive: true, force: true });
    return;
  }
  const admin = new Client({ connectionString: process.env[TEST_ADMIN_URL] });
  await admin.connect();
  const { rows } = await admin.query<{ datname: string }>("select datname from pg_database where datname like 'gridhub_test_%'");
  for (const { datname } of rows) await admin.query(`drop database if exists "${datname}" with (force)`);
  await admin.end();
}
