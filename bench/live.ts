import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import { signToken } from '../src/auth/tokens';
import { Role } from '../src/auth/viewer';
import { EmbeddedDatabase, startEmbeddedDatabase } from '../src/db/embedded';
import { postGraphQL } from './attack-client';
import { n, readFlags, seconds } from './bench-args';
import { ClientProcess } from './client-process';
import { benchHub, cpuSeconds, HubProcess, postgresCpuSeconds } from './hub-process';
import { DriveResult, LiveCommand, SubscribeResult, Subscriber, TallyResult } from './live-client';

/*
 * `npm run bench:live [-- --subscribers 1000,5000 --rate 200 --seconds 30 --clients 2 --stress-step 10 --stress-from 1 --no-stress
 * --scale S]`: how fast incident changes reach the command centres watching them.
 *
 * Starts an embedded PostgreSQL and the hub on it as a user would (`node dist/src/main.js`, the demo city at
 * --scale). For each count of --subscribers, --clients separate processes open one graphql-ws socket per command
 * centre, each with its own COMMAND_CENTER token, spread over the city's region tree as command centres are (most on
 * communities and towns, some on districts, ten on the whole city), and subscribe to `incidentEvents` of their
 * region from the current seq. Another process then runs incidents through the workflow mutations (report, accept,
 * dispatch, start, resolve, verify) at --rate changes per second for --seconds. Each delivery's latency is its
 * arrival minus the event's time (the event is stamped inside its transaction, so this includes the commit); at the
 * end every socket's feed is checked against the event log in the database: events lost, duplicated or out of
 * order. The hub's RSS is sampled meanwhile.
 *
 * The stress line then puts the largest count of subscribers on the whole city and doubles the change rate every
 * --stress-step seconds from --stress-from per second (default 1: 5,000 subscribers make that 5,000 messages a
 * second) until delivery falls behind (an event lost, or p99 over one second), and reports the highest rate held,
 * in messages per second. Prints figures; asserts nothing.
 */

interface Options {
  subscribers: number[];
  rate: number;
  seconds: number;
  clients: number;
  stress: boolean;
  stressStep: number;
  stressFrom: number;
  scale: string;
  profileDir: string | null;
}

/** The demo city (乌海市): every subscriber's region lies in it. */
const CITY = '1503';
/** The stress line stops doubling the rate past this. */
const MAX_STRESS_RATE = 3200;

function readOptions(argv: string[]): Options {
  const flags = readFlags(argv, {
    subscribers: 'text',
    rate: { whole: 1 },
    seconds: { whole: 1 },
    clients: { whole: 1 },
    'stress-step': { whole: 1 },
    'stress-from': { whole: 1 },
    'no-stress': 'switch',
    scale: 'text',
    profile: 'directory',
  });
  const subscribers = ((flags.subscribers as string | undefined) ?? '1000,5000').split(',').map((part) => {
    if (!/^\d+$/.test(part) || Number(part) < 1) throw new Error('--subscribers needs whole numbers of at least 1, separated by commas');
    return Number(part);
  });
  return {
    subscribers,
    rate: (flags.rate as number | undefined) ?? 200,
    seconds: (flags.seconds as number | undefined) ?? 30,
    clients: (flags.clients as number | undefined) ?? 2,
    stress: flags['no-stress'] !== true,
    stressStep: (flags['stress-step'] as number | undefined) ?? 10,
    stressFrom: (flags['stress-from'] as number | undefined) ?? 1,
    scale: (flags.scale as string | undefined) ?? '0.02',
    profileDir: (flags.profile as string | undefined) ?? null,
  };
}

/** The p-th percentile (0–100) of `sorted` (ascending), or NaN when empty. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** The city's regions by level, as a command centre's token would name them. */
interface RegionTree {
  counties: string[];
  towns: string[];
  communities: string[];
  grids: string[];
}

async function regionTree(url: string, adminToken: string): Promise<RegionTree> {
  const level = async (parentCode: string, levelName: string): Promise<string[]> => {
    const answer = await postGraphQL(url, adminToken, `{ regions(parentCode: "${parentCode}", level: ${levelName}) { code } }`, undefined, 60_000);
    const regions = answer.body?.data?.regions as Array<{ code: string }> | undefined;
    if (!regions) throw new Error(`could not list the ${levelName} regions under ${parentCode}: ${JSON.stringify(answer.body ?? answer.failure)}`);
    return regions.map((region) => region.code);
  };
  const counties = await level(CITY, 'COUNTY');
  const tree: RegionTree = { counties, towns: [], communities: [], grids: [] };
  for (const county of counties) {
    tree.towns.push(...(await level(county, 'TOWN')));
    tree.communities.push(...(await level(county, 'COMMUNITY')));
    tree.grids.push(...(await level(county, 'GRID')));
  }
  if (tree.grids.length === 0) throw new Error('the hub has no registered grids (is the demo city loaded?)');
  return tree;
}

/**
 * Where `count` command centres watch: ten on the whole city, 2 % on districts, 28 % on towns and the rest on
 * communities, round robin within each level.
 */
function placeSubscribers(count: number, tree: RegionTree): string[] {
  const city = Math.min(10, count);
  const counties = Math.round((count - city) * 0.02);
  const towns = Math.round((count - city) * 0.28);
  const regions: string[] = [];
  for (let i = 0; i < city; i++) regions.push(CITY);
  for (let i = 0; i < counties; i++) regions.push(tree.counties[i % tree.counties.length]);
  for (let i = 0; i < towns; i++) regions.push(tree.towns[i % tree.towns.length]);
  for (let i = regions.length; i < count; i++) regions.push(tree.communities[i % tree.communities.length]);
  return regions;
}

/** What one measured round printed. */
interface Round {
  label: string;
  delivered: number;
  lost: number;
  p99: number;
  messagesPerSecond: number;
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  const cpus = os.cpus();
  console.log(
    `bench:live: ${options.subscribers.map(n).join(' then ')} subscribers, ${options.rate} changes/s for ${options.seconds} s; ` +
      `${options.clients} subscriber processes; demo scale ${options.scale}`,
  );
  console.log(
    `machine: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; ` +
      `load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  );
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridhub-live-'));
  // The embedded PostgreSQL runs as `postgres` when we are root: it must be able to enter the directory.
  fs.chmodSync(tempDir, 0o755);
  let database: EmbeddedDatabase | null = null;
  let hub: HubProcess | null = null;
  const clients: Array<ClientProcess<LiveCommand>> = [];
  let db: PgClient | null = null;
  try {
    const started = performance.now();
    database = await startEmbeddedDatabase({ dir: path.join(tempDir, 'postgres'), ownedRoot: tempDir });
    const secret = randomBytes(32).toString('hex');
    hub = benchHub({ databaseUrl: database.url, dataDir: path.join(tempDir, 'hub'), scale: options.scale, secret, profileDir: options.profileDir });
    await hub.start(10 * 60_000);
    console.log(`database and hub ready in ${seconds(performance.now() - started)} (hub pid ${hub.child.pid}, ${hub.url})`);
    const key = new TextEncoder().encode(secret);
    const tree = await regionTree(hub.url, await signToken(key, { sub: 'bench-admin', roles: [Role.ADMIN] }));
    console.log(
      `regions: ${tree.counties.length} districts, ${tree.towns.length} towns, ${tree.communities.length} communities, ${tree.grids.length} grids`,
    );
    // The staff running the cases: 32 ADMIN tokens (ADMIN may act on every case at every level, so one token can run
    // a case report to close), each its own subject so that no one subject's rate limit paces them.
    const staff = await Promise.all(
      Array.from({ length: 32 }, (_, i) => signToken(key, { sub: `bench-staff-${i}`, roles: [Role.ADMIN] })),
    );
    for (let i = 0; i < options.clients; i++) clients.push(new ClientProcess<LiveCommand>(path.join(__dirname, 'live-client.js')));
    const driver = new ClientProcess<LiveCommand>(path.join(__dirname, 'live-client.js'));
    clients.push(driver);
    const subscriberClients = clients.slice(0, options.clients);
    const log = new PgClient({ connectionString: database.url });
    // Its errors are reported where it is used; one arriving while nothing awaits it (the database stopping after a
    // failure) must not end the process before that failure is printed.
    log.on('error', () => undefined);
    await log.connect();
    db = log;
    const postmasterPid = Number(fs.readFileSync(path.join(tempDir, 'postgres', 'cluster', 'postmaster.pid'), 'utf8').split('\n')[0]);
    /** CPU seconds used so far by the hub, PostgreSQL, the subscriber processes and the driver. */
    const cpu = () => ({
      hub: cpuSeconds(hub!.child.pid!) ?? 0,
      postgres: postgresCpuSeconds(postmasterPid),
      subscribers: subscriberClients.reduce((sum, client) => sum + (cpuSeconds(client.child.pid!) ?? 0), 0),
      driver: cpuSeconds(driver.child.pid!) ?? 0,
    });
    const currentSeq = async () =>
      (await log.query<{ seq: string }>('select coalesce(max(seq), 0)::text as seq from incident_event')).rows[0].seq;

    /** Subscribes `regions`, drives changes at `rate` for `secs`, tallies; the subscribers stay open. */
    const round = async (label: string, regions: string[], rate: number, secs: number): Promise<Round> => {
      const fromSeq = await currentSeq();
      const memoryBefore = hub!.memory();
      hub!.resetPeak();
      let peak = memoryBefore?.rss ?? 0;
      const sampler = setInterval(() => (peak = Math.max(peak, hub!.memory()?.rss ?? 0)), 200);
      try {
        const tokens = await Promise.all(
          regions.map((regionCode, i) => signToken(key, { sub: `bench-centre-${label}-${i}`, roles: [Role.COMMAND_CENTER], region: regionCode })),
        );
        const subscribers: Subscriber[] = regions.map((regionCode, i) => ({ regionCode, token: tokens[i] }));
        const share = (k: number) => subscribers.filter((_, i) => i % subscriberClients.length === k);
        const opened = await Promise.all(
          subscriberClients.map((client, k) => client.call<SubscribeResult>({ type: 'subscribe', url: hub!.url, subscribers: share(k), afterSeq: fromSeq })),
        );
        const refused = opened.reduce((sum, result) => sum + result.failed, 0);
        console.log(
          `\n${label}: ${n(subscribers.length)} subscribers connected in ${seconds(Math.max(...opened.map((r) => r.ms)))}` +
            `${refused ? `; ${n(refused)} refused: ${opened.flatMap((r) => r.reasons).slice(0, 3).join(' | ')}` : ''}`,
        );
        await Promise.all(subscriberClients.map((client) => client.call({ type: 'mark' })));
        const cpuBefore = cpu();
        const drive = await driver.call<DriveResult>({ type: 'drive', url: hub!.url, tokens: staff, grids: tree.grids, rate, seconds: secs, inFlight: 16 });
        const cpuAfter = cpu();
        // Deliveries still in flight when the last change committed get a moment to arrive.
        await new Promise((resolve) => setTimeout(resolve, 2000));
        const toSeq = await currentSeq();
        const tallies = await Promise.all(
          subscriberClients.map((client) => client.call<TallyResult>({ type: 'tally', databaseUrl: database!.url, fromSeq, toSeq })),
        );
        const sum = (key: 'expected' | 'delivered' | 'lost' | 'duplicates' | 'outOfOrder' | 'closed') =>
          tallies.reduce((total, tally) => total + tally[key], 0);
        const latencies = tallies.flatMap((tally) => tally.latencies).sort((a, b) => a - b);
        const p99 = percentile(latencies, 99);
        const messagesPerSecond = (sum('delivered') * 1000) / drive.wallMs;
        console.log(
          `  changes: ${n(drive.changes)} in ${seconds(drive.wallMs)} = ${n((drive.changes * 1000) / drive.wallMs)}/s` +
            `${drive.failed ? `; ${n(drive.failed)} failed: ${drive.failures.slice(0, 3).join(' | ')}` : ''}`,
        );
        console.log(
          `  deliveries: ${n(sum('delivered'))} of ${n(sum('expected'))} expected = ${n(messagesPerSecond)} messages/s; ` +
            `lost ${n(sum('lost'))}, duplicated ${n(sum('duplicates'))}, out of order ${n(sum('outOfOrder'))}; ` +
            `sockets closed ${n(sum('closed'))}${sum('closed') ? ` (${tallies.flatMap((t) => t.reasons).slice(0, 3).join(' | ')})` : ''}`,
        );
        console.log(
          `  latency (arrival − event time): p50 ${n(percentile(latencies, 50))} / p99 ${n(p99)} / max ${n(latencies.length ? latencies[latencies.length - 1] : NaN)} ms`,
        );
        const used = (key: keyof typeof cpuAfter) => cpuAfter[key] - cpuBefore[key];
        const spent = (key: keyof typeof cpuAfter) => `${used(key).toFixed(1)} s (${n((100 * used(key) * 1000) / drive.wallMs)} % of a core)`;
        const total = used('hub') + used('postgres') + used('subscribers') + used('driver');
        console.log(
          `  CPU while driving: hub ${spent('hub')}, PostgreSQL ${spent('postgres')}, subscriber processes ${spent('subscribers')}, ` +
            `driver ${spent('driver')}; hub ${((used('hub') * 1e6) / Math.max(1, drive.changes)).toFixed(0)} µs and all ` +
            `${((total * 1e6) / Math.max(1, drive.changes)).toFixed(0)} µs per change`,
        );
        console.log(`  hub RSS before ${n(memoryBefore?.rss ?? NaN)} / peak ${n(Math.max(peak, hub!.memory()?.hwm ?? 0))} MB`);
        return { label, delivered: sum('delivered'), lost: sum('lost'), p99, messagesPerSecond };
      } finally {
        clearInterval(sampler);
      }
    };
    const closeAll = () => Promise.all(subscriberClients.map((client) => client.call({ type: 'unsubscribe' })));

    const summary: Round[] = [];
    for (const count of options.subscribers) {
      summary.push(await round(`${n(count)} subscribers over the region tree`, placeSubscribers(count, tree), options.rate, options.seconds));
      await closeAll();
    }

    let held: Round | null = null;
    if (options.stress) {
      const count = Math.max(...options.subscribers);
      const regions = Array.from({ length: count }, () => CITY);
      for (let rate = options.stressFrom; rate <= MAX_STRESS_RATE; rate *= 2) {
        const result = await round(`stress: ${n(count)} subscribers on the whole city at ${rate} changes/s`, regions, rate, options.stressStep);
        await closeAll();
        if (result.lost > 0 || !(result.p99 <= 1000)) break;
        held = result;
      }
    }
    console.log('\nsummary');
    console.log(`  machine            ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores`);
    for (const result of summary) {
      console.log(`  ${result.label}: p99 ${n(result.p99)} ms, lost ${n(result.lost)}, ${n(result.messagesPerSecond)} messages/s`);
    }
    if (options.stress) {
      console.log(held ? `  stress: held ${n(held.messagesPerSecond)} messages/s (${held.label})` : '  stress: fell behind at the first rate');
    }
  } finally {
    await db?.end().catch(() => undefined);
    for (const client of clients) client.stop();
    if (hub) await hub.stop().catch(() => undefined);
    await database?.stop().catch(() => undefined);
    fs.rmSync(tempDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error('bench:live:', error instanceof Error ? error.message : error);
  process.exit(1);
});
