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

  it('hashes no entity tag over an answer (nothing revalidates a GraphQL answer)', async () => {
    const response = await fetch(hub.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
    expect(response.headers.get('etag')).toBeNull();
  });

  for (const audit of audits) {
    it(audit.name, async () => {
      const result = await audit.fn();
      if (audit.name.startsWith('MUST')) expect({ audit: audit.name, status: result.status, reason: (result as any).reason }).toMatchObject({ status: 'ok' });
      else expect({ audit: audit.name, status: result.status, reason: (result as any).reason }).not.toMatchObject({ status: 'error' });
    });
  }
});
