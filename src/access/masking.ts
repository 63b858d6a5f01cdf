import { checkCharacter } from '../shared/id-number';

/**
 * Masking of personal data by value (design §6): ID numbers, phone numbers and calendar dates (a birth date is
 * the middle of an ID number, so a full date next to a masked ID number would give it back). One function,
 * {@link maskValue}, is applied to every string and JSON value that leaves the hub for a role that sees personal
 * data masked — whatever field it came in, so a field added later is covered without a rule of its own.
 *
 * Pure functions; no I/O.
 */

/** `150302********1234`: address code and last four kept. */
export function maskIdNumber(idNumber: string): string {
  return idNumber.slice(0, 6) + '*'.repeat(Math.max(0, idNumber.length - 10)) + idNumber.slice(-4);
}

/** `138****5678`: first three and last four kept. */
export function maskPhone(phone: string): string {
  if (phone.length <= 7) return '*'.repeat(phone.length);
  return phone.slice(0, 3) + '*'.repeat(phone.length - 7) + phone.slice(-4);
}

/** `1985-06-15` → `1985-**-**`: the year only. */
export function maskDate(date: string): string {
  return `${date.slice(0, 4)}-**-**`;
}

/** 17 digits and a check character, with no digit right before or after (letters may touch it: `GA<id>`). */
const ID_IN_TEXT = /(?<!\d)\d{17}[\dXx](?!\d)/g;
/** A mainland mobile number, optionally with +86 / 0086 and spaces or hyphens between its 3-4-4 groups. */
const MOBILE_IN_TEXT = /(?<![\d+])(?:(?:\+|00)86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)/g;
/**
 * A calendar date: `1985-01-01`, `1985/1/1`, `1985.01.01`, `1985年1月1日`, or eight digits `19850101` (not inside a
 * longer run of digits). Only real dates from 1850 to 2199 are masked, so amounts and codes stay as they are.
 */
const DATE_IN_TEXT = /(?<!\d)(1[89]\d\d|2[01]\d\d)(?:([-/.])(\d{1,2})\2(\d{1,2})(?!\d)|年(\d{1,2})月(\d{1,2})日?|(\d{2})(\d{2})(?!\d))/g;

function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return month >= 1 && month <= 12 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** A landline with its area code (0 and 2–3 digits), optionally separated: `0473-1234567`, `010 12345678`. */
const LANDLINE_IN_TEXT = /(?<!\d)(0\d{2,3})([- ]?)(\d{7,8})(?!\d)/g;
/** Full-width digits (０–９), as typed with a Chinese input method. */
const FULL_WIDTH_DIGIT = /[\uFF10-\uFF19]/g;

/**
 * An ID number: 18 characters with a valid check character — or, mistyped, whose birth-date digits still form a
 * date (they are the part that masking hides).
 */
function isIdNumber(candidate: string): boolean {
  if (checkCharacter(candidate.slice(0, 17)) === candidate[17].toUpperCase()) return true;
  const year = Number(candidate.slice(6, 10));
  return year >= 1850 && year < 2200 && isCalendarDate(year, Number(candidate.slice(10, 12)), Number(candidate.slice(12, 14)));
}

/**
 * Masks every ID number, every mainland mobile and landline number (however written) and every calendar date
 * (to its year) inside free text. Full-width digits are read as digits (and come back as ASCII).
 */
export function maskText(input: string): string {
  const text = input.replace(FULL_WIDTH_DIGIT, (digit) => String.fromCharCode(digit.charCodeAt(0) - 0xfee0));
  return text
    .replace(ID_IN_TEXT, (id) => (isIdNumber(id) ? maskIdNumber(id) : id))
    .replace(MOBILE_IN_TEXT, (mobile) => maskPhone(mobile.replace(/\D/g, '').slice(-11)))
    .replace(LANDLINE_IN_TEXT, (_all, area: string, separator: string, number: string) => `${area}${separator}${'*'.repeat(number.length - 4)}${number.slice(-4)}`)
    .replace(DATE_IN_TEXT, (all, year: string, _sep, m1, d1, m2, d2, m3, d3) => {
      const month = Number(m1 ?? m2 ?? m3);
      const day = Number(d1 ?? d2 ?? d3);
      return isCalendarDate(Number(year), month, day) ? maskDate(year) : all;
    });
}

/** Keys under which departments send ID numbers (English, and pinyin initials: 证件号码, 身份证号, 公民身份号码). */
const ID_KEYS = /^(id_?(number|no|card(_?no)?)|citizen_?id|sfzh(m)?|zjhm|zjh|gmsfhm|sfz)$/i;
/** Keys of phone numbers (联系电话, 手机号码, 移动电话, 电话). */
const PHONE_KEYS = /^(phone(_?number)?|mobile(_?phone)?|tel(ephone)?|contact_?phone|lxdh|sjhm|yddh|dh|lxfs)$/i;
/** Keys of dates that may be birth dates (出生日期, 出生年月). */
const DATE_KEYS = /^(birth_?(date|day)|birthday|date_?of_?birth|dob|csrq|csny)$/i;

/**
 * A number as it may leave the hub: an integer of 15 or more digits is an ID number (as a JSON number it has
 * lost its last digits already), one of 11 digits starting 13–19 a mobile number, eight digits that form a date a
 * date; each is masked into a string. Other numbers (amounts, counts, coordinates) stay numbers.
 */
function maskNumber(value: number, key: string): number | string {
  if (!Number.isFinite(value)) return value;
  const digits = Number.isInteger(value) && value > 0 ? BigInt(value).toString() : null;
  if (digits === null) return value;
  if (digits.length >= 15 || ID_KEYS.test(key)) return maskIdNumber(digits);
  if (PHONE_KEYS.test(key) || /^1[3-9]\d{9}$/.test(digits)) return maskPhone(digits);
  if (DATE_KEYS.test(key) || (digits.length === 8 && maskText(digits) !== digits)) return maskDate(digits);
  return value;
}

/**
 * Masks a value for a role that sees personal data masked: strings by {@link maskText} (whole values under ID,
 * phone and birth-date keys), numbers by what they look like, arrays and objects item by item. `key` is the
 * name the value stands under in its object, if any. Anything else (booleans, null, Dates) is returned as is.
 */
export function maskValue(value: unknown, key = ''): unknown {
  if (typeof value === 'string') {
    if (ID_KEYS.test(key)) return maskIdNumber(value);
    if (PHONE_KEYS.test(key)) return maskPhone(value);
    if (DATE_KEYS.test(key)) {
      // A birth date however it is written (`1985-06-15`, `15/06/1985`): its year, or nothing.
      const year = /^(1[89]\d\d|2[01]\d\d)/.exec(value.trim()) ?? /(?<!\d)(1[89]\d\d|2[01]\d\d)(?!\d)/.exec(value);
      return year ? maskDate(year[1]) : '****';
    }
    return maskText(value);
  }
  if (typeof value === 'number') return maskNumber(value, key);
  if (Array.isArray(value)) return value.map((item) => maskValue(item, key));
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, maskValue(item, name)]));
}
