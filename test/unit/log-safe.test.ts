import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/postgresql';
import { ormConfig } from '../../src/db/orm-config';
import { describeError, MAX_DESCRIPTION_LENGTH } from '../../src/shared/log-safe';
import { TEST_ADMIN_URL } from '../support/env';

const ID_NUMBER = '150302198501011234';

/** What the driver's error looks like after knex: the statement with its values inlined, then PostgreSQL's message. */
async function failing(orm: MikroORM, sql: string, params: unknown[] = [], through: 'connection' | 'em' = 'connection'): Promise<unknown> {
  try {
    // The connection hands back pg's DatabaseError (as the demo loader meets it); the entity manager converts it.
    if (through === 'em') await orm.em.fork().execute(sql, params);
    else await orm.em.fork().getConnection().execute(sql, params);
  } catch (error) {
    return error;
  }
  throw new Error(`expected ${sql} to fail`);
}

describe('describeError: one loggable line, no data', () => {
  // A real driver error from the test run's PostgreSQL (its maintenance database; nothing is written).
  let orm: MikroORM;
  beforeAll(async () => {
    const url = process.env[TEST_ADMIN_URL];
    if (!url) throw new Error('the jest global setup did not run');
    orm = await MikroORM.init(ormConfig(url, {}, { pool: { min: 0, max: 1 } }));
  });
  afterAll(() => orm.close(true));

  it('keeps the class, SQLSTATE and PostgreSQL message of a failed bulk statement, not its rows', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => `(${i}, '${ID_NUMBER}', '张三${i}')`).join(', ');
    const error = await failing(orm, `select 1 / (v.n - 1999) from (values ${rows}) as v(n, id_number, name)`);
    expect((error as Error).message).toContain(ID_NUMBER); // the shape this guards against
    expect((error as Error).message.length).toBeGreaterThan(50_000);
    expect(describeError(error)).toBe('DatabaseError (SQLSTATE 22012): division by zero');
  });

  it('keeps neither bound parameters nor the values PostgreSQL quotes back', async () => {
    const syntax = await failing(orm, 'select ?::int as n', [`张三 ${ID_NUMBER} 13812345678`]);
    expect((syntax as Error).message).toContain(ID_NUMBER);
    expect(describeError(syntax)).toBe('DatabaseError (SQLSTATE 22P02): invalid input syntax for type integer: "…"');
    const range = await failing(orm, 'select ?::int as n', [ID_NUMBER]);
    expect(describeError(range)).toBe('DatabaseError (SQLSTATE 22003): value "…" is out of range for type integer');
  });

  it('keeps quoted names of database objects', async () => {
    const error = await failing(orm, `select id_number from no_such_table where id_number = '${ID_NUMBER}'`, [], 'em');
    expect(describeError(error)).toBe('TableNotFoundException (SQLSTATE 42P01): relation "no_such_table" does not exist');
  });

  it('strips a statement knex put in front of any message, and leaves other messages alone', () => {
    const knexShaped = Object.assign(new Error(`insert into "person" ("name") values ('${ID_NUMBER}') - Connection terminated unexpectedly`), {});
    expect(describeError(knexShaped)).toBe('Error: Connection terminated unexpectedly');
    expect(describeError(new Error('set-up - step 2 failed'))).toBe('Error: set-up - step 2 failed');
    expect(describeError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(
      'Error (ECONNREFUSED): connect ECONNREFUSED 127.0.0.1:5432',
    );
    const own = 'the embedded PostgreSQL runs as the "postgres" user, which cannot enter /srv (run "chmod o+x /srv")';
    expect(describeError(new Error(own))).toBe(`Error: ${own}`);
    class ConfigProblem extends Error {}
    expect(describeError(new ConfigProblem('line one\n  line two'))).toBe('ConfigProblem: line one line two');
  });

  it('is one line of at most 200 characters, for anything thrown', () => {
    const long = describeError(new Error('x'.repeat(1000)));
    expect(long).toHaveLength(MAX_DESCRIPTION_LENGTH);
    expect(long.endsWith('…')).toBe(true);
    expect(describeError('plain string')).toBe('thrown string: plain string');
    expect(describeError(undefined)).toBe('thrown undefined');
    expect(describeError(null)).toBe('thrown null');
    expect(describeError({ message: 'not an Error' })).toBe('thrown object');
  });
});
