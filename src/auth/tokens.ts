import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { parseRegionCode, RegionCodeError } from '../shared/region-code';
import { SourceSystem } from '../sources/source-system';
import { Role, Viewer } from './viewer';

const ALGORITHM = 'HS256';
const ISSUER = 'gridhub';

/** Claims of a gridhub token (design §6). */
export interface TokenClaims {
  sub: string;
  roles: Role[];
  /** Region scope code; may be left out only for ADMIN (no region limit). */
  region?: string;
  /** Source system of a DEPARTMENT token. */
  source?: SourceSystem;
}

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
    return new TextEncoder().encode((await fs.readFile(file, 'utf8')).trim());
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await fs.mkdir(dataDir, { recursive: true });
  const generated = randomBytes(48).toString('base64url');
  try {
    await fs.writeFile(file, generated + '\n', { mode: 0o600, flag: 'wx' });
    return new TextEncoder().encode(generated);
  } catch {
    // Another process created it first: use theirs.
    return new TextEncoder().encode((await fs.readFile(file, 'utf8')).trim());
  }
}

/** Checks claims for shape and consistency. @throws TokenError */
export function validateClaims(claims: Record<string, unknown>): TokenClaims {
  const { sub, roles, region, source } = claims;
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
  return result;
}

/** Signs a token. @throws TokenError when the claims are inconsistent. */
export async function signToken(key: Uint8Array, claims: TokenClaims, expiresIn = '12h'): Promise<string> {
  const valid = validateClaims({ ...claims });
  const payload: Record<string, unknown> = { roles: valid.roles };
  if (valid.region) payload.region = valid.region;
  if (valid.source) payload.source = valid.source;
  return new SignJWT(payload)
    .setProtectedHeader({ alg: ALGORITHM })
    .setSubject(valid.sub)
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key);
}

/**
 * Verifies an `Authorization` value (`Bearer <jwt>`) and returns the viewer.
 * @throws TokenError with a reason that can be shown to the client.
 */
export async function verifyAuthorization(key: Uint8Array, authorization: unknown): Promise<Viewer> {
  if (typeof authorization !== 'string' || authorization.trim() === '') {
    throw new TokenError('authentication required: send "Authorization: Bearer <token>"');
  }
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match) throw new TokenError('the Authorization value must be "Bearer <token>"');
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(match[1], key, { algorithms: [ALGORITHM], issuer: ISSUER }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw new TokenError('the token has expired');
    throw new TokenError('the token is not valid');
  }
  const claims = validateClaims(payload);
  return new Viewer(claims.sub, new Set(claims.roles), claims.region ?? null, claims.source ?? null);
}
