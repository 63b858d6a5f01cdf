import http from 'node:http';
import { Client } from 'pg';
import { request } from './attack-client';
import { GeneratedData, generateRecords, RecordBatch } from './ingest-data';

/*
 * The client of `npm run bench:ingest`, in a process of its own (forked by bench/ingest.ts), as a department
 * system would be: it makes the records, sends them to the hub over HTTP, then writes the same rows with a bare
 * upsert over its own database connections. Commands arrive over the IPC channel; each gets one reply.
 */

export type ClientCommand =
  | { type: 'generate'; records: number; batch: number; grids: string[] }
  | { type: 'graphql'; url: string; tokens: Record<string, string>; concurrency: number }
  | { type: 'bare'; databaseUrl: string; concurrency: number }
  | { type: 'exit' };

export interface GenerateResult {
  people: number;
  records: number;
  batches: number;
  bySource: Record<string, number>;
  conflicting: number;
  ms: number;
}

export interface Outcomes {
  created: number;
  updated: number;
  unchanged: number;
  stale: number;
  rejected: number;
}

export interface GraphQLResult {
  /** process.hrtime.bigint() at the first request and after the last answer (CLOCK_MONOTONIC, ns). */
  startedNs: string;
  endedNs: string;
  wallMs: number;
  outcomes: Outcomes;
  /** Records whose result said nothing usable (the call failed, or its report had no result for them). */
  unreported: number;
  /** The first failed calls: HTTP status or GraphQL error. */
  failures: string[];
  failedCalls: number;
  /** The first rejected records, with their errors. */
  rejections: string[];
  batchMs: { p50: number; p95: number; max: number };
}

export interface BareResult {
  wallMs: number;
  statements: number;
  /** Rows sent after de-duplication within each batch. */
  rows: number;
  tableRows: number;
  deadlockRetries: number;
  batchMs: { p50: number; p95: number; max: number };
}

const INGEST_PEOPLE = `mutation IngestPeople($source: SourceSystem!, $records: [PersonRecordInput!]!) {
  ingestPeople(source: $source, records: $records) {
    created updated unchanged stale rejected
    results { sourceKey outcome errors { field message } }
  }
}`;

let data: GeneratedData | null = null;

async function handle(command: ClientCommand): Promise<unknown> {
  switch (command.type) {
    case 'generate': {
      const started = performance.now();
      data = generateRecords(command.records, command.batch, command.grids);
      const result: GenerateResult = {
        people: data.people,
        records: data.records,
        batches: data.batches.length,
        bySource: data.bySource,
        conflicting: data.conflicting,
        ms: performance.now() - started,
      };
      return result;
    }
    case 'graphql':
      return sendGraphQL(requireData(), command.url, command.tokens, command.concurrency);
    case 'bare':
      return bareUpsert(requireData(), command.databaseUrl, command.concurrency);
    case 'exit':
      setImmediate(() => process.exit(0));
      return null;
  }
}

function requireData(): GeneratedData {
  if (!data) throw new Error('generate first');
  return data;
}

/** Runs `work(batch)` for every batch, `concurrency` at a time, in batch order. */
async function inParallel(batches: RecordBatch[], concurrency: number, work: (batch: RecordBatch, lane: number) => Promise<void>): Promise<number[]> {
  let next = 0;
  const times: number[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async (_, lane) => {
      while (next < batches.length) {
        const batch = batches[next++];
        const started = performance.now();
        await work(batch, lane);
        times.push(performance.now() - started);
      }
    }),
  );
  return times;
}

async function sendGraphQL(data: GeneratedData, url: string, tokens: Record<string, string>, concurrency: number): Promise<GraphQLResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const outcomes: Outcomes = { created: 0, updated: 0, unchanged: 0, stale: 0, rejected: 0 };
  const failures: string[] = [];
  const rejections: string[] = [];
  let failedCalls = 0;
  let unreported = 0;
  const started = process.hrtime.bigint();
  const wallStart = performance.now();
  const times = await inParallel(data.batches, concurrency, async (batch) => {
    const answer = await request(url, {
      token: tokens[batch.source],
      body: { query: INGEST_PEOPLE, variables: { source: batch.source, records: batch.records.map((r) => r.record) } },
      timeoutMs: 300_000,
      agent,
    });
    const report = answer.body?.data?.ingestPeople;
    if (!report) {
      failedCalls++;
      unreported += batch.records.length;
      if (failures.length < 5) {
        const why = answer.timedOut
          ? 'timed out (300 s)'
          : (answer.failure ?? `HTTP ${answer.status} ${JSON.stringify(answer.body?.errors?.[0] ?? answer.body)?.slice(0, 300)}`);
        failures.push(`${batch.source} batch of ${batch.records.length}: ${why}`);
      }
      return;
    }
    for (const key of Object.keys(outcomes) as Array<keyof Outcomes>) outcomes[key] += report[key];
    const results = report.results as Array<{ sourceKey: string; outcome: string; errors: Array<{ field: string; message: string }> }>;
    unreported += Math.max(0, batch.records.length - results.length);
    for (const result of results) {
      if (result.outcome === 'REJECTED' && rejections.length < 5) {
        rejections.push(`${batch.source} ${result.sourceKey}: ${result.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
      }
    }
  });
  const ended = process.hrtime.bigint();
  agent.destroy();
  return {
    startedNs: started.toString(),
    endedNs: ended.toString(),
    wallMs: performance.now() - wallStart,
    outcomes,
    unreported,
    failures,
    failedCalls,
    rejections,
    batchMs: percentiles(times),
  };
}

const BARE_TABLE = `create table bench_person_bare (
  id_number text primary key, name text, gender text, birth_date date, phone text, grid_code text, address text,
  household_type text, tags text[], social_security jsonb, civil_affairs jsonb, governance jsonb, source text,
  source_key text, payload jsonb)`;

const BARE_COLUMNS = [
  'id_number', 'name', 'gender', 'birth_date', 'phone', 'grid_code', 'address', 'household_type', 'tags', 'social_security',
  'civil_affairs', 'governance', 'source', 'source_key', 'payload',
];

/** One statement per batch; rows in ID order, so concurrent batches lock in one order and wait rather than deadlock. */
const BARE_UPSERT = `insert into bench_person_bare (${BARE_COLUMNS.join(', ')})
  select ${BARE_COLUMNS.map((c) => `r.${c}`).join(', ')}
    from jsonb_to_recordset($1::jsonb) as r(id_number text, name text, gender text, birth_date date, phone text,
         grid_code text, address text, household_type text, tags text[], social_security jsonb, civil_affairs jsonb,
         governance jsonb, source text, source_key text, payload jsonb)
   order by r.id_number
  on conflict (id_number) do update set ${BARE_COLUMNS.filter((c) => c !== 'id_number').map((c) => `${c} = excluded.${c}`).join(', ')}`;

async function bareUpsert(data: GeneratedData, databaseUrl: string, concurrency: number): Promise<BareResult> {
  const clients = Array.from({ length: concurrency }, () => new Client({ connectionString: databaseUrl }));
  await Promise.all(clients.map((client) => client.connect()));
  try {
    await clients[0].query('drop table if exists bench_person_bare');
    await clients[0].query(BARE_TABLE);
    let rows = 0;
    let deadlockRetries = 0;
    const wallStart = performance.now();
    const times = await inParallel(data.batches, concurrency, async (batch, lane) => {
      const byId = new Map<string, Record<string, unknown>>();
      for (const { source, record, gender, birthDate } of batch.records) {
        byId.set(record.idNumber, {
          id_number: record.idNumber,
          name: record.name,
          gender,
          birth_date: birthDate,
          phone: record.phone ?? null,
          grid_code: record.gridCode,
          address: record.address ?? null,
          household_type: record.householdType ?? null,
          tags: record.tags ?? [],
          social_security: record.socialSecurity ?? null,
          civil_affairs: record.civilAffairs ?? null,
          governance: record.governance ?? null,
          source,
          source_key: record.sourceKey,
          payload: record,
        });
      }
      const parameter = JSON.stringify([...byId.values()]);
      for (;;) {
        try {
          await clients[lane].query(BARE_UPSERT, [parameter]);
          break;
        } catch (error) {
          if ((error as { code?: string }).code !== '40P01') throw error;
          deadlockRetries++;
        }
      }
      rows += byId.size;
    });
    const wallMs = performance.now() - wallStart;
    const { rows: counted } = await clients[0].query<{ n: string }>('select count(*) as n from bench_person_bare');
    return { wallMs, statements: data.batches.length, rows, tableRows: Number(counted[0].n), deadlockRetries, batchMs: percentiles(times) };
  } finally {
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
  }
}

function percentiles(values: number[]): { p50: number; p95: number; max: number } {
  if (values.length === 0) return { p50: 0, p95: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: sorted[Math.floor(sorted.length / 2)],
    p95: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))],
    max: sorted[sorted.length - 1],
  };
}

if (require.main === module) {
  if (!process.send) {
    console.error('bench/ingest-client is started by bench/ingest.js (npm run bench:ingest), not on its own');
    process.exit(2);
  }
  process.on('message', (command: ClientCommand) => {
    handle(command).then(
      (result) => process.send!({ ok: true, result }),
      (error: Error) => process.send!({ ok: false, error: error.stack ?? String(error) }),
    );
  });
  // The orchestrator gone: nothing left to do.
  process.on('disconnect', () => process.exit(0));
}
