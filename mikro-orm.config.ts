import { defineConfig, Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { ENTITIES } from './src/db/entities';
import { MIGRATIONS } from './src/migrations';

/**
 * MikroORM options for a database URL. Migrations are listed explicitly (no file globbing), so the compiled
 * build and the tests run exactly the checked-in set.
 */
export function ormConfig(clientUrl: string, overrides: Partial<Options> = {}) {
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
    // Read paths go through QueryBuilder and DataLoader; nothing relies on lazy loading.
    allowGlobalContext: false,
    pool: { min: 0, max: 10 },
    debug: false,
    ...overrides,
  });
}

export default ormConfig(process.env.DATABASE_URL ?? 'postgres://localhost/gridhub');
