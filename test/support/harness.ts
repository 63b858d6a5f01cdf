import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { Client as WsClient, createClient } from 'graphql-ws';
import { Client as PgClient } from 'pg';
import WebSocket from 'ws';
import { ormConfig } from '../../src/db/orm-config';
import { signToken, TokenClaims } from '../../src/auth/tokens';
import { Role } from '../../src/auth/viewer';
import { buildGridhubSchema } from '../../src/schema';
import { RunningServer, startServer } from '../../src/server/server';
import { DEFAULT_LIMITS, Limits, LiveSettings } from '../../src/config';
import { TEST_ADMIN_URL, TEST_TEMPLATE } from './env';

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; path?: string[]; extensions?: Record<string, any> }[];
}

/** A statement the hub ran, as knex announced it. */
export interface CapturedQuery {
  sql: string;
  /** Its name, when it ran as a named prepared read. */
  named?: string;
}

/** A running hub on its own copy of the seeded template database. */
export interface Hub {
  url: string;
  wsUrl: string;
  orm: MikroORM;
  /** The hub's own database, for a second instance or process on it. */
  databaseUrl: string;
  /** A token signed with the hub's key (default lifetime 12 h). */
  token(claims: Partial<TokenClaims> & { roles: Role[] }, expiresIn?: string): Promise<string>;
  /** POSTs a GraphQL request; `token` null sends no Authorization header. */
  gql<T = any>(token: string | null, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  /** A graphql-ws client authenticated with `token` (closed by `close()`); lazy unless `lazy: false`. */
  ws(token: string | null, options?: { lazy?: boolean }): WsClient;
  /** Runs SQL on the hub's database (for fixtures and cross-checks). */
  sql<R = any>(text: string, params?: unknown[]): Promise<R[]>;
  /** How many SQL statements the hub ran while `action` ran. */
  countStatements(action: () => Promise<unknown>): Promise<number>;
  /** The SQL statements the hub ran while `action` ran. */
  captureStatements(action: () => Promise<unknown>): Promise<string[]>;
  /** The same, with the name of each statement run as a named prepared read (src/db/bound.ts). */
  captureQueries(action: () => Promise<unknown>): Promise<CapturedQuery[]>;
  close(): Promise<void>;
}

/** Starts a hub on a fresh database copied from the template (migrated, demo city at test scale). */
export interface HubOptions {
  /** Limits to override (the rest are the defaults of src/config.ts). */
  limits?: Partial<Limits>;
  /** Introspection and "Did you mean" hints (off by default, as in production). */
  introspection?: boolean;
  /** Settings of the live incident event feed (the rest are the defaults of src/config.ts). */
  live?: Partial<LiveSettings>;
  /** Origins allowed to read responses cross-origin (none by default, as in production). */
  corsOrigins?: string[];
}

export async function startHub(options: HubOptions = {}): Promise<Hub> {
  const adminUrl = process.env[TEST_ADMIN_URL];
  if (!adminUrl) throw new Error('the jest global setup did not run');
  const name = `gridhub_test_${randomBytes(6).toString('hex')}`;
  const admin = new PgClient({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name} template ${TEST_TEMPLATE}`);
  await admin.end();

  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${name}`;
  const orm = await MikroORM.init(
    ormConfig(dbUrl.toString(), { statementTimeoutMs: options.limits?.statementTimeoutMs ?? DEFAULT_LIMITS.statementTimeoutMs }),
  );
  const key = new TextEncoder().encode(randomBytes(32).toString('hex'));
  const server: RunningServer = await startServer({
    orm,
    schema: await buildGridhubSchema(),
    key,
    port: 0,
    host: '127.0.0.1',
    log: process.env.HUB_LOG ? (line) => console.error(line) : () => undefined,
    // Suites send many requests from one subject in quick succession; the rate limit has its own tests.
    limits: { ratePerSecond: { ADMIN: 10_000, COMMAND_CENTER: 10_000, GRID_WORKER: 10_000, DEPARTMENT: 10_000, ANALYST: 10_000 }, ...options.limits },
    introspection: options.introspection,
    live: options.live,
    corsOrigins: options.corsOrigins,
  });
  const pg = new PgClient({ connectionString: dbUrl.toString() });
  await pg.connect();
  const sockets: WsClient[] = [];
  const captureQueries = async (action: () => Promise<unknown>): Promise<CapturedQuery[]> => {
    const knex = orm.em.getConnection().getKnex();
    const queries: CapturedQuery[] = [];
    const listener = (query: CapturedQuery) => queries.push({ sql: query.sql, named: query.named });
    knex.on('query', listener);
    try {
      await action();
    } finally {
      knex.removeListener('query', listener);
    }
    return queries;
  };
  const captureStatements = async (action: () => Promise<unknown>): Promise<string[]> => (await captureQueries(action)).map((query) => query.sql);
  const url = `http://127.0.0.1:${server.port}/graphql`;

  return {
    url,
    wsUrl: `ws://127.0.0.1:${server.port}/graphql`,
    orm,
    databaseUrl: dbUrl.toString(),
    token: (claims, expiresIn) => signToken(key, { sub: claims.sub ?? 'tester', ...claims }, expiresIn),
    async gql(token, query, variables) {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as GraphQLResponse;
      return { status: response.status, data: body.data, errors: body.errors };
    },
    ws(token, options) {
      const client = createClient({
        url: `ws://127.0.0.1:${server.port}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: token ? { authorization: `Bearer ${token}` } : {},
        retryAttempts: 0,
        lazy: options?.lazy ?? true,
      });
      sockets.push(client);
      return client;
    },
    async sql(text, params) {
      return (await pg.query(text, params as unknown[])).rows;
    },
    async countStatements(action) {
      return (await captureStatements(action)).length;
    },
    captureStatements,
    captureQueries,
    async close() {
      await Promise.all(sockets.map((socket) => socket.dispose()));
      await server.close();
      await orm.close(true);
      await pg.end();
      const cleanup = new PgClient({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

/** Runs one operation over a graphql-ws client and returns its single result. */
export function wsQuery<T = any>(client: WsClient, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>> {
  return new Promise((resolve, reject) => {
    let result: GraphQLResponse<T> = { status: 0 };
    client.subscribe<T>(
      { query, variables },
      {
        next: (value) => {
          result = { status: 0, data: value.data as T, errors: value.errors as GraphQLResponse['errors'] };
        },
        error: reject,
        complete: () => resolve(result),
      },
    );
  });
}

/** The response's data, failing with the errors when there are any. */
export function ok<T = any>(response: GraphQLResponse<T>): T {
  if (response.errors?.length) throw new Error(`unexpected errors: ${JSON.stringify(response.errors)}`);
  if (response.data === undefined) throw new Error('the response has no data');
  return response.data as T;
}

/** Asserts the response failed with one contract error code (and, when given, the offending field). */
export function expectError(response: GraphQLResponse, code: string, field?: string): void {
  const error = response.errors?.[0];
  if (!error) throw new Error(`expected a ${code} error, got data: ${JSON.stringify(response.data)}`);
  if (error.extensions?.code !== code || (field !== undefined && error.extensions?.field !== field)) {
    throw new Error(`expected ${code}${field ? ` on ${field}` : ''}, got ${JSON.stringify(error)}`);
  }
}

/**
 * Pages through the connection `list` of `query` with `first` until hasNextPage is false, checking the Relay
 * invariants on every page: full pages before the last, start/end cursors equal the first/last edge's cursor,
 * hasPreviousPage set exactly when `after` was given, the same totalCount on every page. Fails instead of
 * looping when paging does not end. Returns the nodes in order and the number of pages.
 */
export async function pageThrough(
  hub: Hub,
  token: string,
  query: string,
  list: string,
  variables: Record<string, unknown>,
  first: number,
  expectedTotal: number,
): Promise<{ nodes: any[]; pages: number }> {
  const nodes: any[] = [];
  let after: string | null = null;
  const maxPages = Math.ceil(expectedTotal / first) + 2;
  for (let pages = 1; ; pages++) {
    const data: any = ok(await hub.gql(token, query, { ...variables, first, after }));
    const connection = data[list];
    if (connection.totalCount !== expectedTotal) throw new Error(`totalCount ${connection.totalCount}, expected ${expectedTotal}`);
    if (connection.pageInfo.hasPreviousPage !== (after !== null)) throw new Error('hasPreviousPage should be set exactly when after is given');
    const edges = connection.edges as { cursor: string; node: any }[];
    if (edges.length > 0 && (connection.pageInfo.startCursor !== edges[0].cursor || connection.pageInfo.endCursor !== edges[edges.length - 1].cursor)) {
      throw new Error('startCursor/endCursor do not match the first/last edge');
    }
    nodes.push(...edges.map((edge) => edge.node));
    if (!connection.pageInfo.hasNextPage) return { nodes, pages };
    if (edges.length !== first) throw new Error(`a page before the last has ${edges.length} edges, not ${first}`);
    after = connection.pageInfo.endCursor;
    if (pages > maxPages) throw new Error(`paging ${list} did not end after ${pages} pages of ${first} (expected ${expectedTotal} rows)`);
  }
}
