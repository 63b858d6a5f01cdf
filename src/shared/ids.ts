import { BadUserInputError } from '../server/errors';

/** Checks an entity id argument (a positive integer as a string). @throws BadUserInputError */
export function parseId(input: string, field = 'id'): string {
  const id = String(input).trim();
  if (!/^[1-9]\d{0,18}$/.test(id)) throw new BadUserInputError(`"${input}" is not an id`, field);
  return id;
}
