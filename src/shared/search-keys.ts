import { pinyin } from 'pinyin-pro';
import { BadUserInputError } from './errors';

/**
 * Text search keys (检索词) of names, titles and addresses, and the keys a search text must find.
 *
 * Chinese has no spaces between words, and most names are two or three characters: an infix search for two
 * characters (`三丰` in 张三丰) yields no trigram, so pg_trgm cannot serve it. Each row therefore keeps, in an
 * indexed `text[]` column (GIN), the **bigrams** of its texts (every two neighbouring characters of a run of
 * letters and digits), the **single characters** of its name or title (for one-character searches), and, for
 * names, the **pinyin initials** (拼音首字母) that grid workers type on phones — `zsf` for 张三丰 — as prefixes of
 * two characters or more, marked with `~` so that they never meet a literal bigram. A search text becomes the set of
 * keys every match must hold (`@>`, one GIN lookup), then the text itself is checked with `ILIKE` on the columns
 * (the keys only narrow: 三丰 and 丰三 share no bigram, but 张三丰路 holds 三丰 and 丰路 without holding 三丰路).
 * Pinyin comes from pinyin-pro's dictionary, offline; a polyphonic character gives every reading's initial (乐:
 * l, y), a surname its surname reading (单: s), at most {@link MAX_INITIAL_VARIANTS} spellings per name.
 *
 * Pure functions; no I/O.
 */

/** The most spellings of a name's initials kept (a name of many polyphonic characters keeps the first ones). */
const MAX_INITIAL_VARIANTS = 8;

/** The longest initials prefix kept (names are rarely longer; a longer typed search matches no one). */
const MAX_INITIALS = 8;

/** The longest search text accepted. */
export const MAX_SEARCH_LENGTH = 50;

/** Marks a pinyin-initials key. */
const INITIALS_MARK = '~';

/** Runs of letters and digits, lower-cased (full-width forms folded by NFKC). */
function runsOf(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

function addBigrams(keys: Set<string>, run: string): void {
  const chars = [...run];
  for (let i = 0; i + 1 < chars.length; i++) keys.add(chars[i] + chars[i + 1]);
}

const HAN = /\p{Script=Han}/u;

/**
 * The initials of each character of a name: every reading of a Han character, the letter or digit itself otherwise.
 * A person's surname is read as a surname first (单: s), its other readings after it.
 */
function initialsOf(name: string, person: boolean): string[][] {
  const chars = [...name.normalize('NFKC').toLowerCase()].filter((c) => /[\p{L}\p{N}]/u.test(c));
  const surname = person ? pinyin(chars.join(''), { pattern: 'first', toneType: 'none', type: 'array', surname: 'head' })[0] : undefined;
  return chars.map((char, index) => {
    if (!HAN.test(char)) return [char];
    const readings = new Set<string>();
    if (index === 0 && surname && /^[a-z]$/.test(surname)) readings.add(surname);
    for (const initial of pinyin(char, { pattern: 'first', toneType: 'none', type: 'array', multiple: true })) readings.add(initial.toLowerCase());
    return [...readings].filter((initial) => /^[a-z]$/.test(initial));
  });
}

/** Every spelling of the initials (cartesian product of the readings), at most {@link MAX_INITIAL_VARIANTS}. */
function spellings(initials: string[][]): string[] {
  let spelled = [''];
  for (const choices of initials.slice(0, MAX_INITIALS)) {
    if (choices.length === 0) break;
    spelled = spelled.flatMap((prefix) => choices.map((choice) => prefix + choice)).slice(0, MAX_INITIAL_VARIANTS);
  }
  return spelled.filter((spelling) => spelling !== '');
}

/** What a row is searched by: its name or title (characters, bigrams, initials when a name) and other texts (bigrams). */
export interface SearchableText {
  /** A person's name: single characters, bigrams and pinyin initials, the first character read as a surname first. */
  personName?: string | null;
  /** A place's or thing's name: single characters, bigrams and pinyin initials. */
  name?: string | null;
  /** An incident's title: single characters and bigrams. */
  title?: string | null;
  /** Addresses and the like: bigrams. */
  others?: ReadonlyArray<string | null | undefined>;
}

/** The search keys of a row, sorted (stable, so an unchanged row writes the same array). */
export function searchKeys(text: SearchableText): string[] {
  const keys = new Set<string>();
  for (const main of [text.personName, text.name, text.title]) {
    for (const run of runsOf(main ?? '')) {
      for (const char of run) keys.add(char);
      addBigrams(keys, run);
    }
  }
  const named = text.personName ?? text.name;
  if (named) {
    for (const spelling of spellings(initialsOf(named, text.personName != null))) {
      for (let length = 2; length <= spelling.length; length++) keys.add(INITIALS_MARK + spelling.slice(0, length));
    }
  }
  for (const other of text.others ?? []) for (const run of runsOf(other ?? '')) addBigrams(keys, run);
  return [...keys].sort();
}

/**
 * A search text as conditions: `literal` — the keys every match holds and the runs its columns contain; `initials`
 * — the pinyin-initials key, when the text could be typed initials (2 to 8 Latin letters).
 */
export interface SearchPlan {
  literal: { keys: string[]; runs: string[] };
  initials: string | null;
}

/** @throws BadUserInputError naming `field` for an empty, overlong or letterless search text. */
export function searchPlan(input: string, field: string): SearchPlan {
  const trimmed = input.trim();
  if (trimmed.length === 0 || [...trimmed].length > MAX_SEARCH_LENGTH) {
    throw new BadUserInputError(`must be 1 to ${MAX_SEARCH_LENGTH} characters`, field);
  }
  const runs = runsOf(trimmed);
  if (runs.length === 0) throw new BadUserInputError('must contain a letter or digit', field);
  // A one-character word is a key of names and titles only: beside longer words it is left to the containment
  // check (so 新华路 5 finds the 5 in an address), alone it must be a name's or title's character.
  const keys = new Set<string>();
  const long = runs.filter((run) => [...run].length > 1);
  for (const run of long) addBigrams(keys, run);
  if (long.length === 0) for (const run of runs) keys.add(run);
  const initials = runs.length === 1 && /^[a-z]{2,8}$/.test(runs[0]) ? INITIALS_MARK + runs[0] : null;
  return { literal: { keys: [...keys].sort(), runs }, initials };
}

/** `run` as an escaped ILIKE pattern for "contains". */
export function containsRun(run: string): string {
  return `%${run.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The searched texts of each table: its name (or title) and its address. */
export const SEARCHED_TEXTS = {
  person: { main: 'name', kind: 'personName' },
  place: { main: 'name', kind: 'name' },
  thing: { main: 'name', kind: 'name' },
  incident: { main: 'title', kind: 'title' },
} as const;

/** The search keys of a row of `table` from its name or title and its address. */
export function rowSearchKeys(table: keyof typeof SEARCHED_TEXTS, main: string | null | undefined, address: string | null | undefined): string[] {
  return searchKeys({ [SEARCHED_TEXTS[table].kind]: main, others: [address] });
}
