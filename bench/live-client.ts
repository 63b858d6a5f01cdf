import http from 'node:http';
import { Client as PgClient } from 'pg';
import { Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { isWithin } from '../src/shared/region-code';
import { postGraphQL } from './attack-client';

/*
 * A client process of `npm run bench:live` (forked by bench/live.ts). As "subscribers" it opens one graphql-ws
 * socket per command centre and subscribes to `incidentEvents`, noting when each event arrives; as "driver" it runs
 * incidents through the workflow mutations at a set rate, as the command centres' staff would. Commands arrive over
 * the IPC channel; each gets one reply.
 */

/** One command centre on the live feed: its token and the region it watches. */
export interface Subscriber {
  token: string;
  regionCode: string;
}

export type LiveCommand =
  | { type: 'subscribe'; url: string; subscribers: Subscriber[]; afterSeq: string }
  | { type: 'mark' }
  | { type: 'tally'; databaseUrl: string; fromSeq: string; toSeq: string }
  | { type: 'unsubscribe' }
  | { type: 'drive'; url: string; tokens: string[]; grids: string[]; rate: number; seconds: number; inFlight: number }
  | { type: 'exit' };

export interface SubscribeResult {
  /** Sockets whose subscription was refused or failed, with the first reasons. */
  failed: number;
  reasons: string[];
  ms: number;
}

export interface TallyResult {
  /** Deliveries the events in the seq range called for (each event × each subscriber whose region holds it). */
  expected: number;
  delivered: number;
  lost: number;
  duplicates: number;
  outOfOrder: number;
  /** Delivery latency (receipt minus the event's time), ms, of the deliveries since the last `mark`. */
  latencies: number[];
  /** Sockets that ended early (closed by the server or failed), with the first reasons. */
  closed: number;
  reasons: string[];
}

export interface DriveResult {
  changes: number;
  failed: number;
  failures: string[];
  wallMs: number;
}

// The workflow, as command centres run it: each mutation appends exactly one incident event.
const REPORT = `mutation Report($input: ReportIncidentInput!) { reportIncident(input: $input) { id version } }`;
const STEPS: ReadonlyArray<{ document: string; variables?: Record<string, unknown> }> = [
  { document: `mutation($id: ID!, $v: Int) { acceptIncident(id: $id, expectedVersion: $v) { version } }` },
  { document: `mutation($id: ID!, $v: Int) { dispatchIncident(id: $id, expectedVersion: $v, assignee: "bench") { version } }` },
  { document: `mutation($id: ID!, $v: Int) { startIncident(id: $id, expectedVersion: $v) { version } }` },
  { document: `mutation($id: ID!, $v: Int) { resolveIncident(id: $id, expectedVersion: $v, feedback: "已处置") { version } }` },
  { document: `mutation($id: ID!, $v: Int) { verifyIncident(id: $id, expectedVersion: $v, passed: true) { version } }` },
];
const SUBSCRIPTION = `subscription Live($regionCode: String!, $afterSeq: ID) {
  incidentEvents(regionCode: $regionCode, afterSeq: $afterSeq) { seq type gridCode at }
}`;

/** What one socket received. */
interface Feed {
  subscriber: Subscriber;
  client: Client;
  /** seq of each event received, in arrival order. */
  seqs: string[];
  /** Arrival minus event time (ms) since the last mark. */
  latencies: number[];
  ended: string | null;
}

let feeds: Feed[] = [];

async function subscribe(url: string, subscribers: Subscriber[], afterSeq: string): Promise<SubscribeResult> {
  const started = performance.now();
  const reasons: string[] = [];
  let failed = 0;
  const wsUrl = url.replace(/^http/, 'ws');
  const opened = subscribers.map(
    (subscriber) =>
      new Promise<void>((resolve) => {
        const client = createClient({
          url: wsUrl,
          webSocketImpl: WebSocket,
          connectionParams: { authorization: `Bearer ${subscriber.token}` },
          retryAttempts: 0,
          lazy: false,
          on: { connected: () => resolve() },
        });
        const feed: Feed = { subscriber, client, seqs: [], latencies: [], ended: null };
        feeds.push(feed);
        const end = (reason: string) => {
          if (feed.ended === null) {
            feed.ended = reason;
            failed++;
            if (reasons.length < 5) reasons.push(reason);
          }
          resolve();
        };
        client.subscribe<{ incidentEvents: { seq: string; at: string } }>(
          { query: SUBSCRIPTION, variables: { regionCode: subscriber.regionCode, afterSeq } },
          {
            next: (message) => {
              const event = message.data?.incidentEvents;
              if (!event) return end(`an answer without an event: ${JSON.stringify(message.errors ?? message).slice(0, 200)}`);
              feed.seqs.push(event.seq);
              feed.latencies.push(Date.now() - Date.parse(event.at));
            },
            error: (error) => end(describe(error)),
            complete: () => end('completed by the server'),
          },
        );
      }),
  );
  await Promise.all(opened);
  return { failed, reasons, ms: performance.now() - started };
}

/** Checks every feed against the events the database holds in (fromSeq, toSeq]. */
async function tally(databaseUrl: string, fromSeq: string, toSeq: string): Promise<TallyResult> {
  const db = new PgClient({ connectionString: databaseUrl });
  await db.connect();
  let events: Array<{ seq: string; gridCode: string }>;
  try {
    events = (
      await db.query<{ seq: string; gridCode: string }>(
        `select seq::text as "seq", grid_code as "gridCode" from incident_event where seq > $1 and seq <= $2 order by seq`,
        [fromSeq, toSeq],
      )
    ).rows;
  } finally {
    await db.end();
  }
  const result: TallyResult = { expected: 0, delivered: 0, lost: 0, duplicates: 0, outOfOrder: 0, latencies: [], closed: 0, reasons: [] };
  for (const feed of feeds) {
    const wanted = events.filter((event) => isWithin(event.gridCode, feed.subscriber.regionCode)).map((event) => event.seq);
    const inRange = feed.seqs.filter((seq) => BigInt(seq) > BigInt(fromSeq) && BigInt(seq) <= BigInt(toSeq));
    const got = new Set(inRange);
    result.expected += wanted.length;
    result.delivered += inRange.length;
    result.duplicates += inRange.length - got.size;
    result.lost += wanted.filter((seq) => !got.has(seq)).length;
    for (let i = 1; i < inRange.length; i++) if (BigInt(inRange[i]) <= BigInt(inRange[i - 1])) result.outOfOrder++;
    for (const latency of feed.latencies) result.latencies.push(latency);
    if (feed.ended !== null) {
      result.closed++;
      if (result.reasons.length < 5) result.reasons.push(feed.ended);
    }
  }
  return result;
}

/**
 * Runs incidents through report → accept → dispatch → start → resolve → verify at `rate` mutations per second
 * for `seconds`, at most `inFlight` at once, each step with the version the previous one returned.
 */
async function drive(command: Extract<LiveCommand, { type: 'drive' }>): Promise<DriveResult> {
  const result: DriveResult = { changes: 0, failed: 0, failures: [], wallMs: 0 };
  const started = performance.now();
  let turn = 0;
  // node's http with kept-alive connections: the driver shares the two cores with the hub, and fetch costs it
  // several times the CPU per request.
  const agent = new http.Agent({ keepAlive: true, maxSockets: command.inFlight });
  const call = async (document: string, variables: Record<string, unknown>): Promise<any> => {
    const token = command.tokens[turn++ % command.tokens.length];
    const answer = await postGraphQL(command.url, token, document, variables, 30_000, agent);
    if (answer.failure || answer.timedOut) throw new Error(answer.failure ?? 'timed out');
    const body = answer.body as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> } | null;
    if (!body) throw new Error(`HTTP ${answer.status} without a GraphQL answer`);
    if (body.errors?.length) throw new Error(`${body.errors[0].extensions?.code ?? answer.status}: ${body.errors[0].message}`);
    return body.data;
  };
  // Open cases and their next step; a finished one makes room for a new report.
  const open: Array<{ id: string; version: number; step: number }> = [];
  let reported = 0;
  const change = async (): Promise<void> => {
    const index = open.findIndex((item) => item.step >= 0);
    try {
      if (index < 0 || open.length < command.inFlight * 2) {
        const grid = command.grids[reported++ % command.grids.length];
        const data = await call(REPORT, {
          input: { title: `基准测试事件 ${reported}`, category: 'CITY_MANAGEMENT', severity: 'LOW', gridCode: grid },
        });
        open.push({ id: data.reportIncident.id, version: data.reportIncident.version, step: 0 });
      } else {
        const item = open[index];
        item.step = -1 - item.step; // taken: no other change runs this case's next step meanwhile
        const step = -1 - item.step;
        const data = await call(STEPS[step].document, { id: item.id, v: item.version, ...STEPS[step].variables });
        const answer = Object.values(data)[0] as { version: number };
        item.version = answer.version;
        item.step = step + 1;
        if (item.step >= STEPS.length) open.splice(open.indexOf(item), 1);
      }
      result.changes++;
    } catch (error) {
      result.failed++;
      if (result.failures.length < 5) result.failures.push(describe(error));
      if (index >= 0 && open[index] && open[index].step < 0) open.splice(index, 1);
    }
  };
  const interval = 1000 / command.rate;
  const end = started + command.seconds * 1000;
  const running = new Set<Promise<void>>();
  for (let next = started; next < end; next += interval) {
    const wait = next - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    while (running.size >= command.inFlight) await Promise.race(running);
    const promise = change().finally(() => running.delete(promise));
    running.add(promise);
  }
  await Promise.all(running);
  result.wallMs = performance.now() - started;
  return result;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (Array.isArray(error)) return error.map((e) => (e as { message?: string }).message ?? String(e)).join('; ');
  const close = error as { code?: number; reason?: string };
  if (typeof close?.code === 'number') return `socket closed ${close.code} ${close.reason ?? ''}`.trim();
  return String(error);
}

async function handle(command: LiveCommand): Promise<unknown> {
  switch (command.type) {
    case 'subscribe':
      return subscribe(command.url, command.subscribers, command.afterSeq);
    case 'mark':
      for (const feed of feeds) feed.latencies = [];
      return null;
    case 'tally':
      return tally(command.databaseUrl, command.fromSeq, command.toSeq);
    case 'unsubscribe':
      await Promise.all(feeds.map((feed) => feed.client.dispose()));
      feeds = [];
      return null;
    case 'drive':
      return drive(command);
    case 'exit':
      process.exit(0);
  }
}

process.on('message', (command: LiveCommand) => {
  handle(command).then(
    (result) => process.send!({ ok: true, result }),
    (error: unknown) => process.send!({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
