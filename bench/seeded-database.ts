import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { EmbeddedDatabase, startEmbeddedDatabase } from '../src/db/embedded';

/*
 * An embedded PostgreSQL holding the demo city at a given scale, kept between benchmark runs: seeding 1,000,000
 * people takes ~25 minutes, measuring a few queries on them a few minutes. The cluster lives in
 * `<root>/scale-<S>/`; a marker file written once the seed command has finished says the directory is complete.
 * A directory without it (a seed that was interrupted or failed) is removed and seeded again.
 */

/** What the marker of a finished seed records. */
export interface SeedMarker {
  scale: string;
  /** When the seed finished, ISO. */
  finishedAt: string;
  seconds: number;
  /** `git describe --always --dirty` of the code that seeded it (later migrations are applied by the hub on start). */
  commit: string;
  /** The seed command's report (counts per table, elapsed, rate). */
  report: string;
}

export interface SeededDatabase {
  database: EmbeddedDatabase;
  /** The cluster's directory (holding `postgres/` and the marker). */
  dir: string;
  marker: SeedMarker;
  /** Whether this run seeded it (false: reused). */
  seededNow: boolean;
  /** PID of the PostgreSQL postmaster, for its CPU time. */
  postmasterPid: number;
}

const MARKER = 'seeded.json';

/**
 * Starts the embedded PostgreSQL under `<root>/scale-<scale>/`, seeding it first with the seed command
 * (`dist/src/cli/seed.js --scale <scale>`, its progress passed through to stderr) unless a finished seed of that
 * scale is there. `log` receives what happens.
 * @throws Error when the seed command fails (the half-seeded directory is removed).
 */
export async function seededDatabase(root: string, scale: string, log: (line: string) => void): Promise<SeededDatabase> {
  const dir = path.join(root, `scale-${scale}`);
  const markerPath = path.join(dir, MARKER);
  const ownedRoot = path.dirname(root);
  let marker: SeedMarker | null = null;
  try {
    marker = JSON.parse(fs.readFileSync(markerPath, 'utf8')) as SeedMarker;
    if (marker.scale !== scale) marker = null;
  } catch {
    marker = null;
  }
  if (!marker && fs.existsSync(dir)) {
    const running = runningPostmaster(dir);
    // A seed still under way (another run of this benchmark) is not half-seeded: leave it alone.
    if (running) throw new Error(`${dir} is being seeded or used by another process (PostgreSQL pid ${running}); wait for it to finish`);
    log(`${dir} holds no finished seed of scale ${scale}: removing it`);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  fs.mkdirSync(dir, { recursive: true });
  const database = await startEmbeddedDatabase({ dir: path.join(dir, 'postgres'), ownedRoot, log });
  const postmasterPid = () => Number(fs.readFileSync(path.join(dir, 'postgres', 'cluster', 'postmaster.pid'), 'utf8').split('\n')[0]);
  if (marker) {
    log(`reusing the demo city at scale ${scale} in ${dir} (seeded ${marker.finishedAt} by ${marker.commit} in ${marker.seconds.toFixed(0)} s)`);
    return { database, dir, marker, seededNow: false, postmasterPid: postmasterPid() };
  }
  log(`seeding the demo city at scale ${scale} into ${dir} (scale 20 took about 30 minutes on this 2-core machine)`);
  const started = performance.now();
  try {
    const report = await runSeed(database.url, path.join(dir, 'hub'), scale);
    const seconds = (performance.now() - started) / 1000;
    marker = { scale, finishedAt: new Date().toISOString(), seconds, commit: gitCommit(), report };
    fs.writeFileSync(markerPath, `${JSON.stringify(marker, null, 2)}\n`);
    log(`seeded in ${seconds.toFixed(0)} s:\n${report}`);
    return { database, dir, marker, seededNow: true, postmasterPid: postmasterPid() };
  } catch (error) {
    await database.stop().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Runs the seed command against `databaseUrl`; resolves with its report (stdout), progress going to our stderr. */
function runSeed(databaseUrl: string, dataDir: string, scale: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.resolve(__dirname, '..', 'src', 'cli', 'seed.js'), '--scale', scale], {
      env: { ...process.env, DATABASE_URL: databaseUrl, GRIDHUB_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let report = '';
    child.stdout!.on('data', (chunk) => (report += chunk));
    // Our own Ctrl-C reaches the seed command too (same process group): it rolls back and exits 130.
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve(report.trim());
      else reject(new Error(`the seed command failed (${signal ?? `exit ${code}`})`));
    });
  });
}

/** The PID of a PostgreSQL still running on the cluster under `dir`, or null. */
function runningPostmaster(dir: string): number | null {
  try {
    const pid = Number(fs.readFileSync(path.join(dir, 'postgres', 'cluster', 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], { cwd: path.resolve(__dirname, '..', '..'), encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}
