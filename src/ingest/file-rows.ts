import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { pipeline, Readable, Transform, TransformCallback } from 'node:stream';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import WorksheetReader from 'exceljs/lib/stream/xlsx/worksheet-reader';
import iconv from 'iconv-lite';
import { CentralDirectory, CentralDirectoryFile, Open } from 'unzipper';
import { Cell } from './cell-values';

/*
 * Reading the rows of an imported file as a stream: a CSV in UTF-8 or GB18030/GBK, or one worksheet of an .xlsx
 * workbook. Nothing holds more than the rows being read (and a workbook's shared strings); reading pauses while
 * the consumer awaits.
 */

/** Text encodings of a CSV file: what Excel writes as "CSV UTF-8", and as "CSV" on Chinese Windows. */
export type TextEncoding = 'utf8' | 'gbk' | 'gb18030';
export const TEXT_ENCODINGS: readonly TextEncoding[] = ['utf8', 'gbk', 'gb18030'];

/** How much of a CSV file is looked at to tell its encoding. */
export const HEAD_BYTES = 64 * 1024;

/** The file cannot be read as the kind of file it claims to be; the message says why, for the user. */
export class FileFormatError extends Error {}

/**
 * Tells the encoding of a CSV file from its first bytes: a UTF-8 byte-order mark, else UTF-8 when they are valid
 * UTF-8, else GB18030 (a superset of GBK, which Excel on Chinese Windows writes).
 * @param whole the bytes are the whole file (a multi-byte character cut at the end is then invalid)
 * @throws FileFormatError for UTF-16, which Excel writes as "Unicode text" and is not CSV.
 */
export function detectEncoding(head: Uint8Array, whole = false): { encoding: TextEncoding; reason: string } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf8', reason: 'byte-order mark' };
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    throw new FileFormatError('the file is UTF-16 (Excel "Unicode text"): save it from Excel as "CSV UTF-8" instead');
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: !whole });
    return { encoding: 'utf8', reason: 'valid UTF-8' };
  } catch {
    return { encoding: 'gb18030', reason: 'not UTF-8' };
  }
}

/** One row of the file: its number as a spreadsheet shows it (the header is row 1 in a plain file) and its cells. */
export interface FileRow {
  number: number;
  cells: Cell[];
}

/** The rows of a file, read lazily. */
export interface RowSource {
  /** Non-blank rows in order, the header row first. Throws FileFormatError when the file turns out unreadable. */
  rows: AsyncIterableIterator<FileRow>;
  /** Bytes read so far: of the file, or of a workbook's worksheet (uncompressed). */
  bytesRead(): number;
  /** Bytes there are to read: the file's size, or the worksheet's. */
  totalBytes: number;
  /** What is being read, for the log: the encoding and why, or the worksheet (known once reached). */
  describe(): string;
  /** Stops reading and releases the file. */
  close(): void;
}

/** Counts the bytes that pass. */
class ByteCounter extends Transform {
  bytes = 0;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    callback(null, chunk);
  }
}

/** UTF-8 to text that fails on the first invalid byte instead of putting U+FFFD in a name. Drops a BOM. */
class StrictUtf8Decoder extends Transform {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private offset = 0;

  constructor() {
    super({ readableObjectMode: true });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      callback(this.invalid());
      return;
    }
    this.offset += chunk.length;
    callback(null, text === '' ? undefined : text);
  }

  override _flush(callback: TransformCallback): void {
    try {
      const rest = this.decoder.decode();
      callback(null, rest === '' ? undefined : rest);
    } catch {
      callback(this.invalid());
    }
  }

  private invalid(): FileFormatError {
    return new FileFormatError(
      `the file is not valid UTF-8 after byte ${this.offset.toLocaleString('en-US')}: ` +
        'if Excel on Chinese Windows saved it, give --encoding gb18030',
    );
  }
}

/**
 * Opens a CSV file: `encoding` as given, or detected from its first {@link HEAD_BYTES}. Cells are the text as
 * written (quotes resolved); a row is as many cells as it has.
 */
export async function openCsv(file: string, encoding?: TextEncoding): Promise<RowSource> {
  const { size } = await stat(file);
  let chosen: TextEncoding;
  let reason: string;
  if (encoding) {
    chosen = encoding;
    reason = '--encoding';
  } else {
    const handle = await open(file, 'r');
    try {
      const head = Buffer.alloc(Math.min(HEAD_BYTES, size));
      const { bytesRead } = await handle.read(head, 0, head.length, 0);
      ({ encoding: chosen, reason } = detectEncoding(head.subarray(0, bytesRead), bytesRead >= size));
    } finally {
      await handle.close();
    }
  }
  const input = createReadStream(file);
  const counter = new ByteCounter();
  const decoder = chosen === 'utf8' ? new StrictUtf8Decoder() : iconv.decodeStream(chosen, { stripBOM: true });
  const parser = parse({
    relax_column_count: true,
    relax_quotes: true,
    record_delimiter: ['\r\n', '\n', '\r'],
  });
  // Any stage's error ends the parser with it, which is what the rows' iterator throws.
  pipeline(input, counter, decoder, parser, () => undefined);

  async function* rows(): AsyncGenerator<FileRow> {
    let number = 0;
    try {
      for await (const record of parser as AsyncIterable<string[]>) {
        number++;
        if (record.every((cell) => cell.trim() === '')) continue;
        yield { number, cells: record };
      }
    } catch (error) {
      if (error instanceof FileFormatError) throw error;
      // csv-parse's own messages name the line and what is wrong with the quoting.
      throw new FileFormatError(`not a readable CSV file: ${(error as Error).message}`);
    }
  }
  const names: Record<TextEncoding, string> = { utf8: 'UTF-8', gbk: 'GBK', gb18030: 'GB18030' };
  return {
    rows: rows(),
    bytesRead: () => counter.bytes,
    totalBytes: size,
    describe: () => `${names[chosen]} (${reason})`,
    close: () => input.destroy(),
  };
}

/** A workbook cell's value as text, number, boolean or date: formulas give their result, rich text its text. */
export function workbookCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value instanceof Date) {
    return value;
  }
  if (typeof value === 'object') {
    const cell = value as Record<string, unknown>;
    if (Array.isArray(cell.richText)) return cell.richText.map((run: { text?: string }) => run.text ?? '').join('');
    if ('result' in cell) return workbookCell(cell.result);
    if ('formula' in cell || 'sharedFormula' in cell) return null;
    if ('text' in cell) return workbookCell(cell.text);
    if (typeof cell.error === 'string') return cell.error;
  }
  return String(value);
}

/** What the import needs of exceljs's WorkbookReader beyond its declared types (its entry parsers, run here by hand). */
interface WorkbookParts {
  workbookRels?: { Id: string; Target: string }[];
  model?: { sheets?: { id: number; name: string; rId: string; state?: string }[] };
  _parseRels(entry: Readable): Promise<void>;
  _parseWorkbook(entry: Readable): Promise<void>;
  _parseStyles(entry: Readable): Promise<void>;
  _parseSharedStrings(entry: Readable): AsyncGenerator<unknown>;
}

/**
 * Opens an .xlsx workbook and reads the worksheet named `sheet`, or else the first visible one in the workbook's
 * order. Cells keep their types: numbers, booleans, and dates for date-formatted cells.
 *
 * The workbook is read through its zip central directory: the workbook, its relationships, styles and shared
 * strings first (as exceljs's WorkbookReader would, with its own parsers), then the one worksheet, streamed row by
 * row with exceljs's WorksheetReader. exceljs's own streaming pass over the zip is not used: it can lose the
 * archive's last entry — which is xl/workbook.xml in files exceljs writes — and fail on "reading 'sheets'"
 * (exceljs issue #3064), and it decodes each chunk of XML on its own, garbling a Chinese character split between
 * two chunks. Here every entry is decoded as one UTF-8 stream.
 */
export async function openXlsx(file: string, sheet?: string): Promise<RowSource> {
  let directory: CentralDirectory;
  try {
    directory = await Open.file(file);
  } catch (error) {
    throw new FileFormatError(`not a readable .xlsx workbook (an .xls file must be saved as .xlsx first): ${(error as Error).message}`);
  }
  const entry = (name: string) => directory.files.find((f) => f.path === name && f.type === 'File');
  const text = (found: CentralDirectoryFile) => found.stream().setEncoding('utf8');
  const options = { sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', worksheets: 'emit', entries: 'ignore' } as const;
  // Only its parsers and what they keep are used: it never reads `file` itself.
  const parts = new ExcelJS.stream.xlsx.WorkbookReader(file, options) as unknown as WorkbookParts;
  const rels = entry('xl/_rels/workbook.xml.rels');
  const book = entry('xl/workbook.xml');
  if (!rels || !book) throw new FileFormatError('not an .xlsx workbook: it has no xl/workbook.xml');
  try {
    await parts._parseRels(text(rels));
    await parts._parseWorkbook(text(book));
    const styles = entry('xl/styles.xml');
    // Dates are numbers with a date format: without the styles they would read as numbers.
    if (styles) await parts._parseStyles(text(styles));
    const shared = entry('xl/sharedStrings.xml');
    if (shared) for await (const _ of parts._parseSharedStrings(text(shared))) void _;
  } catch (error) {
    throw new FileFormatError(`not a readable .xlsx workbook: ${(error as Error).message}`);
  }

  const sheets = parts.model?.sheets ?? [];
  const chosen = sheet === undefined
    ? sheets.find((s) => s.state !== 'hidden' && s.state !== 'veryHidden')
    : sheets.find((s) => s.name === sheet);
  if (!chosen) {
    throw new FileFormatError(
      sheet === undefined
        ? 'the workbook has no visible worksheet'
        : `the workbook has no worksheet named "${sheet}" (it has ${sheets.map((s) => `"${s.name}"`).join(', ') || 'none'})`,
    );
  }
  const target = parts.workbookRels?.find((rel) => rel.Id === chosen.rId)?.Target ?? '';
  const sheetEntry = entry(target.startsWith('/') ? target.slice(1) : `xl/${target}`);
  if (!sheetEntry) throw new FileFormatError(`the workbook has no data for worksheet "${chosen.name}"`);

  const input = sheetEntry.stream();
  const counter = new ByteCounter();
  input.on('error', (error) => counter.destroy(error));
  input.pipe(counter).setEncoding('utf8');
  const worksheet = new WorksheetReader({ workbook: parts, id: chosen.id, iterator: counter, options });

  async function* rows(): AsyncGenerator<FileRow> {
    try {
      for await (const row of worksheet) {
        const values = row.values as unknown[];
        const cells = Array.from({ length: Math.max(values.length - 1, 0) }, (_, i) => workbookCell(values[i + 1]));
        if (cells.every((cell) => cell === null || (typeof cell === 'string' && cell.trim() === ''))) continue;
        yield { number: row.number, cells };
      }
    } catch (error) {
      throw new FileFormatError(`not a readable .xlsx workbook: ${(error as Error).message}`);
    }
  }
  return {
    rows: rows(),
    bytesRead: () => counter.bytes,
    totalBytes: sheetEntry.uncompressedSize,
    describe: () => `worksheet "${chosen.name}"`,
    close: () => input.destroy(),
  };
}
