import http from 'node:http';
import { Pool } from 'pg';
import { postGraphQL } from './attack-client';
import { QuestionName, questionNamed, seededRandom, VariableSets } from './queries-questions';

/*
 * The load driver of `npm run bench:queries` (forked by bench/queries.ts), so that its CPU is not the measuring
 * process's: drives one question for a while over `connections` concurrent kept-alive connections, either at the
 * hub (HTTP GraphQL, one token per connection) or at the database (the floor: the question's SQL through a bare
 * `pg` pool of as many connections). Commands arrive over the IPC channel; each gets one reply.
 */

export type QueriesCommand =
  | { type: 'sets'; sets: VariableSets }
  | { type: 'graphql'; url: string; tokens: string[]; question: QuestionName; seed: number; seconds: number }
  | { type: 'floor'; databaseUrl: string; connections: number; question: QuestionName; seed: number; seconds: number }
  | { type: 'close' };

export interface RunResult {
  /** Requests answered without error. */
  ok: number;
  errors: number;
  /** The first few distinct error messages. */
  firstErrors: string[];
  /** From the first request sent to the last answer, ms. */
  wallMs: number;
  /** Latency percentiles of answered requests (errors included), ms. */
  p50: number;
  p99: number;
  max: number;
  /** The run's window on CLOCK_MONOTONIC, µs (to cut the hub's CPU profile). */
  fromUs: number;
  toUs: number;
}

let sets: VariableSets | null = null;
let pool: Pool | null = null;
let poolUrl = '';
let agent: http.Agent | null = null;

/**
 * Runs `connections` workers until `seconds` have passed; each sends its next request as soon as its previous one
 * was answered. Request k of the run (in the order they are sent) asks draw k of the question's sequence.
 */
async function drive(
  connections: number,
  question: QuestionName,
  seed: number,
  seconds: number,
  send: (index: number, variables: Record<string, unknown>, params: unknown[]) => Promise<string | null>,
): Promise<RunResult> {
  if (!sets) throw new Error('no variable sets yet');
  const variableSets = sets;
  const { draw } = questionNamed(question);
  const random = seededRandom(seed);
  const latencies: number[] = [];
  const firstErrors: string[] = [];
  let ok = 0;
  let errors = 0;
  const fromUs = Number(process.hrtime.bigint() / 1000n);
  const started = performance.now();
  const end = started + seconds * 1000;
  const worker = async (index: number) => {
    while (performance.now() < end) {
      const { variables, params } = draw(random, variableSets);
      const sent = performance.now();
      const error = await send(index, variables, params);
      latencies.push(performance.now() - sent);
      if (error === null) {
        ok++;
      } else {
        errors++;
        if (firstErrors.length < 3 && !firstErrors.includes(error)) firstErrors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, (_, index) => worker(index)));
  const wallMs = performance.now() - started;
  const toUs = Number(process.hrtime.bigint() / 1000n);
  latencies.sort((a, b) => a - b);
  const at = (p: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] : NaN);
  return { ok, errors, firstErrors, wallMs, p50: at(0.5), p99: at(0.99), max: latencies.at(-1) ?? NaN, fromUs, toUs };
}

async function graphql(command: Extract<QueriesCommand, { type: 'graphql' }>): Promise<RunResult> {
  // node's http with kept-alive connections, one per worker (fetch costs a driver several times the CPU).
  agent ??= new http.Agent({ keepAlive: true, maxSockets: command.tokens.length });
  const { document } = questionNamed(command.question);
  return drive(command.tokens.length, command.question, command.seed, command.seconds, async (index, variables) => {
    const answer = await postGraphQL(command.url, command.tokens[index], document, variables, 30_000, agent!);
    if (answer.failure || answer.timedOut) return answer.failure ?? 'timed out after 30 s';
    const body = answer.body as { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> } | null;
    if (!body) return `HTTP ${answer.status} without a GraphQL answer`;
    if (body.errors?.length) return `${body.errors[0].extensions?.code ?? `HTTP ${answer.status}`}: ${body.errors[0].message}`;
    return null;
  });
}

async function floor(command: Extract<QueriesCommand, { type: 'floor' }>): Promise<RunResult> {
  if (!pool || poolUrl !== command.databaseUrl) {
    await pool?.end();
    poolUrl = command.databaseUrl;
    pool = new Pool({ connectionString: command.databaseUrl, max: command.connections });
    pool.on('error', () => undefined);
  }
  const { floorSql } = questionNamed(command.question);
  const client = pool;
  return drive(command.connections, command.question, command.seed, command.seconds, async (_index, _variables, params) => {
    try {
      // A plain parameterised statement, as node-postgres sends one by default (parsed and planned each time).
      await client.query(floorSql, params);
      return null;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  });
}

async function handle(command: QueriesCommand): Promise<unknown> {
  switch (command.type) {
    case 'sets':
      sets = command.sets;
      return null;
    case 'graphql':
      return graphql(command);
    case 'floor':
      return floor(command);
    case 'close':
      agent?.destroy();
      agent = null;
      await pool?.end();
      pool = null;
      return null;
  }
}

process.on('message', (command: QueriesCommand) => {
  handle(command).then(
    (result) => process.send!({ ok: true, result }),
    (error: unknown) => process.send!({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
