import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signToken } from '../src/auth/tokens';
import { Role } from '../src/auth/viewer';
import { answerCode, HttpAnswer, monitorAgent, postGraphQL, RawSocket, request, sleep, withTimeout } from './attack-client';
import { HubProcess } from './hub-process';
import {
  aliasQuery,
  depthQuery,
  fragmentBombQuery,
  HEAVY_PAGE,
  MEDIUM_PAGE,
  repeatedInlineFragmentQuery,
  repeatedRootQuery,
  TAGS_VARIABLE_QUERY,
  tagsVariables,
} from './attack-documents';

/**
 * `npm run bench:attack [-- --scale 1 --duration 60 --timeout 60 --only depth,aliases]`: starts the hub as a
 * user would (`node dist/src/main.js`, a temporary GRIDHUB_DATA_DIR, a free port, the demo city at --scale) and
 * replays the attacks of design §6 at full size, printing for each what the hub answered, the wall time, the
 * hub's RSS before / peak / after, and the latency of /healthz and `{ __typename }` measured during the attack.
 * Every request has a timeout and every case a time or count bound, so this also runs (and shows the damage)
 * against an undefended hub: a hub that crashes or stops answering is restarted for the next case. All traffic
 * goes to 127.0.0.1. Prints figures; asserts nothing.
 */

interface Options {
  scale: string;
  durationS: number;
  timeoutMs: number;
  only: string[] | null;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { scale: '1', durationS: 60, timeoutMs: 60_000, only: null };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    switch (argv[i]) {
      case '--scale':
        options.scale = value;
        i++;
        break;
      case '--duration':
        options.durationS = Number(value);
        i++;
        break;
      case '--timeout':
        options.timeoutMs = Number(value) * 1000;
        i++;
        break;
      case '--only':
        options.only = value.split(',');
        i++;
        break;
      default:
        throw new Error(`unknown argument ${argv[i]} (--scale N, --duration S, --timeout S, --only a,b)`);
    }
  }
  return options;
}

/** Latencies of one kind of probe during a case. */
class Probe {
  readonly ms: number[] = [];
  readonly failures = new Map<string, number>();

  constructor(
    readonly name: string,
    private readonly send: () => Promise<HttpAnswer>,
    private readonly ok: (answer: HttpAnswer) => boolean,
  ) {}

  /** Probes back to back (20 ms apart) until `stop()` returns true. */
  async run(stop: () => boolean): Promise<void> {
    do {
      const answer = await this.send();
      if (this.ok(answer)) this.ms.push(answer.ms);
      else {
        const code = answer.timedOut ? 'timed out (5 s)' : answerCode(answer);
        this.failures.set(code, (this.failures.get(code) ?? 0) + 1);
        this.ms.push(answer.ms);
      }
      await sleep(20);
    } while (!stop());
  }

  summary(): string {
    if (this.ms.length === 0) return `${this.name} -`;
    const sorted = [...this.ms].sort((a, b) => a - b);
    const p50 = sorted[Math.floor(sorted.length / 2)];
    const failed = [...this.failures].map(([code, n]) => `${n}× ${code}`).join(', ');
    return `${this.name} p50 ${fmt(p50)} max ${fmt(sorted[sorted.length - 1])} ms (${this.ms.length} probes${failed ? `; ${failed}` : ''})`;
  }
}

function fmt(ms: number): string {
  return ms >= 100 ? Math.round(ms).toLocaleString('en') : ms.toFixed(1);
}

/** What a case's attack answered: each outcome and how often. */
type Outcomes = Map<string, number>;

function tally(codes: string[]): Outcomes {
  const outcomes: Outcomes = new Map();
  for (const code of codes) outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
  return outcomes;
}

interface Case {
  name: string;
  run(ctx: CaseContext): Promise<Outcomes>;
}

interface CaseContext {
  url: string;
  wsUrl: string;
  attacker: string;
  timeoutMs: number;
  durationMs: number;
}

/** An HTTP attack of one request; the outcome is its code plus, for refusals, the start of the message. */
function single(name: string, query: string, variables?: Record<string, unknown>): Case {
  return {
    name,
    async run(ctx) {
      const answer = await postGraphQL(ctx.url, ctx.attacker, query, variables, ctx.timeoutMs);
      const message: string | undefined = answer.body?.errors?.[0]?.message;
      const code = answerCode(answer);
      return tally([message && code !== 'data' ? `${code} "${message.slice(0, 90)}"${message.length > 90 ? `… (${message.length} chars)` : ''}` : code]);
    },
  };
}

/** One graphql-ws operation on a fresh socket; a socket closed by the hub is an outcome too. */
function overWebSocket(name: string, frame: () => string): Case {
  return {
    name,
    async run(ctx) {
      const socket = await RawSocket.open(ctx.wsUrl, ctx.attacker);
      try {
        socket.send(frame());
        const ended = socket.waitFor(() => socket.ended(['1']), ctx.timeoutMs, 'the operation').then(
          () => socket.outcomes(['1']).get('1')!,
          (error: Error) => (/closed/.test(error.message) ? null : 'TIMEOUT'),
        );
        const outcome = await ended;
        if (outcome === null) {
          const { code, reason } = await socket.closed;
          return tally([`socket closed ${code}${reason ? ` "${reason}"` : ''}`]);
        }
        return tally([outcome]);
      } finally {
        socket.close();
      }
    },
  };
}

const CASES: Case[] = [
  single('1. depth: person→places→place→people cycle, 34 levels, first: 100', depthQuery(34, 100)),
  single('2. repeated root field ×1,000 (37 KB)', repeatedRootQuery(1_000)),
  single('2. repeated root field ×10,000 (370 KB)', repeatedRootQuery(10_000)),
  single('2. repeated through inline fragments ×10,000', repeatedInlineFragmentQuery(10_000)),
  single('   fragment bomb, 30 levels', fragmentBombQuery(30)),
  single('3. aliases ×2,000 of people(first: 100) { totalCount }', aliasQuery(2_000)),
  {
    name: '4. 200 concurrent heavy page reads (duration)',
    async run(ctx) {
      const codes: string[] = [];
      const deadline = performance.now() + ctx.durationMs;
      const client = async () => {
        while (performance.now() < deadline) {
          const answer = await postGraphQL(ctx.url, ctx.attacker, HEAVY_PAGE, undefined, Math.min(ctx.timeoutMs, 30_000));
          codes.push(answerCode(answer));
          if (answer.status !== 200) await sleep(100);
        }
      };
      await Promise.all(Array.from({ length: 200 }, client));
      return tally(codes);
    },
  },
  single('4. tagsAny with 40,000 tags in a variable over HTTP (920 KB)', TAGS_VARIABLE_QUERY, tagsVariables(40_000)),
  single('4. tagsAny with 80,000 tags in a variable over HTTP (1.8 MB)', TAGS_VARIABLE_QUERY, tagsVariables(80_000)),
  overWebSocket('5. tagsAny with 80,000 tags over WebSocket (1.8 MB frame)', () =>
    JSON.stringify({ id: '1', type: 'subscribe', payload: { query: TAGS_VARIABLE_QUERY, variables: tagsVariables(80_000) } }),
  ),
  overWebSocket('5. a 10 MB WebSocket frame', () =>
    JSON.stringify({ id: '1', type: 'subscribe', payload: { query: `{ __typename } # ${'x'.repeat(10 * 1024 * 1024)}` } }),
  ),
  {
    name: '5. 1,000 operations at once on one socket',
    async run(ctx) {
      const socket = await RawSocket.open(ctx.wsUrl, ctx.attacker);
      try {
        const ids = Array.from({ length: 1_000 }, (_, i) => `op${i}`);
        for (const id of ids) socket.subscribe(id, MEDIUM_PAGE);
        await socket.waitFor(() => socket.ended(ids), Math.max(ctx.timeoutMs, 60_000), 'the operations').catch(() => undefined);
        const outcomes = tally([...socket.outcomes(ids).values()]);
        const closed = await Promise.race([socket.closed, sleep(0).then(() => null)]);
        if (closed) outcomes.set(`socket closed ${closed.code}`, 1);
        return outcomes;
      } finally {
        socket.close();
      }
    },
  },
];

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridhub-attack-'));
  // The embedded PostgreSQL runs as `postgres` when we are root: it must be able to enter the directory.
  fs.chmodSync(dataDir, 0o755);
  const secret = randomBytes(32).toString('hex');
  const key = new TextEncoder().encode(secret);
  const attacker = await signToken(key, { sub: 'attacker', roles: [Role.ADMIN] });
  const prober = await signToken(key, { sub: 'prober', roles: [Role.ADMIN] });
  const hub = new HubProcess(
    { PORT: '0', GRIDHUB_DATA_DIR: dataDir, GRIDHUB_DEMO_SCALE: options.scale, GRIDHUB_JWT_SECRET: secret },
    path.resolve(__dirname, '..', 'src', 'main.js'),
  );
  const cases = CASES.filter((c) => !options.only || options.only.some((word) => c.name.toLowerCase().includes(word.toLowerCase())));
  console.log(
    `bench:attack: ${cases.length} cases; demo scale ${options.scale}; per-request timeout ${options.timeoutMs / 1000} s; ` +
      `concurrency case ${options.durationS} s; ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
  );
  let started = performance.now();
  await hub.start(30 * 60_000);
  console.log(`hub ready in ${((performance.now() - started) / 1000).toFixed(1)} s at ${hub.url} (pid ${hub.child.pid})\n`);

  try {
    for (const attack of cases) {
      if (hub.exited) {
        console.log(`  (restarting the hub: ${hub.exited})`);
        await hub.start(5 * 60_000);
      }
      const ctx: CaseContext = {
        url: hub.url,
        wsUrl: hub.url.replace(/^http/, 'ws'),
        attacker,
        timeoutMs: options.timeoutMs,
        durationMs: options.durationS * 1000,
      };
      // Settle, then measure.
      await sleep(500);
      hub.resetPeak();
      const before = hub.memory();
      let peak = before?.rss ?? 0;
      const sampler = setInterval(() => (peak = Math.max(peak, hub.memory()?.rss ?? 0)), 50);
      let done = false;
      // Probes on connections a monitor keeps open, opened before the attack (see monitorAgent).
      const healthAgent = monitorAgent();
      const typenameAgent = monitorAgent();
      await request(ctx.url.replace(/\/graphql$/, '/healthz'), { timeoutMs: 5_000, agent: healthAgent });
      await postGraphQL(ctx.url, prober, '{ __typename }', undefined, 5_000, typenameAgent);
      const health = new Probe('/healthz', () => request(ctx.url.replace(/\/graphql$/, '/healthz'), { timeoutMs: 5_000, agent: healthAgent }), (a) => a.status === 200);
      const typename = new Probe('{__typename}', () => postGraphQL(ctx.url, prober, '{ __typename }', undefined, 5_000, typenameAgent), (a) => answerCode(a) === 'data');
      started = performance.now();
      const attackRun = attack.run(ctx).then(
        (outcomes) => outcomes,
        (error: Error) => tally([`bench error: ${error.message}`]),
      );
      const probes = Promise.all([health.run(() => done), sleep(10).then(() => typename.run(() => done))]);
      const outcomes = await attackRun;
      const wall = performance.now() - started;
      done = true;
      await withTimeout(probes, 15_000, 'the probes').catch(() => undefined);
      healthAgent.destroy();
      typenameAgent.destroy();
      clearInterval(sampler);
      const after = hub.memory();
      peak = Math.max(peak, after?.hwm ?? 0);
      const mb = (value: number | undefined) => (value === undefined ? '—' : `${Math.round(value).toLocaleString('en')}`);
      console.log(attack.name);
      console.log(`  answered: ${[...outcomes].map(([code, n]) => (n > 1 ? `${n}× ${code}` : code)).join('; ')}`);
      console.log(`  wall ${fmt(wall)} ms; hub RSS before ${mb(before?.rss)} / peak ${mb(peak)} / after ${after ? mb(after.rss) : `— (hub ${hub.exited ?? 'gone'})`} MB`);
      console.log(`  during: ${health.summary()}; ${typename.summary()}`);
      // A hub that no longer answers /healthz within 10 s is restarted for the next case.
      if (!hub.exited) {
        const recovered = await waitHealthy(ctx.url, 10_000);
        if (!recovered) {
          console.log(`  hub unresponsive 10 s after the case; stopping it: ${await hub.stop(5_000)}`);
        }
      }
      if (hub.exited) console.log(`  hub ended: ${hub.exited}`);
      console.log();
    }
  } finally {
    // A hub that was killed left its embedded PostgreSQL running: a last start stops it (as the README says),
    // then SIGTERM stops both.
    if (hub.exited) await hub.start(5 * 60_000).catch((error: Error) => console.error(error.message));
    const stopped = await hub.stop();
    console.log(`hub stopped: ${stopped}`);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function waitHealthy(url: string, withinMs: number): Promise<boolean> {
  const deadline = performance.now() + withinMs;
  while (performance.now() < deadline) {
    const answer = await request(url.replace(/\/graphql$/, '/healthz'), { timeoutMs: Math.max(100, deadline - performance.now()) });
    if (answer.status === 200) return true;
    await sleep(200);
  }
  return false;
}

main().catch((error) => {
  console.error('bench:attack:', error instanceof Error ? error.message : error);
  process.exit(1);
});
