import { SourceSystem } from '../../src/sources/source-system';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../src/auth/viewer';
import { Hub, startHub, wsQuery } from '../support/harness';

describe('authentication', () => {
  let hub: Hub;
  beforeAll(async () => {
    hub = await startHub();
  });
  afterAll(() => hub.close());

  it('answers a request without a token with UNAUTHENTICATED (401)', async () => {
    const result = await hub.gql(null, '{ regions { code } }');
    expect(result.status).toBe(401);
    expect(result.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(result.errors?.[0].message).toMatch(/Bearer/);
  });

  it('refuses a token signed with another key, and garbage', async () => {
    for (const token of ['not-a-jwt', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl']) {
      const result = await hub.gql(token, '{ regions { code } }');
      expect(result.status).toBe(401);
      expect(result.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    }
  });

  it('answers GET queries with a token, and refuses GET without one', async () => {
    const token = await hub.token({ roles: [Role.ANALYST], region: '150302' });
    const url = `${hub.url}?query=${encodeURIComponent('{ region(code: "150302") { name } }')}`;
    const ok = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as any).data.region.name).toBe('海勃湾区');
    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(401);
  });

  it('serves queries over graphql-ws with connectionParams.authorization', async () => {
    const token = await hub.token({ roles: [Role.COMMAND_CENTER], region: '150303' });
    const result = await wsQuery(hub.ws(token), '{ region(code: "150303") { code name level } }');
    expect(result.errors).toBeUndefined();
    expect(result.data.region).toEqual({ code: '150303', name: '海南区', level: 'COUNTY' });
  });

  it('closes a WebSocket without a valid token with 4403 Forbidden', async () => {
    for (const token of [null, 'garbage']) {
      const client = hub.ws(token);
      const error = await wsQuery(client, '{ regions { code } }').then(
        () => null,
        (reason) => reason,
      );
      expect(error).toMatchObject({ code: 4403 });
    }
  });

  it('reports contract error codes over WebSocket too', async () => {
    const token = await hub.token({ roles: [Role.ANALYST], region: '150303' });
    const result = await wsQuery(hub.ws(token), '{ people(filter: { regionCode: "150302" }) { totalCount } }');
    expect(result.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('refuses a mutation to a role that lacks it with FORBIDDEN', async () => {
    const token = await hub.token({ roles: [Role.COMMAND_CENTER], region: '1503' });
    const result = await hub.gql(token, 'mutation { upsertRegions(regions: [{ code: "15", name: "x" }]) { created } }');
    expect(result.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(result.errors?.[0].message).toMatch(/ADMIN/);
  });

  it('maps invalid documents to BAD_USER_INPUT without internals', async () => {
    const token = await hub.token({ roles: [Role.ADMIN] });
    const syntax = await hub.gql(token, '{ regions { code ');
    expect(syntax.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const unknown = await hub.gql(token, '{ nope }');
    expect(unknown.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(unknown.errors)).not.toMatch(/stacktrace|node_modules/);
  });

  it('refuses oversized request bodies with 413: 1 MiB for readers, 16 MiB for callers that may ingest', async () => {
    const post = async (roles: Role[], megabytes: number) => {
      const token = await hub.token({ roles, region: '150302', source: roles.includes(Role.DEPARTMENT) ? SourceSystem.CIVIL_AFFAIRS : undefined });
      return fetch(hub.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: `{ __typename } # ${'x'.repeat(megabytes * 1024 * 1024)}` }),
      });
    };
    const analyst = await post([Role.ANALYST], 2);
    expect(analyst.status).toBe(413);
    const refusal = ((await analyst.json()) as any).errors[0];
    expect(refusal).toMatchObject({ message: `the request body is larger than ${1024 * 1024} bytes`, extensions: { code: 'BAD_USER_INPUT' } });
    expect((await post([Role.DEPARTMENT], 2)).status).toBe(200);
    const department = await post([Role.DEPARTMENT], 17);
    expect(department.status).toBe(413);
    expect(((await department.json()) as any).errors[0].message).toBe(`the request body is larger than ${16 * 1024 * 1024} bytes`);
  });
});
