import { BadUserInputError } from './errors';

/** `nameContains` as an escaped ILIKE pattern; rejects empty or overlong text. */
export function containsPattern(text: string, field: string): string {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.length > 100) throw new BadUserInputError('must be 1 to 100 characters', field);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) throw new BadUserInputError('must not contain control characters', field);
  return `%${trimmed.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Checks a `YYYY-MM-DD` date argument. */
export function parseDateArgument(text: string, field: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  const date = match && new Date(Date.UTC(+match[1], +match[2] - 1, +match[3]));
  if (!match || !date || date.getUTCDate() !== +match[3] || date.getUTCMonth() !== +match[2] - 1) {
    throw new BadUserInputError(`"${text}" is not a date (YYYY-MM-DD)`, field);
  }
  return text.trim();
}
