import '../runtime-defaults';
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { startCli } from './cli-start';
import { Database, openDatabase } from '../db/database';
import {
  DEFAULT_DEMO_SEED,
  DemoProgress,
  nonEmptyDemoTables,
  seedDemoCity,
} from '../demo/demo-city';
import { describeError } from '../shared/log-safe';

const USAGE = `Loads the demo city 乌海市 into the configured database: DATABASE_URL, or the embedded PostgreSQL under
GRIDHUB_DATA_DIR (default ./.data), exactly as the server would use.

  npm run seed -- [--scale N] [--reset] [--seed S]

  --scale  volume multiplier, a number above 0 and at most 1000 (default 1): 1 = 50,000 people, 10,000 places,
           5,000 things and 5,000 incidents; 20 = 1,000,000 people. The ~930 grids do not scale.
  --reset  replace what the database holds (regions, people, places, things, incidents, events, source
           records); in the same transaction as the load, so an interrupted run keeps the old contents
  --seed   random seed, 0 to 4294967295 (default ${DEFAULT_DEMO_SEED}); the same scale and seed give the same data
  --help   print this text

The database must be empty unless --reset is given.`;

class UsageError extends Error {}
/** A refusal worded for the user (no data in it): printed as it is, however long. */
class Refusal extends Error {}

interface Options {
  scale: number;
  seed: number;
  reset: boolean;
}

function parseOptions(argv: string[]): Options | null {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        scale: { type: 'string' },
        seed: { type: 'string' },
        reset: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return null;
  let scale = 1;
  if (values.scale !== undefined) {
    const raw = values.scale.trim();
    scale = Number(raw);
    if (raw === '' || !Number.isFinite(scale) || scale <= 0 || scale > 1000) {
      throw new UsageError(`--scale must be a positive number (at most 1000), got "${values.scale}"`);
    }
  }
  let seed = DEFAULT_DEMO_SEED;
  if (values.seed !== undefined) {
    const raw = values.seed.trim();
    seed = Number(raw);
    if (!/^\d+$/.test(raw) || seed > 0xffffffff) {
      throw new UsageError(`--seed must be a whole number from 0 to 4294967295, got "${values.seed}"`);
    }
  }
  return { scale, seed, reset: values.reset ?? false };
}

/** Progress on stderr: one updating line on a terminal, otherwise a line per phase and per 10%. */
function progressPrinter(): { update(progress: DemoProgress): void; finish(): void } {
  const tty = process.stderr.isTTY === true;
  // The rate counts from the first report, after the database is up and migrated.
  let started = 0;
  let phase = '';
  let shownStep = -1;
  let lastDraw = 0;
  let open = false;
  const format = ({ phase: name, done, total, rows }: DemoProgress) => {
    const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(rows / seconds) : 0;
    return `seed: ${name}: ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} (${percent}%), ` +
      `${rate.toLocaleString('en-US')} rows/s`;
  };
  return {
    update(progress) {
      if (started === 0) started = performance.now();
      const percent = progress.total > 0 ? Math.floor((progress.done / progress.total) * 100) : 100;
      const newPhase = progress.phase !== phase;
      if (tty) {
        const now = performance.now();
        if (!newPhase && progress.done < progress.total && now - lastDraw < 100) return;
        lastDraw = now;
        if (newPhase && open) process.stderr.write('\n');
        process.stderr.write(`\r\x1b[K${format(progress)}`);
        open = true;
      } else {
        const step = Math.floor(percent / 10);
        if (!newPhase && step === shownStep) return;
        shownStep = step;
        process.stderr.write(`${format(progress)}\n`);
      }
      phase = progress.phase;
    },
    finish() {
      if (tty && open) process.stderr.write('\n');
      open = false;
    },
  };
}

async function main(): Promise<number> {
  const started = startCli('seed', USAGE, parseOptions);
  if (typeof started === 'number') return started;
  const { options, config } = started;

  const log = (line: string) => process.stderr.write(`seed: ${line}\n`);
  log(config.databaseUrl ? 'using the database at DATABASE_URL' : `using the embedded PostgreSQL in ${config.dataDir}`);
  let database: Database | null = null;
  // A signal stops the generator at its next progress report, which rolls the whole run back (it is one
  // transaction); a terminal's Ctrl-C may also stop an embedded server directly, which rolls it back as well.
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
    process.stderr.write(`\nseed: ${signal}: stopping and rolling back (nothing is kept)\n`);
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  const printer = progressPrinter();
  const onProgress = (progress: DemoProgress) => {
    if (interrupted) throw new Error(`interrupted by ${interrupted}`);
    printer.update(progress);
  };
  try {
    database = await openDatabase(config, log);
    if (interrupted) return 130;
    const em = database.orm.em.fork();
    const found = await nonEmptyDemoTables(em);
    const tables = Object.keys(found).reverse(); // parents first
    if (tables.length > 0) {
      if (!options.reset) {
        const listed = tables.map((table) => `${table}: ${found[table]! > 1_000_000 ? 'over 1,000,000' : found[table]} rows`);
        throw new Refusal(`the database is not empty (${listed.join(', ')}); add --reset to replace its contents`);
      }
      log(`--reset: replacing ${tables.join(', ')} (kept until the new city is complete)`);
    }
    log(`generating the demo city 乌海市 at scale ${options.scale} (seed ${options.seed})`);
    // On the maintenance pool: the load's statements (a batch of 5,000 records, the ANALYZE at the end) may run
    // longer than the serving pool's statement timeout.
    const summary = await database.maintenance((orm) =>
      seedDemoCity(orm, { scale: options.scale, seed: options.seed, reset: options.reset, priorities: config.priorities, workflow: config.workflow, onProgress }),
    );
    printer.finish();
    const seconds = summary.elapsedMs / 1000;
    const width = Math.max(...Object.keys(summary.counts).map((table) => table.length)) + 2;
    const lines = [
      `demo city 乌海市 loaded: scale ${summary.scale}, seed ${summary.seed}, ${summary.grids} grids, ` +
        `${summary.peopleWithConflicts.toLocaleString('en-US')} people with disagreeing sources`,
      ...Object.entries(summary.counts).map(
        ([table, count]) => `  ${table.padEnd(width)}${count.toLocaleString('en-US').padStart(12)}`,
      ),
      `  ${'total rows'.padEnd(width)}${summary.rows.toLocaleString('en-US').padStart(12)}`,
      `elapsed ${seconds.toFixed(1)} s, ${Math.round(summary.rows / Math.max(seconds, 0.001)).toLocaleString('en-US')} rows/s, ` +
        `peak memory (RSS) ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`,
    ];
    console.log(lines.join('\n'));
    return 0;
  } catch (error) {
    printer.finish();
    if (interrupted) {
      console.error(`seed: stopped by ${interrupted}; nothing was kept`);
      return 130;
    }
    console.error(`seed: ${error instanceof Refusal ? error.message : describeError(error)}`);
    return 1;
  } finally {
    await database?.close().catch((error) => console.error(`seed: closing the database: ${describeError(error)}`));
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`seed: ${describeError(error)}`);
    process.exit(1);
  },
);
