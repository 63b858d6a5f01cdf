import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';

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

/** Base of gridhub's own errors: a message safe to show and one contract code. */
export class GridhubError extends GraphQLError {
  constructor(message: string, code: ErrorCode, extensions: Record<string, unknown> = {}) {
    const status = HTTP_STATUS[code];
    super(message, { extensions: { code, ...extensions, ...(status ? { http: { status } } : {}) } });
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

/**
 * Formats every error that leaves the server: keeps contract codes, maps database errors, turns anything else
 * into INTERNAL_SERVER_ERROR without internals (stack traces only when `development`). Never throws.
 */
export function createFormatError(development: boolean, log: (error: unknown) => void) {
  return (formatted: GraphQLFormattedError, raw: unknown): GraphQLFormattedError => {
    try {
      const code = formatted.extensions?.code;
      if (typeof code === 'string' && KNOWN_CODES.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
        return development ? formatted : withoutStack(formatted);
      }
      if (typeof code === 'string' && REQUEST_CODES.has(code)) {
        return { ...withoutStack(formatted), extensions: { code: ErrorCode.BAD_USER_INPUT, reason: code } };
      }
      const original = unwrapResolverError(raw);
      const mapped = fromDatabase(original);
      if (mapped) {
        const { message, ...extensions } = mapped;
        return { message, locations: formatted.locations, path: formatted.path, extensions };
      }
      log(original);
      return {
        message: development ? formatted.message : 'internal server error',
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

function withoutStack(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (!formatted.extensions || !('stacktrace' in formatted.extensions)) return formatted;
  const { stacktrace: _dropped, ...extensions } = formatted.extensions;
  return { ...formatted, extensions };
}
