import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { parseRegionCode, RegionCodeError } from '../shared/region-code';
import { SourceSystem } from '../sources/source-system';
import { Role, Viewer } from './viewer';

const ALGORITHM = 'HS256';
const ISSUER = 'gridhub';
/** Tokens must expire, and within this lifetime of being issued. */
export const MAX_TOKEN_AGE = '31d';
const MAX_LIFETIME_SECONDS = 31 * 24 * 3600;
const CLOCK_SKEW_SECONDS = 60;

/** Claims of a gridhub token (design §6). */
export interface TokenClaims {
  sub: string;
  roles: Role[];
  /** Region scope code; may be left out only for ADMIN (no region limit). */
  region?: string;
  /** Source system of a DEPARTMENT token. */
  source?: SourceSystem;
  /** Handling department a COMMAND_CENTER token is a seat of (see {@link Viewer.department}). */
  department?: string;
}

/** Longest `department` claim. */
const MAX_DEPARTMENT_CLAIM = 100;

/** A token that cannot be accepted; the message says why and is safe to show. */
export class TokenError extends Error {}

/**
 * The HS256 key: `GRIDHUB_JWT_SECRET` when set, otherwise a random key generated once and kept in
 * `<dataDir>/jwt-secret` (mode 600), so the server and `npm run token` agree.
 */
export async function loadSigningKey(secret: string | null, dataDir: string): Promise<Uint8Array> {
  if (secret) return new TextEncoder().encode(secret);
  const file = path.join(dataDir, 'jwt-secret');
  try {
    return keyFrom(await fs.readFile(file, 'utf8'), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await fs.mkdir(dataDir, { recursive: true });
  // Written whole to a temporary file, then linked into place: a reader never sees a partial key, and when two
  // processes race, the first link wins and both use its key.
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await fs.writeFile(temporary, randomBytes(48).toString('base64url') + '\n', { mode: 0o600 });
  try {
    await fs.link(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await fs.unlink(temporary);
  }
  return keyFrom(await fs.readFile(file, 'utf8'), file);
}

/** Shortest acceptable signing key, in bytes. */
const MIN_KEY_BYTES = 32;

function keyFrom(text: string, file: string): Uint8Array {
  const key = new TextEncoder().encode(text.trim());
  if (key.length < MIN_KEY_BYTES) {
    throw new Error(`the signing key in ${file} is shorter than ${MIN_KEY_BYTES} bytes: delete the file to generate a new one`);
  }
  return key;
}

/** Checks claims for shape and consistency. @throws TokenError */
export function validateClaims(claims: Record<string, unknown>): TokenClaims {
  const { sub, roles, region, source, department } = claims;
  if (typeof sub !== 'string' || sub === '') throw new TokenError('the token has no subject (sub)');
  if (!Array.isArray(roles) || roles.length === 0) throw new TokenError('the token has no roles');
  for (const role of roles) {
    if (!Object.values(Role).includes(role as Role)) throw new TokenError(`unknown role "${String(role)}"`);
  }
  const result: TokenClaims = { sub, roles: roles as Role[] };
  if (region === undefined || region === null) {
    if (!roles.includes(Role.ADMIN)) throw new TokenError('only an ADMIN token may leave out the region');
  } else {
    try {
      result.region = parseRegionCode(String(region));
    } catch (error) {
      throw new TokenError(`bad region in token: ${(error as RegionCodeError).message}`);
    }
  }
  if (source !== undefined && source !== null) {
    if (!Object.values(SourceSystem).includes(source as SourceSystem)) {
      throw new TokenError(`unknown source system "${String(source)}"`);
    }
    result.source = source as SourceSystem;
  }
  if (roles.includes(Role.DEPARTMENT) && !result.source) {
    throw new TokenError('a DEPARTMENT token must name its source system');
  }
  if (department !== undefined && department !== null) {
    if (typeof department !== 'string' || department.trim() === '' || department.length > MAX_DEPARTMENT_CLAIM || /[\u0000-\u001f]/.test(department)) {
      throw new TokenError(`the department claim must be a department name of 1 to ${MAX_DEPARTMENT_CLAIM} characters`);
    }
    // A department's seat is a command-centre seat with narrower workflow rights; with any other role it would
    // widen or muddle what the token may do.
    if (roles.length !== 1 || roles[0] !== Role.COMMAND_CENTER) {
      throw new TokenError('only a COMMAND_CENTER token (and no other role) may name a department');
    }
    result.department = department.trim();
  }
  return result;
}

/** Signs a token. @throws TokenError when the claims are inconsistent. */
export async function signToken(key: Uint8Array, claims: TokenClaims, expiresIn = '12h'): Promise<string> {
  const valid = validateClaims({ ...claims });
  const seconds = lifetimeSeconds(expiresIn);
  if (seconds > MAX_LIFETIME_SECONDS) throw new TokenError(`a token may live at most ${MAX_TOKEN_AGE}, not ${expiresIn}`);
  const payload: Record<string, unknown> = { roles: valid.roles };
  if (valid.region) payload.region = valid.region;
  if (valid.source) payload.source = valid.source;
  if (valid.department) payload.department = valid.department;
  return new SignJWT(payload)
    .setProtectedHeader({ alg: ALGORITHM })
    .setSubject(valid.sub)
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key);
}

/** `30m`, `12h`, `7d`, `-1s` as seconds. @throws TokenError */
function lifetimeSeconds(text: string): number {
  const match = /^(-?\d+)\s*([smhd])$/.exec(text.trim());
  if (!match) throw new TokenError(`"${text}" is not a lifetime such as 30m, 12h or 7d`);
  return Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[match[2] as 's' | 'm' | 'h' | 'd'];
}

/** Tokens kept verified per signing key ({@link verifyAuthorization}), and the longest kept. */
const MAX_VERIFIED_TOKENS = 1_000;
const MAX_VERIFIED_TOKEN_LENGTH = 4_096;

/** Per signing key: token → its viewer, most recently used last (the viewer carries the token's expiry). */
const verifiedTokens = new WeakMap<Uint8Array, Map<string, Viewer>>();

/**
 * Verifies an `Authorization` value (`Bearer <jwt>`) and returns the viewer.
 *
 * A token that verified is kept (at most {@link MAX_VERIFIED_TOKENS} per key, least recently used out first) with its
 * viewer until it expires: a dashboard sends the same token with every request, and checking its signature and
 * claims again each time was about 5 % of the hub's CPU per request under load (`npm run bench:queries --
 * --profile`). What verification decides cannot change for the same text under the same key, except expiry, which
 * is checked on every use; a token that did not verify is never kept.
 * @throws TokenError with a reason that can be shown to the client.
 */
export async function verifyAuthorization(key: Uint8Array, authorization: unknown): Promise<Viewer> {
  if (typeof authorization !== 'string' || authorization.trim() === '') {
    throw new TokenError('authentication required: send "Authorization: Bearer <token>"');
  }
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match) throw new TokenError('the Authorization value must be "Bearer <token>"');
  let kept = verifiedTokens.get(key);
  if (!kept) verifiedTokens.set(key, (kept = new Map()));
  const known = kept.get(match[1]);
  if (known) {
    kept.delete(match[1]);
    if (known.expiresAt !== null && known.expiresAt.getTime() > Date.now()) {
      kept.set(match[1], known);
      return known;
    }
  }
  const viewer = await verifyToken(key, match[1]);
  if (match[1].length <= MAX_VERIFIED_TOKEN_LENGTH && viewer.expiresAt !== null) {
    kept.set(match[1], viewer);
    if (kept.size > MAX_VERIFIED_TOKENS) kept.delete(kept.keys().next().value!);
  }
  return viewer;
}

/** The viewer of a token, verified in full. @throws TokenError */
async function verifyToken(key: Uint8Array, token: string): Promise<Viewer> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms: [ALGORITHM],
      issuer: ISSUER,
      requiredClaims: ['exp', 'iat', 'sub'],
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw new TokenError('the token has expired');
    throw new TokenError('the token is not valid');
  }
  // Checked here rather than by jose's maxTokenAge, which allows no clock skew at all: instances' clocks differ a
  // little, and a token issued a moment "in the future" elsewhere is still good. Expiry stays exact.
  if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + CLOCK_SKEW_SECONDS) {
    throw new TokenError('the token is not valid: issued in the future');
  }
  if (typeof payload.exp === 'number' && typeof payload.iat === 'number' && payload.exp - payload.iat > MAX_LIFETIME_SECONDS) {
    throw new TokenError(`the token is not valid: it lives longer than ${MAX_TOKEN_AGE}`);
  }
  const claims = validateClaims(payload);
  const expiresAt = typeof payload.exp === 'number' ? new Date(payload.exp * 1000) : null;
  return new Viewer(claims.sub, new Set(claims.roles), claims.region ?? null, claims.source ?? null, claims.department ?? null, expiresAt);
}
