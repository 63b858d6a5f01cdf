import { BadUserInputError } from './errors';

/** Checks an entity id argument (a positive integer as a string). @throws BadUserInputError */
export function parseId(input: string, field = 'id'): string {
  const id = String(input).trim();
  // Beyond PostgreSQL's bigint the database would fail the query: such a number is not an id either.
  if (!/^[1-9]\d{0,18}$/.test(id) || BigInt(id) > 9223372036854775807n) {
    throw new BadUserInputError(`"${input}" is not an id`, field);
  }
  return id;
}
