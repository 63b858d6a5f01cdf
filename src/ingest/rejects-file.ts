import { once } from 'node:events';
import { createWriteStream, WriteStream } from 'node:fs';
import path from 'node:path';
import { Cell, cellText } from './cell-values';

/*
 * The rejects file of an import: the rows that were not stored, as they were in the input, with their row number
 * and why — a CSV in UTF-8 with a byte-order mark, so that Excel opens it with its Chinese intact. Fixed, it can be
 * imported again: the two added columns are ignored by the header map.
 */

/** The columns put in front of the input's own. */
export const ROW_NUMBER_HEADER = '行号';
export const REASON_HEADER = '错误原因';

/** Where the rejects of `input` go: next to it, `<name without extension>.rejected.csv`. */
export function rejectsPath(input: string): string {
  const { dir, name } = path.parse(input);
  return path.join(dir, `${name}.rejected.csv`);
}

/** One CSV cell: quoted when it holds a comma, quote or line break, or starts or ends with a space. */
export function csvQuote(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * One cell of the rejects file. A long run of digits (an ID number, a grid code) gets a leading tab, which makes
 * Excel keep it as text instead of rounding it to 15 digits; the import trims it off again.
 */
export function csvCell(text: string): string {
  return csvQuote(/^\d{12,}$/.test(text) ? `\t${text}` : text);
}

/** Writes rejected rows as they come, with back-pressure; the file is created with the first row. */
export class RejectsFile {
  private stream: WriteStream | null = null;
  private failure: Error | null = null;
  /** Rows written so far. */
  count = 0;

  constructor(
    readonly file: string,
    private readonly headers: readonly string[],
  ) {}

  /** Appends one rejected row: its number in the input, the reasons, and its cells under the input's columns. */
  async add(rowNumber: number, reasons: string, cells: readonly Cell[]): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.stream) {
      this.stream = createWriteStream(this.file);
      this.stream.on('error', (error) => (this.failure = error));
      this.write(`\uFEFF${[ROW_NUMBER_HEADER, REASON_HEADER, ...this.headers].map(csvCell).join(',')}\r\n`);
    }
    const own = this.headers.map((_, i) => cellText(cells[i] ?? null));
    const drained = this.write(`${[String(rowNumber), reasons, ...own].map(csvCell).join(',')}\r\n`);
    this.count++;
    if (!drained) await once(this.stream, 'drain');
    if (this.failure) throw this.failure;
  }

  private write(line: string): boolean {
    return this.stream!.write(line);
  }

  /** Finishes the file (when any row was written). */
  async close(): Promise<void> {
    if (!this.stream) return;
    const stream = this.stream;
    await new Promise<void>((resolve, reject) => {
      stream.end((error?: Error | null) => (error ? reject(error) : resolve()));
    });
    if (this.failure) throw this.failure;
  }
}
