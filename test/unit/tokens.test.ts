import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AccessPolicy } from '../../src/access/policy';
import { describe, expect, it } from '@jest/globals';
import { SignJWT } from 'jose';
import { loadSigningKey, signToken, TokenError, validateClaims, verifyAuthorization } from '../../src/auth/tokens';
import { Role } from '../../src/auth/viewer';
import { SourceSystem } from '../../src/sources/source-system';

const key = new TextEncoder().encode('k'.repeat(40));

describe('tokens', () => {
  it('round-trips claims into a viewer with its scope', async () => {
    const token = await signToken(key, { sub: 'a1', roles: [Role.ANALYST], region: '150302000000' });
    const viewer = await verifyAuthorization(key, `Bearer ${token}`);
    expect(viewer.subject).toBe('a1');
    expect(viewer.regionCode).toBe('150302');
    expect(new AccessPolicy(viewer).masksPersonalData).toBe(true);
    expect(new AccessPolicy(viewer).department).toBeNull();
  });

  it('limits a DEPARTMENT to its source and lets it see what it sent', async () => {
    const token = await signToken(key, { sub: 'sb', roles: [Role.DEPARTMENT], region: '1503', source: SourceSystem.SOCIAL_SECURITY });
    const viewer = await verifyAuthorization(key, `Bearer ${token}`);
    expect(new AccessPolicy(viewer).department).toBe(SourceSystem.SOCIAL_SECURITY);
    expect(new AccessPolicy(viewer).masksPersonalData).toBe(false);
  });

  it('makes a COMMAND_CENTER token with a department claim that department’s seat, reading as a command centre', async () => {
    const token = await signToken(key, { sub: 'cg1', roles: [Role.COMMAND_CENTER], region: '150302', department: ' 海勃湾区城市管理综合执法局 ' });
    const viewer = await verifyAuthorization(key, `Bearer ${token}`);
    expect(viewer.department).toBe('海勃湾区城市管理综合执法局');
    expect(new AccessPolicy(viewer).department).toBeNull();
    expect((await verifyAuthorization(key, `Bearer ${await signToken(key, { sub: 'c', roles: [Role.COMMAND_CENTER], region: '15' })}`)).department).toBeNull();
    expect(() => validateClaims({ sub: 'x', roles: [Role.DEPARTMENT], region: '15', source: 'GRID_APP', department: '某局' })).toThrow(/only a COMMAND_CENTER/);
    expect(() => validateClaims({ sub: 'x', roles: [Role.COMMAND_CENTER], region: '15', department: '' })).toThrow(/department claim/);
    expect(() => validateClaims({ sub: 'x', roles: [Role.COMMAND_CENTER], region: '15', department: 'x'.repeat(101) })).toThrow(/department claim/);
    expect(() => validateClaims({ sub: 'x', roles: [Role.COMMAND_CENTER], region: '15', department: 7 })).toThrow(/department claim/);
  });

  it('refuses inconsistent claims', () => {
    expect(() => validateClaims({ sub: 'x', roles: [Role.ANALYST] })).toThrow(/only an ADMIN/);
    expect(() => validateClaims({ sub: 'x', roles: [Role.DEPARTMENT], region: '15' })).toThrow(/source system/);
    expect(() => validateClaims({ sub: 'x', roles: ['KING'], region: '15' })).toThrow(/unknown role/);
    expect(() => validateClaims({ sub: 'x', roles: [Role.ANALYST], region: '15x' })).toThrow(/bad region/);
  });

  it('refuses missing, malformed, foreign and expired tokens', async () => {
    await expect(verifyAuthorization(key, undefined)).rejects.toThrow(/authentication required/);
    await expect(verifyAuthorization(key, 'Basic abc')).rejects.toThrow(/Bearer/);
    const foreign = await signToken(new TextEncoder().encode('z'.repeat(40)), { sub: 'x', roles: [Role.ADMIN] });
    await expect(verifyAuthorization(key, `Bearer ${foreign}`)).rejects.toThrow(TokenError);
    const expired = await signToken(key, { sub: 'x', roles: [Role.ADMIN] }, '-1s');
    await expect(verifyAuthorization(key, `Bearer ${expired}`)).rejects.toThrow(/expired/);
  });
});

describe('verified tokens kept', () => {
  it('answers a token seen before with the same viewer until it expires, then refuses it', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ roles: [Role.COMMAND_CENTER], region: '150302' })
      .setProtectedHeader({ alg: 'HS256' }).setSubject('kept').setIssuer('gridhub')
      .setIssuedAt(now).setExpirationTime(now + 2).sign(key);
    const first = await verifyAuthorization(key, `Bearer ${token}`);
    expect(await verifyAuthorization(key, `Bearer ${token}`)).toBe(first);
    expect(first.regionCode).toBe('150302');
    // Kept per key: under another key the same text is a foreign token.
    await expect(verifyAuthorization(new TextEncoder().encode('y'.repeat(40)), `Bearer ${token}`)).rejects.toThrow(TokenError);
    await new Promise((resolve) => setTimeout(resolve, (now + 2) * 1000 - Date.now() + 50));
    await expect(verifyAuthorization(key, `Bearer ${token}`)).rejects.toThrow(/expired/);
  });

  it('keeps no token that failed, however often it is sent', async () => {
    const token = await signToken(key, { sub: 'x', roles: [Role.ADMIN] });
    const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    for (let i = 0; i < 3; i++) await expect(verifyAuthorization(key, `Bearer ${tampered}`)).rejects.toThrow(/not valid/);
    expect((await verifyAuthorization(key, `Bearer ${token}`)).subject).toBe('x');
  });
});

describe('token lifetime', () => {
  const claims = { roles: ['ADMIN'] };
  it('refuses a token without an expiry, or issued in the future, or living longer than 31 days', async () => {
    const now = Math.floor(Date.now() / 1000);
    const noExp = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setIssuer('gridhub').setIssuedAt().sign(key);
    await expect(verifyAuthorization(key, `Bearer ${noExp}`)).rejects.toThrow(TokenError);
    const future = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' }).setSubject('x').setIssuer('gridhub')
      .setIssuedAt(now + 3600).setExpirationTime(now + 7200).sign(key);
    await expect(verifyAuthorization(key, `Bearer ${future}`)).rejects.toThrow(/not valid/);
    const long = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' }).setSubject('x').setIssuer('gridhub')
      .setIssuedAt(now).setExpirationTime(now + 90 * 86400).sign(key);
    await expect(verifyAuthorization(key, `Bearer ${long}`)).rejects.toThrow(TokenError);
    await expect(signToken(key, { sub: 'x', roles: [Role.ADMIN] }, '90d')).rejects.toThrow(/at most 31d/);
  });
});

describe('the generated signing key', () => {
  it('is created once, reused, and refused when too short', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gridhub-key-'));
    try {
      const [a, b] = await Promise.all([loadSigningKey(null, dir), loadSigningKey(null, dir)]);
      expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
      expect(a.length).toBeGreaterThanOrEqual(32);
      expect(Buffer.from(await loadSigningKey(null, dir)).equals(Buffer.from(a))).toBe(true);
      expect((await fs.readdir(dir)).sort()).toEqual(['jwt-secret']);
      await fs.writeFile(path.join(dir, 'jwt-secret'), '');
      await expect(loadSigningKey(null, dir)).rejects.toThrow(/shorter than 32 bytes/);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('clock skew', () => {
  it('accepts a token issued a few seconds "in the future" by another instance', async () => {
    const now = Math.floor(Date.now() / 1000);
    const ahead = await new SignJWT({ roles: ['ADMIN'] })
      .setProtectedHeader({ alg: 'HS256' }).setSubject('x').setIssuer('gridhub')
      .setIssuedAt(now + 5).setExpirationTime(now + 3600).sign(key);
    expect((await verifyAuthorization(key, `Bearer ${ahead}`)).subject).toBe('x');
  });
});
