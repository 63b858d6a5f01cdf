import path from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import { ormConfig } from './orm-config';
import { Config } from '../config';
import { EmbeddedDatabase, startEmbeddedDatabase } from './embedded';

/** An open database: the ORM, and the embedded server behind it when one was started. */
export interface Database {
  /** The serving pool: every statement has the configured timeout (`GRIDHUB_STATEMENT_TIMEOUT_MS`). */
  orm: MikroORM;
  /**
   * Runs `action` on a short-lived pool without a statement timeout, for maintenance work that legitimately runs
   * long statements (migrations, loading the demo city).
   */
  maintenance<T>(action: (orm: MikroORM) => Promise<T>): Promise<T>;
  url: string;
  embedded: EmbeddedDatabase | null;
  /** Closes the ORM's pool, then stops the embedded server if any. */
  close(): Promise<void>;
}

/**
 * Opens the configured database: `DATABASE_URL` when set, otherwise an embedded PostgreSQL under
 * `<dataDir>/postgres`. Applies pending migrations before returning.
 */
export async function openDatabase(
  config: Config,
  log: (line: string) => void = () => undefined,
  cancelled: () => boolean = () => false,
): Promise<Database> {
  const embedded = config.databaseUrl
    ? null
    : await startEmbeddedDatabase({ dir: path.join(config.dataDir, 'postgres'), ownedRoot: config.dataDir, log });
  const url = config.databaseUrl ?? embedded!.url;
  let orm: MikroORM | undefined;
  const maintenance = async <T>(action: (orm: MikroORM) => Promise<T>): Promise<T> => {
    const own = await MikroORM.init(ormConfig(url, {}, { pool: { min: 0, max: 2 } }));
    try {
      return await action(own);
    } finally {
      await own.close(true);
    }
  };
  try {
    await withStartupLock(url, () => maintenance((own) => migrate(own, log)), cancelled);
    orm = await MikroORM.init(ormConfig(url, { statementTimeoutMs: config.limits.statementTimeoutMs }));
  } catch (error) {
    await orm?.close(true).catch(() => undefined);
    await embedded?.stop();
    throw error;
  }
  const ready = orm;
  return {
    orm: ready,
    url,
    embedded,
    maintenance,
    close: async () => {
      await ready.close(true);
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

/** Advisory lock key shared by every gridhub instance on a database ("gridhub" in ASCII, as a bigint). */
const STARTUP_LOCK = '29117719582897506';

/**
 * Runs `action` while holding a database-wide advisory lock, so instances starting together on one database
 * migrate and seed one after the other instead of racing. Waiting for the lock stops when `cancelled()` turns
 * true (a stop was requested).
 */
export async function withStartupLock<T>(
  url: string,
  action: () => Promise<T>,
  cancelled: () => boolean = () => false,
): Promise<T> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: url });
  // A dropped lock connection must not crash the process; the action's own connections report real failures.
  client.on('error', () => undefined);
  await client.connect();
  try {
    for (;;) {
      const { rows } = await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1::bigint) as locked', [STARTUP_LOCK]);
      if (rows[0].locked) break;
      if (cancelled()) throw new Error('stopped while waiting for another instance to finish starting');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return await action();
  } finally {
    await client.query('select pg_advisory_unlock($1::bigint)', [STARTUP_LOCK]).catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}
