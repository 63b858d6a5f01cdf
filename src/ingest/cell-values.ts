import { MappedColumn, ValueKind } from './header-map';

/*
 * Cells of an imported file to the JavaScript values of the ingestion contract. Pure functions; a cell that does
 * not convert gives a message naming what is wrong (quoting at most 40 characters of it) — the row it is in is
 * then rejected whole, never sent half-converted.
 */

/** A cell as read: CSV cells are text; workbook cells may also be numbers, booleans or dates (their UTC fields
 * are the wall-clock date and time the workbook shows). Blank is null. */
export type Cell = string | number | boolean | Date | null;

/** What became of one cell: a value, or why it has none. */
export type Conversion = { value: unknown } | { error: string };

/** Beijing time, UTC+8 all year: the zone of times written without an offset. */
const BEIJING_OFFSET_MS = 8 * 3600 * 1000;
/** Excel's 1900 date system: serial 25569 is 1970-01-01. */
const EXCEL_EPOCH_SERIAL = 25569;
const DAY_MS = 86400 * 1000;

/** A cell's value quoted for a message: at most 40 characters. */
function quote(cell: Cell): string {
  const text = cellText(cell);
  return `"${text.length > 40 ? `${text.slice(0, 40)}…` : text}"`;
}

/** A cell as text, as a spreadsheet would show it (dates as YYYY-MM-DD, with the time when there is one). */
export function cellText(cell: Cell): string {
  if (cell === null) return '';
  if (cell instanceof Date) {
    if (Number.isNaN(cell.getTime())) return '';
    const iso = cell.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  }
  if (typeof cell === 'boolean') return cell ? 'TRUE' : 'FALSE';
  return String(cell);
}

/** True when the cell holds nothing (blank cells leave their field out). */
export function isBlank(cell: Cell): boolean {
  return cell === null || (typeof cell === 'string' && cell.trim() === '') || (cell instanceof Date && Number.isNaN(cell.getTime()));
}

/** Full-width folded and trimmed: how codes, numbers, dates and enumeration names are compared. */
function folded(text: string): string {
  return text.normalize('NFKC').trim();
}

/**
 * Converts one non-blank cell to the contract's type for `kind`.
 * @returns null when the cell is blank (the field is left out).
 */
export function convertCell(kind: ValueKind, cell: Cell): Conversion | null {
  if (isBlank(cell)) return null;
  switch (kind.type) {
    case 'text':
      return { value: typeof cell === 'string' ? cell.trim() : cellText(cell) };
    case 'code':
      return toCode(cell);
    case 'number':
      return toNumber(cell);
    case 'integer':
      return toInteger(cell, kind.aliases);
    case 'boolean':
      return toBoolean(cell, kind.aliases);
    case 'enum':
      return toEnum(cell, kind.values);
    case 'enumList':
      return toEnumList(cell, kind.values);
    case 'date':
      return toDate(cell);
    case 'datetime':
      return toDateTime(cell);
  }
}

function toCode(cell: Cell): Conversion {
  if (typeof cell === 'number') {
    if (Number.isSafeInteger(cell) && cell >= 0) return { value: String(cell) };
    return {
      error: `${quote(cell)} is held as a number, which keeps only 15 digits: format the column as text and enter it again`,
    };
  }
  if (cell instanceof Date || typeof cell === 'boolean') return { error: `${quote(cell)} is not a code` };
  // Excel marks text with a leading apostrophe; codes are often typed in groups ("150302 19900102 0011").
  const value = folded(cell!).replace(/^'/, '').replace(/\s+/g, '');
  if (/^[+-]?\d+(\.\d+)?e[+-]?\d+$/i.test(value)) {
    return { error: `${quote(cell)} is in scientific notation, its digits are lost: format the column as text in Excel` };
  }
  return { value };
}

function parseNumber(cell: Cell): number | null {
  if (typeof cell === 'number') return Number.isFinite(cell) ? cell : null;
  if (typeof cell !== 'string') return null;
  let text = folded(cell).replace(/^¥\s*/, '').replace(/\s*元$/, '');
  if (/^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(text)) text = text.replace(/,/g, '');
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

function toNumber(cell: Cell): Conversion {
  const value = parseNumber(cell);
  return value === null ? { error: `${quote(cell)} is not a number` } : { value };
}

function toInteger(cell: Cell, aliases: Readonly<Record<string, number>> = {}): Conversion {
  if (typeof cell === 'string') {
    const alias = aliases[folded(cell).replace(/\s+/g, '')];
    if (alias !== undefined) return { value: alias };
  }
  const value = parseNumber(cell);
  if (value === null || !Number.isSafeInteger(value)) {
    const names = Object.keys(aliases);
    return { error: `${quote(cell)} is not a whole number${names.length > 0 ? ` (or one of ${names.slice(0, 4).join(', ')})` : ''}` };
  }
  return { value };
}

const TRUE_WORDS = new Set(['是', 'y', 'yes', 'true', '1', '√', '✓', '有']);
const FALSE_WORDS = new Set(['否', 'n', 'no', 'false', '0', '×', '✗', '无']);

function toBoolean(cell: Cell, aliases: Readonly<Record<string, boolean>> = {}): Conversion {
  if (typeof cell === 'boolean') return { value: cell };
  if (typeof cell === 'number' && (cell === 0 || cell === 1)) return { value: cell === 1 };
  if (typeof cell === 'string') {
    const word = folded(cell).replace(/\s+/g, '').toLowerCase();
    if (aliases[word] !== undefined) return { value: aliases[word] };
    if (TRUE_WORDS.has(word)) return { value: true };
    if (FALSE_WORDS.has(word)) return { value: false };
  }
  return { error: `${quote(cell)} is not yes or no: use 是 or 否` };
}

/** The value an enumeration name stands for: a Chinese name, or the value's own name in any case. */
function enumValue(name: string, values: Readonly<Record<string, readonly string[]>>): string | undefined {
  const word = folded(name).replace(/\s+/g, '');
  for (const [value, names] of Object.entries(values)) {
    if (names.includes(word) || value === word.toUpperCase()) return value;
  }
  return undefined;
}

function knownNames(values: Readonly<Record<string, readonly string[]>>): string {
  return Object.values(values)
    .map((names) => names[0])
    .join(', ');
}

function toEnum(cell: Cell, values: Readonly<Record<string, readonly string[]>>): Conversion {
  const value = typeof cell === 'string' || typeof cell === 'number' ? enumValue(String(cell), values) : undefined;
  if (value === undefined) return { error: `${quote(cell)} is not one of ${knownNames(values)}` };
  return { value };
}

function toEnumList(cell: Cell, values: Readonly<Record<string, readonly string[]>>): Conversion {
  if (typeof cell !== 'string') return { error: `${quote(cell)} is not one of ${knownNames(values)}` };
  const found: string[] = [];
  const bad: string[] = [];
  for (const part of folded(cell).split(/[、,;|\s]+/)) {
    if (part === '') continue;
    const value = enumValue(part, values);
    if (value === undefined) bad.push(part);
    else if (!found.includes(value)) found.push(value);
  }
  if (bad.length > 0) {
    return { error: `${bad.map((part) => quote(part)).join(', ')} ${bad.length > 1 ? 'are' : 'is'} not one of ${knownNames(values)}` };
  }
  return { value: found };
}

/** `YYYY-MM-DD` when the parts are a real calendar day (years 1800–2999), else null. */
function calendarDate(year: number, month: number, day: number): string | null {
  if (year < 1800 || year > 2999) return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date.toISOString().slice(0, 10);
}

/** An Excel date serial (1900 system, from 1900-03-01) as the wall-clock instant it shows, in UTC fields. */
function fromSerial(serial: number): Date | null {
  if (!(serial >= 61 && serial < 2958466)) return null;
  return new Date(Math.round((serial - EXCEL_EPOCH_SERIAL) * DAY_MS));
}

const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})$/;
const DATE_TIME_TEXT =
  /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:(?:\s+|T)(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2})(?:\.\d+)?秒?)?)?$/;

const DATE_FORMS = 'use 1990-01-02, 1990/1/2 or 19900102';

function toDate(cell: Cell): Conversion {
  if (cell instanceof Date) return { value: cell.toISOString().slice(0, 10) };
  if (typeof cell === 'number') {
    const compact = COMPACT_DATE.exec(String(cell));
    const date = compact ? calendarDate(+compact[1], +compact[2], +compact[3]) : null;
    if (date) return { value: date };
    const shown = Number.isInteger(cell) ? fromSerial(cell) : null;
    if (shown) return { value: shown.toISOString().slice(0, 10) };
    return { error: `${quote(cell)} is not a date: ${DATE_FORMS}` };
  }
  if (typeof cell !== 'string') return { error: `${quote(cell)} is not a date: ${DATE_FORMS}` };
  const text = folded(cell);
  // A date with a time ("1990-01-02 00:00:00", as spreadsheets export date cells) is that date.
  const match = COMPACT_DATE.exec(text) ?? DATE_TIME_TEXT.exec(text);
  const date = match ? calendarDate(+match[1], +match[2], +match[3]) : null;
  if (!date) return { error: `${quote(cell)} is not a date: ${DATE_FORMS}` };
  return { value: date };
}

const DATE_TIME_FORMS = 'use 2024-05-01 08:30 (Beijing time) or ISO 8601';
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** A wall-clock time shown in Beijing (UTC fields of `shown`) as an ISO instant. */
function fromBeijing(shown: Date): string {
  return new Date(shown.getTime() - BEIJING_OFFSET_MS).toISOString();
}

function toDateTime(cell: Cell): Conversion {
  if (cell instanceof Date) return { value: fromBeijing(cell) };
  if (typeof cell === 'number') {
    const shown = fromSerial(cell);
    return shown ? { value: fromBeijing(shown) } : { error: `${quote(cell)} is not a date and time: ${DATE_TIME_FORMS}` };
  }
  if (typeof cell !== 'string') return { error: `${quote(cell)} is not a date and time: ${DATE_TIME_FORMS}` };
  const text = folded(cell);
  if (ISO_WITH_OFFSET.test(text)) {
    const time = Date.parse(text);
    if (Number.isFinite(time) && calendarDate(+text.slice(0, 4), +text.slice(5, 7), +text.slice(8, 10))) {
      return { value: new Date(time).toISOString() };
    }
    return { error: `${quote(cell)} is not a date and time: ${DATE_TIME_FORMS}` };
  }
  const compact = COMPACT_DATE.exec(text);
  const match = compact ? [...compact, undefined, undefined, undefined] : DATE_TIME_TEXT.exec(text);
  if (match) {
    const date = calendarDate(+match[1]!, +match[2]!, +match[3]!);
    const [hour, minute, second] = [+(match[4] ?? 0), +(match[5] ?? 0), +(match[6] ?? 0)];
    if (date && hour < 24 && minute < 60 && second < 60) {
      return { value: fromBeijing(new Date(Date.parse(`${date}T00:00:00Z`) + ((hour * 60 + minute) * 60 + second) * 1000)) };
    }
  }
  return { error: `${quote(cell)} is not a date and time: ${DATE_TIME_FORMS}` };
}

/** Why a cell of a row did not convert: the column as headed in the file, and what is wrong. */
export interface CellError {
  column: string;
  message: string;
}

/**
 * One row as a record of the contract: each mapped column's cell converted and set at its field's path; blank
 * cells are left out. A row with any cell that does not convert gives its errors and no record.
 */
export function buildRecord(
  columns: readonly MappedColumn[],
  cells: readonly Cell[],
): { record: Record<string, unknown> } | { errors: CellError[] } {
  const record: Record<string, unknown> = {};
  const errors: CellError[] = [];
  for (const column of columns) {
    const converted = convertCell(column.def.value, cells[column.index] ?? null);
    if (converted === null) continue;
    if ('error' in converted) errors.push({ column: column.header, message: converted.error });
    else setPath(record, column.def.field, converted.value);
  }
  return errors.length > 0 ? { errors } : { record };
}

/** Sets `value` at `path` (`a.b`, `a.list[0].c`), creating the objects and arrays on the way. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const steps = path.split(/\.|(?=\[)/).map((step) => (/^\[\d+\]$/.test(step) ? Number(step.slice(1, -1)) : step));
  let node: any = target;
  steps.forEach((step, i) => {
    if (i === steps.length - 1) {
      node[step] = value;
      return;
    }
    if (node[step] === undefined) node[step] = typeof steps[i + 1] === 'number' ? [] : {};
    node = node[step];
  });
}
