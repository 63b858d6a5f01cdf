import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { TEST_ADMIN_URL, TEST_TEMPLATE } from './env';

/** A database of its own on the test server, for a suite that starts hub processes or CLIs on it. */
export interface ScratchDatabase {
  url: string;
  /** A connection to it, for fixtures and cross-checks. */
  db: Client;
  /** Closes the connection and drops the database (forcing out whatever is still connected). */
  drop(): Promise<void>;
}

/**
 * Creates a database: a copy of the migrated, seeded template, or (`empty`) a blank one that a hub migrates and
 * loads the demo city into on its first start.
 */
export async function createScratchDatabase(options: { empty?: boolean } = {}): Promise<ScratchDatabase> {
  const admin = new Client({ connectionString: process.env[TEST_ADMIN_URL] });
  await admin.connect();
  const name = `gridhub_test_${randomBytes(6).toString('hex')}`;
  await admin.query(options.empty ? `create database ${name}` : `create database ${name} template ${TEST_TEMPLATE}`);
  const url = new URL(process.env[TEST_ADMIN_URL]!);
  url.pathname = `/${name}`;
  const db = new Client({ connectionString: url.toString() });
  await db.connect();
  return {
    url: url.toString(),
    db,
    drop: async () => {
      await db.end();
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
