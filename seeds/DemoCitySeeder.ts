import type { EntityManager } from '@mikro-orm/core';
import type { EntityManager as PostgreSqlEntityManager } from '@mikro-orm/postgresql';
import { Seeder } from '@mikro-orm/seeder';
import { seedDemoCity } from '../src/demo/demo-city';

/** The fixture entry point (`seeder.defaultSeeder`): the demo city 乌海市 at scale 1 into an empty database. */
export class DemoCitySeeder extends Seeder {
  async run(em: EntityManager): Promise<void> {
    await seedDemoCity(em as PostgreSqlEntityManager, { scale: 1 });
  }
}
