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
   * Run as a named prepared statement (named by its text, as src/db/prepared.ts names them): parsed once per
   * connection, and after five runs PostgreSQL may keep one generic plan for it, made without looking at the values.
   * Only for texts from a small fixed set (each stays prepared on every connection that ran it) whose best plan does
   * not depend on the values: lookups driven by a list of keys. A page of a region (`grid_code >= $1 and grid_code
   * < $2`, a filter, an order) is left unnamed: PostgreSQL plans it for its values at each run (a custom plan), so a
   * grid and a whole city each get theirs.
   */
  prepared?: boolean;
}

/**
 * The read statements of one pool. Statements run through knex on the ORM's own pool (or the transaction given), so
 * they keep what the pool's connections were opened with — the statement timeout of the serving pool — and are
 * announced as knex's `query` event like every other statement.
 */
export class BoundStatements {
  constructor(private readonly knex: Knex) {}

  /** The rows of `statement`. A value that is an array stands for a list (`in (?)`), as MikroORM's `execute` reads it. */
  async run<R>(statement: Statement, options: RunOptions = {}): Promise<R[]> {
    const { sql, bindings } = expandLists(statement);
    const query = (options.transaction ?? this.knex).raw(sql, bindings as Knex.RawBinding[]);
    if (options.prepared) query.options({ name: statementName(this.positional(sql)) });
    const result = (await query) as unknown as { rows: R[] };
    return result.rows;
  }

  /** The text PostgreSQL receives for `statement`: lists expanded, `$n` placeholders. */
  text(statement: Statement): string {
    return this.positional(expandLists(statement).sql);
  }

  private positional(sql: string): string {
    return (this.knex.client as Knex.Client).positionBindings(sql);
  }
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
