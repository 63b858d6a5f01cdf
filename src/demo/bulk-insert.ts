/**
 * Fast multi-row inserts for the demo generator: rows are buffered column by column and written as
 * `insert into t (…) select … from unnest('{…}'::type[], …)`, one statement per chunk.
 *
 * MikroORM's `execute(sql, params)` inlines parameters into the SQL text and renders a JS array as a comma list,
 * which `unnest(?::type[])` cannot take; so each column travels as one PostgreSQL array literal inside a
 * dollar-quoted string (no escaping of quotes or backslashes needed), and the statement is executed without
 * parameters.
 */

export type ColumnType =
  | 'bigint'
  | 'int'
  | 'smallint'
  | 'float8'
  | 'boolean'
  | 'text'
  | 'varchar'
  | 'date'
  | 'timestamptz'
  /** A timestamptz given as epoch milliseconds (a number): sent as seconds and converted with to_timestamp. */
  | 'epoch'
  /** Sent as one JSON array per column (no escaping needed) and unpacked into jsonb[]. */
  | 'jsonb'
  /** A string[] column: sent as one comma-joined text per row and split back with string_to_array. */
  | 'text[]';

export interface ColumnSpec {
  name: string;
  type: ColumnType;
}

const QUOTE_TAG = '$gh$';

/** A buffer of rows for one table. */
export class BulkTable {
  private columns: string[][];
  private count = 0;

  constructor(
    readonly table: string,
    readonly specs: readonly ColumnSpec[],
  ) {
    this.columns = specs.map(() => []);
  }

  get size(): number {
    return this.count;
  }

  /** Adds one row; `values` in the order of the column specs. */
  add(values: readonly unknown[]): void {
    if (values.length !== this.specs.length) {
      throw new Error(`${this.table}: expected ${this.specs.length} values, got ${values.length}`);
    }
    for (let i = 0; i < values.length; i++) this.columns[i].push(encode(values[i], this.specs[i].type));
    this.count++;
  }

  /** The insert statement for the buffered rows; empties the buffer. */
  take(): { sql: string; rows: number } {
    const arrays: string[] = [];
    const aliases: string[] = [];
    const selects: string[] = [];
    this.specs.forEach((spec, i) => {
      const json = spec.type === 'jsonb';
      const literal = json ? `[${this.columns[i].join(',')}]` : `{${this.columns[i].join(',')}}`;
      if (literal.includes(QUOTE_TAG)) throw new Error(`${this.table}.${spec.name}: value contains ${QUOTE_TAG}`);
      if (json) {
        // JSON null stands for SQL NULL: no column of the generator stores a JSON null.
        arrays.push(
          `(select array_agg(nullif(v, 'null'::jsonb) order by n) ` +
            `from jsonb_array_elements(${QUOTE_TAG}${literal}${QUOTE_TAG}::jsonb) with ordinality as a(v, n))`,
        );
      } else {
        const arrayType = spec.type === 'text[]' ? 'text' : spec.type === 'epoch' ? 'float8' : spec.type;
        arrays.push(`${QUOTE_TAG}${literal}${QUOTE_TAG}::${arrayType}[]`);
      }
      aliases.push(`c${i}`);
      selects.push(
        spec.type === 'text[]' ? `string_to_array(u.c${i}, ',')` : spec.type === 'epoch' ? `to_timestamp(u.c${i})` : `u.c${i}`,
      );
    });
    const sql =
      `insert into ${this.table} (${this.specs.map((s) => s.name).join(', ')}) ` +
      `select ${selects.join(', ')} from unnest(${arrays.join(', ')}) as u(${aliases.join(', ')})`;
    const rows = this.count;
    this.columns = this.specs.map(() => []);
    this.count = 0;
    return { sql, rows };
  }
}

/**
 * Runs insert statements one at a time on one connection, but lets the caller prepare the next chunk while the
 * previous one executes: `write` waits for the statement before, then starts its own and returns.
 */
export class BulkWriter {
  private pending: Promise<void> | null = null;
  /** Rows of completed statements. */
  rowsWritten = 0;

  constructor(private readonly run: (sql: string) => Promise<unknown>) {}

  /** Writes the buffered rows of `table` (if any) once the statement before has finished. */
  async write(table: BulkTable): Promise<void> {
    if (table.size === 0) return;
    const { sql, rows } = table.take();
    await this.drain();
    const statement = this.run(sql).then(() => {
      this.rowsWritten += rows;
    });
    // Observed by drain(); this only keeps Node from reporting it as unhandled meanwhile.
    statement.catch(() => undefined);
    this.pending = statement;
  }

  /** Runs a statement after the pending one, and waits for it. */
  async execute(sql: string): Promise<unknown> {
    await this.drain();
    return this.run(sql);
  }

  /** Waits for the pending statement; rethrows its error. */
  async drain(): Promise<void> {
    const pending = this.pending;
    this.pending = null;
    if (pending) await pending;
  }
}

function encode(value: unknown, type: ColumnType): string {
  if (type === 'jsonb') {
    if (value === null || value === undefined) return 'null';
    return typeof value === 'string' ? value : JSON.stringify(value);
  }
  if (value === null || value === undefined) return 'NULL';
  switch (type) {
    case 'epoch':
      if (typeof value !== 'number') throw new Error(`not epoch milliseconds: ${String(value)}`);
      return String(value / 1000);
    case 'bigint':
    case 'int':
    case 'smallint':
    case 'float8':
      if (typeof value !== 'number' && typeof value !== 'bigint') throw new Error(`not a number: ${String(value)}`);
      return String(value);
    case 'boolean':
      return value ? 't' : 'f';
    case 'text[]':
      return quote((value as string[]).join(','));
    case 'timestamptz':
      return quote(value instanceof Date ? value.toISOString() : String(value));
    default:
      return quote(String(value));
  }
}

/** An element of an array literal: double-quoted, with `"` and `\` escaped. */
function quote(text: string): string {
  if (text.indexOf('"') === -1 && text.indexOf('\\') === -1) return `"${text}"`;
  return `"${text.replace(/["\\]/g, '\\$&')}"`;
}
