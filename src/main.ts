import './runtime-defaults';
import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { Role } from './auth/viewer';
import { loadSigningKey, signToken } from './auth/tokens';
import { Config, ConfigError, loadConfig } from './config';
import { Database, openDatabase, withStartupLock } from './db/database';
import { seedDemoCity } from './demo/demo-city';
import { OverdueSweeper } from './incidents/overdue-sweeper';
import { Region } from './regions/region.entity';
import { buildGridhubSchema } from './schema';
import { RunningServer, startServer } from './server/server';
import { describeError } from './shared/log-safe';

const log = (line: string) => console.log(`gridhub: ${line}`);

const EXAMPLE_QUERY = `{ regions(parentCode: "1503") { code name }
  people(filter: { regionCode: "150302" }, first: 3) { totalCount edges { node { name gender grid { name } } } } }`;

/**
 * Starts gridhub: configuration, database (embedded unless DATABASE_URL), migrations, demo city on first start,
 * then the HTTP and WebSocket server. SIGINT/SIGTERM drain and stop everything, the embedded database included.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`gridhub: configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }

  // Signals are handled from the very start, so an early Ctrl-C still stops the embedded database cleanly.
  let stopRequested: string | null = null;
  let firstSignalAt = 0;
  let wake: () => void = () => undefined;
  const onSignal = (signal: string) => {
    if (stopRequested) {
      // Ctrl-C under `npm start` reaches the hub twice (from the terminal and forwarded by npm): only a signal
      // that comes later, while a stop hangs, forces the exit.
      if (Date.now() - firstSignalAt < 2000) return;
      log(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopRequested = signal;
    firstSignalAt = Date.now();
    log(`${signal}: stopping`);
    wake();
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  log(config.databaseUrl ? 'using the database at DATABASE_URL' : `starting embedded PostgreSQL in ${config.dataDir}`);
  let database: Database;
  try {
    database = await openDatabase(config, log, () => stopRequested !== null);
  } catch (error) {
    if (stopRequested) {
      log(`stopped before start-up finished (${describeError(error)})`);
      process.exit(0);
    }
    console.error(`gridhub: failed to start: ${describeError(error)}`);
    process.exit(1);
  }
  let server: RunningServer | null = null;
  let sweeper: OverdueSweeper | null = null;
  try {
    if (config.demoSeed && !stopRequested) {
      const cancelled = () => stopRequested !== null;
      await withStartupLock(database.url, () => seedIfEmpty(database, config, cancelled), cancelled);
    }
    if (!stopRequested) {
      const key = await loadSigningKey(config.jwtSecret, config.dataDir);
      server = await startServer({
        orm: database.orm,
        schema: await buildGridhubSchema(),
        key,
        port: config.port,
        development: config.development,
        introspection: config.introspection,
        limits: config.limits,
        priorities: config.priorities,
        workflow: config.workflow,
        callAcknowledgeMinutes: config.callAcknowledgeMinutes,
        live: config.live,
        corsOrigins: config.corsOrigins,
        log: (line) => console.error(`gridhub: ${line}`),
      });
      if (config.sweepIntervalMs > 0) {
        sweeper = new OverdueSweeper(database.orm, { intervalMs: config.sweepIntervalMs, log: (line) => console.error(`gridhub: ${line}`) });
        sweeper.start();
      }
      await printBanner(server.url, key, database.embedded !== null);
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (stopRequested) resolve();
      });
    }
  } catch (error) {
    if (!stopRequested) {
      console.error(`gridhub: failed to start: ${describeError(error)}`);
      await sweeper?.stop().catch(() => undefined);
      await server?.close().catch(() => undefined);
      await database.close().catch(() => undefined);
      process.exit(1);
    }
    log(`stopped before start-up finished (${describeError(error)})`);
  }
  try {
    await sweeper?.stop();
    await server?.close();
    await database.close();
    log('stopped');
    process.exit(0);
  } catch (error) {
    console.error(`gridhub: error while stopping: ${describeError(error)}`);
    process.exit(1);
  }
}

async function printBanner(url: string, key: Uint8Array, embedded: boolean): Promise<void> {
  const token = await signToken(key, { sub: 'local-admin', roles: [Role.ADMIN] }, '24h');
  console.log(
    [
      '',
      `gridhub is ready at ${url}  (WebSocket graphql-transport-ws on the same URL)`,
      `Explorer for a browser: ${new URL('/', url)}  (paste a token into it)`,
      '',
      'Admin token (24 h; more with `npm run token -- --role ANALYST --region 150302`):',
      token,
      '',
      'Try:',
      `  curl -s ${url} -H 'content-type: application/json' -H "authorization: Bearer <token>" \\`,
      `    -d '${JSON.stringify({ query: EXAMPLE_QUERY })}'`,
      '',
      'Ctrl-C stops the hub' + (embedded ? ' and its embedded database.' : '.'),
    ].join('\n'),
  );
}

/** Loads the demo city into an empty database; `cancelled()` turning true aborts it (nothing is kept). */
async function seedIfEmpty(database: Database, config: Config, cancelled: () => boolean): Promise<void> {
  await database.maintenance((orm) => seedEmpty(orm, config, cancelled));
}

async function seedEmpty(orm: MikroORM, config: Config, cancelled: () => boolean): Promise<void> {
  const scale = config.demoScale;
  if ((await orm.em.fork().count(Region, {})) > 0) return;
  log(`loading the demo city (乌海市, scale ${scale}) into the empty database; GRIDHUB_DEMO_SEED=0 skips this`);
  let shown = '';
  const summary = await seedDemoCity(orm, {
    scale,
    priorities: config.priorities,
    workflow: config.workflow,
    onProgress: ({ phase, done, total }) => {
      if (cancelled()) throw new Error('the demo city load was cancelled; nothing was kept');
      const quarter = total > 0 ? Math.floor((done / total) * 4) * 25 : 100;
      if (`${phase}:${quarter}` === shown) return;
      shown = `${phase}:${quarter}`;
      log(`  ${phase}: ${done.toLocaleString('en')}/${total.toLocaleString('en')} (${quarter}%)`);
    },
  });
  log(`demo city loaded in ${(summary.elapsedMs / 1000).toFixed(1)} s`);
}

main().catch((error) => {
  console.error(`gridhub: failed to start: ${describeError(error)}`);
  process.exit(1);
});
