import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../src/auth/viewer';
import { Hub, startHub } from '../support/harness';

const DASHBOARD = 'https://dashboard.wuhai.example';
const HOSTILE = 'https://evil.example';
const QUERY = JSON.stringify({ query: '{ region(code: "150302") { name } }' });

/** The CORS headers of a response, by lower-case name. */
function corsHeaders(response: Response): Record<string, string> {
  return Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('access-control-')));
}

function preflight(hub: Hub, origin: string): Promise<Response> {
  return fetch(hub.url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
  });
}

/** Cross-origin reads of /graphql (GRIDHUB_CORS_ORIGINS), through HTTP as a browser sends them. */
describe('CORS', () => {
  let hub: Hub;
  let closed: Hub;
  let token: string;
  beforeAll(async () => {
    [hub, closed] = await Promise.all([startHub({ corsOrigins: [DASHBOARD, 'http://localhost:8080'] }), startHub()]);
    token = await hub.token({ roles: [Role.ANALYST], region: '150302' });
  });
  afterAll(() => Promise.all([hub?.close(), closed?.close()]));

  const post = (target: Hub, origin: string, auth: string | null = token) =>
    fetch(target.url, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
      body: QUERY,
    });

  it('lets a listed origin read answers: its own origin, no credentials, Vary: Origin', async () => {
    const response = await post(hub, DASHBOARD);
    expect(response.status).toBe(200);
    expect(((await response.json()) as any).data.region.name).toBe('海勃湾区');
    expect(corsHeaders(response)).toEqual({ 'access-control-allow-origin': DASHBOARD, 'access-control-expose-headers': 'Retry-After' });
    expect(response.headers.get('vary')).toMatch(/\bOrigin\b/);
  });

  it('lets a listed origin read a refusal too (401 without a token)', async () => {
    const response = await post(hub, DASHBOARD, null);
    expect(response.status).toBe(401);
    expect(response.headers.get('access-control-allow-origin')).toBe(DASHBOARD);
  });

  it('answers a listed origin\'s preflight with the methods and headers it may use', async () => {
    const response = await preflight(hub, DASHBOARD);
    expect(response.status).toBe(204);
    expect(corsHeaders(response)).toEqual({
      'access-control-allow-origin': DASHBOARD,
      'access-control-allow-methods': 'GET,POST',
      'access-control-allow-headers': 'authorization,content-type',
      'access-control-max-age': '600',
      'access-control-expose-headers': 'Retry-After',
    });
    expect(response.headers.get('vary')).toMatch(/\bOrigin\b/);
  });

  it('gives an unlisted origin nothing: no allow headers on answers or preflights, wildcard or reflected', async () => {
    for (const origin of [HOSTILE, 'null', `${DASHBOARD}.evil.example`, 'http://dashboard.wuhai.example', `${DASHBOARD}:444`, 'http://localhost:8081']) {
      const answer = await post(hub, origin);
      expect(answer.status).toBe(200);
      expect(corsHeaders(answer)).toEqual({});
      expect(answer.headers.get('vary')).toMatch(/\bOrigin\b/);
      const refused = await preflight(hub, origin);
      expect(refused.status).toBe(204);
      expect(corsHeaders(refused)).toEqual({});
    }
    // A GET query (a "simple" request, no preflight) neither.
    const get = await fetch(`${hub.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: { origin: HOSTILE, authorization: `Bearer ${token}` } });
    expect(get.status).toBe(200);
    expect(corsHeaders(get)).toEqual({});
  });

  it('sends no CORS header at all when no origin is configured (the default)', async () => {
    const closedToken = await closed.token({ roles: [Role.ANALYST], region: '150302' });
    for (const origin of [DASHBOARD, HOSTILE]) {
      const answer = await post(closed, origin, closedToken);
      expect(answer.status).toBe(200);
      expect(corsHeaders(answer)).toEqual({});
      expect(answer.headers.get('vary') ?? '').not.toMatch(/\bOrigin\b/);
      const refused = await preflight(closed, origin);
      expect(corsHeaders(refused)).toEqual({});
    }
  });
});
