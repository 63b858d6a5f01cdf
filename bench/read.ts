import 'reflect-metadata';
import os from 'node:os';
import { loadSigningKey, signToken } from '../src/auth/tokens';
import { Role } from '../src/auth/viewer';
import { loadConfig } from '../src/config';

/**
 * `npm run bench:read` against a running hub (`npm start` in another terminal, same GRIDHUB_DATA_DIR or
 * GRIDHUB_JWT_SECRET, same PORT): sequential latency of typical dashboard and analyst pages, p50/p95 over 50
 * requests after 5 warm-ups. Prints the figures; asserts nothing.
 */
const CASES: Record<string, string> = {
  'people, page of 20, flat': '{ people(filter: { regionCode: "150302" }, first: 20) { edges { node { id name gender } } } }',
  'people, page of 100, nested grid/regionPath/places/sourceRecords/lineage + totalCount': `{
    people(filter: { regionCode: "150302" }, first: 100) { totalCount edges { node {
      id name idNumber grid { name } regionPath { name } places { role place { name } }
      sourceRecords { source payload } lineage { field source } } } } }`,
  'people, 5th page of 100 by NAME (keyset)': '{ people(first: 100, orderBy: { field: NAME }) { pageInfo { endCursor } } }',
  'incidents, page of 50 by REPORTED_AT desc + parties/events': `{
    incidents(first: 50, orderBy: { field: REPORTED_AT, direction: DESC }) { totalCount edges { node {
      caseNumber grid { name } parties { role person { name } } events { type at } } } } }`,
  'incidents of one town, 50 newest (REPORTED_AT desc)': `{
    incidents(filter: { regionCode: "150302001" }, first: 50, orderBy: { field: REPORTED_AT, direction: DESC }) { edges { node {
      caseNumber title status reportedAt grid { name } } } } }`,
  'regions, all grids of a county': '{ regions(parentCode: "150302", level: GRID) { code name } }',
};

async function main(): Promise<void> {
  const config = loadConfig();
  const url = `http://localhost:${config.port}/graphql`;
  const token = await signToken(await loadSigningKey(config.jwtSecret, config.dataDir), { sub: 'bench', roles: [Role.ADMIN] });
  const run = async (query: string, variables?: Record<string, unknown>) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: any; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  const total = (await run('{ people(first: 0) { totalCount } }')).people.totalCount;
  console.log(`hub ${url}: ${total.toLocaleString('en')} people; ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`);
  for (const [name, text] of Object.entries(CASES)) {
    let query = text;
    let variables: Record<string, unknown> | undefined;
    if (name.includes('5th page')) {
      // Continue from the end of the 4th page, as a client paging on would.
      let after: string | null = null;
      for (let page = 0; page < 4; page++) {
        const pageQuery = 'query ($after: String) { people(first: 100, orderBy: { field: NAME }, after: $after) { pageInfo { endCursor } } }';
        after = (await run(pageQuery, { after })).people.pageInfo.endCursor;
      }
      query = 'query ($after: String) { people(first: 100, orderBy: { field: NAME }, after: $after) { edges { node { id name } } } }';
      variables = { after };
    }
    for (let i = 0; i < 5; i++) await run(query, variables);
    const times: number[] = [];
    for (let i = 0; i < 50; i++) {
      const started = performance.now();
      await run(query, variables);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    console.log(`${name}: p50 ${times[24].toFixed(1)} ms, p95 ${times[47].toFixed(1)} ms`);
  }
}

main().catch((error) => {
  console.error('bench:read:', error instanceof Error ? error.message : error);
  process.exit(1);
});
