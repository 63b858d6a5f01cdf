import path from 'node:path';

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
}

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
  };
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
