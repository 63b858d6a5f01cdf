/**
 * Citizen identity numbers (居民身份证号码, GB 11643-1999): 6 digits address code, 8 digits birth date
 * (YYYYMMDD), 3 digits sequence (odd = male, even = female) and a check character (ISO 7064 MOD 11-2).
 *
 * Pure functions; no I/O.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

export enum Gender {
  MALE = 'MALE',
  FEMALE = 'FEMALE',
}

export interface IdNumberFacts {
  /** Normalised: upper-case X. */
  idNumber: string;
  gender: Gender;
  /** ISO date, `YYYY-MM-DD`. */
  birthDate: string;
}

/** Thrown by {@link parseIdNumber} with a message that can be shown to the caller as is. */
export class IdNumberError extends Error {}

/** The check character for the first 17 digits. */
export function checkCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK_CHARS[sum % 11];
}

/**
 * Validates an 18-character ID number and derives gender and birth date from it.
 * @param today birth dates after this day are rejected (defaults to now).
 * @throws IdNumberError naming what is wrong.
 */
export function parseIdNumber(input: string, today: Date = new Date()): IdNumberFacts {
  const idNumber = input.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(idNumber)) {
    throw new IdNumberError('an ID number has 17 digits followed by a digit or X');
  }
  const expected = checkCharacter(idNumber.slice(0, 17));
  if (idNumber[17] !== expected) {
    throw new IdNumberError(`checksum mismatch: the last character should be ${expected}`);
  }
  const year = Number(idNumber.slice(6, 10));
  const month = Number(idNumber.slice(10, 12));
  const day = Number(idNumber.slice(12, 14));
  const date = new Date(Date.UTC(year, month - 1, day));
  if (year < 1850 || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    throw new IdNumberError(`"${idNumber.slice(6, 14)}" is not a valid birth date`);
  }
  if (date.getTime() > today.getTime()) {
    throw new IdNumberError('the birth date lies in the future');
  }
  const birthDate = `${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}`;
  const gender = Number(idNumber[16]) % 2 === 1 ? Gender.MALE : Gender.FEMALE;
  return { idNumber, gender, birthDate };
}

/** Builds a valid ID number from its parts (used by the demo generator and tests). */
export function composeIdNumber(addressCode: string, birthDate: string, sequence: number): string {
  const first17 = `${addressCode}${birthDate.replace(/-/g, '')}${String(sequence).padStart(3, '0')}`;
  return first17 + checkCharacter(first17);
}
