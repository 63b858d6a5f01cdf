import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import { signToken } from '../src/auth/tokens';
import { Role } from '../src/auth/viewer';
import { postGraphQL } from './attack-client';
import { n, readFlags, seconds } from './bench-args';
import { ClientProcess } from './client-process';
import { findProfile, summarizeProfile } from './cpu-profile';
import { benchHub, cpuSeconds, HubProcess, postgresCpuSeconds } from './hub-process';
import { QueriesCommand, RunResult } from './queries-client';
import { Question, QuestionName, QUESTIONS, seededRandom, VariableSets } from './queries-questions';
import { SeededDatabase, seededDatabase } from './seeded-database';

/*
 * `npm run bench:queries [-- --scale 20 --seconds 10 --warmup 2 --connections 16 --only Q1,Q2,Q5 --seed 1
 * --profile DIR --max-concurrent N --data-dir DIR --seed-only]`: how fast gridhub answers typical read questions on a
 * city of 1,000,000 people, against the same questions as hand-written SQL (the floor).
 *
 * Seeds the demo city at --scale (20: 1,000,000 people, 100,000 incidents) into an embedded PostgreSQL kept under
 * --data-dir for the next run, starts the hub on it as a user would (`node dist/src/main.js`, its default limits),
 * and for each question of bench/queries-questions.ts: drives it from a separate process over --connections
 * kept-alive HTTP connections (one ADMIN token each: --connections clients, not one client over its limits) for
 * --seconds after --warmup seconds, then the floor — the question's SQL through a bare `pg` pool of as many
 * connections — for as long. Every request draws its variables (a town, a person, a county, a name fragment) from
 * sets read from the database at start, in the same seeded sequence for both runs. Prints requests/s, p50, p99, the
 * hub's and PostgreSQL's CPU per request and the ratio to the floor, and checks the issue's targets. A question
 * whose GraphQL answer is an error is reported as not available (its floor is still measured). Asserts nothing.
 */

interface Options {
  scale: string;
  seconds: number;
  warmup: number;
  connections: number;
  only: QuestionName[];
  seed: number;
  profileDir: string | null;
  maxConcurrent: number | null;
  dataRoot: string;
  seedOnly: boolean;
}

function readOptions(argv: string[]): Options {
  const flags = readFlags(argv, {
    scale: 'text',
    seconds: { whole: 1 },
    warmup: { whole: 0 },
    connections: { whole: 1 },
    only: 'text',
    seed: { whole: 0 },
    profile: 'directory',
    'max-concurrent': { whole: 1 },
    'data-dir': 'directory',
    'seed-only': 'switch',
  });
  const scale = (flags.scale as string | undefined) ?? '20';
  if (!/^\d+(\.\d+)?$/.test(scale) || !(Number(scale) > 0) || Number(scale) > 100) throw new Error('--scale needs a number above 0, at most 100');
  const names = QUESTIONS.map((question) => question.name);
  const only = ((flags.only as string | undefined) ?? names.join(',')).split(',').map((name) => name.trim().toUpperCase());
  for (const name of only) if (!names.includes(name as QuestionName)) throw new Error(`--only: no question ${name} (${names.join(', ')})`);
  return {
    scale,
    seconds: (flags.seconds as number | undefined) ?? 10,
    warmup: (flags.warmup as number | undefined) ?? 2,
    connections: (flags.connections as number | undefined) ?? 16,
    only: names.filter((name) => only.includes(name)),
    seed: (flags.seed as number | undefined) ?? 1,
    profileDir: (flags.profile as string | undefined) ?? null,
    maxConcurrent: (flags['max-concurrent'] as number | undefined) ?? null,
    dataRoot: (flags['data-dir'] as string | undefined) ?? path.resolve(__dirname, '..', '..', '.data', 'bench-queries'),
    seedOnly: flags['seed-only'] === true,
  };
}

/** The sets each request draws from, read once; ordered by a hash of the id so that they do not vary between runs. */
async function readSets(db: PgClient): Promise<VariableSets> {
  const column = async (sql: string) => (await db.query<{ value: string }>(sql)).rows.map((row) => row.value);
  const names = await column(`select name as value from person order by md5(id::text) limit 2000`);
  const fragments = new Set<string>();
  for (const name of names) {
    const chars = [...name];
    for (let i = 0; i + 2 <= chars.length; i++) {
      const fragment = chars.slice(i, i + 2).join('');
      if (/^\p{Script=Han}{2}$/u.test(fragment)) fragments.add(fragment);
    }
  }
  const sets: VariableSets = {
    towns: await column(`select code as value from region where level = 'TOWN' order by code`),
    counties: await column(`select code as value from region where level = 'COUNTY' order by code`),
    reporters: await column(
      `select person_id::text as value from incident_party where role = 'REPORTER' group by person_id order by md5(person_id::text) limit 5000`,
    ),
    people: await column(`select id::text as value from person order by md5(id::text) limit 5000`),
    nameFragments: [...fragments].sort(),
  };
  for (const [name, values] of Object.entries(sets)) if (values.length === 0) throw new Error(`the database gave no ${name} to draw from`);
  return sets;
}

/** gridhub's and the floor's figures for one question. */
interface Measured {
  question: Question;
  /** Null when the GraphQL answer was an error ("not available"). */
  hub: (RunResult & { hubCpuMs: number; postgresCpuMs: number }) | null;
  unavailable: string | null;
  floor: RunResult & { postgresCpuMs: number };
  /** Whether gridhub's and the floor's answers to the first draw agree. */
  agreement: string;
}

const rate = (run: RunResult) => (run.ok * 1000) / run.wallMs;
const ms = (value: number) => (Number.isFinite(value) ? (value < 10 ? value.toFixed(1) : value.toFixed(0)) : '–');

function targetCheck(result: Measured): string {
  const { target } = result.question;
  if (!result.hub) return 'not measured';
  const checks: string[] = [];
  if (target.minShareOfFloor !== undefined) {
    const share = rate(result.hub) / rate(result.floor);
    checks.push(`≥ ${(target.minShareOfFloor * 100).toFixed(0)} % of floor: ${share >= target.minShareOfFloor ? 'met' : 'NOT met'}`);
  }
  if (target.maxP99Ms !== undefined) {
    checks.push(`p99 < ${target.maxP99Ms} ms: ${result.hub.p99 < target.maxP99Ms ? 'met' : 'NOT met'}`);
  }
  return checks.join('; ');
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  const machine = () => {
    const cpus = os.cpus();
    return (
      `${cpus.length} cores (${cpus[0]?.model ?? 'unknown CPU'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; ` +
      `load average ${os.loadavg().map((load) => load.toFixed(2)).join(' ')}`
    );
  };
  console.log(`bench:queries ${process.argv.slice(2).join(' ')}`.trim());
  console.log(`machine: ${machine()}`);
  const log = (line: string) => console.error(`bench:queries: ${line}`);
  let seeded: SeededDatabase | null = null;
  let hub: HubProcess | null = null;
  let driver: ClientProcess<QueriesCommand> | null = null;
  let db: PgClient | null = null;
  try {
    const started = performance.now();
    seeded = await seededDatabase(options.dataRoot, options.scale, log);
    if (options.seedOnly) {
      console.log(`the demo city at scale ${options.scale} is in ${seeded.dir} (${seconds(performance.now() - started)})`);
      return;
    }
    const client = new PgClient({ connectionString: seeded.database.url });
    client.on('error', () => undefined);
    await client.connect();
    db = client;
    const counts = (await client.query<{ people: string; incidents: string; reporters: string }>(
      `select (select count(*) from person) as people, (select count(*) from incident) as incidents,
              (select count(distinct person_id) from incident_party where role = 'REPORTER') as reporters`,
    )).rows[0];
    // A settled database, as one in service is: the seed's dirty pages written, visibility maps set (index-only
    // scans), statistics fresh; otherwise the first questions pay for a checkpoint and autovacuum.
    const settling = performance.now();
    await client.query('vacuum (analyze)');
    await client.query('checkpoint');
    log(`vacuum (analyze) and checkpoint: ${seconds(performance.now() - settling)}`);
    const sets = await readSets(client);
    console.log(
      `data: scale ${options.scale}, ${n(Number(counts.people))} people, ${n(Number(counts.incidents))} incidents, ` +
        `${n(Number(counts.reporters))} reporters (seeded ${seeded.marker.finishedAt} by ${seeded.marker.commit}); drawing from ` +
        `${sets.towns.length} towns, ${sets.counties.length} counties, ${n(sets.reporters.length)} reporters, ` +
        `${n(sets.people.length)} people, ${n(sets.nameFragments.length)} name fragments (seed ${options.seed})`,
    );

    const secret = randomBytes(32).toString('hex');
    const hubEnv: Record<string, string> = options.maxConcurrent ? { GRIDHUB_MAX_CONCURRENT: String(options.maxConcurrent) } : {};
    hub = benchHub({
      databaseUrl: seeded.database.url,
      dataDir: path.join(seeded.dir, 'hub'),
      scale: options.scale,
      secret,
      profileDir: options.profileDir,
      env: hubEnv,
    });
    // A hub of newer code applies its new migrations to the kept database first (an index on 1,000,000 rows).
    await hub.start(30 * 60_000);
    const hubPid = hub.child.pid!;
    // The hub's first overdue sweep runs at start (on a city seeded weeks ago it marks many cases): let it finish.
    const idle = await waitForIdle(() => (cpuSeconds(hubPid) ?? 0) + postgresCpuSeconds(seeded!.postmasterPid), 0.1, 120_000);
    log(`hub and PostgreSQL ${idle ? 'idle' : 'still busy after 120 s; measuring anyway'}`);
    console.log(
      `hub ready in ${seconds(performance.now() - started)} (pid ${hubPid}${options.profileDir ? ', under --cpu-prof' : ''}); limits: ` +
        `${Object.keys(hubEnv).length ? Object.entries(hubEnv).map(([k, v]) => `${k}=${v}`).join(', ') : 'the defaults, none changed'}; ` +
        `${options.connections} connections, each with its own ADMIN token`,
    );
    const key = new TextEncoder().encode(secret);
    const tokens = await Promise.all(
      Array.from({ length: options.connections }, (_, i) => signToken(key, { sub: `bench-queries-${i}`, roles: [Role.ADMIN] })),
    );
    const run = new ClientProcess<QueriesCommand>(path.join(__dirname, 'queries-client.js'));
    driver = run;
    await run.call({ type: 'sets', sets });
    const postgresCpu = () => postgresCpuSeconds(seeded!.postmasterPid);
    const warmSeed = options.seed + 1_000_003;

    const results: Measured[] = [];
    for (const question of QUESTIONS.filter((candidate) => options.only.includes(candidate.name))) {
      console.log(`\n${question.name}: ${question.title}${question.provisional ? ` (${question.provisional})` : ''}`);
      // The first draw of the sequence, asked once of each: is the question available, and do both answer alike?
      const first = question.draw(seededRandom(options.seed), sets);
      const probe = await postGraphQL(hub.url, tokens[0], question.document, first.variables, 60_000);
      const probeError: string | null =
        probe.failure ?? (probe.timedOut ? 'timed out' : null) ??
        (probe.body?.errors?.length ? String(probe.body.errors[0].message) : probe.body?.data ? null : `HTTP ${probe.status}`);
      const floorRows = (await client.query(question.floorSql, first.params)).rows;
      let agreement = 'not compared';
      if (probeError === null) {
        const hubKeys = question.answerKeys(probe.body.data);
        const floorKeys = question.floorKeys(floorRows);
        agreement =
          JSON.stringify(hubKeys) === JSON.stringify(floorKeys)
            ? `agree (${hubKeys.length} items)`
            : `DIFFER: gridhub ${JSON.stringify(hubKeys.slice(0, 5))}… (${hubKeys.length}), floor ${JSON.stringify(floorKeys.slice(0, 5))}… (${floorKeys.length})`;
        console.log(`  first draw ${JSON.stringify(first.variables)}: answers ${agreement}`);
      } else {
        console.log(`  not available: ${probeError}`);
      }

      let hubResult: Measured['hub'] = null;
      if (probeError === null) {
        if (options.warmup > 0) await run.call<RunResult>({ type: 'graphql', url: hub.url, tokens, question: question.name, seed: warmSeed, seconds: options.warmup });
        const hubBefore = cpuSeconds(hubPid) ?? 0;
        const postgresBefore = postgresCpu();
        const measured = await run.call<RunResult>({ type: 'graphql', url: hub.url, tokens, question: question.name, seed: options.seed, seconds: options.seconds });
        const hubCpuMs = (((cpuSeconds(hubPid) ?? 0) - hubBefore) * 1000) / Math.max(1, measured.ok + measured.errors);
        const postgresCpuMs = ((postgresCpu() - postgresBefore) * 1000) / Math.max(1, measured.ok + measured.errors);
        hubResult = { ...measured, hubCpuMs, postgresCpuMs };
        console.log(
          `  gridhub: ${n(measured.ok)} answers in ${seconds(measured.wallMs)} = ${rate(measured).toFixed(1)}/s; p50 ${ms(measured.p50)} / p99 ` +
            `${ms(measured.p99)} / max ${ms(measured.max)} ms; CPU per request: hub ${ms(hubCpuMs)} ms, PostgreSQL ${ms(postgresCpuMs)} ms` +
            `${measured.errors ? `; ${n(measured.errors)} errors: ${measured.firstErrors.join(' | ')}` : ''}`,
        );
      }
      if (options.warmup > 0) {
        await run.call<RunResult>({ type: 'floor', databaseUrl: seeded.database.url, connections: options.connections, question: question.name, seed: warmSeed, seconds: options.warmup });
      }
      const postgresBefore = postgresCpu();
      const floor = await run.call<RunResult>({
        type: 'floor', databaseUrl: seeded.database.url, connections: options.connections, question: question.name, seed: options.seed, seconds: options.seconds,
      });
      const floorPostgresMs = ((postgresCpu() - postgresBefore) * 1000) / Math.max(1, floor.ok + floor.errors);
      console.log(
        `  floor:   ${n(floor.ok)} answers in ${seconds(floor.wallMs)} = ${rate(floor).toFixed(1)}/s; p50 ${ms(floor.p50)} / p99 ${ms(floor.p99)} / max ` +
          `${ms(floor.max)} ms; PostgreSQL CPU per request ${ms(floorPostgresMs)} ms` +
          `${floor.errors ? `; ${n(floor.errors)} errors: ${floor.firstErrors.join(' | ')}` : ''}`,
      );
      results.push({ question, hub: hubResult, unavailable: probeError, floor: { ...floor, postgresCpuMs: floorPostgresMs }, agreement });
    }
    await run.call({ type: 'close' });
    const memory = hub.memory();

    console.log(`\nsummary: scale ${options.scale} (${n(Number(counts.people))} people, ${n(Number(counts.incidents))} incidents), ${options.connections} connections, ${options.seconds} s each after ${options.warmup} s warm-up`);
    console.log(`machine: ${machine()}`);
    const header = ['', 'gridhub req/s', 'p50 ms', 'p99 ms', 'hub CPU ms/req', 'PG CPU ms/req', 'floor req/s', 'floor p50', 'floor p99', 'floor PG ms/req', 'ratio', 'target'];
    const rows = results.map((result) => {
      const floorCells = [rate(result.floor).toFixed(0), ms(result.floor.p50), ms(result.floor.p99), ms(result.floor.postgresCpuMs)];
      if (!result.hub) return [result.question.name, 'n/a', '–', '–', '–', '–', ...floorCells, '–', targetCheck(result)];
      return [
        result.question.name, rate(result.hub).toFixed(1), ms(result.hub.p50), ms(result.hub.p99), ms(result.hub.hubCpuMs), ms(result.hub.postgresCpuMs),
        ...floorCells, `${((100 * rate(result.hub)) / rate(result.floor)).toFixed(1)} %`, targetCheck(result),
      ];
    });
    printTable(header, rows);
    for (const result of results) if (result.unavailable) console.log(`  ${result.question.name}: not available: ${result.unavailable}`);
    for (const result of results) if (result.question.provisional) console.log(`  ${result.question.name}: ${result.question.provisional}`);
    for (const result of results) if (result.agreement.startsWith('DIFFER')) console.log(`  ${result.question.name}: answers ${result.agreement}`);
    if (memory) console.log(`hub RSS ${n(memory.rss)} MB (peak ${n(memory.hwm)} MB)`);

    if (options.profileDir) {
      await hub.stop();
      const file = findProfile(options.profileDir, hubPid);
      if (!file) {
        console.log(`no CPU profile of the hub (pid ${hubPid}) in ${options.profileDir}`);
      } else {
        const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
        console.log(`\nhub CPU profile ${file}: self time while each question was driven`);
        for (const result of results) {
          if (!result.hub) continue;
          const summary = summarizeProfile(profile, 12, { fromUs: result.hub.fromUs, toUs: result.hub.toUs });
          console.log(`${result.question.name}: busy ${n(summary.busyMs)} ms, idle ${n(summary.idleMs)} ms${summary.windowed ? '' : ' (whole profile)'}`);
          for (const entry of summary.top) console.log(`  ${(entry.share * 100).toFixed(1).padStart(5)} %  ${n(entry.ms).padStart(7)} ms  ${entry.name}`);
        }
      }
    }
  } finally {
    await db?.end().catch(() => undefined);
    driver?.stop();
    if (hub) await hub.stop().catch(() => undefined);
    await seeded?.database.stop().catch(() => undefined);
  }
}

/** Waits until `cpu()` (seconds) grows by less than `share` of a core over a second; false after `timeoutMs`. */
async function waitForIdle(cpu: () => number, share: number, timeoutMs: number): Promise<boolean> {
  const started = performance.now();
  let before = cpu();
  while (performance.now() - started < timeoutMs) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const now = cpu();
    if (now - before < share) return true;
    before = now;
  }
  return false;
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 || i === cells.length - 1 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd();
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

main().catch((error) => {
  console.error('bench:queries:', error instanceof Error ? error.message : error);
  process.exit(1);
});
