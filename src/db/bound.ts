import { Knex } from '@mikro-orm/knex';
import { EntityManager } from '@mikro-orm/postgresql';
import { statementName } from './prepared';

/**
 * Internal to the read path (src/access/scope.ts): read statements run with bind parameters.
 *
 * MikroORM's `connection.execute` and `qb.execute()` write every value into the SQL text (`platform.formatQuery`)
 * and send the result without parameters, so each request is a statement text PostgreSQL has never seen: parsed and
 * planned afresh, and a new entry in `pg_stat_statements`. Here the text keeps its placeholders (`$1`, `$2`, … by
 * the time it is sent) and the values travel as parameters, so the same read is the same text whatever the values.
 *
 * Most statements are unnamed (the driver's extended protocol without a name): PostgreSQL parses each and plans it
 * for its values every time — a custom plan. A named prepared statement saves that (planning a person's incident
 * links takes 0.7–0.9 ms at a million people, running it 0.1), but after five runs PostgreSQL may keep one generic
 * plan, made without the values, and every read carries the viewer's region as a range (`grid_code >= $2 and
 * grid_code < $3`) that a generic plan prices at a default 0.5 % of the table. What a custom plan decides per region
 * — a page of a region's incidents walks the region's index or the time index; a link list of many parents hashes
 * the region's `(grid_code, id)` entries of the target table, or looks the targets up by key — the generic plan
 * decides once, for a region of that size, and keeps it for a county of 100,000 places.
 *
 * So only statements whose plan cannot depend on the region are named (`named: true`): those that start from one
 * key — a row by its id, the links or source records of one parent — where every table is reached by an index on
 * that key or by primary key (a row by its key and a link's targets inside an `offset 0` fence, which no region
 * condition enters: src/access/scope.ts), and the region only filters the few rows found (test/api/prepared-reads.test.ts
 * checks their generic plans). Each connection keeps at most {@link NAMED_PER_CONNECTION} of them, the least recently used
 * deallocated to make room: the texts vary with the selected columns, and a client choosing ever new selections
 * must not grow the server's memory. The workflow actions' single-row statements are named too (src/db/prepared.ts).
 */

/** A statement as written or as a query builder compiles it (knex's `toSQL()`): `?` placeholders and their values. */
export interface Statement {
  sql: string;
  bindings: readonly unknown[];
}

export interface RunOptions {
  /** The transaction to run in (a read made inside one sees its writes); otherwise a connection of the pool. */
  transaction?: Knex.Transaction | null;
  /**
   * Run as a named prepared statement (outside a transaction), whose generic plan PostgreSQL keeps after five runs
   * planned for their values, when it costs no more: only for a statement that starts from one key, whose plan does
   * not depend on the values (see above).
   */
  named?: boolean;
}

/** Named read statements each connection keeps prepared, at most. */
export const NAMED_PER_CONNECTION = 100;

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
      const announce = (sql: string, values: readonly unknown[], named?: string) =>
        client.emit('query', { sql, bindings: values, method: 'raw', __knexUid: connection.__knexUid, ...(named ? { named } : {}) });
      const name = options.named ? await keepPrepared(connection, text, (sql) => announce(sql, [])) : undefined;
      announce(text, bindings, name);
      return (await connection.query<R>({ name, text, values: bindings })).rows;
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
  query<R>(config: { name?: string; text: string; values?: unknown[] }): Promise<{ rows: R[] }>;
  /** node-postgres' protocol connection: the names it has prepared, by name (pg 8's bookkeeping: a name is deleted from it once deallocated). */
  connection: { parsedStatements: Record<string, string> };
}

/** The names prepared on each connection, least recently used first. */
const preparedOn = new WeakMap<PooledConnection, Map<string, true>>();

/**
 * The name `text` runs under on `connection`, kept as the most recently used; when the connection already keeps
 * {@link NAMED_PER_CONNECTION}, the least recently used is deallocated first (on the server and in the driver's
 * bookkeeping, which would otherwise skip preparing it again), announced as a statement like any other.
 */
async function keepPrepared(connection: PooledConnection, text: string, announce: (sql: string) => void): Promise<string> {
  const name = statementName(text);
  let names = preparedOn.get(connection);
  if (!names) preparedOn.set(connection, (names = new Map()));
  if (names.delete(name)) {
    names.set(name, true);
    return name;
  }
  while (names.size >= NAMED_PER_CONNECTION) {
    const oldest = names.keys().next().value!;
    names.delete(oldest);
    // Names are hex digests (statementName): nothing to quote. The driver forgets a name only once the server has:
    // were it to forget one the server still holds, preparing it again would fail (42P05).
    try {
      const deallocate = `deallocate ${oldest}`;
      announce(deallocate);
      await connection.query({ text: deallocate });
      delete connection.connection.parsedStatements[oldest];
    } catch (error) {
      // Not prepared after all (its parse failed): nothing to free. Otherwise the server keeps it, and so does the driver.
      if ((error as { code?: string }).code === '26000') delete connection.connection.parsedStatements[oldest];
    }
  }
  names.set(name, true);
  return name;
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
