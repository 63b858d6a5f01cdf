import { Knex } from '@mikro-orm/knex';
import { EntityManager } from '@mikro-orm/postgresql';

/**
 * Internal to the read path (src/access/scope.ts): read statements run with bind parameters.
 *
 * MikroORM's `connection.execute` and `qb.execute()` write every value into the SQL text (`platform.formatQuery`)
 * and send the result without parameters, so each request is a statement text PostgreSQL has never seen: parsed and
 * planned afresh, and a new entry in `pg_stat_statements`. Here the text keeps its placeholders (`$1`, `$2`, … by
 * the time it is sent) and the values travel as parameters, so the same read is the same text whatever the values.
 *
 * The statements are unnamed (the driver's extended protocol without a name): PostgreSQL parses each and plans it
 * for its values every time — a custom plan. A named prepared statement would save that (planning a link list takes
 * ~1–2 ms here, running it 10–20), but after five runs PostgreSQL may keep one generic plan, made without the values,
 * and every read carries the viewer's region as a range (`grid_code >= $2 and grid_code < $3`) that a generic plan
 * prices at a default 0.5 % of the table. What a custom plan decides per region — a link list hashes the region's
 * `(grid_code, id)` entries of the target table, or looks the targets up by key — the generic plan decides once, for
 * a region of that size (`EXPLAIN (GENERIC_PLAN)`: the hash), and keeps it for a county of 100,000 places. So no
 * read is named; the workflow actions' single-row statements are (src/db/prepared.ts).
 */

/** A statement as written or as a query builder compiles it (knex's `toSQL()`): `?` placeholders and their values. */
export interface Statement {
  sql: string;
  bindings: readonly unknown[];
}

export interface RunOptions {
  /** The transaction to run in (a read made inside one sees its writes); otherwise a connection of the pool. */
  transaction?: Knex.Transaction | null;
}

/**
 * The read statements of one pool. Statements run on connections of the ORM's own pool (or the transaction given), so
 * they keep what the pool's connections were opened with — the statement timeout of the serving pool — and are
 * announced as knex's `query` event like every other statement.
 */
export class BoundStatements {
  constructor(private readonly knex: Knex) {}

  /**
   * The rows of `statement`. A value that is an array stands for a list (`in (?)`), as MikroORM's `execute` reads it.
   *
   * Outside a transaction the statement goes straight to a connection of knex's pool (the driver's `query`), not
   * through `knex.raw`: knex's runner (its raw object, bindings pass, query wrapping and response processing) was
   * about a tenth of the hub's CPU per request under load, for what is one driver call. It is still announced as
   * knex's `query` event, like every other statement.
   */
  async run<R>(statement: Statement, options: RunOptions = {}): Promise<R[]> {
    const { sql, bindings } = expandLists(statement);
    if (options.transaction) {
      const result = (await options.transaction.raw(sql, bindings as Knex.RawBinding[])) as unknown as { rows: R[] };
      return result.rows;
    }
    if (bindings.some((value) => value === undefined)) throw new Error(`undefined binding in: ${sql}`);
    const text = positional(sql);
    // As knex checks a raw statement: a miscounted list of values is the program's error, said as such, not 08P01.
    const placeholders = text.match(/\$\d+/g)?.length ?? 0;
    if (placeholders !== bindings.length) throw new Error(`${placeholders} placeholder(s) but ${bindings.length} value(s) in: ${sql}`);
    const client = this.knex.client as Knex.Client & { emit(event: string, data: unknown): void };
    const connection = (await client.acquireConnection()) as PooledConnection;
    try {
      client.emit('query', { sql: text, bindings, method: 'raw', __knexUid: connection.__knexUid });
      return (await connection.query<R>({ text, values: bindings })).rows;
    } finally {
      await client.releaseConnection(connection);
    }
  }

  /** The text PostgreSQL receives for `statement`: lists expanded, `$n` placeholders. */
  text(statement: Statement): string {
    return positional(expandLists(statement).sql);
  }
}

/** A `pg` client as knex's pool lends it. */
interface PooledConnection {
  __knexUid?: string;
  query<R>(config: { text: string; values: unknown[] }): Promise<{ rows: R[] }>;
}

/** `?` placeholders as `$1`, `$2`, …; `\?` stays a literal `?` (as knex's PostgreSQL client numbers them). */
function positional(sql: string): string {
  let count = 0;
  return sql.replace(/(\\*)(\?)/g, (_match, escapes: string) => (escapes.length % 2 ? '?' : `$${++count}`));
}

const statementsOf = new WeakMap<object, BoundStatements>();

/** The read statements of `em`'s pool (one object per pool: tests wrap its `run` to see and order the statements). */
export function boundStatements(em: EntityManager): BoundStatements {
  const connection = em.getConnection();
  let statements = statementsOf.get(connection);
  if (!statements) statementsOf.set(connection, (statements = new BoundStatements(connection.getKnex())));
  return statements;
}

/**
 * Each value that is an array becomes a list of parameters (`in (?)` with three values: `in (?, ?, ?)`; none:
 * `null`), as MikroORM's execute writes an array (as a comma-separated list of literals). The text then varies with
 * the list's length: bind a list as one array instead (`= any(?::bigint[])`, see `arrayLiteral` in scope.ts).
 */
function expandLists(statement: Statement): { sql: string; bindings: unknown[] } {
  if (!statement.bindings.some(Array.isArray)) return { sql: statement.sql, bindings: [...statement.bindings] };
  const bindings: unknown[] = [];
  let index = 0;
  const sql = statement.sql.replace(/\\?\?/g, (match) => {
    if (match !== '?') return match;
    const value = statement.bindings[index++];
    if (!Array.isArray(value)) {
      bindings.push(value);
      return '?';
    }
    if (value.length === 0) return 'null';
    bindings.push(...value);
    return value.map(() => '?').join(', ');
  });
  return { sql, bindings };
}
