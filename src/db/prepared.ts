import { createHash } from 'node:crypto';
import { Knex } from '@mikro-orm/knex';
import { MikroORM } from '@mikro-orm/postgresql';

/**
 * Runs one statement (`$1` placeholders) and answers its rows: either autocommitted on its own, or one statement of
 * an {@link inPreparedTransaction}.
 */
export type Query = <R = Record<string, unknown>>(text: string, params: readonly unknown[]) => Promise<R[]>;

/** A pooled connection as node-postgres gives it. */
interface Connection {
  query<R>(config: { name?: string; text: string; values?: unknown[] }): Promise<{ rows: R[] }>;
}

/**
 * Statements of the hot single-case paths (the workflow actions) as named prepared statements on connections of
 * the ORM's pool: PostgreSQL plans each once per connection instead of at every call, and no query builder runs.
 * Each distinct text stays prepared on every connection that ran it, so texts must come from a small fixed set
 * (they are named by a hash of the text). Every statement is announced as knex's `query` event with `prepared:
 * true`, as knex announces its own, so that statement logs and the tests' SQL capture see it.
 *
 * Not for use inside an ORM transaction: these run on another connection of the pool and would wait on that
 * transaction's locks. Named statements need session pooling (a PgBouncer in transaction mode would break them).
 */
export function preparedQuery(orm: MikroORM): Query {
  return async <R>(text: string, params: readonly unknown[]) => {
    const client = knexClient(orm);
    const connection = await client.acquireConnection();
    try {
      return await run<R>(client, connection, text, params);
    } finally {
      await client.releaseConnection(connection);
    }
  };
}

/**
 * Runs `work` in one transaction on one pooled connection, its statements prepared as {@link preparedQuery}'s:
 * committed when `work` returns, rolled back when it throws. Not retried: `work` decides what a failure means.
 */
export async function inPreparedTransaction<T>(orm: MikroORM, work: (query: Query) => Promise<T>): Promise<T> {
  const client = knexClient(orm);
  const connection = await client.acquireConnection();
  try {
    await run(client, connection, 'begin', []);
    let result: T;
    try {
      result = await work(<R>(text: string, params: readonly unknown[]) => run<R>(client, connection, text, params));
    } catch (error) {
      await run(client, connection, 'rollback', []).catch(() => undefined);
      throw error;
    }
    await run(client, connection, 'commit', []);
    return result;
  } finally {
    await client.releaseConnection(connection);
  }
}

/** The names given to prepared statements, by their text (at most {@link NAMES_KEPT}: read texts vary with selections). */
const statementNames = new Map<string, string>();
const NAMES_KEPT = 1_000;

/** The name of the prepared statement of `text` (`$n` placeholders): a hash of the text. */
export function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `gridhub_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    if (statementNames.size >= NAMES_KEPT) statementNames.clear();
    statementNames.set(text, name);
  }
  return name;
}

function knexClient(orm: MikroORM): Knex.Client {
  return orm.em.getConnection().getKnex().client as Knex.Client;
}

async function run<R>(client: Knex.Client, connection: Connection, text: string, params: readonly unknown[]): Promise<R[]> {
  client.emit('query', { sql: text, bindings: params, method: 'raw', prepared: true });
  // Transaction control is not worth a name.
  const name = params.length === 0 && /^(begin|commit|rollback)$/.test(text) ? undefined : statementName(text);
  return (await connection.query<R>({ name, text, values: [...params] })).rows;
}
