import { describe, expect, it } from '@jest/globals';
import { signToken, TokenError, validateClaims, verifyAuthorization } from '../../src/auth/tokens';
import { Role } from '../../src/auth/viewer';
import { SourceSystem } from '../../src/sources/source-system';

const key = new TextEncoder().encode('k'.repeat(40));

describe('tokens', () => {
  it('round-trips claims into a viewer with its scope', async () => {
    const token = await signToken(key, { sub: 'a1', roles: [Role.ANALYST], region: '150302000000' });
    const viewer = await verifyAuthorization(key, `Bearer ${token}`);
    expect(viewer.subject).toBe('a1');
    expect(viewer.regionCode).toBe('150302');
    expect(viewer.seesPersonalData).toBe(false);
    expect(viewer.sourceScope).toBeNull();
  });

  it('limits a DEPARTMENT to its source and lets it see what it sent', async () => {
    const token = await signToken(key, { sub: 'sb', roles: [Role.DEPARTMENT], region: '1503', source: SourceSystem.SOCIAL_SECURITY });
    const viewer = await verifyAuthorization(key, `Bearer ${token}`);
    expect(viewer.sourceScope).toBe(SourceSystem.SOCIAL_SECURITY);
    expect(viewer.seesPersonalData).toBe(true);
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
