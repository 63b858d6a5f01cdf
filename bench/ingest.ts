import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import { signToken } from '../src/auth/tokens';
import { Role } from '../src/auth/viewer';
import { EmbeddedDatabase, startEmbeddedDatabase } from '../src/db/embedded';
import { SourceSystem } from '../src/sources/source-system';
import { postGraphQL } from './attack-client';
import { ClientProcess } from './client-process';
import { findProfile, summarizeProfile } from './cpu-profile';
import { n, readFlags, seconds } from './bench-args';
import { benchHub, cpuSeconds, HubProcess, postgresCpuSeconds } from './hub-process';
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
 * self time while the records were ingested (the profiler slows the hub a little). --pg-stats N starts PostgreSQL with
 * pg_stat_statements and prints the N statements with the most execution time while the records were ingested through
 * GraphQL, and each table's scans and updates meanwhile. The temporary directory is removed at the end; DIR is kept.
 * Prints figures; asserts nothing.
 */

interface Options {
  records: number;
  batch: number;
  concurrency: number;
  scale: string;
  importRows: number;
  profileDir: string | null;
  pgStats: number;
}

function readOptions(argv: string[]): Options {
  const flags = readFlags(argv, {
    records: { whole: 1 },
    batch: { whole: 1 },
    concurrency: { whole: 1 },
    scale: 'text',
    'import-rows': { whole: 0 },
    profile: 'directory',
    'pg-stats': { whole: 1 },
  });
  return {
    records: (flags.records as number | undefined) ?? 200_000,
    batch: (flags.batch as number | undefined) ?? 1000,
    concurrency: (flags.concurrency as number | undefined) ?? 2,
    scale: (flags.scale as string | undefined) ?? '0.02',
    importRows: (flags['import-rows'] as number | undefined) ?? 1_000_000,
    profileDir: (flags.profile as string | undefined) ?? null,
    pgStats: (flags['pg-stats'] as number | undefined) ?? 0,
  };
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

const mb = (value: number | undefined) => (value === undefined ? '—' : n(value));

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
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
  let statements: StatementStats | null = null;
  let hub: HubProcess | null = null;
  let client: ClientProcess<ClientCommand> | null = null;
  try {
    let started = performance.now();
    database = await startEmbeddedDatabase({
      dir: path.join(tempDir, 'postgres'),
      ownedRoot: tempDir,
      settings: options.pgStats > 0 ? { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.max': '1000' } : {},
    });
    if (options.pgStats > 0) statements = await StatementStats.open(database.url);
    const secret = randomBytes(32).toString('hex');
    hub = benchHub({ databaseUrl: database.url, dataDir: path.join(tempDir, 'hub'), scale: options.scale, secret, profileDir: options.profileDir });
    await hub.start(10 * 60_000);
    console.log(`database and hub ready in ${seconds(performance.now() - started)} (hub pid ${hub.child.pid}, ${hub.url})`);

    const key = new TextEncoder().encode(secret);
    const grids = await registeredGrids(hub.url, await signToken(key, { sub: 'bench-admin', roles: [Role.ADMIN] }));
    const tokens: Record<string, string> = {};
    for (const source of PEOPLE_SOURCES) {
      tokens[source] = await signToken(key, { sub: `bench-${source.toLowerCase()}`, roles: [Role.DEPARTMENT], source, region: '1503' });
    }

    client = new ClientProcess<ClientCommand>(path.join(__dirname, 'ingest-client.js'));
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
    await statements?.reset();
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
    if (statements) await statements.print(options.pgStats, generated.records, generated.batches);

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
    await statements?.close();
    client?.stop();
    if (hub) await hub.stop().catch(() => undefined);
    await database?.stop().catch(() => undefined);
    fs.rmSync(tempDir, { recursive: true, force: true });
  }
}

/** pg_stat_statements and the table counters of the hub's database, read between a reset and the end of a phase. */
class StatementStats {
  private tablesBefore = new Map<string, Record<string, number>>();

  private constructor(private readonly client: PgClient) {}

  static async open(url: string): Promise<StatementStats> {
    const client = new PgClient({ connectionString: url });
    await client.connect();
    await client.query('create extension if not exists pg_stat_statements');
    return new StatementStats(client);
  }

  async reset(): Promise<void> {
    await this.client.query('select pg_stat_statements_reset()');
    this.tablesBefore = await this.tables();
  }

  async print(top: number, records: number, batches: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 600)); // table counters are flushed about every second
    const { rows } = await this.client.query<{ calls: string; ms: number; rows: string; hit: string; read: string; dirtied: string; query: string }>(
      `select calls, total_exec_time as ms, rows, shared_blks_hit as hit, shared_blks_read as read, shared_blks_dirtied as dirtied, query
         from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())
        order by total_exec_time desc limit $1`,
      [top],
    );
    const { rows: sum } = await this.client.query<{ ms: number; calls: string }>(
      `select sum(total_exec_time) as ms, sum(calls) as calls from pg_stat_statements
        where dbid = (select oid from pg_database where datname = current_database())`,
    );
    console.log(
      `  PostgreSQL statements: ${n(Number(sum[0].calls))} executed, ${seconds(sum[0].ms)} in total ` +
        `(${n((sum[0].ms * 1000) / records)} µs per record, ${n(sum[0].ms / batches)} ms per batch); top ${top} by time:`,
    );
    for (const row of rows) {
      console.log(
        `  ${(100 * (row.ms / sum[0].ms)).toFixed(1).padStart(5)}% ${n(row.ms).padStart(6)} ms ${n(Number(row.calls)).padStart(5)} calls ` +
          `${n(Number(row.rows)).padStart(7)} rows  blocks hit ${row.hit} read ${row.read} dirtied ${row.dirtied}\n` +
          `         ${row.query.replace(/\s+/g, ' ').slice(0, 300)}`,
      );
    }
    const after = await this.tables();
    console.log('  tables (during the phase): seq scans, index scans, inserts, updates (HOT), deletes');
    for (const [table, counts] of after) {
      const before = this.tablesBefore.get(table) ?? {};
      const d = (key: string) => counts[key] - (before[key] ?? 0);
      if (d('seq_scan') + d('idx_scan') + d('ins') + d('upd') + d('del') === 0) continue;
      console.log(
        `    ${table.padEnd(24)} seq ${n(d('seq_scan'))} (${n(d('seq_tup_read'))} rows read), idx ${n(d('idx_scan'))}, ` +
          `ins ${n(d('ins'))}, upd ${n(d('upd'))} (${n(d('hot'))} HOT), del ${n(d('del'))}`,
      );
    }
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }

  private async tables(): Promise<Map<string, Record<string, number>>> {
    const { rows } = await this.client.query<Record<string, string>>(
      `select relname, seq_scan, seq_tup_read, coalesce(idx_scan, 0) as idx_scan, n_tup_ins as ins, n_tup_upd as upd,
              n_tup_hot_upd as hot, n_tup_del as del from pg_stat_user_tables`,
    );
    return new Map(rows.map(({ relname, ...counts }) => [relname, Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, Number(v)]))]));
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
