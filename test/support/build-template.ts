import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { ormConfig } from '../../src/db/orm-config';
import { migrate } from '../../src/db/database';
import { seedDemoCity } from '../../src/demo/demo-city';
import { TEST_SCALE } from './env';

/**
 * Migrates the template database named by argv[2] from empty and seeds the demo city at test scale.
 * Runs as its own process: loading the entities inside jest's main process would leave MikroORM's global
 * metadata from another realm behind for suites that run in-band.
 */
async function main(): Promise<void> {
  const orm = await MikroORM.init(ormConfig(process.argv[2]));
  try {
    await migrate(orm);
    await seedDemoCity(orm, { scale: TEST_SCALE });
  } finally {
    await orm.close(true);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
