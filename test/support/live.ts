import { Client as WsClient, createClient } from 'graphql-ws';
import WebSocket from 'ws';

/** The subscription with every event field and a little of the incident. */
export const INCIDENT_EVENTS = `
  subscription Events($regionCode: String, $categories: [IncidentCategory!], $afterSeq: ID) {
    incidentEvents(regionCode: $regionCode, categories: $categories, afterSeq: $afterSeq) {
      seq incidentId gridCode category type actor note fromStatus toStatus at
    }
  }`;

/** What one subscription has received so far. */
export interface Collected {
  events: any[];
  /** Errors delivered with a `next` (e.g. UNAUTHENTICATED when the token expires). */
  errors: any[];
  /** The error frame or close event that ended it, if any. */
  failure: unknown;
  completed: boolean;
  seqs(): string[];
  /** Stops the subscription (the client sends `complete`). */
  stop(): void;
}

/** Subscribes with `client` and collects what arrives. */
export function collect(client: WsClient, variables: Record<string, unknown> = {}, query = INCIDENT_EVENTS): Collected {
  const collected: Collected = {
    events: [],
    errors: [],
    failure: null,
    completed: false,
    seqs: () => collected.events.map((event) => event.seq),
    stop: () => undefined,
  };
  collected.stop = client.subscribe<any>(
    { query, variables },
    {
      next: (value) => {
        if (value.errors?.length) collected.errors.push(...value.errors);
        if (value.data?.incidentEvents) collected.events.push(value.data.incidentEvents);
      },
      error: (error) => {
        collected.failure = error;
      },
      complete: () => {
        collected.completed = true;
      },
    },
  );
  return collected;
}

const clients: WsClient[] = [];

/** A graphql-ws client on `wsUrl` authenticated with `token`, connected at once; {@link disposeLiveClients} closes it. */
export function liveClient(wsUrl: string, token: string): WsClient {
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: false,
    // A socket the server closes (a test of that, or the hub stopping) is what the test looks at, not an error.
    onNonLazyError: () => undefined,
  });
  clients.push(client);
  return client;
}

/** Closes every client {@link liveClient} made. */
export async function disposeLiveClients(): Promise<void> {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
}

/** Polls `condition` every 50 ms until it holds; fails after `timeoutMs` naming `what`. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Asserts that seqs ascend strictly (no duplicate, in order). */
export function ascending(seqs: readonly string[]): boolean {
  return seqs.every((seq, i) => i === 0 || BigInt(seq) > BigInt(seqs[i - 1]));
}

/** SQL appending one UPDATED event to incident $1 with note $2, as a writer would (no bell): returns `seq`. */
export const INSERT_EVENT = `insert into incident_event (incident_id, grid_code, category, type, actor, note, from_status, to_status)
  select id, grid_code, category, 'UPDATED', 'live-test', $2, status, status from incident where id = $1
  returning seq::text as seq`;

/** SQL appending $3 UPDATED events to incident $1 in one statement, with notes $2 || 1, $2 || 2, … (no bell). */
export const INSERT_EVENTS = `insert into incident_event (incident_id, grid_code, category, type, actor, note, from_status, to_status)
  select id, grid_code, category, 'UPDATED', 'live-test', $2 || n, status, status
    from incident, generate_series(1, $3::int) n where id = $1 order by n`;
