import { BadUserInputError } from './errors';

/**
 * Checks on text that is stored as given (names, labels): what PostgreSQL cannot store, or what has no place in a
 * one-line value, is refused before it reaches the database, so one bad record cannot fail a whole batch.
 */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** A high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Why `value` cannot be a one-line text value, or null when it can: it must not contain control characters
 * (C0, DEL, C1 — the NUL byte among them, which PostgreSQL text cannot hold) or lone UTF-16 surrogates (not
 * Unicode; PostgreSQL refuses them in JSON). The message does not repeat the value.
 */
export function lineTextProblem(value: string): string | null {
  const control = CONTROL.exec(value);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return `must not contain control characters (U+${code} at position ${control.index + 1})`;
  }
  return surrogateProblem(value);
}

/**
 * Why `value` cannot be free multi-line text (a note, a reason, feedback, a report), or null when it can: tabs and
 * line breaks are fine, other control characters (C0, DEL) are not — the NUL byte among them, which PostgreSQL text
 * cannot hold — nor lone UTF-16 surrogates (not Unicode: the driver would store U+FFFD in their place). The message
 * does not repeat the value.
 */
export function multiLineTextProblem(value: string): string | null {
  // eslint-disable-next-line no-control-regex
  const control = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.exec(value);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return `must not contain control characters (U+${code} at position ${control.index + 1})`;
  }
  return surrogateProblem(value);
}

/** Where in a JSON value a problem lies (`properties.name`, `coordinates[0]`; empty: the value itself), and what. */
export interface JsonProblem {
  path: string;
  message: string;
}

/**
 * Why a JSON value cannot be stored in a PostgreSQL `jsonb` column, or null when it can: no string in it (member
 * names included) may contain the NUL character or a lone surrogate. Other control characters are fine in JSON.
 */
export function jsonbProblem(value: unknown, path = ''): JsonProblem | null {
  if (typeof value === 'string') {
    const message = jsonStringProblem(value);
    return message ? { path, message } : null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = jsonbProblem(value[i], `${path}[${i}]`);
      if (problem) return problem;
    }
    return null;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, member] of Object.entries(value)) {
      const keyProblem = jsonStringProblem(key);
      if (keyProblem) return { path, message: `a member name ${keyProblem}` };
      const problem = jsonbProblem(member, path ? `${path}.${key}` : key);
      if (problem) return problem;
    }
  }
  return null;
}

function jsonStringProblem(value: string): string | null {
  return value.includes('\u0000') ? 'must not contain the NUL character (U+0000)' : surrogateProblem(value);
}

function surrogateProblem(value: string): string | null {
  const lone = LONE_SURROGATE.exec(value);
  return lone ? `must be valid Unicode (a lone surrogate at position ${lone.index + 1})` : null;
}

/**
 * A free-text argument of a mutation (a note, reason, feedback, report), trimmed; null when left out or blank. Tabs
 * and line breaks are allowed; other control characters, the NUL character among them, and lone surrogates are not
 * ({@link multiLineTextProblem}).
 * @throws BadUserInputError naming `field`: longer than `max` characters, or not storable.
 */
export function optionalTextArgument(value: string | null | undefined, field: string, max: number): string | null {
  if (value == null || value.trim() === '') return null;
  const text = value.trim();
  if (text.length > max) throw new BadUserInputError(`at most ${max} characters, got ${text.length}`, field);
  const problem = multiLineTextProblem(text);
  if (problem !== null) throw new BadUserInputError(problem, field);
  return text;
}

/** A free-text argument that must not be blank (see {@link optionalTextArgument}). @throws BadUserInputError naming `field` */
export function requiredTextArgument(value: string, field: string, max: number): string {
  const text = optionalTextArgument(value, field, max);
  if (text === null) throw new BadUserInputError('must not be blank', field);
  return text;
}
