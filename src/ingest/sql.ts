import { Knex } from '@mikro-orm/knex';
import { EntityManager, MikroORM } from '@mikro-orm/postgresql';

/** Runs SQL with real bind parameters (`?` placeholders; a JS array binds as a PostgreSQL array). */
export interface Sql {
  rows<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]>;
}

/**
 * SQLSTATEs after which the whole transaction is run again: deadlock, serialization failure, a lost insert race,
 * and a row a concurrent batch deleted under a link (the retry resolves the link afresh).
 */
const RETRYABLE = new Set(['40P01', '40001', '23505', '23503']);
/** How often one batch is tried before its error reaches the caller. */
const ATTEMPTS = 8;

/** Thrown inside a transaction to have it rolled back and run again (another transaction won a race). */
export class RetryTransaction extends Error {}

/**
 * Runs `work` in a transaction on the ORM's pool, again (after a short random pause) when PostgreSQL reports a
 * deadlock, a serialization failure or a unique violation of a concurrent insert, so that concurrent batches
 * never surface those to callers. `work` must be safe to run again: everything it does is rolled back first.
 */
export async function inTransaction<T>(orm: MikroORM, work: (sql: Sql, em: EntityManager) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await orm.em.fork().transactional((em) => work(sqlOf(em), em));
    } catch (error) {
      const code = (error as { code?: string }).code;
      const retry = error instanceof RetryTransaction || (code !== undefined && RETRYABLE.has(code));
      if (!retry || attempt >= ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}

/**
 * SQL on `em`'s transaction (or its pool when it has none), with real bind parameters: MikroORM's own
 * `execute` inlines parameters into the SQL text.
 */
export function sqlOf(em: EntityManager): Sql {
  const knex = (em.getTransactionContext<Knex.Transaction>() ?? em.getConnection().getKnex()) as Knex;
  return {
    rows: async <R>(text: string, params: readonly unknown[] = []) => {
      const result = await knex.raw(text, params as Knex.RawBinding[]);
      return (result as { rows: R[] }).rows;
    },
  };
}

