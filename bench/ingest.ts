import 'reflect-metadata';
import { ChildProcess, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signToken } from '../src/auth/tokens';
import { Role } from '../src/auth/viewer';
import { EmbeddedDatabase, startEmbeddedDatabase } from '../src/db/embedded';
import { SourceSystem } from '../src/sources/source-system';
import { postGraphQL } from './attack-client';
import { findProfile, summarizeProfile } from './cpu-profile';
import { cpuSeconds, HubProcess, postgresCpuSeconds } from './hub-process';
import { BareResult, ClientCommand, GenerateResult, GraphQLResult } from './ingest-client';
import { csvLines, PEOPLE_SOURCES } from './ingest-data';

/**
 * `npm run bench:ingest [-- --records 200000 --batch 1000 --concurrency 2 --scale 0.02 --import-rows 1000000
 * --profile DIR]`: how fast person records go into the hub, against how fast the database itself takes them.
 *
 * Starts an embedded PostgreSQL in a temporary directory and the hub on it as a user would (`node
 * dist/src/main.js`, DATABASE_URL, a free port, the demo city at --scale so that its ~930 grids are registered).
 * A separate client process makes --records person records (default 200,000) of the four departments that keep
 * people — ~1.9 records per person, valid ID numbers, the grids the hub lists, ~5% of records deviating in phone or
 * address — and sends them as `ingestPeople` calls of --batch records (default 1,000), --concurrency at a time
 * (default 2), each department with its own DEPARTMENT token; every report is tallied (a rejected record is a bug
 * of the generator: the first few are printed). The hub's RSS is sampled meanwhile. Then the same client writes the
 * same batches with one bare `INSERT … SELECT FROM jsonb_to_recordset … ON CONFLICT DO UPDATE` each, into a plain
 * table of the same database, at the same concurrency. Then, when dist/src/cli/import.js exists, it writes a CSV of
 * --import-rows civil affairs people (default 1,000,000; 0 skips) and times the import CLI on the same database.
 *
 * --profile DIR runs the hub under `node --cpu-prof --cpu-prof-dir DIR` and prints the 15 functions with the most
 * self time while the records were ingested (the profiler slows the hub a little). The temporary directory is
 * removed at the end; DIR is kept. Prints figures; asserts nothing.
 */

interface Options {
  records: number;
  batch: number;
  concurrency: number;
  scale: string;
  importRows: number;
  profileDir: string | null;
}

const USAGE = '--records N, --batch N, --concurrency N, --scale S, --import-rows N, --profile DIR';

function parseArgs(argv: string[]): Options {
  const options: Options = { records: 200_000, batch: 1000, concurrency: 2, scale: '0.02', importRows: 1_000_000, profileDir: null };
  const whole = (name: string, value: string | undefined, min: number): number => {
    const n = Number(value);
    if (value === undefined || !/^\d+$/.test(value) || n < min) throw new Error(`${name} needs a whole number of at least ${min}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    switch (argv[i]) {
      case '--records':
        options.records = whole('--records', value, 1);
        break;
      case '--batch':
        options.batch = whole('--batch', value, 1);
        break;
      case '--concurrency':
        options.concurrency = whole('--concurrency', value, 1);
        break;
      case '--scale':
        if (!value) throw new Error('--scale needs a number');
        options.scale = value;
        break;
      case '--import-rows':
        options.importRows = whole('--import-rows', value, 0);
        break;
      case '--profile':
        if (!value) throw new Error('--profile needs a directory');
        options.profileDir = path.resolve(value);
        break;
      default:
        throw new Error(`unknown argument ${argv[i]} (${USAGE})`);
    }
    i++;
  }
  return options;
}

/** The client process: one command at a time, one reply each. */
class ClientProcess {
  readonly child: ChildProcess;
  private pending: { resolve: (value: unknown) => void; reject: (error: Error) => void } | null = null;

  constructor(script: string) {
    this.child = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (message: { ok: boolean; result?: unknown; error?: string }) => {
      const pending = this.pending;
      this.pending = null;
      if (message.ok) pending?.resolve(message.result);
      else pending?.reject(new Error(`the client failed: ${message.error}`));
    });
    this.child.on('exit', (code, signal) => {
      this.pending?.reject(new Error(`the client exited (${signal ?? `exit ${code}`})`));
      this.pending = null;
    });
  }

  call<T>(command: ClientCommand): Promise<T> {
    if (this.pending) throw new Error('one command at a time');
    return new Promise<T>((resolve, reject) => {
      this.pending = { resolve: resolve as (value: unknown) => void, reject };
      this.child.send(command);
    });
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill();
  }
}

/** CPU seconds used so far by the hub, PostgreSQL and the client. */
interface CpuSnapshot {
  hub: number;
  postgres: number;
  client: number;
}

function cpuSnapshot(hubPid: number, postmasterPid: number, clientPid: number): CpuSnapshot {
  return { hub: cpuSeconds(hubPid) ?? 0, postgres: postgresCpuSeconds(postmasterPid), client: cpuSeconds(clientPid) ?? 0 };
}

/** Where the CPU time of a phase went: on a shared machine, steadier than its wall time. */
function cpuLine(before: CpuSnapshot, after: CpuSnapshot, records: number): string {
  const used = (key: keyof CpuSnapshot) => after[key] - before[key];
  const total = used('hub') + used('postgres') + used('client');
  return (
    `  CPU: hub ${used('hub').toFixed(1)} s, PostgreSQL ${used('postgres').toFixed(1)} s, client ${used('client').toFixed(1)} s ` +
    `= ${((total * 1000 * 1000) / records).toFixed(0)} CPU-µs per record`
  );
}

const n = (value: number) => Math.round(value).toLocaleString('en');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mb = (value: number | undefined) => (value === undefined ? '—' : n(value));

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const cpus = os.cpus();
  console.log(
    `bench:ingest: ${n(options.records)} person records in batches of ${n(options.batch)}, concurrency ${options.concurrency}; ` +
      `demo scale ${options.scale}${options.profileDir ? `; hub profiled into ${options.profileDir}` : ''}`,
  );
  console.log(
    `machine: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; ` +
      `load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  );

  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridhub-ingest-'));
  // The embedded PostgreSQL runs as `postgres` when we are root: it must be able to enter the directory.
  fs.chmodSync(tempDir, 0o755);
  if (options.profileDir) fs.mkdirSync(options.profileDir, { recursive: true });
  let database: EmbeddedDatabase | null = null;
  let hub: HubProcess | null = null;
  let client: ClientProcess | null = null;
  try {
    let started = performance.now();
    database = await startEmbeddedDatabase({ dir: path.join(tempDir, 'postgres'), ownedRoot: tempDir });
    const secret = randomBytes(32).toString('hex');
    hub = new HubProcess(
      {
        PORT: '0',
        DATABASE_URL: database.url,
        GRIDHUB_DATA_DIR: path.join(tempDir, 'hub'),
        GRIDHUB_DEMO_SCALE: options.scale,
        GRIDHUB_JWT_SECRET: secret,
      },
      path.resolve(__dirname, '..', 'src', 'main.js'),
      options.profileDir ? ['--cpu-prof', '--cpu-prof-dir', options.profileDir] : [],
    );
    await hub.start(10 * 60_000);
    console.log(`database and hub ready in ${seconds(performance.now() - started)} (hub pid ${hub.child.pid}, ${hub.url})`);

    const key = new TextEncoder().encode(secret);
    const grids = await registeredGrids(hub.url, await signToken(key, { sub: 'bench-admin', roles: [Role.ADMIN] }));
    const tokens: Record<string, string> = {};
    for (const source of PEOPLE_SOURCES) {
      tokens[source] = await signToken(key, { sub: `bench-${source.toLowerCase()}`, roles: [Role.DEPARTMENT], source, region: '1503' });
    }

    client = new ClientProcess(path.join(__dirname, 'ingest-client.js'));
    const generated = await client.call<GenerateResult>({ type: 'generate', records: options.records, batch: options.batch, grids });
    console.log(
      `generated in the client in ${seconds(generated.ms)}: ${n(generated.people)} people in ${n(grids.length)} grids → ` +
        `${n(generated.records)} records (${Object.entries(generated.bySource).map(([s, c]) => `${s} ${n(c)}`).join(', ')}); ` +
        `${n(generated.conflicting)} (${((100 * generated.conflicting) / generated.records).toFixed(1)}%) deviate in phone or address; ` +
        `${n(generated.batches)} batches`,
    );

    const postmasterPid = Number(fs.readFileSync(path.join(tempDir, 'postgres', 'cluster', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const cpu = () => cpuSnapshot(hub!.child.pid!, postmasterPid, client!.child.pid!);

    // GraphQL, with the hub's memory sampled.
    const running = hub;
    let cpuBefore = cpu();
    running.resetPeak();
    const before = running.memory();
    let peak = before?.rss ?? 0;
    const sampler = setInterval(() => (peak = Math.max(peak, running.memory()?.rss ?? 0)), 100);
    let graphql: GraphQLResult;
    try {
      graphql = await client.call<GraphQLResult>({ type: 'graphql', url: hub.url, tokens, concurrency: options.concurrency });
    } finally {
      clearInterval(sampler);
    }
    const graphqlCpu = cpuLine(cpuBefore, cpu(), generated.records);
    const after = running.memory();
    peak = Math.max(peak, after?.hwm ?? 0);
    const graphqlRate = (generated.records * 1000) / graphql.wallMs;
    const o = graphql.outcomes;
    console.log(
      `\nGraphQL ingestPeople: ${n(generated.records)} records in ${seconds(graphql.wallMs)} = ${n(graphqlRate)} records/s ` +
        `(per call p50 ${n(graphql.batchMs.p50)} / p95 ${n(graphql.batchMs.p95)} / max ${n(graphql.batchMs.max)} ms)`,
    );
    console.log(
      `  outcomes: created ${n(o.created)}, updated ${n(o.updated)}, unchanged ${n(o.unchanged)}, stale ${n(o.stale)}, ` +
        `rejected ${n(o.rejected)}; failed calls ${n(graphql.failedCalls)} (${n(graphql.unreported)} records without a result)`,
    );
    for (const failure of graphql.failures) console.log(`  failed call: ${failure}`);
    for (const rejection of graphql.rejections) console.log(`  rejected: ${rejection}`);
    console.log(`  hub RSS before ${mb(before?.rss)} / peak ${mb(peak)} / after ${mb(after?.rss)} MB${hub.exited ? ` (hub ${hub.exited})` : ''}`);
    console.log(graphqlCpu);

    cpuBefore = cpu();
    const bare = await client.call<BareResult>({ type: 'bare', databaseUrl: database.url, concurrency: options.concurrency });
    const bareRate = (generated.records * 1000) / bare.wallMs;
    console.log(
      `\nbare INSERT … SELECT FROM jsonb_to_recordset … ON CONFLICT DO UPDATE: ${n(generated.records)} records ` +
        `(${n(bare.rows)} rows after de-duplication per batch, ${n(bare.statements)} statements) in ${seconds(bare.wallMs)} = ` +
        `${n(bareRate)} records/s (per statement p50 ${n(bare.batchMs.p50)} / p95 ${n(bare.batchMs.p95)} / max ${n(bare.batchMs.max)} ms; ` +
        `${n(bare.tableRows)} rows in the table; ${bare.deadlockRetries} deadlock retries)`,
    );
    console.log(cpuLine(cpuBefore, cpu(), generated.records));
    await client.call({ type: 'exit' }).catch(() => undefined);
    client = null;

    console.log('\nsummary');
    console.log(`  machine            ${cpus[0]?.model ?? '?'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`);
    console.log(`  records            ${n(generated.records)} (${n(generated.people)} people), ${n(generated.batches)} batches of ≤ ${n(options.batch)}, concurrency ${options.concurrency}`);
    console.log(`  GraphQL            ${n(graphqlRate)} records/s${options.profileDir ? ' (hub under --cpu-prof)' : ''}`);
    console.log(`  bare upsert        ${n(bareRate)} records/s`);
    console.log(`  GraphQL / bare     ${((100 * graphqlRate) / bareRate).toFixed(1)}%`);
    console.log(`  hub peak RSS       ${mb(peak)} MB`);
    console.log(`  load average       ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (at the end)`);
    console.log(`  outcomes           created ${n(o.created)}, updated ${n(o.updated)}, unchanged ${n(o.unchanged)}, stale ${n(o.stale)}, rejected ${n(o.rejected)}, failed ${n(graphql.unreported)}`);

    const hubPid = hub.child.pid!;
    const stopped = await hub.stop(60_000);
    if (!/^exit 0$/.test(stopped)) console.log(`  hub stopped: ${stopped}`);
    hub = null;

    await runImport(options, tempDir, database.url, grids);

    if (options.profileDir) {
      started = performance.now();
      const file = findProfile(options.profileDir, hubPid);
      if (!file) console.log(`\nprofile: no .cpuprofile of pid ${hubPid} in ${options.profileDir}`);
      else {
        const summary = summarizeProfile(JSON.parse(fs.readFileSync(file, 'utf8')), 15, {
          fromUs: Number(BigInt(graphql.startedNs) / 1000n),
          toUs: Number(BigInt(graphql.endedNs) / 1000n),
        });
        console.log(
          `\nhub profile ${file}${summary.windowed ? ', while ingesting' : ' (whole run: no samples in the ingest window)'}: ` +
            `busy ${seconds(summary.busyMs)}, idle ${seconds(summary.idleMs)}; top self time (share of busy):`,
        );
        for (const row of summary.top) console.log(`  ${(100 * row.share).toFixed(1).padStart(5)}%  ${n(row.ms).padStart(7)} ms  ${row.name}`);
      }
    }
  } finally {
    client?.stop();
    if (hub) await hub.stop().catch(() => undefined);
    await database?.stop().catch(() => undefined);
    fs.rmSync(tempDir, { recursive: true, force: true });
  }
}

/** Every grid of the demo city's districts, per district (a list answers at most 1,000 regions). */
async function registeredGrids(url: string, adminToken: string): Promise<string[]> {
  const grids: string[] = [];
  for (const county of ['150302', '150303', '150304']) {
    const answer = await postGraphQL(url, adminToken, `{ regions(parentCode: "${county}", level: GRID) { code } }`, undefined, 60_000);
    const regions = answer.body?.data?.regions as Array<{ code: string }> | undefined;
    if (!regions) throw new Error(`could not list the grids of ${county}: ${JSON.stringify(answer.body ?? answer.failure)}`);
    grids.push(...regions.map((region) => region.code));
  }
  if (grids.length === 0) throw new Error('the hub has no registered grids (is the demo city loaded?)');
  return grids;
}

/** The import CLI on a CSV of `--import-rows` civil affairs people, when the CLI exists in this build. */
async function runImport(options: Options, tempDir: string, databaseUrl: string, grids: string[]): Promise<void> {
  const cli = path.resolve(__dirname, '..', 'src', 'cli', 'import.js');
  if (options.importRows === 0) {
    console.log('\nimport CLI: skipped (--import-rows 0)');
    return;
  }
  if (!fs.existsSync(cli)) {
    console.log(`\nimport CLI: skipped — ${path.relative(process.cwd(), cli)} does not exist in this build (the CLI is on branch wip-import)`);
    return;
  }
  const file = path.join(tempDir, 'civil-affairs-people.csv');
  let started = performance.now();
  const out = fs.openSync(file, 'w');
  try {
    for (const chunk of csvLines(options.importRows, grids)) fs.writeSync(out, chunk);
  } finally {
    fs.closeSync(out);
  }
  console.log(`\nimport CLI: wrote ${n(options.importRows)} rows (${n(fs.statSync(file).size / 2 ** 20)} MB) to a CSV in ${seconds(performance.now() - started)}`);
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl };
  for (const name of Object.keys(env)) if (name.startsWith('GRIDHUB_')) delete env[name];
  started = performance.now();
  const { code, output } = await new Promise<{ code: string; output: string }>((resolve) => {
    const child = spawn(process.execPath, [cli, '--source', SourceSystem.CIVIL_AFFAIRS, '--kind', 'people', file], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-20_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('exit', (exitCode, signal) => resolve({ code: signal ?? `exit ${exitCode}`, output }));
  });
  const ms = performance.now() - started;
  const lines = output.split(/\r|\n/).map((line) => line.trim()).filter(Boolean);
  console.log(`  node ${path.relative(process.cwd(), cli)} --source CIVIL_AFFAIRS --kind people FILE: ${code} after ${seconds(ms)}`);
  console.log(`  import CLI rate    ${n((options.importRows * 1000) / ms)} rows/s`);
  for (const line of lines.slice(-6)) console.log(`  | ${line.slice(0, 200)}`);
}

main().catch((error) => {
  console.error('bench:ingest:', error instanceof Error ? error.message : error);
  process.exit(1);
});
