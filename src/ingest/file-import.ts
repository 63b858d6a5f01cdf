import { rm } from 'node:fs/promises';
import path from 'node:path';
import { RecordOutcome } from '../shared/outcome';
import { SourceSystem } from '../sources/source-system';
import { buildRecord, Cell, cellText } from './cell-values';
import { FileFormatError, FileRow, openCsv, openXlsx, RowSource, TextEncoding } from './file-rows';
import { HeaderMapping, mapHeaders } from './header-map';
import { IngestReport } from './ingest.types';
import { IngestKind } from './ingestion.service';
import { RejectsFile, rejectsPath } from './rejects-file';

/*
 * A file import, apart from any database: the header is read and checked first (so that a file that cannot be
 * imported sends nothing), then the rows are converted and sent in batches to whatever `ingest` is given, one
 * batch at a time; rows rejected here or by the service go to the rejects file next to the input.
 */

/** The largest batch the import sends at once. */
export const MAX_BATCH = 1000;

export interface FileImportOptions {
  file: string;
  kind: IngestKind;
  source: SourceSystem;
  /** CSV only: the text encoding; detected when left out. */
  encoding?: TextEncoding;
  /** .xlsx only: the worksheet; the first visible one when left out. */
  sheet?: string;
  /** Records per call of `ingest`, 1 to {@link MAX_BATCH}. */
  batchSize: number;
  /** `--map`: column header → field path, or null to ignore the column. */
  overrides?: ReadonlyMap<string, string | null>;
}

/** The header cannot be imported: nothing was sent. Each problem is a sentence for the user. */
export class HeaderError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

/** An import failed part-way: `cause` is what went wrong, `summary` what was done before (those batches stay). */
export class FileImportFailed extends Error {
  constructor(
    override readonly cause: unknown,
    readonly summary: FileImportSummary,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** Where an import stands, for a progress display. */
export interface FileImportProgress {
  /** Data rows read (blank rows aside). */
  rows: number;
  bytesRead: number;
  totalBytes: number;
}

/** What an import did. */
export interface FileImportSummary {
  /** Data rows sent or rejected (blank rows aside). */
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  stale: number;
  /** Rejected in all: here (a cell that did not convert) and by the service. */
  rejected: number;
  /** Of those, rejected here without being sent. */
  rejectedLocally: number;
  /** The rejects file, when any row was rejected. */
  rejectsFile: string | null;
  /** The import stopped early on request: rows after `lastRow` were not sent. */
  stopped: boolean;
  /** The file row number of the last row sent or rejected (0: none). */
  lastRow: number;
  elapsedMs: number;
}

/** Sends one batch of records; one result per record, in order (IngestionService.ingest). */
export type IngestBatch = (records: readonly unknown[]) => Promise<IngestReport>;

export interface FileImportHooks {
  /** Called as rows are read and batches sent; must not throw. */
  onProgress?(progress: FileImportProgress): void;
  /** Asked before each batch is sent: true stops the import there (what was sent stays). */
  shouldStop?(): boolean;
}

/** An import whose header has been read and found importable. */
export interface PreparedImport {
  /** The header row as written. */
  headers: string[];
  mapping: HeaderMapping;
  /** What is being read: encoding or worksheet. */
  describe(): string;
  /** True when the file has no data row after the header. */
  empty: boolean;
  /** Reads the rest of the file and sends it. Call once. */
  run(ingest: IngestBatch, hooks?: FileImportHooks): Promise<FileImportSummary>;
  /** Releases the file (also after `run`). */
  close(): void;
}

/**
 * Opens `options.file` (.csv or .xlsx), reads its header row and maps it.
 * @throws FileFormatError when the file cannot be read, HeaderError when its header cannot be imported.
 *   `run` throws FileImportFailed when reading or sending fails part-way.
 */
export async function prepareImport(options: FileImportOptions): Promise<PreparedImport> {
  const extension = path.extname(options.file).toLowerCase();
  const source: RowSource =
    extension === '.xlsx' ? await openXlsx(options.file, options.sheet) : await openCsv(options.file, options.encoding);
  try {
    const header = await source.rows.next();
    if (header.done) throw new FileFormatError('the file is empty: the first row must name the columns');
    const headers = header.value.cells.map((cell) => cellText(cell).trim());
    const mapping = mapHeaders(options.kind, options.source, headers, options.overrides);
    if (mapping.problems.length > 0) throw new HeaderError(mapping.problems);
    const first = await source.rows.next();
    const firstRow = first.done ? null : first.value;
    return {
      headers,
      mapping,
      describe: () => source.describe(),
      empty: firstRow === null,
      run: (ingest, hooks) => runImport(options, source, headers, mapping, firstRow, ingest, hooks ?? {}),
      close: () => source.close(),
    };
  } catch (error) {
    source.close();
    throw error;
  }
}

/** Rejection reasons as one cell: `field: message; …`. */
function reasons(errors: readonly { field: string; message: string }[]): string {
  return errors.map((error) => `${error.field}: ${error.message}`).join('; ');
}

async function runImport(
  options: FileImportOptions,
  source: RowSource,
  headers: string[],
  mapping: HeaderMapping,
  firstRow: FileRow | null,
  ingest: IngestBatch,
  hooks: FileImportHooks,
): Promise<FileImportSummary> {
  const started = performance.now();
  const batchSize = Math.min(Math.max(1, Math.floor(options.batchSize)), MAX_BATCH);
  const rejectsFile = rejectsPath(options.file);
  // A rejects file left by an earlier run of the same file would mix with this run's.
  await rm(rejectsFile, { force: true });
  const rejects = new RejectsFile(rejectsFile, headers);
  // The service names contract paths (`civilAffairs.allowances.0.type`): shown as the column they came from.
  const columnOf = new Map(mapping.columns.map((column) => [dotted(column.def.field), column.header]));
  const summary: FileImportSummary = {
    rows: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    stale: 0,
    rejected: 0,
    rejectedLocally: 0,
    rejectsFile: null,
    stopped: false,
    lastRow: 0,
    elapsedMs: 0,
  };
  let read = 0;
  const progress = () =>
    hooks.onProgress?.({
      rows: read,
      bytesRead: source.bytesRead(),
      totalBytes: source.totalBytes,
    });

  // A batch is up to `batchSize` rows in file order; those that converted are sent, and the rejects file gets
  // the batch's rejected rows in order once the service has answered.
  let batch: { row: FileRow; record?: Record<string, unknown>; reasons?: string }[] = [];
  const send = async () => {
    if (batch.length === 0) return;
    const entries = batch;
    batch = [];
    const sent = entries.filter((entry) => entry.record !== undefined);
    const results = new Map<FileRow, string>();
    if (sent.length > 0) {
      const report = await ingest(sent.map((entry) => entry.record));
      if (!Array.isArray(report.results) || report.results.length !== sent.length) {
        throw new Error(`the ingestion service answered ${report.results?.length ?? 'no'} results for ${sent.length} records`);
      }
      summary.created += report.created;
      summary.updated += report.updated;
      summary.unchanged += report.unchanged;
      summary.stale += report.stale;
      summary.rejected += report.rejected;
      report.results.forEach((result, i) => {
        if (result.outcome !== RecordOutcome.REJECTED) return;
        const errors = result.errors.map((error) => ({ field: columnOf.get(dotted(error.field)) ?? error.field, message: error.message }));
        results.set(sent[i].row, reasons(errors));
      });
    }
    for (const entry of entries) {
      if (entry.reasons !== undefined) {
        summary.rejected++;
        summary.rejectedLocally++;
      }
      const why = entry.reasons ?? results.get(entry.row);
      if (why !== undefined) await rejects.add(entry.row.number, why, entry.row.cells);
    }
    summary.rows += entries.length;
    summary.lastRow = entries[entries.length - 1].row.number;
    progress();
  };

  const width = headers.length;
  const take = async (row: FileRow) => {
    read++;
    const extra = row.cells.slice(width).filter((cell: Cell) => cellText(cell).trim() !== '').length;
    const built = extra > 0
      ? { errors: [{ column: `(column ${width + 1})`, message: `the row has ${row.cells.length} cells, the header ${width}: a comma in an unquoted cell?` }] }
      : buildRecord(mapping.columns, row.cells);
    if ('errors' in built) {
      batch.push({ row, reasons: reasons(built.errors.map((error) => ({ field: error.column, message: error.message }))) });
    } else {
      batch.push({ row, record: built.record });
    }
    if (batch.length >= batchSize) {
      if (hooks.shouldStop?.()) {
        summary.stopped = true;
        return;
      }
      await send();
    } else if (read % 100 === 0) {
      progress();
    }
  };

  try {
    if (firstRow) await take(firstRow);
    while (!summary.stopped) {
      const next = await source.rows.next();
      if (next.done) break;
      await take(next.value);
    }
    if (!summary.stopped) {
      if (hooks.shouldStop?.()) summary.stopped = true;
      else await send();
    }
  } catch (error) {
    throw new FileImportFailed(error, summary);
  } finally {
    source.close();
    await rejects.close().catch(() => undefined);
    summary.rejectsFile = rejects.count > 0 ? rejectsFile : null;
    summary.elapsedMs = performance.now() - started;
  }
  progress();
  return summary;
}

/** A field path with list indexes as dotted steps: `a.list[0].b` → `a.list.0.b`. */
function dotted(field: string): string {
  return field.replace(/\[(\d+)\]/g, '.$1');
}
