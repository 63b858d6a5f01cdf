import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { describeError } from './log-safe';

/** The error codes of the API contract (design §5), carried in `extensions.code`. */
export enum ErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  NOT_FOUND = 'NOT_FOUND',
  CONFLICT = 'CONFLICT',
  QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX',
  RATE_LIMITED = 'RATE_LIMITED',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.RATE_LIMITED]: 429,
};

/**
 * Base of gridhub's own errors: a message safe to show and one contract code. `extensions.http` is the HTTP
 * status (and headers) Apollo answers with when the error ends a request before execution; it never reaches
 * the client (Apollo and gridhub's formatter strip it).
 */
export class GridhubError extends GraphQLError {
  constructor(
    message: string,
    code: ErrorCode,
    extensions: Record<string, unknown> = {},
    headers: [string, string][] = [],
    status: number | undefined = HTTP_STATUS[code],
  ) {
    super(message, {
      extensions: { code, ...extensions, ...(status ? { http: { status, headers: new Map(headers) } } : {}) },
    });
  }
}

/**
 * A document over one of the limits of design §6 (`limit` names it, `max` is the limit, `value` what was
 * measured). Refused before execution, so over HTTP it answers 400.
 */
export class QueryTooComplexError extends GridhubError {
  constructor(message: string, details: { limit: string; max: number; value?: number }) {
    super(message, ErrorCode.QUERY_TOO_COMPLEX, details, [], 400);
  }
}

/** Too many requests: `retryAfter` seconds is when to try again (also the HTTP `Retry-After` header). */
export class RateLimitedError extends GridhubError {
  constructor(message: string, retryAfterSeconds: number) {
    const retryAfter = Math.max(1, Math.ceil(retryAfterSeconds));
    super(message, ErrorCode.RATE_LIMITED, { retryAfter }, [['retry-after', String(retryAfter)]]);
  }
}

export class UnauthenticatedError extends GridhubError {
  constructor(message = 'authentication required') {
    super(message, ErrorCode.UNAUTHENTICATED);
  }
}

export class ForbiddenError extends GridhubError {
  constructor(message: string, field?: string) {
    super(message, ErrorCode.FORBIDDEN, field ? { field } : {});
  }
}

/** Bad input: `field` is the path of the offending argument or input field, e.g. `filter.regionCode`. */
export class BadUserInputError extends GridhubError {
  constructor(message: string, field: string) {
    super(`${field}: ${message}`, ErrorCode.BAD_USER_INPUT, { field });
  }
}

export class NotFoundError extends GridhubError {
  constructor(message: string, field?: string) {
    super(message, ErrorCode.NOT_FOUND, field ? { field } : {});
  }
}

export class ConflictError extends GridhubError {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(message, ErrorCode.CONFLICT, extensions);
  }
}

const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));
/** Apollo's own codes for requests that are not valid GraphQL: to the client they are bad input. */
const REQUEST_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/** PostgreSQL SQLSTATEs that are the caller's fault or a race, mapped to contract errors. */
function fromDatabase(error: unknown): GraphQLFormattedError['extensions'] & { message: string } | null {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return null;
  if (code === '23505') return { code: ErrorCode.CONFLICT, message: 'a record with the same key already exists' };
  if (code === '40001' || code === '40P01') {
    return { code: ErrorCode.CONFLICT, message: 'the change collided with a concurrent one; retry it' };
  }
  if (code === '23503') return { code: ErrorCode.BAD_USER_INPUT, message: 'a referenced record does not exist' };
  if (code === '57014') return { code: ErrorCode.QUERY_TOO_COMPLEX, message: 'the query took too long and was cancelled' };
  // Class 22: data exceptions (a value of the wrong shape or out of range reached the database).
  if (code.startsWith('22')) return { code: ErrorCode.BAD_USER_INPUT, message: 'a value is out of range or malformed' };
  return null;
}

/** Options of {@link createFormatError}. */
export interface FormatErrorOptions {
  /** Keep internal messages and stack traces (NODE_ENV=development). */
  development: boolean;
  /** Keep graphql-js's "Did you mean …?" hints, which spell out the schema (on with introspection). */
  hints: boolean;
  /** Where unexpected errors are reported (one line each, never data rows). */
  log: (line: string) => void;
  /**
   * Applied to every message sent: messages echo what the client sent, and a role that sees personal data masked
   * must not get an ID or phone number back even so (the access policy's masking by value).
   */
  redact?: (message: string) => string;
}

/** Quoted values longer than this keep only a prefix in messages. */
const QUOTED_VALUE_MAX = 64;
/** Longest message sent; a 1 MB bad value must not come back in a 1 MB message. */
const MESSAGE_MAX = 600;

/**
 * Each quoted value (`"…"`, with `\"` escapes inside) longer than {@link QUOTED_VALUE_MAX} keeps a 40-character
 * prefix. One pass over the text: an unclosed quote ends the scan (a regular expression that retries at every
 * quote is quadratic in a message full of escaped quotes, which a client can make graphql-js write).
 */
function shortenQuoted(text: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const open = text.indexOf('"', at);
    if (open < 0) return out + text.slice(at);
    let close = open + 1;
    while (close < text.length && text[close] !== '"') close += text[close] === '\\' ? 2 : 1;
    if (close >= text.length) return out + text.slice(at);
    const inner = text.slice(open + 1, close);
    out += text.slice(at, open) + (inner.length > QUOTED_VALUE_MAX ? `"${inner.slice(0, 40)}…" (${inner.length} characters)` : `"${inner}"`);
    at = close + 1;
  }
}

/**
 * Shortens a message for the client: each quoted value, or run without spaces, longer than
 * {@link QUOTED_VALUE_MAX} characters keeps a 40-character prefix, the whole message at most
 * {@link MESSAGE_MAX}; without `hints`, "Did you mean …?" goes. Linear in the message's length.
 */
export function clientMessage(message: string, hints: boolean): string {
  let text = shortenQuoted(message)
    // A long value echoed without quotes (a scalar's own message): its prefix too.
    .replace(/[^\s"]{65,}/g, (run) => `${run.slice(0, 40)}… (${run.length} characters)`);
  if (text.length > 4 * MESSAGE_MAX) text = text.slice(0, 4 * MESSAGE_MAX);
  if (!hints) text = text.replace(/ ?Did you mean [^?]*\?/g, '');
  return text.length > MESSAGE_MAX ? `${text.slice(0, MESSAGE_MAX - 1)}…` : text;
}

/** One line about an unexpected error that is safe to log (no SQL, no values), with where it was thrown. */
function describeForLog(error: unknown): string {
  const where = error instanceof Error ? error.stack?.split('\n').find((line) => line.includes('/src/'))?.trim() : undefined;
  return `${describeError(error)}${where ? ` (${where})` : ''}`;
}

/**
 * Formats every error that leaves the server, over HTTP and WebSocket: keeps contract codes, maps database
 * errors, turns anything else into INTERNAL_SERVER_ERROR without internals (stack traces only when
 * `development`), shortens quoted values and drops schema hints unless allowed. Never throws.
 */
export function createFormatError(options: FormatErrorOptions) {
  const { development, hints, log } = options;
  const redact = options.redact ?? ((message: string) => message);
  const shaped = (formatted: GraphQLFormattedError): GraphQLFormattedError => {
    const { http: _transport, stacktrace, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
    return {
      ...formatted,
      message: redact(clientMessage(formatted.message, hints)),
      extensions: development && stacktrace ? { ...extensions, stacktrace } : extensions,
    };
  };
  return (formatted: GraphQLFormattedError, raw: unknown): GraphQLFormattedError => {
    try {
      const code = formatted.extensions?.code;
      if (typeof code === 'string' && KNOWN_CODES.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
        return shaped(formatted);
      }
      if (typeof code === 'string' && REQUEST_CODES.has(code)) {
        return shaped({ ...formatted, extensions: { code: ErrorCode.BAD_USER_INPUT, reason: code } });
      }
      const original = unwrapResolverError(raw);
      // graphql-js's and graphql-ws's own complaints about a request ("Unable to identify operation", an operation
      // type the schema lacks) carry no code of their own, wrap nothing and point at no field of a result (a
      // null in a non-null field, gridhub's fault, has a path): the request is at fault, not the hub.
      if (original instanceof GraphQLError && original.extensions?.code === undefined && !original.originalError && !original.path) {
        return shaped({ ...formatted, extensions: { code: ErrorCode.BAD_USER_INPUT } });
      }
      const mapped = fromDatabase(original);
      if (mapped) {
        const { message, ...extensions } = mapped;
        return { message, locations: formatted.locations, path: formatted.path, extensions };
      }
      log(describeForLog(original));
      return {
        message: development ? redact(clientMessage(formatted.message, true)) : 'internal server error',
        locations: formatted.locations,
        path: formatted.path,
        extensions: development
          ? { ...formatted.extensions, code: ErrorCode.INTERNAL_SERVER_ERROR }
          : { code: ErrorCode.INTERNAL_SERVER_ERROR },
      };
    } catch {
      return { message: 'internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
    }
  };
}
