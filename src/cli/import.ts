import '../runtime-defaults';
import 'reflect-metadata';
import { startCli } from './cli-start';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { Role, Viewer } from '../auth/viewer';
import { Database, openDatabase } from '../db/database';
import { FileFormatError, TEXT_ENCODINGS, TextEncoding } from '../ingest/file-rows';
import {
  FileImportFailed,
  FileImportProgress,
  FileImportSummary,
  HeaderError,
  MAX_BATCH,
  PreparedImport,
  prepareImport,
} from '../ingest/file-import';
import { parseMapJson, parseMapOption } from '../ingest/header-map';
import { IngestionService, IngestKind } from '../ingest/ingestion.service';
import { describeError } from '../shared/log-safe';
import { SourceSystem } from '../sources/source-system';

const USAGE = `Imports a department's spreadsheet of people, places, things or incidents into the configured database:
DATABASE_URL, or the embedded PostgreSQL under GRIDHUB_DATA_DIR (default ./.data), exactly as the server would use.

  npm run import -- --source SYSTEM --kind KIND [options] FILE

  FILE        a .csv (UTF-8 with or without BOM, or GB18030/GBK as Excel on Chinese Windows saves it) or an .xlsx
              workbook; its first row names the columns (src/ingest/header-map.ts lists the headers understood)
  --source    the system the records come from:
              ${Object.values(SourceSystem).join(', ')}
  --kind      ${Object.values(IngestKind).join(', ')}
  --encoding  CSV only: ${TEXT_ENCODINGS.join(', ')} (default: UTF-8 when the file starts with a BOM or its first
              64 KB are valid UTF-8, else GB18030)
  --sheet     .xlsx only: the worksheet to read (default: the first visible one)
  --batch     records sent at once, 1 to ${MAX_BATCH} (default ${MAX_BATCH})
  --map       extra or overriding header mappings: 'COLUMN=field,COLUMN2=socialSecurity.employer' ('COLUMN=' ignores
              a column), or a .json file of {"COLUMN": "field"}; may be repeated
  --help      print this text

Rows that cannot be stored (a cell that does not convert, or what gridhub rejects) are written with their row
number and the reasons to <FILE without extension>.rejected.csv next to FILE. Exit status: 0 when the whole file
was read (rejected rows or not), 1 on failure, 2 on a usage error, 130 when stopped by a signal.`;

class UsageError extends Error {}

interface Options {
  file: string;
  source: SourceSystem;
  kind: IngestKind;
  encoding?: TextEncoding;
  sheet?: string;
  batchSize: number;
  overrides: Map<string, string | null>;
}

function parseOptions(argv: string[]): Options | null {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        source: { type: 'string' },
        kind: { type: 'string' },
        encoding: { type: 'string' },
        sheet: { type: 'string' },
        batch: { type: 'string' },
        map: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return null;

  const source = values.source?.trim().toUpperCase();
  if (!source) throw new UsageError('--source is required');
  if (!(Object.values(SourceSystem) as string[]).includes(source)) {
    throw new UsageError(`--source must be one of ${Object.values(SourceSystem).join(', ')}, got "${values.source}"`);
  }
  const kind = values.kind?.trim().toLowerCase();
  if (!kind) throw new UsageError('--kind is required');
  if (!(Object.values(IngestKind) as string[]).includes(kind)) {
    throw new UsageError(`--kind must be one of ${Object.values(IngestKind).join(', ')}, got "${values.kind}"`);
  }
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? 'FILE is required' : `one FILE at a time, got ${positionals.length}`);
  }
  const file = positionals[0];
  const extension = path.extname(file).toLowerCase();
  if (extension !== '.csv' && extension !== '.xlsx') {
    throw new UsageError(`FILE must be a .csv or .xlsx file, got "${path.basename(file)}"`);
  }
  if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`FILE: no such file: ${file}`);

  let encoding: TextEncoding | undefined;
  if (values.encoding !== undefined) {
    const raw = values.encoding.trim().toLowerCase().replace(/^utf-8$/, 'utf8');
    if (!(TEXT_ENCODINGS as string[]).includes(raw)) {
      throw new UsageError(`--encoding must be one of ${TEXT_ENCODINGS.join(', ')}, got "${values.encoding}"`);
    }
    if (extension !== '.csv') throw new UsageError('--encoding applies to .csv files only (a workbook has its own)');
    encoding = raw as TextEncoding;
  }
  if (values.sheet !== undefined && extension !== '.xlsx') throw new UsageError('--sheet applies to .xlsx files only');

  let batchSize = MAX_BATCH;
  if (values.batch !== undefined) {
    const raw = values.batch.trim();
    batchSize = Number(raw);
    if (!/^\d+$/.test(raw) || batchSize < 1 || batchSize > MAX_BATCH) {
      throw new UsageError(`--batch must be a whole number from 1 to ${MAX_BATCH}, got "${values.batch}"`);
    }
  }

  const overrides = new Map<string, string | null>();
  for (const entry of values.map ?? []) {
    try {
      const parsedMap =
        !entry.includes('=') && entry.trim().toLowerCase().endsWith('.json')
          ? parseMapJson(readFileSync(entry.trim(), 'utf8'))
          : parseMapOption(entry);
      for (const [column, field] of parsedMap) overrides.set(column, field);
    } catch (error) {
      throw new UsageError(`--map ${entry}: ${(error as Error).message}`);
    }
  }
  return { file, source: source as SourceSystem, kind: kind as IngestKind, encoding, sheet: values.sheet, batchSize, overrides };
}

const number = (value: number) => value.toLocaleString('en-US');

/** Seconds as "42 s" or "3 min 20 s"; "?" while unknown. */
function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const whole = Math.round(seconds);
  return whole < 60 ? `${whole} s` : `${Math.floor(whole / 60)} min ${whole % 60} s`;
}

/**
 * Progress on stderr: a cli-progress bar on a terminal (rows, rate, and the share of the file — of a workbook's
 * worksheet — read, with the time left), otherwise a plain line every 5 seconds.
 */
function progressDisplay(): { start(): void; update(progress: FileImportProgress): void; stop(): void } {
  const tty = process.stderr.isTTY === true;
  let started = 0;
  let latest: FileImportProgress | null = null;
  let bar: cliProgress.SingleBar | null = null;
  let timer: NodeJS.Timeout | null = null;
  // Rate and time left over the whole run so far: batches arrive in bursts, so a short window would jump about.
  const figures = (progress: FileImportProgress) => {
    const seconds = (performance.now() - started) / 1000;
    const fraction = progress.totalBytes > 0 ? Math.min(progress.bytesRead / progress.totalBytes, 1) : 0;
    const left = fraction >= 1 ? 0 : fraction > 0 ? (seconds / fraction) * (1 - fraction) : Infinity;
    return {
      rows: number(progress.rows),
      speed: number(seconds > 0 ? Math.round(progress.rows / seconds) : 0),
      share: Math.floor(fraction * 100),
      left: duration(left),
    };
  };
  return {
    start() {
      started = performance.now();
      if (!tty) {
        timer = setInterval(() => {
          if (!latest) return;
          const { rows, speed, share, left } = figures(latest);
          process.stderr.write(`import: ${rows} rows, ${speed} rows/s, ${share}% of the file read, about ${left} left\n`);
        }, 5000);
        timer.unref();
      }
    },
    update(progress) {
      latest = progress;
      if (!tty) return;
      const payload = figures(progress);
      if (!bar) {
        bar = new cliProgress.SingleBar(
          {
            stream: process.stderr,
            format: 'import |{bar}| {percentage}% | {rows} rows | {speed} rows/s | about {left} left',
            hideCursor: true,
            fps: 5,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(Math.max(progress.totalBytes, 1), progress.bytesRead, payload);
      } else {
        bar.update(progress.bytesRead, payload);
      }
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
      bar?.stop();
      bar = null;
    },
  };
}

/** The closing report on stdout. */
function report(options: Options, summary: FileImportSummary): string {
  const seconds = summary.elapsedMs / 1000;
  const fromService = summary.rejected - summary.rejectedLocally;
  const rows: [string, number, string?][] = [
    ['rows', summary.rows],
    ['created', summary.created],
    ['updated', summary.updated],
    ['unchanged', summary.unchanged],
    ['stale', summary.stale],
    ['rejected', summary.rejected, summary.rejected > 0 ? `(${number(summary.rejectedLocally)} in the file, ${number(fromService)} by gridhub)` : undefined],
  ];
  return [
    `import of ${path.basename(options.file)} as ${options.source} ${options.kind}${summary.stopped ? ' (stopped)' : ''}:`,
    ...rows.map(([label, count, note]) => `  ${label.padEnd(11)}${number(count).padStart(10)}${note ? `  ${note}` : ''}`),
    `elapsed ${seconds.toFixed(1)} s, ${number(Math.round(summary.rows / Math.max(seconds, 0.001)))} rows/s`,
    summary.rejectsFile ? `rejected rows and why: ${summary.rejectsFile}` : 'no row was rejected',
  ].join('\n');
}

async function main(): Promise<number> {
  const started = startCli('import', USAGE, parseOptions);
  if (typeof started === 'number') return started;
  const { options, config } = started;

  const log = (line: string) => process.stderr.write(`import: ${line}\n`);
  // A signal lets the batch being sent finish (each batch is stored or not as a whole) and sends no more.
  let interrupted: string | null = null;
  let interruptedAt = 0;
  const onSignal = (signal: string) => {
    // Under `npm run`, one Ctrl-C arrives twice (terminal and npm): only a later one forces the exit.
    if (interrupted) {
      if (Date.now() - interruptedAt > 2000) process.exit(130);
      return;
    }
    interrupted = signal;
    interruptedAt = Date.now();
    process.stderr.write(`\nimport: ${signal}: stopping after the batch being sent (batches sent are kept)\n`);
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  // The header is checked before the database is opened: a file that cannot be imported sends nothing.
  let prepared: PreparedImport;
  try {
    prepared = await prepareImport(options);
  } catch (error) {
    if (error instanceof HeaderError) {
      console.error(`import: ${path.basename(options.file)} cannot be imported as ${options.kind}; nothing was sent:`);
      for (const problem of error.problems) console.error(`  - ${problem}`);
      return 1;
    }
    console.error(`import: ${error instanceof FileFormatError ? error.message : describeError(error)}`);
    return 1;
  }
  log(`reading ${path.basename(options.file)}: ${prepared.describe()}`);
  for (const warning of prepared.mapping.warnings) log(`warning: ${warning}`);
  if (prepared.mapping.unknown.length > 0) {
    log(`warning: ignoring columns the ${options.kind} header map does not know: ${prepared.mapping.unknown.join(', ')} ` +
      '(give --map COLUMN=field to import one)');
  }
  if (prepared.empty) {
    prepared.close();
    log('the file has a header and no rows: nothing to send');
    return 0;
  }

  log(config.databaseUrl ? 'using the database at DATABASE_URL' : `using the embedded PostgreSQL in ${config.dataDir}`);
  let database: Database | null = null;
  const display = progressDisplay();
  try {
    database = await openDatabase(config, log, () => interrupted !== null);
    if (interrupted) {
      prepared.close();
      return 130;
    }
    const viewer = new Viewer(`import-cli:${path.basename(options.file)}`, new Set([Role.ADMIN]), null, null);
    const service = new IngestionService(database.orm, viewer, { maxBatch: MAX_BATCH, priorities: config.priorities });
    const { kind, source } = options;
    display.start();
    const summary = await prepared.run((records) => service.ingest(kind, source, records), {
      onProgress: (progress) => display.update(progress),
      shouldStop: () => interrupted !== null,
    });
    display.stop();
    console.log(report(options, summary));
    if (summary.stopped) {
      console.error(`import: stopped by ${interrupted}: rows after row ${summary.lastRow} were not sent`);
      return 130;
    }
    return 0;
  } catch (error) {
    display.stop();
    prepared.close();
    if (error instanceof FileImportFailed) {
      console.log(report(options, error.summary));
      const cause = error.cause instanceof FileFormatError ? error.cause.message : describeError(error.cause);
      const where = error.summary.lastRow > 0
        ? `after row ${error.summary.lastRow} (the rows up to it were sent, none after)`
        : 'before any row was sent';
      console.error(`import: failed ${where}: ${cause}`);
      return 1;
    }
    console.error(`import: ${describeError(error)}`);
    return 1;
  } finally {
    await database?.close().catch((error) => console.error(`import: closing the database: ${describeError(error)}`));
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`import: ${describeError(error)}`);
    process.exit(1);
  },
);
