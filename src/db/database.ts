import path from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import { ormConfig } from '../../mikro-orm.config';
import { Config } from '../config';
import { EmbeddedDatabase, startEmbeddedDatabase } from './embedded';

/** An open database: the ORM, and the embedded server behind it when one was started. */
export interface Database {
  orm: MikroORM;
  url: string;
  embedded: EmbeddedDatabase | null;
  /** Closes the ORM's pool, then stops the embedded server if any. */
  close(): Promise<void>;
}

/**
 * Opens the configured database: `DATABASE_URL` when set, otherwise an embedded PostgreSQL under
 * `<dataDir>/postgres`. Applies pending migrations before returning.
 */
export async function openDatabase(config: Config, log: (line: string) => void = () => undefined): Promise<Database> {
  const embedded = config.databaseUrl
    ? null
    : await startEmbeddedDatabase({ dir: path.join(config.dataDir, 'postgres'), ownedRoot: config.dataDir, log });
  const url = config.databaseUrl ?? embedded!.url;
  let orm: MikroORM;
  try {
    orm = await MikroORM.init(ormConfig(url));
    await withStartupLock(url, () => migrate(orm, log));
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  return {
    orm,
    url,
    embedded,
    close: async () => {
      await orm.close(true);
      await embedded?.stop();
    },
  };
}

/** Applies every pending migration, each in its own transaction. */
export async function migrate(orm: MikroORM, log: (line: string) => void = () => undefined): Promise<void> {
  const migrator = orm.getMigrator();
  const pending = await migrator.getPendingMigrations();
  if (pending.length === 0) return;
  log(`applying ${pending.length} migration(s): ${pending.map((m) => m.name).join(', ')}`);
  await migrator.up();
}

/** Advisory lock key shared by every gridhub instance on a database ("gridhub" in ASCII). */
const STARTUP_LOCK = 0x67726964687562;

/**
 * Runs `action` while holding a database-wide advisory lock, so instances starting together on one database
 * migrate and seed one after the other instead of racing.
 */
export async function withStartupLock<T>(url: string, action: () => Promise<T>): Promise<T> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [STARTUP_LOCK]);
    return await action();
  } finally {
    await client.query('select pg_advisory_unlock($1)', [STARTUP_LOCK]).catch(() => undefined);
    await client.end();
  }
}
