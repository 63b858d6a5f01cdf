import { defineConfig, Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { ENTITIES } from './entities';
import { MIGRATIONS } from '../migrations';

/** What differs between the hub's serving pool and maintenance work (migrations, seeding). */
export interface PoolSettings {
  /**
   * Timeout of every statement on the pool's connections, in ms (PostgreSQL `statement_timeout`, set when each
   * connection opens). The serving pool takes `GRIDHUB_STATEMENT_TIMEOUT_MS`; migrations and seeding leave it
   * unset: they legitimately run long statements.
   */
  statementTimeoutMs?: number;
}

/**
 * MikroORM options for a database URL. Migrations are listed explicitly (no file globbing), so the compiled
 * build and the tests run exactly the checked-in set.
 */
export function ormConfig(clientUrl: string, settings: PoolSettings = {}, overrides: Partial<Options> = {}) {
  return defineConfig({
    clientUrl,
    entities: ENTITIES,
    extensions: [Migrator],
    migrations: {
      migrationsList: MIGRATIONS,
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
    forceUtcTimezone: true,
    // Read paths go through the scoped reader's own SQL and DataLoader; nothing relies on lazy loading.
    allowGlobalContext: false,
    pool: { min: 0, max: 10 },
    // The serving pool opens a database that migrations have already made ready; MikroORM's check for it would be
    // one more statement under the (possibly tiny) timeout at every start.
    ...(settings.statementTimeoutMs
      ? { driverOptions: { connection: { statement_timeout: settings.statementTimeoutMs } }, ensureDatabase: false }
      : {}),
    debug: false,
    ...overrides,
  });
}
