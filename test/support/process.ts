import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** A `node dist/src/main.js` child with its output collected. */
export interface HubProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the GraphQL URL once the hub prints that it is ready; rejects if it exits first. */
  ready: Promise<string>;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
}

const MAIN = path.resolve(__dirname, '..', '..', 'src', 'main.js');

/** Starts the compiled hub as a user would (`node dist/src/main.js`) with `env` on top of a clean environment. */
export function spawnHub(env: Record<string, string>, options: { ownProcessGroup?: boolean } = {}): HubProcess {
  const base = { ...process.env };
  delete base.DATABASE_URL;
  delete base.PORT;
  delete base.GRIDHUB_JWT_SECRET;
  // As a user runs it: jest sets NODE_ENV=test, which changes libraries' behaviour (Apollo's signal handlers).
  delete base.NODE_ENV;
  const child = spawn(process.execPath, [MAIN], {
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so a test can signal the hub and its PostgreSQL together, as a terminal's Ctrl-C does.
    detached: options.ownProcessGroup ?? false,
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const ready = new Promise<string>((resolve, reject) => {
    const check = () => {
      const match = /gridhub is ready at (http:\/\/\S+\/graphql)/.exec(output);
      if (match) resolve(match[1]);
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    void exited.then((code) => reject(new Error(`hub exited (${code}) before it was ready:\n${output}`)));
  });
  ready.catch(() => undefined);
  return { child, output: () => output, ready, exited };
}

/** The admin token printed at start-up. */
export function printedToken(output: string): string {
  const match = /Admin token[^\n]*\n(\S+)/.exec(output);
  if (!match) throw new Error(`no admin token in output:\n${output}`);
  return match[1];
}

/** Pids of live processes whose command line mentions `needle` (e.g. a data directory). */
export function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const state = fs.readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0];
      if (cmdline.includes(needle) && state !== 'Z') pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** Stops a hub child that is still running (SIGTERM) and waits for it to exit. */
export async function stopHubProcess(hub: HubProcess | null): Promise<void> {
  if (hub && hub.child.exitCode === null) {
    hub.child.kill('SIGTERM');
    await hub.exited;
  }
}
