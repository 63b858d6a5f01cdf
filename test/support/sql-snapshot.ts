import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { boundStatements, BoundStatements, RunOptions, Statement } from '../../src/db/bound';
import { Hub } from './harness';

/**
 * SQL snapshots: the statements a key operation runs, kept as a plain `.sql` file beside its test so that a
 * dropped scope condition or an extra statement shows up in review (as PostGraphile keeps its `.sql` files).
 *
 * `UPDATE_SQL_SNAPSHOTS=1` (re)writes the files instead of comparing; review the diff before committing it.
 */

/** True when the snapshots are to be (re)written rather than compared. */
export const UPDATING_SQL_SNAPSHOTS = process.env.UPDATE_SQL_SNAPSHOTS === '1';

/**
 * The source directory of snapshots for a test compiled to `dist/`: tests run from `<root>/dist/test/api`, the
 * snapshots live in `<root>/test/api/sql`.
 */
export function snapshotDirectory(compiledTestDir: string): string {
  let root = compiledTestDir;
  while (root !== dirname(root) && !existsSync(join(root, 'package.json'))) root = dirname(root);
  const inSource = relative(join(root, 'dist'), compiledTestDir);
  if (inSource.startsWith('..')) throw new Error(`${compiledTestDir} is not a compiled test under ${root}/dist`);
  return join(root, inSource, 'sql');
}

/**
 * The statements the hub ran during `action`, in execution order, one string per statement, with placeholders
 * instead of values: the reads as PostgreSQL receives them (`$1`, `$2`, …: src/db/bound.ts binds their values),
 * anything else as MikroORM issued it (`?`).
 *
 * Order: nested fields load through DataLoader, so several statements of one request can be in flight at once,
 * and the order in which they *reach the database* would follow the order in which earlier ones answered —
 * different from run to run. While capturing, statements are therefore let through one at a time (each waits
 * until the previous one has answered). With at most one statement in flight, what is issued next depends only on
 * the program (the resolver order, DataLoader's per-tick batches), never on the database's timing, so the order
 * is the same on every run and it is still a real execution order — better for review than sorting, which would
 * hide which statement follows from which. The cost is only that the captured request runs its statements
 * serially; nothing but the order changes (the same batches, the same statements).
 *
 * Two doors are gated, in one queue: the reads of the scoped reader (`BoundStatements.run`, src/db/bound.ts) and
 * MikroORM's `connection.execute` (everything else). Statements the hub runs as prepared statements on a pooled
 * connection (src/db/prepared.ts: the workflow actions) pass neither; they announce themselves as knex's `query`
 * event with `prepared: true` and are taken from there, in the order they start.
 *
 * The statements are also taken from `hub.captureStatements` (the driver's own log) and checked against those seen
 * here one for one, so nothing that bypasses all three goes unnoticed.
 */
export async function captureSql(hub: Hub, action: () => Promise<unknown>): Promise<string[]> {
  const connection = hub.orm.em.getConnection() as unknown as {
    execute: (query: unknown, ...rest: unknown[]) => Promise<unknown>;
  };
  const execute = connection.execute;
  const reads = boundStatements(hub.orm.em);
  const run = reads.run;
  const seen: string[] = [];
  let gate: Promise<void> = Promise.resolve();
  /** `start` runs once every statement let through before it has answered. */
  const inTurn = <T>(start: () => Promise<T>): Promise<T> => {
    const turn = gate.then(start);
    gate = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  };
  connection.execute = function gated(this: unknown, query: unknown, ...rest: unknown[]) {
    return inTurn(async () => {
      seen.push(statementText(query));
      return execute.call(connection, query, ...rest);
    });
  };
  reads.run = function gated<R>(this: BoundStatements, statement: Statement, options?: RunOptions): Promise<R[]> {
    return inTurn(async () => {
      seen.push(reads.text(statement));
      return run.call(reads, statement, options) as Promise<R[]>;
    });
  };
  const knex = hub.orm.em.getConnection().getKnex();
  const prepared = (query: { sql: string; prepared?: boolean }) => {
    if (query.prepared) seen.push(query.sql);
  };
  knex.on('query', prepared);
  let driverLog: string[];
  try {
    driverLog = await hub.captureStatements(action);
  } finally {
    connection.execute = execute;
    reads.run = run;
    knex.removeListener('query', prepared);
  }
  if (driverLog.length !== seen.length) {
    throw new Error(`the driver ran ${driverLog.length} statements, ${seen.length} went through the gated doors:\n${driverLog.join('\n')}`);
  }
  return seen.map(normalise);
}

/** The SQL text of what MikroORM's `execute` was given: a string with `?` placeholders, or a knex builder. */
function statementText(query: unknown): string {
  if (typeof query === 'string') return query;
  if (query !== null && typeof query === 'object' && 'toSQL' in query) {
    return (query as { toSQL(): { sql: string } }).toSQL().sql;
  }
  throw new Error(`cannot read the SQL of ${String(query)}`);
}

/**
 * Whitespace collapsed; a list of placeholders (`in (?)`, `in (?, ?, ?)`, `in ($3, $4)`: as long as the batch)
 * written as `in (?, ...)` or `in ($3, ...)`, so that the snapshot shows the statement's shape, not how many values
 * one batch of the demo data happened to have.
 */
function normalise(sql: string): string {
  return sql
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\bin \(\?(?:, \?)*\)/gi, 'in (?, ...)')
    .replace(/\bin \((\$\d+)(?:, \$\d+)*\)/gi, 'in ($1, ...)');
}

/** The statements as a `.sql` file: one statement per block, in execution order, blank lines between. */
export function formatSqlSnapshot(title: string, statements: readonly string[]): string {
  const header = `-- ${title}\n-- ${statements.length} statement(s), in execution order. Written by UPDATE_SQL_SNAPSHOTS=1; review the diff.\n`;
  return `${header}\n${statements.map((sql) => `${sql};\n`).join('\n')}`;
}

/**
 * Compares `statements` with the snapshot file `<dir>/<name>.sql`, or writes it when UPDATE_SQL_SNAPSHOTS=1.
 * Returns the expected and actual texts for the test to compare (jest shows the difference line by line).
 */
export function sqlSnapshot(
  directory: string,
  name: string,
  title: string,
  statements: readonly string[],
): { expected: string; actual: string; file: string } {
  const file = resolve(directory, `${name}.sql`);
  const actual = formatSqlSnapshot(title, statements);
  if (UPDATING_SQL_SNAPSHOTS) {
    mkdirSync(directory, { recursive: true });
    writeFileSync(file, actual);
    return { expected: actual, actual, file };
  }
  if (!existsSync(file)) {
    throw new Error(`no SQL snapshot ${file}; run the test with UPDATE_SQL_SNAPSHOTS=1 to write it, then review it`);
  }
  return { expected: readFileSync(file, 'utf8'), actual, file };
}
