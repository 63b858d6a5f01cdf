import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { serverAudits } from 'graphql-http';
import { Role } from '../../src/auth/viewer';
import { Hub, startHub } from '../support/harness';

/**
 * The GraphQL-over-HTTP spec's audit suite (graphql-http). Every request carries a valid token, since gridhub
 * authenticates everything; the MUST audits must pass, SHOULD/MAY audits may warn but never error.
 */
describe('GraphQL over HTTP (graphql-http audits)', () => {
  let hub: Hub;
  let token: string;
  beforeAll(async () => {
    // Some audits query `__type`: introspection is on here (it is off by default, see limits.test.ts).
    hub = await startHub({ introspection: true });
    token = await hub.token({ roles: [Role.ADMIN] });
  });
  afterAll(() => hub.close());

  const audits = serverAudits({
    url: () => hub.url,
    fetchFn: (input: string | URL | Request, init?: RequestInit) => {
      const headers = new Headers(init?.headers);
      headers.set('authorization', `Bearer ${token}`);
      return fetch(input, { ...init, headers });
    },
  });

  it('answers in full, uncached: no entity tag, no-store, and a GET with If-None-Match: * gets its data, not a 304', async () => {
    const response = await fetch(hub.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
    expect(response.headers.get('etag')).toBeNull();
    expect(response.headers.get('cache-control')).toBe('no-store');
    // node:http, not fetch: fetch adds Cache-Control: no-cache to a conditional request, which no server answers 304.
    const url = new URL(hub.url);
    const conditional = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      http
        .get(
          { host: url.hostname, port: url.port, path: `${url.pathname}?query=${encodeURIComponent('{ __typename }')}`, headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'if-none-match': '*' } },
          (res) => {
            let body = '';
            res.on('data', (chunk) => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        )
        .on('error', reject);
    });
    expect(conditional.status).toBe(200);
    expect(JSON.parse(conditional.body)).toEqual({ data: { __typename: 'Query' } });
  });

  for (const audit of audits) {
    it(audit.name, async () => {
      const result = await audit.fn();
      if (audit.name.startsWith('MUST')) expect({ audit: audit.name, status: result.status, reason: (result as any).reason }).toMatchObject({ status: 'ok' });
      else expect({ audit: audit.name, status: result.status, reason: (result as any).reason }).not.toMatchObject({ status: 'error' });
    });
  }
});
