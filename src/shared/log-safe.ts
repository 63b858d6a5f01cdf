/**
 * Describing errors for logs without the data they carry. knex (under MikroORM) prefixes a failed query's message
 * with the statement, bound values inlined (`<sql> - <PostgreSQL message>`), so `error.message` of a bulk insert
 * holds every row it was writing; the driver's `detail` and `where` quote key values and input lines as well.
 */

/** At most this many characters in a description. */
export const MAX_DESCRIPTION_LENGTH = 200;

/** A statement as knex puts it in front of the driver's message: an SQL command word, anything, then " - ". */
const SQL_PREFIX =
  /^\s*\(?\s*(?:select|insert|update|delete|with|create|alter|drop|truncate|begin|commit|rollback|savepoint|release|set|copy|analyze|vacuum|lock|values|explain|do|call|grant|revoke|comment|listen|notify|prepare|execute|declare|fetch|close|show|reset|discard)(?=[\s("])/i;
const SQLSTATE = /^[0-9A-Z]{5}$/;
/**
 * PostgreSQL quotes both names and values in its messages: `relation "person" does not exist`, `value "1503…" is
 * out of range for type integer`, `invalid input syntax for type integer: "abc"`. Names are kept; a quoted text
 * that is not shaped like an SQL name, or that ends the message after a colon (the input-value position), is not.
 */
const QUOTED = /"((?:[^"\\]|\\.)*)("?)/g;
const NAME_LIKE = /^[A-Za-z_][A-Za-z0-9_$]{0,62}(?:\.[A-Za-z_][A-Za-z0-9_$]{0,62})?$/;
const VALUE_AT_END = /:\s*"(?:[^"\\]|\\.)*"?\s*$/s;

/**
 * A one-line description of anything thrown, safe to log: the error's class, the SQLSTATE or system error code
 * when there is one, and the driver's own short message — never the SQL text, its parameters, the driver's
 * `detail`/`where` (which quote values), or a value PostgreSQL quotes in its message (names stay). At most
 * {@link MAX_DESCRIPTION_LENGTH} characters. Never throws.
 *
 * @example describeError(uniqueViolation) // 'UniqueConstraintViolationException (SQLSTATE 23505): duplicate key value violates unique constraint "person_id_number_unique"'
 */
export function describeError(error: unknown): string {
  try {
    if (!(error instanceof Error)) {
      if (typeof error === 'string') return truncate(`thrown string: ${oneLine(shortMessage(error, false))}`);
      return `thrown ${error === null ? 'null' : typeof error}`;
    }
    const code = (error as { code?: unknown }).code;
    const sqlState = typeof code === 'string' && SQLSTATE.test(code);
    const label = sqlState ? ` (SQLSTATE ${code})` : typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code) ? ` (${code})` : '';
    const message = oneLine(shortMessage(String(error.message ?? ''), sqlState));
    return truncate(`${className(error)}${label}${message ? `: ${message}` : ''}`);
  } catch {
    return 'an error that could not be described';
  }
}

/**
 * The driver's part of a message: what follows the statement knex put in front of it, with quoted values redacted.
 * Messages that come from neither PostgreSQL nor a statement (gridhub's own, quoting paths and commands) are kept.
 */
function shortMessage(message: string, fromDatabase: boolean): string {
  let short = message;
  const end = short.lastIndexOf(' - ');
  if (end >= 0 && SQL_PREFIX.test(short)) {
    short = short.slice(end + 3);
  } else if (!fromDatabase) {
    return short;
  }
  short = short.replace(VALUE_AT_END, ': "…"');
  return short.replace(QUOTED, (quoted, text: string) => (text === '…' || NAME_LIKE.test(text) ? quoted : '"…"'));
}

function className(error: Error): string {
  const name = error.constructor?.name;
  // pg's DatabaseError names itself "error" (the protocol message type); its class says more.
  return name && name !== 'Object' ? name : error.name || 'Error';
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function truncate(text: string): string {
  return text.length <= MAX_DESCRIPTION_LENGTH ? text : `${text.slice(0, MAX_DESCRIPTION_LENGTH - 1)}…`;
}
