import path from 'node:path';
import { DEFAULT_PRIORITIES, loadPriorities, Priorities } from './ingest/priorities';
import { parseDuePolicy } from './incidents/due-time';
import { DEFAULT_SWEEP_INTERVAL_MS } from './incidents/overdue-sweeper';
import { DEFAULT_RESPONSIBILITY_FILE, loadResponsibilityList } from './incidents/responsibility-list';
import { WorkflowOptions } from './incidents/incident-workflow.service';

/** Validated runtime configuration. Read once at start-up; nothing else reads `process.env`. */
export interface Config {
  /** HTTP and WebSocket port (`PORT`, default 4000; 0 picks a free port). */
  port: number;
  /** External PostgreSQL (`DATABASE_URL`); unset starts an embedded PostgreSQL under the data dir. */
  databaseUrl: string | null;
  /** Where the embedded database and the generated signing key live (`GRIDHUB_DATA_DIR`, default `./.data`). */
  dataDir: string;
  /** HS256 signing key (`GRIDHUB_JWT_SECRET`, at least 32 characters); unset: generated once under the data dir. */
  jwtSecret: string | null;
  /** Load the demo city into an empty database on start (`GRIDHUB_DEMO_SEED`, default on; `0` skips). */
  demoSeed: boolean;
  /** Volume multiplier of the demo city (`GRIDHUB_DEMO_SCALE`, default 1 = ~50,000 people). */
  demoScale: number;
  /** `NODE_ENV=development` shows stack traces in error responses. */
  development: boolean;
  /** Introspection and "Did you mean …" hints (`GRIDHUB_INTROSPECTION`; default on only in development). */
  introspection: boolean;
  /** What one request, one socket and one caller may ask of the hub (design §6). */
  limits: Limits;
  /** Per-field source priority of survivorship (`GRIDHUB_SURVIVORSHIP_FILE`, a JSON file; unset: the default). */
  priorities: Priorities;
  /**
   * The incident workflow: the responsibility list (`GRIDHUB_RESPONSIBILITY_FILE`; default the 乌海市 list in
   * seeds/responsibility-list.json) and the due-time policy (`GRIDHUB_DUE_HOURS`, `GRIDHUB_DUE_SEVERITY_FACTORS`).
   */
  workflow: WorkflowOptions;
  /** Milliseconds between overdue sweeps of this instance (`GRIDHUB_SWEEP_INTERVAL_MS`, default 60,000; 0: none). */
  sweepIntervalMs: number;
  /** Minutes a county department has to acknowledge a town's call (乡呼县应) (`GRIDHUB_CALL_ACK_MINUTES`, default 30). */
  callAcknowledgeMinutes: number;
  /** The live incident event feed behind `subscription incidentEvents`. */
  live: LiveSettings;
  /**
   * Origins whose pages may read `/graphql` responses (`GRIDHUB_CORS_ORIGINS`, comma-separated exact origins such
   * as `https://dashboard.example.gov.cn`; default none: no CORS headers).
   */
  corsOrigins: string[];
}

/** How each instance reads the incident event log and feeds its subscribers (`subscription incidentEvents`). */
export interface LiveSettings {
  /**
   * How often the feed reads the log without being rung, in ms (`GRIDHUB_LIVE_POLL_MS`, default 1,000): the delay
   * of an event whose notification was lost. Token expiry is checked as often.
   */
  pollMs: number;
  /**
   * Events that may wait on one WebSocket for a subscriber that reads too slowly (`GRIDHUB_LIVE_MAX_QUEUED`,
   * default 1,000, over all its subscriptions); beyond, the socket is closed (4503) and the client resumes with
   * `afterSeq`.
   */
  maxQueuedPerSocket: number;
  /** Events read per statement, by the feed and by a replay (`GRIDHUB_LIVE_BATCH`, default 500). */
  batchSize: number;
}

export const DEFAULT_LIVE_SETTINGS: LiveSettings = { pollMs: 1000, maxQueuedPerSocket: 1000, batchSize: 500 };

const LIVE_VARIABLES: Record<keyof LiveSettings, string> = {
  pollMs: 'GRIDHUB_LIVE_POLL_MS',
  maxQueuedPerSocket: 'GRIDHUB_LIVE_MAX_QUEUED',
  batchSize: 'GRIDHUB_LIVE_BATCH',
};

/**
 * The limits of design §6. Every one is per instance: N instances behind a load balancer admit N times as much.
 * Each has an environment variable, named in {@link LIMIT_VARIABLES}.
 */
export interface Limits {
  /** Largest HTTP request body and WebSocket frame, in bytes (default 1 MiB). */
  maxRequestBytes: number;
  /** Lexical tokens in one document (default 3,000): checked while parsing, before anything else. */
  maxTokens: number;
  /** Nesting depth of fields, through fragments (default 12; introspection's own depth is not counted). */
  maxDepth: number;
  /** Aliases in one operation, through fragments (default 20). */
  maxAliases: number;
  /** Directives in one operation (default 20). */
  maxDirectives: number;
  /** How often one response key may be selected in one selection set, through fragments (default 3). */
  maxRepeatedFields: number;
  /** Estimated cost of one operation (default 50,000): rows a query may touch, page sizes multiplied out. */
  maxCost: number;
  /** Values in one list argument or list variable, e.g. tags or statuses (default 100; batches of objects aside). */
  maxListLength: number;
  /** Operations in flight on one WebSocket (default 20). */
  maxOperationsPerSocket: number;
  /** GraphQL operations executing at once on this instance (default 4); more wait in a queue. */
  maxConcurrent: number;
  /** Operations that may wait for a free slot (default 100); beyond it: RATE_LIMITED at once. */
  maxQueued: number;
  /** How long an operation may wait for a slot, in ms (default 5,000); then RATE_LIMITED. */
  maxQueueWaitMs: number;
  /** Operations one token subject may have running or waiting at once (default 8); beyond: RATE_LIMITED. */
  maxInFlightPerSubject: number;
  /** Timeout of each SQL statement a request runs, in ms (default 10,000; migrations and seeding are exempt). */
  statementTimeoutMs: number;
  /** Records per ingest call (default 1,000). */
  maxIngestBatch: number;
  /**
   * Largest HTTP request body and WebSocket frame for callers that may ingest (DEPARTMENT and ADMIN tokens), in
   * bytes (default 16 MiB): a full batch of records with their facets and links; everyone else keeps `maxRequestBytes`.
   */
  maxIngestRequestBytes: number;
  /**
   * Groups one stats field (incidentStats, peopleStats, placeStats, thingStats) may answer (default 10,000); beyond:
   * BAD_USER_INPUT on `groupBy`, asking for a narrower filter or coarser groups.
   */
  maxStatsGroups: number;
  /**
   * The smallest group whose measures a viewer that sees personal data masked (ANALYST) is shown (default 5;
   * 1: every group): smaller ones are suppressed (src/stats/suppression.ts).
   */
  statsMinCell: number;
  /** Requests per second per token subject, by role (a token with several roles gets the largest). */
  ratePerSecond: Record<'ADMIN' | 'COMMAND_CENTER' | 'GRID_WORKER' | 'DEPARTMENT' | 'ANALYST', number>;
}

export const DEFAULT_LIMITS: Limits = {
  maxRequestBytes: 1024 * 1024,
  maxTokens: 3000,
  maxDepth: 12,
  maxAliases: 20,
  maxDirectives: 20,
  maxRepeatedFields: 3,
  maxCost: 50000,
  maxListLength: 100,
  maxOperationsPerSocket: 20,
  maxConcurrent: 4,
  maxQueued: 100,
  maxQueueWaitMs: 5000,
  maxInFlightPerSubject: 8,
  statementTimeoutMs: 10000,
  maxIngestBatch: 1000,
  maxIngestRequestBytes: 16 * 1024 * 1024,
  maxStatsGroups: 10000,
  statsMinCell: 5,
  ratePerSecond: { ADMIN: 100, COMMAND_CENTER: 50, GRID_WORKER: 20, DEPARTMENT: 50, ANALYST: 20 },
};

/** The environment variable of each numeric limit. */
export const LIMIT_VARIABLES: Record<Exclude<keyof Limits, 'ratePerSecond'>, string> = {
  maxRequestBytes: 'GRIDHUB_MAX_REQUEST_BYTES',
  maxTokens: 'GRIDHUB_MAX_TOKENS',
  maxDepth: 'GRIDHUB_MAX_DEPTH',
  maxAliases: 'GRIDHUB_MAX_ALIASES',
  maxDirectives: 'GRIDHUB_MAX_DIRECTIVES',
  maxRepeatedFields: 'GRIDHUB_MAX_REPEATED_FIELDS',
  maxCost: 'GRIDHUB_MAX_COST',
  maxListLength: 'GRIDHUB_MAX_LIST_LENGTH',
  maxOperationsPerSocket: 'GRIDHUB_MAX_OPERATIONS_PER_SOCKET',
  maxConcurrent: 'GRIDHUB_MAX_CONCURRENT',
  maxQueued: 'GRIDHUB_MAX_QUEUED',
  maxQueueWaitMs: 'GRIDHUB_MAX_QUEUE_WAIT_MS',
  maxInFlightPerSubject: 'GRIDHUB_MAX_IN_FLIGHT_PER_SUBJECT',
  statementTimeoutMs: 'GRIDHUB_STATEMENT_TIMEOUT_MS',
  maxIngestBatch: 'GRIDHUB_MAX_INGEST_BATCH',
  maxIngestRequestBytes: 'GRIDHUB_MAX_INGEST_REQUEST_BYTES',
  maxStatsGroups: 'GRIDHUB_MAX_STATS_GROUPS',
  statsMinCell: 'GRIDHUB_STATS_MIN_CELL',
};

/** A bad environment value; the message names the variable. */
export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

/**
 * Reads and validates the environment.
 * @throws ConfigError naming the first bad variable.
 */
export function loadConfig(env: Env = process.env): Config {
  return {
    port: readPort(env),
    databaseUrl: readDatabaseUrl(env),
    dataDir: path.resolve(readString(env, 'GRIDHUB_DATA_DIR') ?? '.data'),
    jwtSecret: readSecret(env),
    demoSeed: readBoolean(env, 'GRIDHUB_DEMO_SEED', true),
    demoScale: readScale(env),
    development: env.NODE_ENV === 'development',
    introspection: readBoolean(env, 'GRIDHUB_INTROSPECTION', env.NODE_ENV === 'development'),
    limits: readLimits(env),
    priorities: readPriorities(env),
    workflow: readWorkflow(env),
    sweepIntervalMs: readSweepInterval(env),
    callAcknowledgeMinutes: readCallAcknowledgeMinutes(env),
    live: readLive(env),
    corsOrigins: readCorsOrigins(env),
  };
}

/**
 * Exact origins, scheme, host and port as a browser sends them in `Origin`: no wildcard, path or `null` (what
 * sandboxed frames and `file:` pages send, shared by any of them).
 */
function readCorsOrigins(env: Env): string[] {
  const raw = readString(env, 'GRIDHUB_CORS_ORIGINS');
  if (raw === undefined) return [];
  const origins: string[] = [];
  for (const part of raw.split(',')) {
    const origin = part.trim();
    let url: URL | null = null;
    try {
      url = new URL(origin);
    } catch {
      // reported below
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== origin || origin.includes('*')) {
      throw new ConfigError(
        `GRIDHUB_CORS_ORIGINS must be a comma-separated list of exact origins such as "https://dashboard.example.gov.cn" ` +
          `(scheme, host and port; no wildcard, path or trailing slash), got "${origin.slice(0, 80)}"`,
      );
    }
    if (!origins.includes(origin)) origins.push(origin);
  }
  return origins;
}

function readWorkflow(env: Env): WorkflowOptions {
  const file = readString(env, 'GRIDHUB_RESPONSIBILITY_FILE');
  let responsibilities;
  try {
    responsibilities = loadResponsibilityList(file ?? DEFAULT_RESPONSIBILITY_FILE);
  } catch (error) {
    throw new ConfigError(`GRIDHUB_RESPONSIBILITY_FILE: ${(error as Error).message}`);
  }
  try {
    return { responsibilities, due: parseDuePolicy(readString(env, 'GRIDHUB_DUE_HOURS'), readString(env, 'GRIDHUB_DUE_SEVERITY_FACTORS')) };
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

function readSweepInterval(env: Env): number {
  const raw = readString(env, 'GRIDHUB_SWEEP_INTERVAL_MS');
  if (raw === undefined) return DEFAULT_SWEEP_INTERVAL_MS;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || (value > 0 && value < 10)) {
    throw new ConfigError(`GRIDHUB_SWEEP_INTERVAL_MS must be 0 (no sweeping on this instance) or a whole number of milliseconds of at least 10, got "${raw}"`);
  }
  return value;
}

/** At most a week: an acknowledgement deadline is about minutes or hours. */
const MAX_CALL_ACK_MINUTES = 10080;

function readCallAcknowledgeMinutes(env: Env): number {
  const raw = readString(env, 'GRIDHUB_CALL_ACK_MINUTES');
  if (raw === undefined) return 30;
  const minutes = Number(raw);
  if (!/^\d+$/.test(raw) || minutes < 1 || minutes > MAX_CALL_ACK_MINUTES) {
    throw new ConfigError(`GRIDHUB_CALL_ACK_MINUTES must be a whole number of minutes from 1 to ${MAX_CALL_ACK_MINUTES}, got "${raw}"`);
  }
  return minutes;
}

function readLive(env: Env): LiveSettings {
  const live = { ...DEFAULT_LIVE_SETTINGS };
  for (const [key, name] of Object.entries(LIVE_VARIABLES) as [keyof LiveSettings, string][]) {
    const raw = readString(env, name);
    if (raw === undefined) continue;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < 1 || !Number.isSafeInteger(value)) {
      throw new ConfigError(`${name} must be a whole number of at least 1, got "${raw}"`);
    }
    live[key] = value;
  }
  return live;
}

function readPriorities(env: Env): Priorities {
  const file = readString(env, 'GRIDHUB_SURVIVORSHIP_FILE');
  if (file === undefined) return DEFAULT_PRIORITIES;
  try {
    return loadPriorities(file);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

function readLimits(env: Env): Limits {
  const limits: Limits = { ...DEFAULT_LIMITS, ratePerSecond: { ...DEFAULT_LIMITS.ratePerSecond } };
  for (const [key, name] of Object.entries(LIMIT_VARIABLES) as [keyof typeof LIMIT_VARIABLES, string][]) {
    const raw = readString(env, name);
    if (raw === undefined) continue;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < 1 || !Number.isSafeInteger(value)) {
      throw new ConfigError(`${name} must be a whole number of at least 1, got "${raw}"`);
    }
    limits[key] = value;
  }
  const rates = readString(env, 'GRIDHUB_RATE_LIMITS');
  if (rates !== undefined) {
    for (const part of rates.split(',')) {
      const match = /^\s*([A-Z_]+)\s*=\s*(\d+)\s*$/.exec(part);
      if (!match || !(match[1] in limits.ratePerSecond) || Number(match[2]) < 1) {
        throw new ConfigError(
          `GRIDHUB_RATE_LIMITS must look like "ANALYST=20,DEPARTMENT=50" (roles ${Object.keys(limits.ratePerSecond).join(', ')}; ` +
            `requests per second, at least 1), got "${rates}"`,
        );
      }
      limits.ratePerSecond[match[1] as keyof Limits['ratePerSecond']] = Number(match[2]);
    }
  }
  return limits;
}

function readString(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function readPort(env: Env): number {
  const raw = readString(env, 'PORT');
  if (raw === undefined) return 4000;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) {
    throw new ConfigError(`PORT must be a whole number from 0 to 65535, got "${raw}"`);
  }
  return port;
}

function readDatabaseUrl(env: Env): string | null {
  const raw = readString(env, 'DATABASE_URL');
  if (raw === undefined) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('DATABASE_URL must be a URL such as postgres://user:password@host:5432/gridhub');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(`DATABASE_URL must start with postgres:// or postgresql://, got "${url.protocol}//"`);
  }
  if (url.pathname.length <= 1) {
    throw new ConfigError('DATABASE_URL must name a database, e.g. postgres://user:password@host:5432/gridhub');
  }
  return raw;
}

function readSecret(env: Env): string | null {
  const raw = readString(env, 'GRIDHUB_JWT_SECRET');
  if (raw === undefined) return null;
  if (raw.length < 32) {
    throw new ConfigError(`GRIDHUB_JWT_SECRET must be at least 32 characters long, got ${raw.length}`);
  }
  return raw;
}

function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = readString(env, name);
  if (raw === undefined) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name} must be 0 or 1 (or true/false), got "${raw}"`);
}

function readScale(env: Env): number {
  const raw = readString(env, 'GRIDHUB_DEMO_SCALE');
  if (raw === undefined) return 1;
  const scale = Number(raw);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 100) {
    throw new ConfigError(`GRIDHUB_DEMO_SCALE must be a number above 0 and at most 100, got "${raw}"`);
  }
  return scale;
}
