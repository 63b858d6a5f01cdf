import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { sleep } from './attack-client';

/** How a benchmark runs its hub: on `databaseUrl`, its files under `dataDir`, the demo city at `scale`. */
export interface BenchHubOptions {
  databaseUrl: string;
  dataDir: string;
  scale: string;
  /** The HS256 secret the benchmark signs its tokens with. */
  secret: string;
  /** Run under `node --cpu-prof` into this directory. */
  profileDir: string | null;
  /** More settings for the hub (e.g. a limit, `GRIDHUB_MAX_CONCURRENT`); the benchmark should print them. */
  env?: Readonly<Record<string, string>>;
}

/** The compiled hub (`dist/src/main.js`) as the benchmarks run it, on a free port; not started yet. */
export function benchHub(options: BenchHubOptions): HubProcess {
  return new HubProcess(
    {
      PORT: '0',
      DATABASE_URL: options.databaseUrl,
      GRIDHUB_DATA_DIR: options.dataDir,
      GRIDHUB_DEMO_SCALE: options.scale,
      GRIDHUB_JWT_SECRET: options.secret,
      ...options.env,
    },
    path.resolve(__dirname, '..', 'src', 'main.js'),
    options.profileDir ? ['--cpu-prof', '--cpu-prof-dir', options.profileDir] : [],
  );
}

/**
 * The hub as a child process (`node <main>`), started as a user would start it, for the benchmarks: waits for its
 * "ready" line, reads its memory from /proc, stops it with SIGTERM (SIGKILL after a grace period).
 */
export class HubProcess {
  child!: ChildProcess;
  url = '';
  private output = '';
  private exit: Promise<string> = Promise.resolve('not started');
  exited: string | null = null;

  constructor(
    private readonly env: Record<string, string>,
    private readonly main: string,
    /** Options for node itself, before `main` (e.g. `--cpu-prof`). */
    private readonly nodeArgs: readonly string[] = [],
  ) {}

  async start(timeoutMs: number): Promise<void> {
    const base = { ...process.env };
    for (const name of ['DATABASE_URL', 'PORT', 'NODE_ENV', 'GRIDHUB_INTROSPECTION']) delete base[name];
    for (const name of Object.keys(base)) if (name.startsWith('GRIDHUB_MAX_') || name === 'GRIDHUB_RATE_LIMITS') delete base[name];
    this.output = '';
    this.exited = null;
    this.child = spawn(process.execPath, [...this.nodeArgs, this.main], { env: { ...base, ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (chunk) => (this.output += chunk));
    this.child.stderr!.on('data', (chunk) => (this.output += chunk));
    this.exit = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => {
        this.exited = signal ?? `exit ${code}`;
        resolve(this.exited);
      }),
    );
    const started = Date.now();
    for (;;) {
      const match = /gridhub is ready at (http:\/\/\S+\/graphql)/.exec(this.output);
      if (match) {
        this.url = match[1].replace('localhost', '127.0.0.1');
        return;
      }
      if (this.exited) throw new Error(`the hub exited (${this.exited}) before it was ready:\n${this.output.slice(-3000)}`);
      if (Date.now() - started > timeoutMs) {
        await this.stop();
        throw new Error(`the hub was not ready within ${timeoutMs / 1000} s:\n${this.output.slice(-3000)}`);
      }
      await sleep(200);
    }
  }

  /** VmRSS and VmHWM of the hub, MB (null once it has exited). */
  memory(): { rss: number; hwm: number } | null {
    try {
      const status = fs.readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
      const read = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024;
      return { rss: read('VmRSS'), hwm: read('VmHWM') };
    } catch {
      return null;
    }
  }

  /** Resets VmHWM so each case reports its own peak (needs the right to write clear_refs; else sampling only). */
  resetPeak(): void {
    try {
      fs.writeFileSync(`/proc/${this.child.pid}/clear_refs`, '5');
    } catch {
      // Sampled VmRSS still gives a peak.
    }
  }

  /** SIGTERM and wait; SIGKILL after `graceMs` (a hub blocked in synchronous work cannot run its handler). */
  async stop(graceMs = 20_000): Promise<string> {
    if (this.exited) return this.exited;
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), graceMs)));
    const result = await Promise.race([this.exit, graceOver]);
    // A pending grace timer would keep the benchmark's process alive after it has finished.
    clearTimeout(timer);
    if (result !== null) return result;
    this.child.kill('SIGKILL');
    return `${await this.exit} (SIGTERM ignored for ${graceMs / 1000} s)`;
  }
}

/**
 * CPU seconds (user + system) a process has used; with `reaped`, also what its exited children used (the
 * PostgreSQL postmaster reaps the backends of closed connections). Null once it has gone.
 */
export function cpuSeconds(pid: number, reaped = false): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may contain spaces: state is field 3, utime 14 … cstime 17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    const ticks = fields[11] + fields[12] + (reaped ? fields[13] + fields[14] : 0);
    return ticks / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** CPU seconds of a PostgreSQL server: the postmaster, what it reaped, and its live children. */
export function postgresCpuSeconds(postmasterPid: number): number {
  let total = cpuSeconds(postmasterPid, true) ?? 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === postmasterPid) total += cpuSeconds(Number(entry)) ?? 0;
    } catch {
      // Exited meanwhile: its time is in the postmaster's reaped time now.
    }
  }
  return total;
}

/** USER_HZ: the unit of /proc/<pid>/stat times (100 on every Linux architecture gridhub runs on). */
const CLOCK_TICKS = 100;
