/**
 * Normalisation for matching the records of different department systems during ingestion: width, person
 * names, standard addresses and identity documents. The results are comparison keys and triage verdicts, not
 * values to store in place of what a department sent.
 *
 * Pure functions; no I/O.
 */

import { NAME_VARIANTS } from '../shared/name-variants';
import { checkCharacter, Gender, IdNumberError, parseIdNumber } from '../shared/id-number';

const FULL_WIDTH_ASCII = /[\uff01-\uff5e]/g;
const FULL_WIDTH_OFFSET = 0xfee0;
/** Zero-width space, non-joiner, joiner, word joiner and BOM: invisible, and common in text pasted from the web. */
const ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff]/g;

/**
 * Normalises character width and whitespace:
 * - full-width ASCII (U+FF01–U+FF5E, `１２Ａ＃（`) becomes half-width (`12A#(`);
 * - the ideographic space U+3000 and every other whitespace run becomes one ASCII space;
 * - zero-width characters (U+200B–U+200D, U+2060, U+FEFF) are removed;
 * - the result is trimmed.
 *
 * Not NFKC: NFKC would also rewrite ①, ㎡, ½, superscripts and CJK compatibility ideographs, which is more than
 * width and not always wanted in a name or an address.
 */
export function normalizeWidth(text: string): string {
  return text
    .replace(ZERO_WIDTH, '')
    .replace(FULL_WIDTH_ASCII, (c) => String.fromCharCode(c.charCodeAt(0) - FULL_WIDTH_OFFSET))
    .replace(/[\s\u3000]+/g, ' ')
    .trim();
}

/** The separators written between the parts of a transliterated (minority or foreign) name. */
const NAME_DOTS = /[\u00b7\u2022\u2027\u2219\u22c5\u30fb\uff65.]/g;
const NAME_DOT = '\u00b7';

/**
 * A person name as a comparison key: {@link normalizeWidth}, all whitespace removed, every middle dot of a
 * transliterated name (`·`, `•`, `‧`, `∙`, `⋅`, `・`, `･`, `.`, full-width `．`) written as `·` (U+00B7), latin
 * letters upper-cased.
 */
export function normalizeName(name: string): string {
  return normalizeWidth(name).replace(/\s+/g, '').replace(NAME_DOTS, NAME_DOT).toUpperCase();
}

/** Both directions of every pair in NAME_VARIANTS, as `a + b`. */
const VARIANT_PAIRS: ReadonlySet<string> = new Set(
  Object.entries(NAME_VARIANTS).flatMap(([a, b]) => [a + b, b + a]),
);
const HAN = /^\p{Script=Han}$/u;

/**
 * Whether two person names, as two departments wrote them, can be taken for the same name. Precision first:
 * true only when, after {@link normalizeName},
 * - the names are equal once middle dots are ignored (巴特尔·吉日格勒 / 巴特尔吉日格勒); or
 * - they have the same length in code points and the same first character (the surname), and differ in exactly
 *   one position, where both characters are Han and a known same-sounding pair (NAME_VARIANTS, either direction:
 *   王伟 / 王玮, 王小明 / 王晓明). Any other difference (王小明 / 王大明) makes two names: a wrong merge of two
 *   citizens is worse than a missed one.
 *
 * Never true for an empty name (nor one of middle dots only). A two-character name differing in its given name
 * matches only through a known pair (王明 / 王亮 are different names).
 */
export function sameNameOrVariant(a: string, b: string): boolean {
  const x = normalizeName(a);
  const y = normalizeName(b);
  const bareX = x.replaceAll(NAME_DOT, '');
  const bareY = y.replaceAll(NAME_DOT, '');
  if (bareX === '' || bareY === '') return false;
  if (bareX === bareY) return true;

  const xs = [...x];
  const ys = [...y];
  if (xs.length !== ys.length || xs[0] !== ys[0]) return false;
  let differing = -1;
  for (let i = 1; i < xs.length; i++) {
    if (xs[i] === ys[i]) continue;
    if (differing !== -1) return false;
    differing = i;
  }
  const [p, q] = [xs[differing], ys[differing]];
  if (!HAN.test(p) || !HAN.test(q)) return false;
  return VARIANT_PAIRS.has(p + q);
}

/** A run of separators (whitespace, punctuation, symbols). */
const SEPARATORS = /[\s\p{P}\p{S}]+/gu;
const DIGIT = /^\d$/;

/**
 * A key for matching standard addresses (标准地址) within one grid. The rules, in order:
 * 1. {@link normalizeWidth}; latin letters upper-cased.
 * 2. `#` after a number or letter means a building: `5#楼`, `5 #` → `5栋`.
 * 3. Whitespace, punctuation and symbols (`，,。.、-—－_()（）【】[]` …) are removed — except that a run of them
 *    between two digits becomes one `-`, so `3-2-502` and `32-502` stay apart.
 * 4. Building words are unified to `栋`: `号楼` → `栋`, `幢` → `栋`, `座` → `栋` after a number or letter (`A座`);
 *    a `楼` right after `栋` is dropped (`5栋楼` → `5栋`). `单元` and `号院` are kept.
 * 5. Leading zeros of numbers are dropped (`05栋` → `5栋`, `0502` → `502`).
 * 6. A final `室` after a number or letter is dropped (`3单元502室` → `3单元502`).
 *
 * Chinese numerals (三号楼) are not converted.
 */
export function normalizeAddress(address: string): string {
  return normalizeWidth(address)
    .toUpperCase()
    .replace(/([0-9A-Z])\s*#/g, '$1栋')
    .replace(SEPARATORS, (run: string, offset: number, text: string) =>
      DIGIT.test(text.charAt(offset - 1)) && DIGIT.test(text.charAt(offset + run.length)) ? '-' : '',
    )
    .replace(/号楼|幢/g, '栋')
    .replace(/([0-9A-Z])座/g, '$1栋')
    .replace(/栋楼/g, '栋')
    .replace(/\d+/g, (digits) => digits.replace(/^0+(?=\d)/, ''))
    .replace(/([0-9A-Z])室$/, '$1');
}

/**
 * Converts a first-generation 15-digit ID number (6 digits address code, YYMMDD birth date, 3 digits sequence) to
 * the 18-character form: `19` before the two-digit year, and the GB 11643 check character appended
 * (110105491231002 → 11010519491231002X). The birth date is not checked here; {@link parseIdNumber} does that.
 * @throws IdNumberError when `id15` is not exactly 15 ASCII digits (normalise width and whitespace first).
 */
export function upgradeLegacyIdNumber(id15: string): string {
  if (!/^\d{15}$/.test(id15)) throw new IdNumberError('a legacy ID number has exactly 15 digits');
  const first17 = `${id15.slice(0, 6)}19${id15.slice(6)}`;
  return first17 + checkCharacter(first17);
}

/** What {@link classifyIdDocument} found in an identity document field. */
export type IdDocumentClass =
  | { kind: 'CITIZEN'; idNumber: string; gender: Gender; birthDate: string; converted: boolean }
  | { kind: 'NONE' }
  | { kind: 'OTHER_DOCUMENT'; reason: string; document: string }
  | { kind: 'INVALID_CITIZEN'; reason: string };

const FOREIGNER_PERMANENT_RESIDENCE_ID = 'foreigner permanent residence ID';
const HONG_KONG_MACAO_PERMIT = 'Mainland Travel Permit for Hong Kong and Macao Residents (回乡证)';
const TAIWAN_PERMIT = 'Mainland Travel Permit for Taiwan Residents (台胞证)';
const PASSPORT = 'passport or 15-character foreigner permanent residence card';
const NOT_RECOGNISED =
  'not a citizen ID number (18 characters), a 15-digit legacy number, or a recognised permit or passport number';

/**
 * Triage of an identity document field as a department sent it. After {@link normalizeWidth}, removing all
 * whitespace and upper-casing:
 * - null, undefined or blank → `NONE`;
 * - 15 digits → upgraded ({@link upgradeLegacyIdNumber}) and parsed: `CITIZEN` with `converted: true`, or
 *   `INVALID_CITIZEN` when the birth date is not valid;
 * - 17 digits and a digit or X → {@link parseIdNumber}: `CITIZEN` (this includes the Hong Kong, Macao and Taiwan
 *   residents' residence permits, 810000/820000/830000, which are valid GB 11643 numbers), except that a valid
 *   number starting with 9 is the foreigner permanent residence ID (`OTHER_DOCUMENT`); a wrong checksum or birth
 *   date is `INVALID_CITIZEN` with the parser's message;
 * - H or M and 8 to 10 digits → `OTHER_DOCUMENT`, 回乡证;
 * - 8 or 10 digits → `OTHER_DOCUMENT`, 台胞证;
 * - 1 to 3 letters and at least 6 digits → `OTHER_DOCUMENT`, a passport or a 15-character foreigner permanent
 *   residence card;
 * - anything else → `INVALID_CITIZEN`.
 *
 * `document` is the normalised number. Does not throw for any string.
 * @param today birth dates after this day are invalid (defaults to now).
 */
export function classifyIdDocument(raw: string | null | undefined, today: Date = new Date()): IdDocumentClass {
  const document = normalizeWidth(raw ?? '').replace(/\s+/g, '').toUpperCase();
  if (document === '') return { kind: 'NONE' };

  if (/^\d{15}$/.test(document)) {
    const parsed = parseCitizen(upgradeLegacyIdNumber(document), today);
    return 'reason' in parsed
      ? { kind: 'INVALID_CITIZEN', reason: `15-digit legacy number: ${parsed.reason}` }
      : { kind: 'CITIZEN', ...parsed, converted: true };
  }
  if (/^\d{17}[\dX]$/.test(document)) {
    const parsed = parseCitizen(document, today);
    if ('reason' in parsed) return { kind: 'INVALID_CITIZEN', reason: parsed.reason };
    if (document.startsWith('9')) {
      return { kind: 'OTHER_DOCUMENT', reason: FOREIGNER_PERMANENT_RESIDENCE_ID, document };
    }
    return { kind: 'CITIZEN', ...parsed, converted: false };
  }
  if (/^[HM]\d{8,10}$/.test(document)) return { kind: 'OTHER_DOCUMENT', reason: HONG_KONG_MACAO_PERMIT, document };
  if (/^(\d{8}|\d{10})$/.test(document)) return { kind: 'OTHER_DOCUMENT', reason: TAIWAN_PERMIT, document };
  if (/^[A-Z]{1,3}\d{6,}$/.test(document)) return { kind: 'OTHER_DOCUMENT', reason: PASSPORT, document };
  return { kind: 'INVALID_CITIZEN', reason: NOT_RECOGNISED };
}

function parseCitizen(
  idNumber: string,
  today: Date,
): { idNumber: string; gender: Gender; birthDate: string } | { reason: string } {
  try {
    return parseIdNumber(idNumber, today);
  } catch (error) {
    if (error instanceof IdNumberError) return { reason: error.message };
    throw error;
  }
}
